"""DataFrames of a comparison, with fixed columns and dtypes.

Every frame has the columns listed in its `*_COLUMNS` constant, in that order, with those
dtypes, even when it has no rows, so that code written against one comparison runs on all:
"string" and "Int64" hold `<NA>` for a missing value, "boolean" for flags, "category" with
fixed categories for closed vocabularies, "float64" for similarities.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.models import AlignKind, Change, EditOp, Section

if TYPE_CHECKING:
    from pipeline.comparison import Comparison

VERSIONS = ("old", "new")
SECTIONS = tuple(s.value for s in Section)
KINDS = tuple(k.value for k in AlignKind)
CHANGES = tuple(c.value for c in Change)
METHODS = ("exact", "fuzzy", "cross-section", "positional", "split", "merge", "unmatched")
STATUSES = ("added", "removed", "kept")

PARAGRAPHS_COLUMNS: dict[str, Any] = {
    "version": pd.CategoricalDtype(VERSIONS),
    "pid": "string",
    "position": "Int64",
    "section": pd.CategoricalDtype(SECTIONS),
    "number": "Int64",
    "lead": "string",
    "entry": "Int64",
    "kind": pd.CategoricalDtype(KINDS),
    "counterpart": "string",
    "changed": "boolean",
    "moved": "boolean",
    "citations": "string",
    "text": "string",  # long text last: a notebook shows the short columns first
}

ALIGNMENT_COLUMNS: dict[str, Any] = {
    "entry": "Int64",
    "old": "string",
    "new": "string",
    "kind": pd.CategoricalDtype(KINDS),
    "section": pd.CategoricalDtype(SECTIONS),
    "old_number": "Int64",
    "new_number": "Int64",
    "changed": "boolean",
    "moved": "boolean",
    "similarity": "float64",
    "method": pd.CategoricalDtype(METHODS),
}

CLAUSES_COLUMNS: dict[str, Any] = {
    "old_pid": "string",
    "new_pid": "string",
    "old_clause": "Int64",
    "new_clause": "Int64",
    "words_inserted": "Int64",
    "words_deleted": "Int64",
    "changed": "boolean",
    "old_text": "string",  # long text last: a notebook shows the short columns first
    "new_text": "string",
    "diff": "string",
}

MANDATES_COLUMNS: dict[str, Any] = {
    "old": "string",
    "new": "string",
    "clause": "Int64",
    "section": pd.CategoricalDtype(SECTIONS),
    "actor": "string",
    "verb_old": "string",
    "verb_new": "string",
    "change": pd.CategoricalDtype(CHANGES),
    "reasons": "string",
}

CITATIONS_COLUMNS: dict[str, Any] = {
    "symbol": "string",
    "status": pd.CategoricalDtype(STATUSES),
    "old_paragraphs": "string",
    "new_paragraphs": "string",
}

SUMMARY_COLUMNS: dict[str, Any] = {
    "change": pd.CategoricalDtype(CHANGES),
    "actor": "string",
    "section": pd.CategoricalDtype(SECTIONS),
    "count": "Int64",
}


def frame(rows: list[dict[str, Any]], columns: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame of `rows` with exactly `columns` (name -> dtype), in that order."""
    data = {name: [row.get(name) for row in rows] for name in columns}
    df = pd.DataFrame(data, columns=list(columns))
    return df.astype(columns)


def _ids(ids: tuple[str, ...]) -> str | None:
    return " ".join(ids) or None


def paragraphs_frame(c: Comparison) -> pd.DataFrame:
    """`Comparison.paragraphs`: both versions, old first, document order."""
    where: dict[tuple[str, str], int] = {}
    for k, e in enumerate(c.entries):
        for pid in e.old:
            where["old", pid] = k
        for pid in e.new:
            where["new", pid] = k
    rows = []
    for version, res in (("old", c.old), ("new", c.new)):
        for pos, p in enumerate(res.paragraphs):
            at = where.get((version, p.pid))
            entry = c.entries[at] if at is not None else None
            other = (entry.new if version == "old" else entry.old) if entry else ()
            rows.append({
                "version": version, "pid": p.pid, "position": pos, "section": p.section.value,
                "number": p.number, "lead": p.lead, "text": p.text,
                "citations": "; ".join(p.citations) or None, "entry": at,
                "kind": entry.kind.value if entry else None, "counterpart": _ids(other),
                "changed": entry.changed if entry else None,
                "moved": entry.moved if entry else None,
            })
    return frame(rows, PARAGRAPHS_COLUMNS)


