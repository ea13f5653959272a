"""The HTML report of a comparison: one self-contained page, or a compact notebook fragment.

The page is rendered from the jinja2 templates in `pipeline/templates` with autoescaping on:
every piece of document text reaches the page as escaped text, never as markup. CSS and the
small vanilla script are inlined, the mandate chart is SVG drawn here, so the file opens from
disk with no network; a Content-Security-Policy allows only the page's own script (by hash).
Same comparison, same bytes: nothing depends on the clock, the machine or dict order, and a
timestamp appears only when the caller passes `generated_at`.

>>> from pipeline.report import render_report            # doctest: +SKIP
>>> html = render_report(pipeline.compare(old, new))      # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from pipeline.models import (
    AlignKind,
    AlignmentEntry,
    Change,
    CitationChanges,
    ClauseDiff,
    Edit,
    EditOp,
    MandateChange,
    Paragraph,
    Resolution,
)

__all__ = [
    "ComparisonLike",
    "mandate_counts",
    "official_pdf_url",
    "render_report",
    "summary_chart",
    "write_report",
]

#: File mode of a written report: readable by everyone, like a file written the usual way.
REPORT_MODE = 0o644

#: Where the UN Official Document System serves a document's PDF; linked, never loaded.
ODS_ACCESS_URL = "https://documents.un.org/api/symbol/access"

#: Mandate changes in the order the chart and the filters show them, with the symbol that
#: carries the meaning besides the colour (▲/▼ read the same in grey print).
CHANGE_ORDER = (
    Change.STRENGTHENED,
    Change.WEAKENED,
    Change.ADDED,
    Change.REMOVED,
    Change.REWORDED,
    Change.UNCHANGED,
)
CHANGE_SYMBOL = {
    Change.STRENGTHENED: "▲",
    Change.WEAKENED: "▼",
    Change.ADDED: "+",
    Change.REMOVED: "−",
    Change.REWORDED: "✎",
    Change.UNCHANGED: "=",
}
#: Column heads of the chart, short enough to fit a narrow column (the legend spells them out).
CHANGE_HEAD = {
    Change.STRENGTHENED: "stronger",
    Change.WEAKENED: "weaker",
    Change.ADDED: "added",
    Change.REMOVED: "removed",
    Change.REWORDED: "reworded",
    Change.UNCHANGED: "same",
}
#: The changes a row shows as a badge; rewording is already the row's own label.
BADGE_CHANGES = frozenset({Change.STRENGTHENED, Change.WEAKENED, Change.ADDED, Change.REMOVED})

#: Row labels: key (CSS class and filter value), symbol, wording.
ROW_KINDS = (
    ("kept", "=", "kept"),
    ("reworded", "✎", "reworded"),
    ("moved", "↕", "moved"),
    ("split", "⇉", "split"),
    ("merged", "⊕", "merged"),
    ("added", "+", "added"),
    ("removed", "−", "removed"),
)
_KIND_SYMBOL = {key: symbol for key, symbol, _ in ROW_KINDS}

NO_ACTOR = "(no actor)"  # chart and filter label of a mandate whose addressee was not found

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Chart geometry, in SVG user units (the SVG scales to its box; these fix the proportions).
_CHART_LABEL_W = 150
_CHART_COL_W = 60
_CHART_ROW_H = 22
_CHART_HEAD_H = 40
_CHART_BAR_MAX = 34
_CHART_LABEL_CHARS = 24


class ComparisonLike(Protocol):
    """What the report reads from a comparison (`pipeline.comparison.Comparison` has it all)."""

    @property
    def old(self) -> Resolution: ...
    @property
    def new(self) -> Resolution: ...
    @property
    def entries(self) -> tuple[AlignmentEntry, ...]: ...
    @property
    def clause_diffs(self) -> tuple[ClauseDiff, ...]: ...
    @property
    def mandate_changes(self) -> tuple[MandateChange, ...]: ...
    @property
    def citation_changes(self) -> CitationChanges: ...


# --- what the templates show ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """One kind label of a row: "✎ reworded", "↕ moved from OP3"."""

    key: str
    symbol: str
    text: str


@dataclass(frozen=True, slots=True)
class Side:
    """One paragraph on one side of a row, with its word-level marks."""

    pid: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Redline:
    """One paragraph of the redline view: deletions and insertions inline."""

    label: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Badge:
    """A mandate change shown on a row, with the reasons a reader can check."""

    change: str
    symbol: str
    actor: str
    verbs: str  # "encourages → urges", "" when the verb did not change
    reasons: tuple[str, ...]
    title: str  # the hover text: everything above in one line


@dataclass(frozen=True, slots=True)
class Row:
    """One alignment entry as the page shows it."""

    old_pids: tuple[str, ...]
    new_pids: tuple[str, ...]
    section: str
    changed: bool
    labels: tuple[Label, ...]
    old: tuple[Side, ...]
    new: tuple[Side, ...]
    redline: tuple[Redline, ...]
    badges: tuple[Badge, ...]  # strengthened / weakened / added / removed only
    actors: tuple[str, ...]  # every actor of a mandate in the row, for the actor filter
    mandates: tuple[str, ...]  # every mandate change in the row, for the change filter

    @property
    def kinds(self) -> tuple[str, ...]:
        """The label keys, for the change filter."""
        return tuple(label.key for label in self.labels)


@dataclass(frozen=True, slots=True)
class Document:
    """The masthead card of one version."""

    role: str  # "old" | "new"
    symbol: str
    title: str
    facts: tuple[str, ...]
    pdf_url: str | None
    paragraphs: int


# --- public functions -------------------------------------------------------------------------


def render_report(
    comparison: ComparisonLike, *, compact: bool = False, generated_at: str | None = None
) -> str:
    """Render the comparison as HTML: a whole page, or (compact) a fragment for a notebook.

    The page is self-contained (inline CSS, inline vanilla JS, inline SVG; links to the official
    PDFs are the only URLs and are never loaded). The compact fragment has no script and shows
    only the changed paragraphs, as a redline. `generated_at` is printed in the footer when
    given; without it the output depends on the comparison alone, byte for byte.
    """
    env = _environment()
    rows = build_rows(comparison)
    counts = mandate_counts(comparison.mandate_changes)
    old, new = comparison.old, comparison.new
    kind_counts = Counter(label.key for row in rows for label in row.labels)
    context: dict[str, Any] = {
        "compact": compact,
        "generated_at": generated_at,
        "version": _version(),
        "old_doc": _document("old", old),
        "new_doc": _document("new", new),
        "old_name": _name(old, "old version"),
        "new_name": _name(new, "new version"),
        "rows": rows if not compact else [r for r in rows if r.changed],
        "hidden_rows": 0 if not compact else sum(1 for r in rows if not r.changed),
        "total_rows": len(rows),
        "kind_counts": [(key, symbol, text, kind_counts.get(key, 0)) for key, symbol, text
                        in ROW_KINDS],
        "chart": summary_chart(counts),
        "mandate_total": sum(counts.values()),
        "citations": comparison.citation_changes,
        "actors": sorted({a for row in rows for a in row.actors}),
        "change_symbol": {str(c): s for c, s in CHANGE_SYMBOL.items()},
        "badge_changes": [str(c) for c in CHANGE_ORDER if c in BADGE_CHANGES],
        "pdf_url": official_pdf_url,
        "css": Markup(_asset("report.css")),
    }
    context["ctx"] = context  # the macros take the whole context as one argument
    if compact:
        return env.get_template("compact.html.j2").render(context)
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    context["script"] = Markup(script)
    context["script_hash"] = f"sha256-{digest}"
    return env.get_template("report.html.j2").render(context)


def write_report(
    comparison: ComparisonLike, path: str | Path, *, generated_at: str | None = None
) -> Path:
    """Write the full HTML report to `path` atomically (a temporary file, then `os.replace`).

    A reader never sees a half-written report: either the old file or the new one.
    """
    target = Path(path)
    html = render_report(comparison, generated_at=generated_at)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, REPORT_MODE)  # mkstemp makes it private (0600); a report is for sharing
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def official_pdf_url(symbol: str, lang: str = "en") -> str:
    """The ODS address of a document's PDF, the symbol URL-encoded.

    >>> official_pdf_url("A/RES/72/194")
    'https://documents.un.org/api/symbol/access?s=A%2FRES%2F72%2F194&l=en&t=pdf'
    """
    return f"{ODS_ACCESS_URL}?{urlencode({'s': symbol, 'l': lang, 't': 'pdf'})}"


def mandate_counts(changes: Iterable[MandateChange]) -> dict[tuple[Change, str], int]:
    """Mandate changes counted by (change, actor); an actor that was not found is `NO_ACTOR`."""
    counts = Counter((Change(m.change), m.actor or NO_ACTOR) for m in changes)
    return dict(sorted(counts.items(), key=lambda kv: (CHANGE_ORDER.index(kv[0][0]), kv[0][1])))


def summary_chart(counts: dict[tuple[Change, str], int]) -> Markup:
    """An inline SVG of mandate changes: one row per actor, one column per change, bars to scale.

    Every count is printed beside its bar and every cell carries `data-change`, `data-actor`
    and `data-count`, so nothing depends on reading a colour. Actors are ordered by how many of
    their mandates changed (not counting "unchanged"), then by name; the same counts give the
    same bytes.
    """
    actors = sorted(
        {actor for _, actor in counts},
        key=lambda a: (-sum(n for (c, x), n in counts.items() if x == a and c != Change.UNCHANGED),
                       a.casefold(), a),
    )
    if not actors:
        return Markup('<p class="empty-note">No mandates were found in either version.</p>')
    top = max(counts.values())
    width = _CHART_LABEL_W + _CHART_COL_W * len(CHANGE_ORDER)
    height = _CHART_HEAD_H + _CHART_ROW_H * (len(actors) + 1) + 6
    total = sum(counts.values())
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Mandate changes by actor">',
        f'<title>Mandate changes by actor: {total} mandates in all</title>',
    ]
    for col, change in enumerate(CHANGE_ORDER):
        x = _CHART_LABEL_W + col * _CHART_COL_W
        parts.append(
            f'<text class="ch-sym c-{change}" x="{x}" y="15">{CHANGE_SYMBOL[change]}</text>'
            f'<text class="ch-head" x="{x}" y="31">{CHANGE_HEAD[change]}</text>'
        )
    for r, actor in enumerate([*actors, None]):
        y = _CHART_HEAD_H + r * _CHART_ROW_H
        if actor is None:  # the totals row
            parts.append(f'<line class="rule" x1="0" x2="{width}" y1="{y + 2}" y2="{y + 2}"/>')
            label, attr = "All actors", "data-chart-total"
        else:
            label, attr = _truncate(actor, _CHART_LABEL_CHARS), "data-chart-cell"
        parts.append(f'<text class="ch-actor" x="0" y="{y + 16}">{escape(label)}'
                     f'{_svg_title(actor) if actor and label != actor else ""}</text>')
        for col, change in enumerate(CHANGE_ORDER):
            if actor is None:
                n = sum(v for (c, _), v in counts.items() if c == change)
                scale = max(sum(v for (c, _), v in counts.items() if c == k) for k in CHANGE_ORDER)
            else:
                n, scale = counts.get((change, actor), 0), top
            x = _CHART_LABEL_W + col * _CHART_COL_W
            bar = round(_CHART_BAR_MAX * n / scale) if n else 0
            bar = max(bar, 2) if n else 0
            who = "all actors" if actor is None else actor
            parts.append(
                f'<g class="cell c-{change}" {attr}="" data-change="{change}" '
                f'data-actor="{escape(who)}" data-count="{n}">'
                f'<title>{escape(who)}: {n} {change}</title>'
                + (f'<rect x="{x}" y="{y + 6}" width="{bar}" height="12" rx="2"/>' if n else "")
                + f'<text class="num{" zero" if not n else ""}" x="{x + bar + (4 if n else 0)}" '
                f'y="{y + 16}">{n}</text></g>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


# --- building the rows --------------------------------------------------------------------------


def build_rows(comparison: ComparisonLike) -> tuple[Row, ...]:
    """The rows of the page, one per alignment entry, in the alignment's (document) order.

    `pipeline.align` already orders entries by position in the new version with each removed
    paragraph after its old predecessor's counterpart, so the order is kept as given.
    """
    old, new = comparison.old, comparison.new
    old_paras = {p.pid: p for p in old.paragraphs}
    new_paras = {p.pid: p for p in new.paragraphs}
    row_of_new: dict[str, int] = {}
    row_of_old: dict[str, int] = {}
    for i, entry in enumerate(comparison.entries):
        row_of_new.update(dict.fromkeys(entry.new, i))
        row_of_old.update(dict.fromkeys(entry.old, i))

    def row_index(new_pid: str | None, old_pid: str | None) -> int | None:
        if new_pid is not None and new_pid in row_of_new:
            return row_of_new[new_pid]
        if old_pid is not None:
            return row_of_old.get(old_pid)
        return None

    diffs: dict[int, list[ClauseDiff]] = {}
    for d in comparison.clause_diffs:
        at = row_index(d.new_pid, d.old_pid)
        if at is not None:
            diffs.setdefault(at, []).append(d)
    mandates: dict[int, list[MandateChange]] = {}
    for m in comparison.mandate_changes:
        at = row_index(m.new, m.old)
        if at is not None:
            mandates.setdefault(at, []).append(m)

    return tuple(
        _row(entry, old_paras, new_paras, diffs.get(i, []), mandates.get(i, []))
        for i, entry in enumerate(comparison.entries)
    )


def _row(
    entry: AlignmentEntry,
    old_paras: dict[str, Paragraph],
    new_paras: dict[str, Paragraph],
    diffs: Sequence[ClauseDiff],
    mandates: Sequence[MandateChange],
) -> Row:
    olds = [old_paras[pid] for pid in entry.old]
    news = [new_paras[pid] for pid in entry.new]
    kind = AlignKind(entry.kind)
    changed = kind is not AlignKind.MATCH or entry.changed or entry.moved
    # Without word diffs a paragraph is shown whole: inserted or deleted when its wording
    # changed (or it is new or gone), plain when only its place changed.
    reworded = entry.changed or kind in (AlignKind.ADDED, AlignKind.REMOVED)

    old_sides = tuple(
        Side(p.pid, _side_edits([d for d in diffs if d.old_pid == p.pid], EditOp.DELETE, p.text,
                                EditOp.DELETE if reworded else EditOp.EQUAL))
        for p in olds
    )
    new_sides = tuple(
        Side(p.pid, _side_edits([d for d in diffs if d.new_pid == p.pid], EditOp.INSERT, p.text,
                                EditOp.INSERT if reworded else EditOp.EQUAL))
        for p in news
    )
    badges = tuple(_badge(m) for m in mandates if Change(m.change) in BADGE_CHANGES)
    return Row(
        old_pids=entry.old,
        new_pids=entry.new,
        section=str((news or olds)[0].section),
        changed=changed,
        labels=_labels(entry, changed),
        old=old_sides,
        new=new_sides,
        redline=_redlines(entry, diffs, old_sides, new_sides),
        badges=badges,
        actors=tuple(sorted({m.actor or NO_ACTOR for m in mandates})),
        mandates=tuple(str(c) for c in CHANGE_ORDER if any(m.change == c for m in mandates)),
    )


def _labels(entry: AlignmentEntry, changed: bool) -> tuple[Label, ...]:
    kind = AlignKind(entry.kind)
    old = " + ".join(entry.old)
    labels: list[Label] = []
    if kind is AlignKind.ADDED:
        return (Label("added", _KIND_SYMBOL["added"], "added"),)
    if kind is AlignKind.REMOVED:
        return (Label("removed", _KIND_SYMBOL["removed"], "removed"),)
    if kind is AlignKind.SPLIT:
        labels.append(Label("split", _KIND_SYMBOL["split"], f"split from {old}"))
    elif kind is AlignKind.MERGE:
        labels.append(Label("merged", _KIND_SYMBOL["merged"], f"merged from {old}"))
    if entry.moved:
        labels.append(Label("moved", _KIND_SYMBOL["moved"], f"moved from {old}"))
    if entry.changed:
        labels.append(Label("reworded", _KIND_SYMBOL["reworded"], "reworded"))
    if not changed:
        labels.append(Label("kept", _KIND_SYMBOL["kept"], "kept"))
    return tuple(labels)


def _side_edits(
    diffs: Sequence[ClauseDiff], own: EditOp, text: str, fallback: EditOp
) -> tuple[Edit, ...]:
    """One side of a paragraph from its clause diffs: equal runs plus its own insertions (new
    side) or deletions (old side), in that side's clause order. Clause pairs come in the new
    paragraph's order, so a clause moved inside the paragraph is put back in its place on the
    old side. Without diffs the text is shown whole, as `fallback`."""
    if not diffs:
        return (Edit(fallback, text),)

    def position(d: ClauseDiff) -> int:
        index = d.old_clause if own is EditOp.DELETE else d.new_clause
        return -1 if index is None else index

    return _join(tuple(e for e in d.edits if e.op in (EditOp.EQUAL, own))
                 for d in sorted(diffs, key=position))


def _redlines(
    entry: AlignmentEntry,
    diffs: Sequence[ClauseDiff],
    old_sides: tuple[Side, ...],
    new_sides: tuple[Side, ...],
) -> tuple[Redline, ...]:
    old = " + ".join(entry.old)
    if not diffs:
        if not entry.new:
            return tuple(Redline(f"{s.pid} (removed)", s.edits) for s in old_sides)
        if not entry.old:
            return tuple(Redline(f"{s.pid} (added)", s.edits) for s in new_sides)
        edits = tuple(e for s in new_sides for e in s.edits)
        if entry.changed:  # a change without word-level diffs: the old text out, the new in
            edits = (*(e for s in old_sides for e in s.edits), Edit(EditOp.EQUAL, " "), *edits)
        return (Redline(f"{old} → {' + '.join(entry.new)}", edits),)
    if len(entry.new) <= 1:
        target = entry.new[0] if entry.new else None
        label = (f"{old} → {target}" if entry.old and target else
                 f"{target} (added)" if target else f"{old} (removed)")
        return (Redline(label, _join(d.edits for d in diffs)),)
    # A split: one redline per new paragraph; a clause that went nowhere stays where it was.
    groups: dict[str, list[ClauseDiff]] = {pid: [] for pid in entry.new}
    current = entry.new[0]
    for d in diffs:
        if d.new_pid in groups:
            current = d.new_pid
        groups[current].append(d)
    return tuple(Redline(f"{old} → {pid}", _join(d.edits for d in ds))
                 for pid, ds in groups.items() if ds)


def _join(runs: Iterable[Sequence[Edit]]) -> tuple[Edit, ...]:
    """Clause runs joined into one paragraph: a space between clauses where neither side has
    one, and neighbouring edits of the same kind merged (fewer tags, same text)."""
    out: list[Edit] = []
    for run in runs:
        if not run:
            continue
        if out and not out[-1].text[-1:].isspace() and not run[0].text[:1].isspace():
            out.append(Edit(EditOp.EQUAL, " "))
        for e in run:
            if not e.text:
                continue
            if out and out[-1].op == e.op:
                out[-1] = Edit(e.op, out[-1].text + e.text)
            else:
                out.append(Edit(EditOp(e.op), e.text))
    return tuple(out)


def _badge(m: MandateChange) -> Badge:
    change = Change(m.change)
    actor = m.actor or NO_ACTOR
    verbs = ""
    if m.verb_old and m.verb_new and m.verb_old != m.verb_new:
        verbs = f"{m.verb_old} → {m.verb_new}"
    elif change is Change.ADDED and m.verb_new:
        verbs = m.verb_new
    elif change is Change.REMOVED and m.verb_old:
        verbs = m.verb_old
    where = m.new if m.new is not None else m.old
    title = f"{CHANGE_SYMBOL[change]} {change}: {actor}"
    if verbs:
        title += f" ({verbs})"
    if where:
        title += f", {where} clause {m.clause + 1}"
    if m.reasons:
        title += " — " + "; ".join(m.reasons)
    return Badge(str(change), CHANGE_SYMBOL[change], actor, verbs, tuple(m.reasons), title)


# --- masthead -------------------------------------------------------------------------------------


def _document(role: str, res: Resolution) -> Document:
    facts: list[str] = []
    if res.kind == "draft":
        facts.append("Draft resolution")
    if res.adopted:
        meeting = f" at the {_ordinal(res.plenary_meeting)} plenary meeting" if (
            res.plenary_meeting) else ""
        facts.append(f"Adopted {_date(res.adopted)}{meeting}")
    if res.issued:
        facts.append(f"Issued {_date(res.issued)}")
    if res.committee_report:
        facts.append(f"On the report {res.committee_report}")
    if res.agenda_item:
        facts.append(f"Agenda item {res.agenda_item}")
    return Document(
        role=role,
        symbol=res.symbol or f"({role} version, no symbol)",
        title=res.title,
        facts=tuple(facts),
        pdf_url=official_pdf_url(res.symbol) if res.symbol else None,
        paragraphs=len(res.paragraphs),
    )


def _name(res: Resolution, default: str) -> str:
    return res.symbol or default


def _date(iso: str) -> str:
    """"2019-12-18" as the UN prints it: "18 December 2019"; anything else as given."""
    try:
        year, month, day = (int(x) for x in iso.split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def _ordinal(n: int | None) -> str:
    if n is None:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg_title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


# --- templates ----------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html", "j2", "svg", "xml"), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


@cache
def _asset(name: str) -> str:
    """A CSS or JS file from the templates folder, verbatim (not a template: no jinja syntax)."""
    env = _environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source


@cache
def _version() -> str:
    try:
        return metadata.version("resdiff")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "dev"
