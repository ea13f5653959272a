"""A `Resolution` → the table and the JSON that `resdiff parse` prints (pure)."""

from __future__ import annotations

import re
import shutil
import textwrap
from typing import Any

from pipeline.models import Resolution, Subparagraph


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
        "annex": list(res.annex),
        "source_format": str(res.source_format),
        "citations": list(res.citations),
        "paragraphs": [
            {
                "id": p.pid,
                "section": str(p.section),
                "number": p.number,
                "lead": p.lead,
                "text": p.text,
                "heading": p.heading,
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


# --- the ODS text-layer style, for synthetic documents ---------------------------------------


def to_text_layer(
    res: Resolution,
    *,
    lines_per_page: int = 46,
    width: int = 86,
    job: str = "00-00000",
    spaced_markers: bool = False,
    running_head: str | None = None,
) -> str:
    """Render a resolution the way the ODS text layer prints it, artefacts included.

    For synthetic test documents (real text with known edits): masthead, running heads with
    job and page numbers, paragraphs wrapped and cut across pages, operative numbers alone on
    a line, footnote digits glued to the word before them (or spaced, with `spaced_markers`)
    where the original printed them, and footnote blocks under a `__________________` rule at
    the foot of the page that cites them first. `running_head` replaces the title in the
    running heads (the ODS shortens long titles there).
    """
    notes = {f.number: f.text for f in res.footnotes}
    symbol = res.symbol or ""
    head_title = textwrap.wrap(running_head or res.title, 62) or [""]
    out: list[str] = ["United Nations ", symbol, " ", "General Assembly "]
    masthead = [m for m in res.masthead if m != symbol]
    out += masthead[:2] + [" ", f"{job} (E)    000000 ", f"*{job.replace('-', '')}* ", " "]
    for item in masthead[2:]:
        out += textwrap.wrap(item, width) + [" "]
    out += [" ", "The General Assembly,  ", " "]
    page, page_lines = 1, len(out)
    pending: list[int] = []
    printed: set[int] = set()

    def foot() -> None:
        if pending:
            out.extend(["__________________ ", " "])
            for n in pending:
                out.extend(textwrap.wrap(f"{n}  {notes.get(n, '')}", width) + [" "])
            pending.clear()

    def new_page() -> None:
        nonlocal page, page_lines
        foot()
        page += 1
        out.append("")
        if page % 2 == 0:
            out.extend([symbol, *head_title, " ", job, f"{page}/{page + 9} ", " ", " "])
        else:
            out.extend([*head_title, symbol, " ", f"{page}/{page + 9}", job, " "])
        page_lines = 0

    gap = " " if spaced_markers else ""
    heading: str | None = None
    for p in res.paragraphs:
        if p.heading and p.heading != heading:
            for line in textwrap.wrap(p.heading, width) + [" "]:
                if page_lines >= lines_per_page:
                    new_page()
                out.append(line)
                page_lines += 1
        heading = p.heading
        text = p.text
        for offset, n in sorted(p.marks, reverse=True):
            text = text[:offset] + f"\u27e6{n}\u27e7" + text[offset:]
        lines = []
        for part in _subparagraph_parts(text, p.subparagraphs):  # each "(a) …" on its own line
            lines += textwrap.wrap(part, width, break_on_hyphens=False, break_long_words=False)
        if p.number is not None:
            lines = [f"{p.number}. "] + lines
        for line in lines:
            if page_lines >= lines_per_page:
                new_page()

            def mark(m: re.Match[str]) -> str:
                n = int(m.group(1))
                if n in printed or n not in notes:
                    return m.group(1)  # a repeated citation: glued, as the ODS layer prints it
                printed.add(n)
                pending.append(n)
                return gap + m.group(1)

            out.append(re.sub(r"\u27e6(\d+)\u27e7", mark, line) + " ")
            page_lines += 1
        out.append(" ")
        page_lines += 1
    if res.plenary_meeting:
        out.append(f"{_ordinal(res.plenary_meeting)} plenary meeting ")
        if res.adopted:
            out.append(_long_date(res.adopted) + " ")
    foot()
    return "\n".join(out) + "\n"


def _subparagraph_parts(text: str, subparagraphs: tuple[Subparagraph, ...]) -> list[str]:
    """Cut a paragraph's text before each of its subparagraph markers."""
    parts, pos = [], 0
    for sub in subparagraphs:
        marker = f"({sub.label.split('.')[-1]}) {sub.text[:20]}"
        at = text.find(marker, pos)
        if at > pos:
            parts.append(text[pos:at].strip())
            pos = at
    parts.append(text[pos:].strip())
    return [p for p in parts if p]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _long_date(iso: str) -> str:
    from datetime import date

    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"
