"""A whole series: compare each version with the next and trace every paragraph through them.

`build_series(versions, comparisons)` is the pure core: it follows the alignment entries of each
consecutive comparison and gives every paragraph of every version a **lineage id**, so that a
reader can see where a paragraph came from and what became of it:

    L:A/RES/72/194:OP9       first seen as OP9 of A/RES/72/194 (the oldest version compared)
    L:A/RES/74/175:OP14      added as OP14 of A/RES/74/175
    L:A/RES/72/194:OP9.1     the first part of a split of that lineage, in new-version order
    L:A/RES/72/194:OP9.2     the second part

Rules (deterministic: the same comparisons give the same ids):

- a paragraph of the first version starts the lineage `L:<symbol>:<pid>`;
- an added paragraph starts `L:<symbol of its version>:<pid>`;
- a match (changed or not, moved or not) continues the lineage of its old paragraph;
- a split gives each part the child id `<parent>.<k>`, k = 1, 2, ... in the new version's order;
- a merge keeps the oldest of the merged lineages (the one seen first, then the first in
  document order); the others end there, and their story says what they were merged into;
- a removed paragraph ends its lineage.

A `Series` holds the versions, the comparisons and these links, with DataFrame views of fixed
columns and dtypes (`LINEAGE_COLUMNS`, `TIMELINE_COLUMNS`, `STORY_COLUMNS`):

- `lineage`: one row per paragraph per version: its lineage id, how it came from the previous
  version (`event`), its ancestors there (`previous`) and descendants in the next (`next`),
  what happens to it next (`fate`), and the mandate changes of that step (`mandates`);
- `timeline`: operative mandate changes per step and actor (added, strengthened, weakened,
  removed, reworded, unchanged); preambular clauses address no one and are left out;
- `story(lineage_id)`: the history in one sentence, e.g. "First appeared in 2017 as OP9
  (A/RES/72/194); weakened in 2019 as OP16 (UNODC: hedge added: within its mandate); ...".

`series([...])` reads and compares the versions (symbols, paths or parsed resolutions);
`write_series(s, out)` writes the tables, one folder per step with the pairwise outputs and
report, and `index.html`, each file or folder atomically.

>>> s = series(["A/RES/72/194", "A/RES/74/175", "A/RES/78/226"])  # doctest: +SKIP
>>> s.lineage.query("fate == 'split'")  # doctest: +SKIP
>>> print(s.story("L:A/RES/72/194:OP9"))  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup, escape

from pipeline import frames
from pipeline.comparison import Comparison, compare_resolutions
from pipeline.config import Settings
from pipeline.errors import ResdiffError
from pipeline.models import AlignKind, AlignmentEntry, Change, MandateChange, Resolution, Section
from pipeline.symbols import looks_like_symbol, normalise_symbol

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "EVENTS",
    "FATES",
    "FORMATS",
    "LINEAGE_COLUMNS",
    "STORY_COLUMNS",
    "TIMELINE_COLUMNS",
    "LineageRow",
    "Series",
    "atomic_dir",
    "build_series",
    "render_index",
    "series",
    "series_json",
    "series_text",
    "step_name",
    "timeline_chart",
    "version_year",
    "write_pair",
    "write_series",
]

#: Output formats of `write_pair` and `write_series` (and of batch plans).
FORMATS = ("csv", "parquet", "json", "html")

#: How a paragraph came from the previous version (`first`: it is in the oldest version).
EVENTS = ("first", "added", "kept", "reworded", "split", "merged")
#: What becomes of a paragraph in the next version.
FATES = ("kept", "reworded", "split", "merged", "removed")
#: The strength of the mandates of a step, when any moved: both ways is "mixed".
DIRECTIONS = ("strengthened", "weakened", "mixed")
#: Mandate changes counted by the timeline, in the order the page shows them.
TIMELINE_CHANGES = (Change.ADDED, Change.STRENGTHENED, Change.WEAKENED, Change.REMOVED,
                    Change.REWORDED, Change.UNCHANGED)

LINEAGE_COLUMNS: dict[str, Any] = {
    "lineage": "string",
    "version": "Int64",  # 0 for the oldest version
    "symbol": "string",
    "year": "Int64",
    "pid": "string",
    "position": "Int64",  # document order within its version
    "section": pd.CategoricalDtype(frames.SECTIONS),
    "number": "Int64",
    "event": pd.CategoricalDtype(EVENTS),
    "moved": "boolean",
    "similarity": "float64",
    "previous": "string",  # ancestors in the previous version, space-separated pids
    "next": "string",  # descendants in the next version
    "fate": pd.CategoricalDtype(FATES),
    "parents": "string",  # other lineages it came from: the split parent, the merged ones
    "direction": pd.CategoricalDtype(DIRECTIONS),
    "mandates": "string",  # the mandate changes of this step in this paragraph, "; "-joined
    "lead": "string",
    "text": "string",
}

TIMELINE_COLUMNS: dict[str, Any] = {
    "step": "Int64",  # 1 for the oldest pair
    "old": "string",
    "new": "string",
    "year": "Int64",  # of the new version
    "actor": "string",
    **{c.value: "Int64" for c in TIMELINE_CHANGES},
}

STORY_COLUMNS: dict[str, Any] = {
    "lineage": "string",
    "first_symbol": "string",
    "first_pid": "string",
    "last_symbol": "string",
    "last_pid": "string",
    "fate": pd.CategoricalDtype(FATES),  # of the last paragraph; <NA> if it is in the newest
    "story": "string",
}

#: Reasons that say how many words changed or what was merely editorial: the stories leave
#: them out (the per-step tables keep every reason).
_NOISE = re.compile(r"^(?:wording: \d+ words? added|editorial:)")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
NO_ACTOR = "(no actor)"


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineageRow:
    """One paragraph of one version, with its lineage and its links to the neighbours."""

    lineage: str
    version: int
    symbol: str
    year: int | None
    pid: str
    position: int
    section: Section
    number: int | None
    event: str  # one of EVENTS
    moved: bool | None
    similarity: float | None
    previous: tuple[str, ...]
    next: tuple[str, ...]
    fate: str | None  # one of FATES; None in the newest version
    parents: tuple[str, ...]
    direction: str | None
    mandates: tuple[str, ...]
    lead: str
    text: str


@dataclass(frozen=True)
class Series:
    """Consecutive versions of a resolution, their comparisons, and every paragraph's lineage.

    `names` are the version symbols (made unique), `steps` the folder names of the pairwise
    outputs. The DataFrame properties build a fresh frame on each call.
    """

    versions: tuple[Resolution, ...]
    comparisons: tuple[Comparison, ...]
    names: tuple[str, ...]
    years: tuple[int | None, ...]
    rows: tuple[LineageRow, ...]
    _by_lineage: dict[str, tuple[LineageRow, ...]] = field(repr=False, compare=False)
    _at: dict[tuple[int, str], LineageRow] = field(repr=False, compare=False)

    @property
    def steps(self) -> tuple[str, ...]:
        """Folder names of the steps: "01_72_194-to-74_175", ..."""
        return tuple(step_name(k, a, b) for k, (a, b) in enumerate(pairwise(self.names), 1))

    @property
    def lineage_ids(self) -> tuple[str, ...]:
        """Every lineage id, in order of first appearance (version, then document order)."""
        return tuple(self._by_lineage)

    @property
    def lineage(self) -> pd.DataFrame:
        """One row per paragraph per version: lineage id, links, event and fate."""
        return frames.frame([_row_record(r) for r in self.rows], LINEAGE_COLUMNS)

    @property
    def timeline(self) -> pd.DataFrame:
        """Operative mandate changes per step and actor, every actor at every step."""
        return frames.frame(timeline_records(self), TIMELINE_COLUMNS)

    @property
    def stories(self) -> pd.DataFrame:
        """One row per lineage: where it starts, where it ends, and its story."""
        rows = []
        for lid, rs in self._by_lineage.items():
            rows.append({"lineage": lid, "first_symbol": rs[0].symbol, "first_pid": rs[0].pid,
                         "last_symbol": rs[-1].symbol, "last_pid": rs[-1].pid,
                         "fate": rs[-1].fate, "story": self.story(lid)})
        return frames.frame(rows, STORY_COLUMNS)

    def story(self, lineage_id: str) -> str:
        """The history of one lineage in one sentence (see the module docstring)."""
        if lineage_id not in self._by_lineage:
            raise KeyError(f"{lineage_id!r} is not a lineage of this series; "
                           f"Series.lineage_ids lists them (e.g. {self.lineage_ids[0]!r})")
        return _sentence(_story_parts(self, lineage_id))

    def lineage_of(self, version: int, pid: str) -> str:
        """The lineage id of paragraph `pid` of version `version` (0 = oldest)."""
        if (version, pid) not in self._at:
            raise KeyError(f"no paragraph {pid} in version {version} ({self.names[version]})")
        return self._at[version, pid].lineage

    def ancestors(self, version: int, pid: str) -> tuple[tuple[str, str], ...]:
        """Every (symbol, pid) in earlier versions that `pid` of `version` descends from."""
        return self._walk(version, pid, -1)

    def descendants(self, version: int, pid: str) -> tuple[tuple[str, str], ...]:
        """Every (symbol, pid) in later versions that descends from `pid` of `version`."""
        return self._walk(version, pid, +1)

    def _walk(self, version: int, pid: str, way: int) -> tuple[tuple[str, str], ...]:
        if (version, pid) not in self._at:
            raise KeyError(f"no paragraph {pid} in version {version}")
        seen: set[tuple[int, str]] = set()
        frontier = [(version, pid)]
        while frontier:
            following = []
            for v, p in frontier:
                r = self._at[v, p]
                for q in (r.previous if way < 0 else r.next):
                    if (v + way, q) not in seen:
                        seen.add((v + way, q))
                        following.append((v + way, q))
            frontier = following
        ordered = sorted(seen, key=lambda k: (k[0], self._at[k].position))
        return tuple((self.names[v], p) for v, p in ordered)

    def summary(self) -> pd.DataFrame:
        """The timeline summed over actors: one row per step (operative mandate changes)."""
        t = self.timeline
        cols = [c.value for c in TIMELINE_CHANGES]
        if t.empty:
            return t[["step", "old", "new", "year", *cols]]
        return (t.groupby(["step", "old", "new", "year"], observed=True, dropna=False)[cols]
                .sum().reset_index())


# --- building -------------------------------------------------------------------------------


def version_year(res: Resolution) -> int | None:
    """The year of a version: adopted, else issued, else from its session (1945 + session)."""
    for date in (res.adopted, res.issued):
        if date and date[:4].isdigit():
            return int(date[:4])
    if res.session is not None:
        return 1945 + res.session  # session N opens in September of 1945 + N
    return None


def _version_names(versions: Sequence[Resolution]) -> tuple[str, ...]:
    names = [r.symbol or f"v{k}" for k, r in enumerate(versions, 1)]
    seen = Counter(names)
    return tuple(n if seen[n] == 1 else f"{n}~{k}" for k, n in enumerate(names, 1))


def _short(name: str) -> str:
    name = name.removeprefix("A/RES/")
    return _UNSAFE.sub("_", name.replace("/", "_")).strip("._") or "version"


def step_name(index: int, old: str, new: str) -> str:
    """The folder of step `index` (1-based): "01_72_194-to-74_175", "03_79_7-to-A_80_L.6"."""
    return f"{index:02d}_{_short(old)}-to-{_short(new)}"


def _lid(name: str, pid: str) -> str:
    return f"L:{name}:{pid}"


def _entry_mandates(c: Comparison) -> dict[int, list[MandateChange]]:
    """Mandate changes by alignment entry: through the new paragraph, else the old one."""
    of_new: dict[str, int] = {}
    of_old: dict[str, int] = {}
    for k, e in enumerate(c.entries):
        of_new.update(dict.fromkeys(e.new, k))
        of_old.update(dict.fromkeys(e.old, k))
    out: dict[int, list[MandateChange]] = {}
    for m in c.mandate_changes:
        at = of_new.get(m.new) if m.new is not None else of_old.get(m.old or "")
        if at is not None:
            out.setdefault(at, []).append(m)
    return out


def _note(m: MandateChange) -> str | None:
    """A mandate change as the lineage shows it; None for one that says nothing new."""
    change = Change(m.change)
    if change is Change.UNCHANGED:
        return None
    if change in (Change.ADDED, Change.REMOVED):
        return m.reasons[0] if m.reasons else f"clause {change}"
    reasons = [r for r in m.reasons if not _NOISE.match(r)]
    if change is Change.REWORDED and not reasons:
        return None
    head = f"{change}, {m.actor}" if m.actor else str(change)
    return f"{head}: {'; '.join(reasons)}" if reasons else head


def _direction(ms: Iterable[MandateChange]) -> str | None:
    kinds = {Change(m.change) for m in ms}
    up, down = Change.STRENGTHENED in kinds, Change.WEAKENED in kinds
    return "mixed" if up and down else "strengthened" if up else "weakened" if down else None


def _fate(e: AlignmentEntry) -> str:
    kind = AlignKind(e.kind)
    if kind is AlignKind.REMOVED:
        return "removed"
    if kind is AlignKind.SPLIT:
        return "split"
    if kind is AlignKind.MERGE:
        return "merged"
    return "reworded" if e.changed else "kept"


def build_series(
    versions: Sequence[Resolution],
    comparisons: Sequence[Comparison],
    *,
    names: Sequence[str] | None = None,
) -> Series:
    """Trace every paragraph through `comparisons` (version k → k+1); pure, deterministic.

    `comparisons[k]` must compare `versions[k]` with `versions[k + 1]`. `names` label the
    versions in lineage ids and folder names (default: their symbols, made unique).
    """
    versions, comparisons = tuple(versions), tuple(comparisons)
    if len(versions) < 2:
        raise ResdiffError(f"a series needs at least two versions, got {len(versions)}")
    if len(comparisons) != len(versions) - 1:
        raise ValueError(f"{len(versions)} versions need {len(versions) - 1} comparisons, "
                         f"got {len(comparisons)}")
    for k, c in enumerate(comparisons):
        if c.old != versions[k] or c.new != versions[k + 1]:
            raise ValueError(f"comparison {k} does not compare version {k} with version {k + 1}")
    names = tuple(names) if names is not None else _version_names(versions)
    years = tuple(version_year(r) for r in versions)

    # Where each paragraph sits in the entries of the step before it (as new) and after it
    # (as old), and the mandate changes of each entry.
    before: list[dict[str, tuple[AlignmentEntry, list[MandateChange]]]] = [{}]
    after: list[dict[str, AlignmentEntry]] = []
    for c in comparisons:
        by_entry = _entry_mandates(c)
        incoming: dict[str, tuple[AlignmentEntry, list[MandateChange]]] = {}
        outgoing: dict[str, AlignmentEntry] = {}
        for k, e in enumerate(c.entries):
            ms = by_entry.get(k, [])
            for n, pid in enumerate(e.new):
                # A clause removed from a paragraph that lives on is told with its first part.
                own = [m for m in ms if m.new == pid or (m.new is None and n == 0)]
                incoming[pid] = (e, own)
            outgoing.update(dict.fromkeys(e.old, e))
        before.append(incoming)
        after.append(outgoing)
    after.append({})

    ids: dict[tuple[int, str], str] = {}
    born: dict[str, int] = {}
    for p in versions[0].paragraphs:
        ids[0, p.pid] = _lid(names[0], p.pid)
        born[ids[0, p.pid]] = 0
    for t, c in enumerate(comparisons, 1):
        for e in c.entries:
            if not e.new:
                continue
            if not e.old:
                for pid in e.new:
                    ids[t, pid] = _lid(names[t], pid)
                    born[ids[t, pid]] = t
            elif len(e.new) > 1:
                parent = ids[t - 1, e.old[0]]
                for k, pid in enumerate(e.new, 1):
                    ids[t, pid] = f"{parent}.{k}"
                    born[ids[t, pid]] = born[parent]
            else:
                olds = [ids[t - 1, pid] for pid in e.old]
                ids[t, e.new[0]] = min(olds, key=lambda x: (born[x], olds.index(x)))
        for p in versions[t].paragraphs:  # never the case for a valid alignment; kept safe
            if (t, p.pid) not in ids:
                ids[t, p.pid] = _lid(names[t], p.pid)
                born[ids[t, p.pid]] = t

    rows: list[LineageRow] = []
    last = len(versions) - 1
    for t, res in enumerate(versions):
        for pos, p in enumerate(res.paragraphs):
            lid = ids[t, p.pid]
            came = before[t].get(p.pid)
            goes = after[t].get(p.pid)
            if t == 0:
                event = "first"
            elif came is None or not came[0].old:
                event = "added"
            else:
                event = _fate(came[0])
            entry, ms = came if came is not None else (None, [])
            previous = entry.old if entry is not None else ()
            parents = tuple(x for x in dict.fromkeys(ids[t - 1, q] for q in previous) if x != lid)
            rows.append(LineageRow(
                lineage=lid, version=t, symbol=names[t], year=years[t], pid=p.pid,
                position=pos, section=p.section, number=p.number, event=event,
                moved=entry.moved if entry is not None and entry.old else None,
                similarity=entry.similarity if entry is not None and entry.old else None,
                previous=previous,
                next=goes.new if goes is not None else (),
                fate=_fate(goes) if goes is not None and t < last else None,
                parents=parents,
                direction=_direction(ms),
                mandates=tuple(n for n in (_note(m) for m in ms) if n),
                lead=p.lead, text=p.text,
            ))
    by_lineage: dict[str, list[LineageRow]] = {}
    for r in rows:
        by_lineage.setdefault(r.lineage, []).append(r)
    return Series(versions, comparisons, names, years, tuple(rows),
                  {k: tuple(v) for k, v in by_lineage.items()},
                  {(r.version, r.pid): r for r in rows})


def series(
    versions: Sequence[Resolution | str | Path] | None = None,
    *,
    back_from: str | None = None,
    settings: Settings | None = None,
) -> Series:
    """Compare consecutive versions of a resolution and trace every paragraph through them.

    Give the versions oldest first (symbols, file paths or parsed resolutions), or
    `back_from=SYMBOL` to walk back from the newest through what each version recalls
    (`pipeline.lineage.chain`).

    >>> s = series(["A/RES/72/194", "A/RES/74/175", "A/RES/78/226"])  # doctest: +SKIP
    >>> s.timeline.query("weakened > 0")  # doctest: +SKIP
    """
    from pipeline.api import load
    from pipeline.lineage import chain

    settings = settings or Settings.from_env()
    if (versions is None) == (back_from is None):
        raise TypeError("give either the versions or back_from=SYMBOL, not both")
    loaded: dict[str, Resolution] = {}

    def read(ref: str) -> Resolution:
        if ref not in loaded:
            loaded[ref] = load(ref, settings=settings)
        return loaded[ref]

    if back_from is not None:
        refs: list[Resolution | str | Path] = list(chain(back_from, settings, loader=read))
        if len(refs) < 2:
            from pipeline.lineage import trace

            why = trace(back_from, settings, loader=read).reason
            raise ResdiffError(f"no earlier version of {back_from} was found ({why}); "
                               f"give the versions explicitly, oldest first")
    else:
        refs = list(versions or ())
    docs = [_named(v, read(str(v))) if not isinstance(v, Resolution) else v for v in refs]
    if len(docs) < 2:
        raise ResdiffError(f"a series needs at least two versions, got {len(docs)}")
    comparisons = tuple(compare_resolutions(a, b, settings=settings) for a, b in pairwise(docs))
    return build_series(docs, comparisons)


def _named(ref: str | Path, res: Resolution) -> Resolution:
    """The symbol asked for names a version whose rendering prints none."""
    if res.symbol is None and isinstance(ref, str) and looks_like_symbol(ref):
        return replace(res, symbol=normalise_symbol(ref))
    return res


# --- frames ---------------------------------------------------------------------------------


def _row_record(r: LineageRow) -> dict[str, Any]:
    return {
        "lineage": r.lineage, "version": r.version, "symbol": r.symbol, "year": r.year,
        "pid": r.pid, "position": r.position, "section": r.section.value, "number": r.number,
        "event": r.event, "moved": r.moved,
        "similarity": math.nan if r.similarity is None else r.similarity,
        "previous": " ".join(r.previous) or None, "next": " ".join(r.next) or None,
        "fate": r.fate, "parents": " ".join(r.parents) or None, "direction": r.direction,
        "mandates": "; ".join(r.mandates) or None, "lead": r.lead, "text": r.text,
    }


def _actor_order(counts: Counter[tuple[str | None, str]]) -> list[str | None]:
    """Actors by how many of their mandates changed (unchanged not counted), then by name."""
    actors = {a for a, _ in counts}
    moved = Counter({a: 0 for a in actors})
    for (a, change), n in counts.items():
        if change != Change.UNCHANGED.value:
            moved[a] += n
    return sorted(actors, key=lambda a: (a is None, -moved[a], (a or "").casefold(), a or ""))


def timeline_records(s: Series) -> list[dict[str, Any]]:
    """The rows of `Series.timeline`: every actor at every step, zeros included."""
    per_step = [Counter((m.actor, Change(m.change).value) for m in c.mandate_changes
                        if m.section is Section.OPERATIVE) for c in s.comparisons]
    total: Counter[tuple[str | None, str]] = Counter()
    for counts in per_step:
        total.update(counts)
    rows = []
    for k, counts in enumerate(per_step):
        for actor in _actor_order(total):
            rows.append({"step": k + 1, "old": s.names[k], "new": s.names[k + 1],
                         "year": s.years[k + 1], "actor": actor,
                         **{c.value: counts.get((actor, c.value), 0) for c in TIMELINE_CHANGES}})
    return rows


# --- stories --------------------------------------------------------------------------------


def _when(s: Series, version: int) -> str:
    """"2019", or "2025 (A/80/L.6)" when two versions share the year, or the symbol alone."""
    year = s.years[version]
    if year is None:
        return s.names[version]
    if s.years.count(year) > 1:
        return f"{year} ({s.names[version]})"
    return str(year)


def _with_notes(text: str, notes: Sequence[str]) -> str:
    return f"{text} ({'; '.join(notes)})" if notes else text


def _ids(pids: Sequence[str]) -> str:
    return pids[0] if len(pids) == 1 else ", ".join(pids[:-1]) + " and " + pids[-1]


def _story_parts(s: Series, lid: str) -> list[str]:
    rows = s._by_lineage[lid]
    first = rows[0]
    parts: list[str] = []
    if first.event == "first":
        parts.append(f"First appeared in {_when(s, 0)} as {first.pid} ({first.symbol})")
    elif first.event == "added":  # its clauses are all new: the notes would say only that
        parts.append(f"added in {_when(s, first.version)} as {first.pid} ({first.symbol})")
    elif first.event == "split":
        parts.extend(_story_parts(s, first.parents[0]))
        parts.append(_with_notes(f"this part became {first.pid}", first.mandates))
    else:  # a merge keeps the oldest lineage, so a lineage never begins with one
        parts.append(f"{first.event} in {_when(s, first.version)} as {first.pid}")
    for r in rows[1:]:
        parts.append(_step_phrase(s, r))
    end = rows[-1]
    if end.fate is not None and end.fate not in ("kept", "reworded"):
        t = end.version + 1
        where = s.names[t]
        if end.fate == "removed":
            parts.append(f"removed in {_when(s, t)} ({where})")
        elif end.fate == "split":
            parts.append(f"split in {_when(s, t)} into {_ids(end.next)} ({where})")
        else:  # merged into a paragraph that continues another lineage
            into = s.lineage_of(t, end.next[0])
            parts.append(f"merged in {_when(s, t)} into {end.next[0]} ({where}), "
                         f"which continues {into}")
    return parts


def _step_phrase(s: Series, r: LineageRow) -> str:
    when = _when(s, r.version)
    if r.event == "merged":
        others = [p for p in r.previous if s.lineage_of(r.version - 1, p) != r.lineage]
        text = f"merged in {when} with {_ids(others)} into {r.pid}"
    elif r.event == "kept" and not r.mandates:
        text = f"moved unchanged in {when} to {r.pid}" if r.moved else (
            f"kept unchanged in {when} as {r.pid}")
    else:
        verb = {"mixed": "strengthened and weakened"}.get(r.direction or "", r.direction)
        text = f"{verb or 'reworded'} in {when} as {r.pid}"
        if r.moved:
            text += ", moved"
        return _with_notes(text, [_unprefixed(n, verb or "reworded") for n in r.mandates])
    return _with_notes(text, r.mandates)


def _unprefixed(note: str, verb: str) -> str:
    """"weakened, UNODC: hedge added" reads "UNODC: hedge added" after "weakened in 2019"."""
    for sep in (", ", ": "):
        if note.startswith(verb + sep):
            return note[len(verb) + len(sep):]
    return note


def _sentence(parts: Sequence[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


# --- text and JSON --------------------------------------------------------------------------

_ARROW = "\u2192"
#: Mandate changes as the text and the page abbreviate them.
SYMBOLS = {"strengthened": "▲", "weakened": "▼", "added": "+", "removed": "−",
           "reworded": "✎", "unchanged": "="}


def _cell(counts: dict[str, int]) -> str:
    return " ".join(f"{SYMBOLS[k]}{counts[k]}" for k in SYMBOLS
                    if k != "unchanged" and counts.get(k)) or "·"


def series_text(s: Series, *, width: int = 100, stories: int | None = 12) -> str:
    """A summary for a terminal: the versions, each step, the timeline, notable stories."""
    lines = [f" {_ARROW} ".join(f"{n} ({y})" if y else n for n, y in zip(s.names, s.years,
                                                                          strict=True))]
    lines.append(f"  {_clip(s.versions[-1].title, width - 2)}")
    lines += ["", "Steps (paragraphs; operative mandates ▲ strengthened ▼ weakened + added "
              "− removed ✎ reworded):"]
    for k, c in enumerate(s.comparisons):
        n = frames.counts(c)
        a = n["alignment"]
        ops = Counter(Change(m.change).value for m in c.mandate_changes
                      if m.section is Section.OPERATIVE)
        lines.append(
            f"  {s.steps[k]:<28} {len(c.old.paragraphs):>3} {_ARROW} {len(c.new.paragraphs):<3} "
            f"{a['match']} matched ({a['changed']} changed, {a['moved']} moved), {a['split']} split, "
            f"{a['merge']} merged, {a['added']} added, {a['removed']} removed; {_cell(ops)}")
    t = timeline_records(s)
    actors = list(dict.fromkeys(r["actor"] for r in t))
    if actors:
        cells = {a: [_cell(r) for r in t if r["actor"] == a] for a in actors}
        heads = [_when(s, k) for k in range(1, len(s.names))]
        w = 2 + max(len(c) for c in [*heads, *(c for cs in cells.values() for c in cs)])
        lines += ["", "Mandate timeline (operative paragraphs):",
                  f"  {'actor':<24}" + "".join(f"{h:>{w}}" for h in heads)]
        for actor in actors:
            lines.append(f"  {_clip(actor or NO_ACTOR, 24):<24}"
                         + "".join(f"{c:>{w}}" for c in cells[actor]))
    notable = [lid for lid in s.lineage_ids if _notable(s, lid)]
    if notable and stories != 0:
        shown = notable if stories is None else notable[:stories]
        lines += ["", f"Lineages that were strengthened, weakened, split or merged "
                      f"({len(notable)}):"]
        for lid in shown:
            lines.append(f"  {lid}")
            lines.append(f"    {_clip(s.story(lid), 4 * width)}")
        if len(shown) < len(notable):
            lines.append(f"  ... {len(notable) - len(shown)} more in lineage.csv and index.html")
    return "\n".join(lines)


def _notable(s: Series, lid: str) -> bool:
    return any(r.direction or r.event in ("split", "merged") or r.fate in ("split", "merged")
               for r in s._by_lineage[lid])


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def series_json(s: Series) -> dict[str, Any]:
    """The series as plain JSON values: versions, steps with counts, timeline and stories."""
    return {
        "versions": [{"symbol": n, "year": y, "title": r.title, "kind": r.kind,
                      "paragraphs": len(r.paragraphs)}
                     for n, y, r in zip(s.names, s.years, s.versions, strict=True)],
        "steps": [{"step": k + 1, "folder": s.steps[k], "old": s.names[k], "new": s.names[k + 1],
                   "counts": frames.counts(c)} for k, c in enumerate(s.comparisons)],
        "timeline": timeline_records(s),
        "stories": {lid: s.story(lid) for lid in s.lineage_ids},
    }


# --- the index page -------------------------------------------------------------------------

# Chart geometry, in SVG user units (the SVG scales to its box; these fix the proportions).
_CH_LABEL_W = 120
_CH_COL_W = 120
_CH_ROW_H = 24
_CH_HEAD_H = 40
_CH_BAR_MAX = 80
_CHART_CHANGES = ("strengthened", "weakened", "added", "removed", "reworded")

#: Cell symbols of the lineage grid, by event.
EVENT_SYMBOL = {"first": "•", "added": "+", "kept": "=", "reworded": "✎", "split": "⇉",
                "merged": "⊕"}


def timeline_chart(s: Series) -> Markup:
    """An inline SVG: one row per kind of mandate change, one column per step, bars to scale.

    Every count is printed beside its bar and carries `data-step`, `data-change` and
    `data-count`, so nothing depends on reading a colour.
    """
    counts = [Counter(Change(m.change).value for m in c.mandate_changes
                      if m.section is Section.OPERATIVE) for c in s.comparisons]
    top = max([n for cs in counts for n in cs.values()] + [1])
    width = _CH_LABEL_W + _CH_COL_W * len(counts)
    height = _CH_HEAD_H + _CH_ROW_H * len(_CHART_CHANGES) + 6
    parts = [
        f'<svg class="chart timeline-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="Operative mandate changes at each step">',
        "<title>Operative mandate changes at each step</title>",
    ]
    for k in range(len(counts)):
        x = _CH_LABEL_W + k * _CH_COL_W
        parts.append(f'<text class="ch-head" x="{x}" y="15">{escape(_when(s, k + 1))}</text>'
                     f'<text class="ch-head" x="{x}" y="31">{escape(_clip(s.names[k + 1], 18))}'
                     f"</text>")
    for row, change in enumerate(_CHART_CHANGES):
        y = _CH_HEAD_H + row * _CH_ROW_H
        parts.append(f'<text class="ch-actor" x="0" y="{y + 16}"><tspan class="c-{change}">'
                     f"{SYMBOLS[change]}</tspan> {change}</text>")
        for k, cs in enumerate(counts):
            n = cs.get(change, 0)
            x = _CH_LABEL_W + k * _CH_COL_W
            bar = max(2, round(_CH_BAR_MAX * n / top)) if n else 0
            parts.append(
                f'<g class="cell c-{change}" data-step="{k + 1}" data-change="{change}" '
                f'data-count="{n}"><title>{escape(s.names[k + 1])}: {n} {change}</title>'
                + (f'<rect x="{x}" y="{y + 6}" width="{bar}" height="12" rx="2"/>' if n else "")
                + f'<text class="num{" zero" if not n else ""}" x="{x + bar + (4 if n else 0)}" '
                f'y="{y + 16}">{n}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class _Cell:
    pid: str
    event: str
    symbol: str
    title: str
    direction: str | None


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True,
                                     default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    env = _environment()
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def _version() -> str:
    try:
        return metadata.version("resdiff")
    except metadata.PackageNotFoundError:  # pragma: no cover - a bare checkout
        return "dev"


def render_index(s: Series, *, generated_at: str | None = None) -> str:
    """The series page: versions, steps linking `<step>/report.html`, timeline, lineages.

    Self-contained (inline CSS and SVG, no script, no network); the links to the official
    PDFs are never loaded. Same series, same bytes, unless `generated_at` is given.
    """
    from pipeline.report import official_pdf_url

    versions = [{"name": n, "year": y, "title": r.title, "kind": r.kind,
                 "paragraphs": len(r.paragraphs),
                 "pdf": official_pdf_url(r.symbol) if r.symbol else None}
                for n, y, r in zip(s.names, s.years, s.versions, strict=True)]
    steps = []
    for k, c in enumerate(s.comparisons):
        n = frames.counts(c)
        ops = Counter(Change(m.change).value for m in c.mandate_changes
                      if m.section is Section.OPERATIVE)
        steps.append({"index": k + 1, "folder": s.steps[k], "old": s.names[k],
                      "new": s.names[k + 1], "when": _when(s, k + 1), "alignment": n["alignment"],
                      "mandates": {ch: ops.get(ch, 0) for ch in SYMBOLS}})
    records = timeline_records(s)
    actors = list(dict.fromkeys(r["actor"] for r in records))
    timeline = [(a or NO_ACTOR, [{ch: r[ch] for ch in SYMBOLS} for r in records
                                 if r["actor"] == a]) for a in actors]
    grid = []
    for lid in s.lineage_ids:
        cells: list[_Cell | None] = [None] * len(s.names)
        for r in s._by_lineage[lid]:
            title = f"{r.symbol} {r.pid}: {r.event}" + (", moved" if r.moved else "")
            if r.mandates:
                title += " — " + "; ".join(r.mandates)
            cells[r.version] = _Cell(r.pid, r.event, EVENT_SYMBOL[r.event], title, r.direction)
        end = s._by_lineage[lid][-1]
        grid.append({"id": lid, "cells": cells, "story": s.story(lid),
                     "fate": end.fate if end.fate in ("removed", "split", "merged") else None,
                     "notable": _notable(s, lid)})
    context = {
        "title": s.versions[-1].title, "versions": versions, "steps": steps,
        "chart": timeline_chart(s), "timeline": timeline, "symbols": SYMBOLS,
        "event_symbol": EVENT_SYMBOL, "grid": grid, "names": s.names,
        "version": _version(), "generated_at": generated_at,
        "css": Markup(_asset("report.css")), "series_css": Markup(_asset("series.css")),
    }
    return _environment().get_template("index.html.j2").render(context)


# --- writing --------------------------------------------------------------------------------

#: File mode of written outputs: readable by everyone, like a file written the usual way.
FILE_MODE = 0o644
DIR_MODE = 0o755


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target`, put in its place if the block succeeds.

    The old folder, if any, is renamed aside first and deleted after, so a reader sees the old
    folder or the new one whole, never a half-written one (at worst, for an instant, none).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, DIR_MODE)  # mkdtemp makes it private
        old: Path | None = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old",
                                        dir=target.parent))
            os.replace(target, old)  # onto the empty folder just made
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise ResdiffError(f"unknown output format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    return chosen


def _tables(df: pd.DataFrame, out: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    from pipeline.writers import write_csv, write_parquet

    written = []
    if "csv" in formats:
        written.append(write_csv(df, out / f"{stem}.csv"))
    if "parquet" in formats:
        written.append(write_parquet(df, out / f"{stem}.parquet"))
    return written


def write_pair(c: Comparison, out: Path, *, formats: Sequence[str] = FORMATS) -> tuple[Path, ...]:
    """Write a comparison into folder `out`: its tables, `comparison.json`, `report.html`.

    With every format this is what `resdiff compare --out` writes; `formats` picks a subset
    of csv, parquet, json and html.
    """
    from pipeline.report import write_report
    from pipeline.writers import TABLES, write_json

    formats = _check_formats(formats)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in TABLES:
        df = c.summary() if name == "summary" else getattr(c, name)
        written += _tables(df, out, name, formats)
    if "json" in formats:
        written.append(write_json(c.to_json(), out / "comparison.json"))
    if "html" in formats:
        written.append(write_report(c, out / "report.html"))
    for path in written:
        os.chmod(path, FILE_MODE)
    return tuple(written)


def write_series(
    s: Series,
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    on_step: Callable[[int, int], None] | None = None,
) -> tuple[Path, ...]:
    """Write a series into folder `out`, every file and step folder atomically.

    `<step>/` holds the pairwise outputs of each step (`write_pair`), each step folder put in
    place whole; then `lineage`, `timeline` and `stories` tables (csv, parquet), `series.json`
    (json) and last `index.html` (html), which links every `<step>/report.html`. Other files
    in `out` are left alone. `on_step(done, total)` is called after each step folder.
    """
    formats = _check_formats(formats)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for k, (name, c) in enumerate(zip(s.steps, s.comparisons, strict=True)):
        with atomic_dir(out / name) as tmp:
            write_pair(c, tmp, formats=formats)
        written.append(out / name)
        if on_step is not None:
            on_step(k + 1, len(s.comparisons))
    written += _tables(s.lineage, out, "lineage", formats)
    written += _tables(s.timeline, out, "timeline", formats)
    written += _tables(s.stories, out, "stories", formats)
    if "json" in formats:
        from pipeline.writers import write_json

        written.append(write_json(series_json(s), out / "series.json"))
    if "html" in formats:
        from pipeline.writers import write_text

        written.append(write_text(render_index(s), out / "index.html"))
    for path in written:
        if path.is_file():
            os.chmod(path, FILE_MODE)
    return tuple(written)
