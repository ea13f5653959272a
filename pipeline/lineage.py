"""Earlier versions of a resolution, found from what it recalls.

A General Assembly resolution on a recurring item names the version it follows in its preamble.
Two patterns are read, in this order:

1. a paragraph whose lead starts with "Recalling" and whose text says "in particular its
   resolution NN/NNN" (78/226: "Recalling in particular its resolution 74/175 of 18 December
   2019, in which it ..."); the cited resolution is the predecessor whatever its title, since
   a series may be renamed (72/194 → 74/175);
2. a paragraph that opens "Recalling [also] its resolution(s) NN/NNN ..." (80/6: "Recalling its
   resolution 79/6 of 29 October 2024 and all its previous relevant resolutions"); of the
   resolutions it lists, the one of the latest earlier session is the predecessor only if its
   title is the same, since such paragraphs also recall resolutions on other subjects.

The walk goes back one predecessor at a time until a document recalls none, cannot be resolved
(not cached, not in a mirror, network off or failing: the walk stops and says so), or would
revisit a document (it never loops).

>>> predecessors("A/RES/78/226", settings)  # doctest: +SKIP
('A/RES/74/175', 'A/RES/72/194')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.config import Settings
from pipeline.errors import ResdiffError
from pipeline.models import Resolution, Section
from pipeline.symbols import looks_like_symbol, normalise_symbol

__all__ = ["MAX_DEPTH", "Lineage", "Link", "Loader", "chain", "predecessors", "trace"]

#: How far back a walk goes at most; GA series are yearly or biennial, so this is centuries.
MAX_DEPTH = 100

Loader = Callable[[str], Resolution]

_RES_NUMBER = r"(\d{1,3})/(\d{1,4})"
_IN_PARTICULAR = re.compile(
    rf"\bin\s+particular,?\s+(?:its\s+)?resolution\s+(?:A/RES/)?{_RES_NUMBER}\b", re.IGNORECASE
)
_RECALLING_ITS = re.compile(
    r"^Recalling(?:\s+also|\s+further)?\s+its\s+resolutions?\s+", re.IGNORECASE
)
# A number counts as a resolution only after the word "resolution(s)": the same paragraph may go
# on to "its decision 76/563" (77/7 on the Cuba embargo).
_KIND_OR_NUMBER = re.compile(rf"\b(resolutions?|decisions?)\b|(?<![\d/]){_RES_NUMBER}(?![\d/])")
_TITLE_NUMBER = re.compile(r"^\s*\d{1,3}/\d{1,4}\s*\.\s*")
_SESSION = re.compile(r"^A/(?:RES/)?(?:C\.\d/)?(\d{1,3})/")


@dataclass(frozen=True, slots=True)
class Link:
    """One version in a lineage, and the rule that led to it."""

    symbol: str
    title: str
    rule: str  # "start" | "in particular" | "same title"


@dataclass(frozen=True, slots=True)
class Lineage:
    """The versions found, newest first (the document asked about first), and why it ended."""

    links: tuple[Link, ...]
    stopped_at: str | None  # a cited symbol the walk could not resolve, if that ended it
    reason: str  # one line: why the walk ended

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols of the versions found, newest first."""
        return tuple(link.symbol for link in self.links)


def _same_title(a: str, b: str) -> bool:
    """Titles compared without their "78/226." number, case or spacing."""

    def key(title: str) -> str:
        return " ".join(_TITLE_NUMBER.sub("", title).split()).casefold().rstrip(" .")

    return bool(key(a)) and key(a) == key(b)


def _session(res: Resolution, symbol: str) -> int | None:
    if res.session is not None:
        return res.session
    m = _SESSION.match(symbol)
    return int(m[1]) if m else None


def _recalling(res: Resolution) -> list[str]:
    return [
        " ".join(p.text.split())
        for p in res.paragraphs
        if p.section is Section.PREAMBLE and p.lead.casefold().startswith("recalling")
    ]


def _cited_in_particular(res: Resolution) -> str | None:
    """Rule 1: the resolution a "Recalling" paragraph names "in particular", if any."""
    for text in _recalling(res):
        m = _IN_PARTICULAR.search(text)
        if m:
            return f"A/RES/{int(m[1])}/{int(m[2])}"
    return None


