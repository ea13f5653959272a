"""A `Resolution` → the table and the JSON that `resdiff parse` prints (pure)."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from pipeline.models import Resolution


def resolution_json(res: Resolution) -> dict[str, Any]:
    """The JSON form of a resolution: metadata, paragraphs and footnotes (stable keys)."""
    return {
        "symbol": res.symbol,
        "title": res.title,
        "session": res.session,
        "agenda_item": res.agenda_item,
        "adopted": res.adopted,
        "issued": res.issued,
        "committee_report": res.committee_report,
        "plenary_meeting": res.plenary_meeting,
        "kind": res.kind,
        "sponsors": list(res.sponsors),
        "source_format": str(res.source_format),
        "citations": list(res.citations),
        "paragraphs": [
            {
                "id": p.pid,
                "section": str(p.section),
                "number": p.number,
                "lead": p.lead,
                "text": p.text,
                "subparagraphs": [{"label": s.label, "text": s.text} for s in p.subparagraphs],
                "footnotes": list(p.footnotes),
                "citations": list(p.citations),
            }
            for p in res.paragraphs
        ],
        "footnotes": [
            {
                "number": f.number,
                "text": f.text,
                "citations": list(f.citations),
                "cited_by": list(f.cited_by),
            }
            for f in res.footnotes
        ],
    }


def resolution_table(res: Resolution, width: int | None = None) -> str:
    """A readable table of a resolution for the terminal."""
    width = width or min(shutil.get_terminal_size((100, 20)).columns, 120)
    meta = [
        ("symbol", res.symbol or "?"),
        ("title", res.title),
        ("kind", res.kind),
        ("session", str(res.session or "")),
        ("agenda item", res.agenda_item or ""),
        ("adopted", res.adopted or ""),
        ("report", res.committee_report or ""),
        ("plenary meeting", str(res.plenary_meeting or "")),
        ("paragraphs", f"{len(res.preamble)} preambular, {len(res.operative)} operative"),
        ("footnotes", str(len(res.footnotes))),
    ]
    lines = [f"{k:>16}  {v}" for k, v in meta if v]
    lines.append("")
    text_width = max(30, width - 34)
    lines.append(f"{'id':<6}{'lead':<26}text")
    lines.append("-" * min(width, 6 + 26 + text_width))
    for p in res.paragraphs:
        body = p.text[len(p.lead) :].strip() if p.text.startswith(p.lead) else p.text
        notes = f" [{', '.join(map(str, p.footnotes))}]" if p.footnotes else ""
        short = textwrap.shorten(body + notes, text_width, placeholder=" …")
        lines.append(f"{p.pid:<6}{textwrap.shorten(p.lead, 25, placeholder='…'):<26}{short}")
    if res.footnotes:
        lines.append("")
        for f in res.footnotes:
            cited = ", ".join(f.cited_by) or "not cited"
            lines.append(
                textwrap.shorten(f"[{f.number}] ({cited}) {f.text}", width, placeholder=" …")
            )
    return "\n".join(lines)
