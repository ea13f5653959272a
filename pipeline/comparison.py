"""Compare two versions of a resolution: paragraphs, clauses, mandates and citations.

`compare_resolutions` is the pure core behind `pipeline.compare`: it aligns the paragraphs
(`pipeline.align`), splits every aligned pair into clauses and aligns those
(`pipeline.clauses`, `pipeline.mandates`), diffs their words (`pipeline.diff`), classifies
what happened to each mandate, and sets the documents cited by both versions side by side.
The result is a `Comparison`: frozen values plus DataFrame views (`pipeline.frames`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline import frames
from pipeline.align import DIGITS, align
from pipeline.clauses import split_clauses
from pipeline.config import Settings
from pipeline.diff import word_diff
from pipeline.mandates import align_clauses, classify
from pipeline.models import (
    AlignmentEntry,
    CitationChanges,
    Clause,
    ClauseDiff,
    Edit,
    EditOp,
    MandateChange,
    Paragraph,
    Resolution,
    Section,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Comparison:
    """How `new` differs from `old`: paragraph alignment, clause diffs, mandates, citations.

    Frozen values; the DataFrame properties build a fresh frame on each call, with the fixed
    columns and dtypes documented in `pipeline.frames`.

    >>> import pipeline
    >>> c = pipeline.compare("A/RES/74/175", "A/RES/78/226")  # doctest: +SKIP
    >>> c.summary()  # doctest: +SKIP
    """

    old: Resolution
    new: Resolution
    entries: tuple[AlignmentEntry, ...]
    clause_diffs: tuple[ClauseDiff, ...]
    mandate_changes: tuple[MandateChange, ...]
    citation_changes: CitationChanges

    @property
    def paragraphs(self) -> pd.DataFrame:
        """One row per paragraph of either version, with the alignment entry it is in."""
        return frames.paragraphs_frame(self)

    @property
    def alignment(self) -> pd.DataFrame:
        """One row per alignment entry, in the order of the new version."""
        return frames.alignment_frame(self)

    @property
    def clauses(self) -> pd.DataFrame:
        """One row per pair of aligned clauses (or clause added or removed), with its diff."""
        return frames.clauses_frame(self)

    @property
    def mandates(self) -> pd.DataFrame:
        """One row per clause of either version: what happened to it (see `section`)."""
        return frames.mandates_frame(self)

    @property
    def citations(self) -> pd.DataFrame:
        """One row per document cited by either version: added, removed or kept."""
        return frames.citations_frame(self)

    def summary(self) -> pd.DataFrame:
        """Counts of mandate changes by change type, actor and section (long format)."""
        return frames.summary_frame(self)

    def to_json(self) -> dict[str, Any]:
        """The whole comparison as plain JSON values (the `--format json` of the CLI)."""
        return comparison_json(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: the compact report (summary, changed paragraphs as a redline)."""
        from pipeline.report import render_report  # jinja2 only when a notebook asks

        return render_report(self, compact=True)


def compare_resolutions(
    old: Resolution, new: Resolution, *, settings: Settings | None = None
) -> Comparison:
    """Compare two parsed resolutions; pure (no I/O), deterministic."""
    settings = settings or Settings()
    entries = align(old, new, settings=settings.align)
    diffs: list[ClauseDiff] = []
    mandates: list[MandateChange] = []
    olds = {p.pid: p for p in old.paragraphs}  # looked up once per paragraph of every entry
    news = {p.pid: p for p in new.paragraphs}
    for entry in entries:
        d, m = _clause_level(olds, news, entry)
        diffs.extend(d)
        mandates.extend(m)
    return Comparison(old, new, entries, tuple(diffs), tuple(mandates),
                      citation_changes(old, new))


def citation_changes(old: Resolution, new: Resolution) -> CitationChanges:
    """Documents cited by only the new version (added), only the old (removed), or both."""
    a, b = set(old.citations), set(new.citations)
    return CitationChanges(tuple(sorted(b - a)), tuple(sorted(a - b)), tuple(sorted(a & b)))


def _clauses(paragraphs: dict[str, Paragraph], pids: tuple[str, ...]) -> tuple[Clause, ...]:
    return tuple(c for pid in pids for c in split_clauses(paragraphs[pid]))


def _clause_level(
    olds: dict[str, Paragraph], news: dict[str, Paragraph], entry: AlignmentEntry
) -> tuple[list[ClauseDiff], list[MandateChange]]:
    """Clause diffs and mandate changes of one entry; split and merge parts are pooled."""
    oc = _clauses(olds, entry.old)
    nc = _clauses(news, entry.new)
    if oc and nc:
        pairs = align_clauses(oc, nc)
    else:
        pairs = tuple((i, None) for i in range(len(oc))) + tuple((None, j) for j in range(len(nc)))
    diffs: list[ClauseDiff] = []
    mandates: list[MandateChange] = []
    for i, j in pairs:
        a = oc[i] if i is not None else None
        b = nc[j] if j is not None else None
        diffs.append(ClauseDiff(
            a.pid if a else None, b.pid if b else None,
            a.index if a else None, b.index if b else None,
            word_diff(a.text if a else "", b.text if b else ""),
        ))
        # The section of the new side (old, when removed): a preambular clause is read on the
        # preambular ladder ("Noting" < "Welcoming"), so `section` tells the two apart.
        section = news[b.pid].section if b else olds[a.pid].section if a else Section.OPERATIVE
        change = classify(a, b)
        mandates.append(dataclasses.replace(
            change,
            old=a.pid if a else None,
            new=b.pid if b else None,
            clause=b.index if b else a.index if a else 0,
            section=section,
        ))
    return diffs, mandates