def _recalled_by_number(res: Resolution, session: int | None) -> list[str]:
    """Rule 2 candidates: of each "Recalling its resolution(s) ..." paragraph, the newest."""
    found: list[str] = []
    for text in _recalling(res):
        if not _RECALLING_ITS.match(text):
            continue
        numbers: list[tuple[int, int]] = []
        kind = ""
        for m in _KIND_OR_NUMBER.finditer(text):
            if m[1]:
                kind = m[1].casefold()
            elif kind.startswith("resolution") and (session is None or int(m[2]) < session):
                numbers.append((int(m[2]), int(m[3])))
        if numbers:
            newest = max(numbers)
            found.append(f"A/RES/{newest[0]}/{newest[1]}")
    return found


class _Stop(Exception):
    """Ends a walk: why, and the cited symbol that could not be resolved, if that is why."""

    def __init__(self, reason: str, stopped_at: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stopped_at = stopped_at


def _read(read: Loader, symbol: str, purpose: str = "") -> Resolution:
    try:
        return read(symbol)
    except ResdiffError as exc:
        raise _Stop(f"{symbol} could not be resolved{purpose}: {exc}", symbol) from None


def _previous(
    current: Resolution, symbol: str, seen: set[str], read: Loader
) -> tuple[Link, Resolution]:
    """The version `current` follows, by rule 1, else rule 2; `_Stop` if there is none."""
    cited = _cited_in_particular(current)
    if cited is not None:
        if cited in seen:
            raise _Stop(f"{symbol} recalls {cited}, which is already in the lineage")
        res = _read(read, cited)
        return Link(cited, res.title, "in particular"), res
    unresolved: _Stop | None = None
    for candidate in _recalled_by_number(current, _session(current, symbol)):
        if candidate in seen:
            continue
        try:
            res = _read(read, candidate, " to compare its title")
        except _Stop as stop:
            unresolved = unresolved or stop
            continue
        if _same_title(res.title, current.title):
            return Link(candidate, res.title, "same title"), res
    if unresolved is not None:
        raise unresolved
    raise _Stop(
        f"{symbol} recalls no earlier version (no 'Recalling in particular its resolution ...', "
        f"and no resolution it recalls has the same title)"
    )


def trace(symbol: str, settings: Settings, *, loader: Loader | None = None) -> Lineage:
    """Walk back from `symbol` through the versions it recalls; see the module docstring.

    `loader` reads a document by symbol (default: `pipeline.api.load` with `settings`, that is
    the cache, the mirrors, then the UN services). An error reading `symbol` itself is raised;
    an error reading an earlier version ends the walk, and `Lineage.reason` says why.
    """
    if loader is None:
        from pipeline.api import load

        def loader(ref: str) -> Resolution:
            return load(ref, settings=settings)

    current = loader(symbol)
    # The symbol asked for names the start, even when the rendering it was read from does not
    # print one (a path: the symbol the parser found).
    start = normalise_symbol(symbol) if looks_like_symbol(symbol) else (current.symbol or symbol)
    links = [Link(start, current.title, "start")]
    seen = {start}
    for _ in range(MAX_DEPTH):
        try:
            link, current = _previous(current, links[-1].symbol, seen, loader)
        except _Stop as stop:
            return Lineage(tuple(links), stop.stopped_at, stop.reason)
        links.append(link)
        seen.add(link.symbol)
    return Lineage(tuple(links), None, f"stopped after {MAX_DEPTH} versions")


def predecessors(
    symbol: str, settings: Settings, *, loader: Loader | None = None
) -> tuple[str, ...]:
    """The earlier versions of `symbol` that can be resolved, newest first, `symbol` excluded.

    >>> predecessors("A/RES/78/226", settings)  # doctest: +SKIP
    ('A/RES/74/175', 'A/RES/72/194')
    """
    return trace(symbol, settings, loader=loader).symbols[1:]


def chain(symbol: str, settings: Settings, *, loader: Loader | None = None) -> tuple[str, ...]:
    """The series that ends at `symbol`, oldest first, `symbol` included.

    >>> chain("A/RES/78/226", settings)  # doctest: +SKIP
    ('A/RES/72/194', 'A/RES/74/175', 'A/RES/78/226')
    """
    return tuple(reversed(trace(symbol, settings, loader=loader).symbols))