def alignment_frame(c: Comparison) -> pd.DataFrame:
    """`Comparison.alignment`: one row per entry; `section` is the new side's (old if removed)."""
    numbers = {("old", p.pid): p.number for p in c.old.paragraphs}
    numbers.update({("new", p.pid): p.number for p in c.new.paragraphs})
    sections = {("old", p.pid): p.section.value for p in c.old.paragraphs}
    sections.update({("new", p.pid): p.section.value for p in c.new.paragraphs})
    rows = []
    for k, e in enumerate(c.entries):
        first = ("new", e.new[0]) if e.new else ("old", e.old[0])
        rows.append({
            "entry": k, "old": _ids(e.old), "new": _ids(e.new), "kind": e.kind.value,
            "section": sections[first],
            "old_number": numbers["old", e.old[0]] if e.old else None,
            "new_number": numbers["new", e.new[0]] if e.new else None,
            "changed": e.changed, "moved": e.moved, "similarity": e.similarity,
            "method": e.method,
        })
    return frame(rows, ALIGNMENT_COLUMNS)


def render_edits(edits: Any) -> str:
    """A diff as one line of text: `[-deleted-]{+inserted+}` around the words kept."""
    parts = []
    for e in edits:
        if e.op is EditOp.EQUAL:
            parts.append(e.text)
        elif e.op is EditOp.DELETE:
            parts.append(f"[-{e.text}-]")
        else:
            parts.append(f"{{+{e.text}+}}")
    return "".join(parts)


def clauses_frame(c: Comparison) -> pd.DataFrame:
    """`Comparison.clauses`: texts of both sides rebuilt from the diff, and the diff itself."""
    rows = []
    for d in c.clause_diffs:
        old = "".join(e.text for e in d.edits if e.op is not EditOp.INSERT)
        new = "".join(e.text for e in d.edits if e.op is not EditOp.DELETE)
        rows.append({
            "old_pid": d.old_pid, "new_pid": d.new_pid, "old_clause": d.old_clause,
            "new_clause": d.new_clause,
            "old_text": old if d.old_pid is not None else None,
            "new_text": new if d.new_pid is not None else None,
            "diff": render_edits(d.edits),
            "words_inserted": sum(len(e.text.split()) for e in d.edits if e.op is EditOp.INSERT),
            "words_deleted": sum(len(e.text.split()) for e in d.edits if e.op is EditOp.DELETE),
            "changed": any(e.op is not EditOp.EQUAL for e in d.edits),
        })
    return frame(rows, CLAUSES_COLUMNS)


def mandates_frame(c: Comparison) -> pd.DataFrame:
    """`Comparison.mandates`: one row per mandate change; `reasons` joined by "; "."""
    rows = [{
        "old": m.old, "new": m.new, "clause": m.clause, "section": m.section.value,
        "actor": m.actor, "verb_old": m.verb_old, "verb_new": m.verb_new,
        "change": m.change.value, "reasons": "; ".join(m.reasons) or None,
    } for m in c.mandate_changes]
    return frame(rows, MANDATES_COLUMNS)


def citations_frame(c: Comparison) -> pd.DataFrame:
    """`Comparison.citations`: each cited symbol once, with the paragraphs that cite it."""
    cc = c.citation_changes
    status = {s: "added" for s in cc.added} | {s: "removed" for s in cc.removed}
    status |= {s: "kept" for s in cc.kept}

    def citing(res: Any, symbol: str) -> str | None:
        return " ".join(p.pid for p in res.paragraphs if symbol in p.citations) or None

    rows = [{"symbol": s, "status": status[s], "old_paragraphs": citing(c.old, s),
             "new_paragraphs": citing(c.new, s)} for s in sorted(status)]
    return frame(rows, CITATIONS_COLUMNS)


def summary_frame(c: Comparison) -> pd.DataFrame:
    """`Comparison.summary()`: mandate changes counted by change, actor and section."""
    counter = Counter((m.change.value, m.actor, m.section.value) for m in c.mandate_changes)
    order = {v: k for k, v in enumerate(CHANGES)}
    keys = sorted(counter, key=lambda k: (order[k[0]], k[1] is None, k[1] or "", k[2]))
    rows = [{"change": k[0], "actor": k[1], "section": k[2], "count": counter[k]} for k in keys]
    return frame(rows, SUMMARY_COLUMNS)


def counts(c: Comparison) -> dict[str, dict[str, int]]:
    """Totals for a headline: alignment kinds, changed/moved links, mandate changes."""
    kinds = Counter(e.kind.value for e in c.entries)
    linked = [e for e in c.entries if e.old and e.new]
    changes = Counter(m.change.value for m in c.mandate_changes)
    return {
        "alignment": {k: kinds.get(k, 0) for k in KINDS}
        | {"changed": sum(e.changed for e in linked), "moved": sum(e.moved for e in linked)},
        "mandates": {k: changes.get(k, 0) for k in CHANGES},
        "citations": {"added": len(c.citation_changes.added),
                      "removed": len(c.citation_changes.removed),
                      "kept": len(c.citation_changes.kept)},
    }