# --- JSON ----------------------------------------------------------------------------------


def _document_json(res: Resolution) -> dict[str, Any]:
    return {
        "symbol": res.symbol,
        "title": res.title,
        "adopted": res.adopted,
        "kind": res.kind,
        "paragraphs": [
            {"id": p.pid, "section": p.section.value, "number": p.number, "lead": p.lead,
             "text": p.text, "citations": list(p.citations)}
            for p in res.paragraphs
        ],
    }


def _edits_json(edits: tuple[Edit, ...]) -> list[list[str]]:
    return [[e.op.value, e.text] for e in edits]


def comparison_json(c: Comparison) -> dict[str, Any]:
    """Plain JSON values of a comparison; keys are stable, similarities rounded."""
    return {
        "old": _document_json(c.old),
        "new": _document_json(c.new),
        "alignment": [
            {"old": list(e.old), "new": list(e.new), "kind": e.kind.value, "changed": e.changed,
             "moved": e.moved, "similarity": round(e.similarity, DIGITS), "method": e.method}
            for e in c.entries
        ],
        "clauses": [
            {"old": d.old_pid, "new": d.new_pid, "old_clause": d.old_clause,
             "new_clause": d.new_clause, "edits": _edits_json(d.edits),
             "changed": any(e.op is not EditOp.EQUAL for e in d.edits)}
            for d in c.clause_diffs
        ],
        "mandates": [
            {"old": m.old, "new": m.new, "clause": m.clause, "actor": m.actor,
             "verb_old": m.verb_old, "verb_new": m.verb_new, "change": m.change.value,
             "reasons": list(m.reasons), "section": m.section.value}
            for m in c.mandate_changes
        ],
        "citations": {
            "added": list(c.citation_changes.added),
            "removed": list(c.citation_changes.removed),
            "kept": list(c.citation_changes.kept),
        },
        "counts": frames.counts(c),
    }


# --- text ----------------------------------------------------------------------------------

_ARROW = "\u2192"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def summary_text(c: Comparison, *, width: int = 100) -> str:
    """A readable summary for a terminal: counts, then each changed paragraph on one line."""
    n = frames.counts(c)
    a, m, ci = n["alignment"], n["mandates"], n["citations"]
    name_old = c.old.symbol or "old"
    name_new = c.new.symbol or "new"
    lines = [f"{name_old} {_ARROW} {name_new}", f"  {_clip(c.old.title, width - 2)}"]
    if c.new.title != c.old.title:
        lines.append(f"  {_clip(c.new.title, width - 2)}")
    lines += [
        "",
        f"Paragraphs  {len(c.old.paragraphs)} {_ARROW} {len(c.new.paragraphs)}: "
        f"{a['match']} matched ({a['changed']} changed, {a['moved']} moved), "
        f"{a['split']} split, {a['merge']} merged, {a['added']} added, {a['removed']} removed",
        "Mandates    " + ", ".join(f"{k} {v}" for k, v in m.items()),
        f"Citations   added {ci['added']}, removed {ci['removed']}, kept {ci['kept']}",
    ]
    paras = {("old", p.pid): p for p in c.old.paragraphs}
    paras.update({("new", p.pid): p for p in c.new.paragraphs})
    shown = [e for e in c.entries if e.changed or e.moved or e.kind.value != "match"]
    if shown:
        lines += ["", "Changed paragraphs (old " + _ARROW + " new, how, similarity):"]
    for e in shown:
        label = e.kind.value + (", moved" if e.moved else "")
        ids = f"{' '.join(e.old) or '-'} {_ARROW} {' '.join(e.new) or '-'}"
        sim = f"{e.similarity:.2f}" if e.old and e.new else "    "
        text = paras["new", e.new[0]].text if e.new else paras["old", e.old[0]].text
        head = f"  {ids:<16} {label:<15} {sim}  "
        lines.append(head + _clip(text, max(20, width - len(head))))
    strong = [x for x in c.mandate_changes if x.change.value in ("strengthened", "weakened")]
    if strong:
        lines += ["", "Mandates strengthened or weakened:"]
    for x in strong:
        where = f"{x.old or '-'} {_ARROW} {x.new or '-'}"
        verbs = f"{x.verb_old or '-'} {_ARROW} {x.verb_new or '-'}"
        why = "; ".join(x.reasons)
        lines.append("  " + _clip(f"{where:<12} {x.change.value:<12} {x.actor or '-'}: {verbs}"
                                  + (f" ({why})" if why else ""), width - 2))
    return "\n".join(lines)
