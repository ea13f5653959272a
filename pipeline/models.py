"""Frozen values passed between the stages of resdiff.

No I/O and no pandas here: every stage takes these values and returns these values, so a stage
can be tested in memory and its output compared whole. `dataclasses.asdict` gives the JSON keys;
the DataFrame columns of `pipeline.frames` use the same names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Section(StrEnum):
    """The two parts of a General Assembly resolution."""

    PREAMBLE = "preamble"
    OPERATIVE = "operative"


class SourceFormat(StrEnum):
    """Which rendering a document was read from."""

    PDF = "pdf"  # an official PDF, read through its text layer
    PDF_TEXT = "pdf-text"  # a text layer already extracted from an ODS PDF
    MARKDOWN = "markdown"  # the markdown-like rendering (italic leads, [72/194](#) links)
    HTML = "html"  # a page saved from a UN site
    CLEAN = "clean"  # resdiff's own normalised text


@dataclass(frozen=True, slots=True)
class Subparagraph:
    """A lettered or numbered item inside a paragraph: "(a)", "(b)", "(a)(i)".

    `label` is the path of markers without brackets, joined by dots: "a", "b", "a.i".
    """

    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Footnote:
    """One footnote of the document, with the paragraphs that cite it."""

    number: int
    text: str
    citations: tuple[str, ...] = ()  # normalised document symbols named in the footnote
    cited_by: tuple[str, ...] = ()  # paragraph ids, document order


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One preambular (PP) or operative (OP) paragraph.

    `text` is the whole paragraph as printed, lead included, without its operative number and
    without footnote markers; `lead` is the participle or operative verb phrase that opens it
    ("Recalling also", "Further requests").
    """

    pid: str  # "PP3", "OP12": stable within its document
    section: Section
    number: int | None  # printed operative number; None in the preamble
    lead: str
    text: str
    subparagraphs: tuple[Subparagraph, ...] = ()
    footnotes: tuple[int, ...] = ()  # footnote numbers cited, in order of first citation
    citations: tuple[str, ...] = ()  # normalised symbols cited in the text or its footnotes
    marks: tuple[tuple[int, int], ...] = ()  # (offset in text, footnote number), text order
    heading: str | None = None  # the section heading it stands under ("II. Implementation")


@dataclass(frozen=True, slots=True)
class Resolution:
    """A parsed resolution (or draft resolution) with its metadata."""

    symbol: str | None  # "A/RES/74/175", "A/C.6/80/L.22"
    title: str
    session: int | None  # 74
    agenda_item: str | None  # "106"; a string since some items read "20 and 21" or "69 (b)"
    adopted: str | None  # ISO date of adoption ("2019-12-18"); None for drafts
    committee_report: str | None  # "A/74/400"; None when adopted without reference
    plenary_meeting: int | None  # 50 for "50th plenary meeting"
    kind: str  # "resolution" | "draft"
    paragraphs: tuple[Paragraph, ...]
    footnotes: tuple[Footnote, ...] = ()
    source_format: SourceFormat = SourceFormat.CLEAN
    issued: str | None = None  # ISO date on the masthead ("2020-01-07")
    sponsors: tuple[str, ...] = field(default=())  # drafts: the States that table it
    masthead: tuple[str, ...] = ()  # the header lines as printed, one metadata item each
    annex: tuple[str, ...] = ()  # lines after the operative part: an annex, as printed

    @property
    def preamble(self) -> tuple[Paragraph, ...]:
        """Preambular paragraphs, document order."""
        return tuple(p for p in self.paragraphs if p.section is Section.PREAMBLE)

    @property
    def operative(self) -> tuple[Paragraph, ...]:
        """Operative paragraphs, document order."""
        return tuple(p for p in self.paragraphs if p.section is Section.OPERATIVE)

    def paragraph(self, pid: str) -> Paragraph:
        """The paragraph with id `pid` ("PP3", "OP12"); KeyError if there is none."""
        for p in self.paragraphs:
            if p.pid == pid:
                return p
        raise KeyError(pid)

    @property
    def citations(self) -> tuple[str, ...]:
        """Every document the resolution cites, first-citation order, each once."""
        seen: dict[str, None] = {}
        for p in self.paragraphs:
            for c in p.citations:
                seen.setdefault(c, None)
        return tuple(seen)


# --- comparison of two versions ------------------------------------------------------------


class AlignKind(StrEnum):
    """How paragraphs of two versions correspond."""

    MATCH = "match"  # one old paragraph ↔ one new paragraph
    SPLIT = "split"  # one old paragraph → several new ones
    MERGE = "merge"  # several old paragraphs → one new one
    ADDED = "added"  # only in the new version
    REMOVED = "removed"  # only in the old version


@dataclass(frozen=True, slots=True)
class AlignmentEntry:
    """One entry of an alignment; every paragraph of both versions is in exactly one entry."""

    old: tuple[str, ...]  # paragraph ids of the old version
    new: tuple[str, ...]  # paragraph ids of the new version
    kind: AlignKind
    changed: bool  # wording differs after normalisation
    moved: bool  # outside the order-preserving backbone of matches
    similarity: float  # 0..1
    method: str  # how it was found: "exact", "fuzzy", "move", "split", "merge", ...


class EditOp(StrEnum):
    """One step of a word-level diff."""

    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Edit:
    """A run of words kept, inserted or deleted."""

    op: EditOp
    text: str


class Change(StrEnum):
    """What happened to a mandate between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    STRENGTHENED = "strengthened"
    WEAKENED = "weakened"
    REWORDED = "reworded"  # text changed, strength did not
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Qualifier:
    """A hedge ("upon request") or intensifier ("strongly") found in a clause."""

    kind: str  # "hedge" | "intensifier"
    phrase: str  # canonical phrase from the lexicon: "upon request", "strongly"


@dataclass(frozen=True, slots=True)
class Clause:
    """One operative clause: a paragraph split at its operative verbs.

    "Urges Member States ..., and requests the Office ..." gives two clauses, index 0 and 1.
    A preambular paragraph is one clause whose verb is its lead ("Recalling", "Deeply concerned").
    """

    pid: str
    index: int  # 0-based within its paragraph
    text: str
    verb: str | None  # canonical verb, without "Also"/"Further": "requests", "calls upon"
    verb_text: str | None  # as printed: "Also requests"
    actor: str | None  # normalised addressee: "UNODC", "Member States", "Secretary-General"
    qualifiers: tuple[Qualifier, ...] = ()


@dataclass(frozen=True, slots=True)
class ClauseDiff:
    """Word-level diff of a pair of aligned clauses (or of a clause added or removed)."""

    old_pid: str | None
    new_pid: str | None
    old_clause: int | None
    new_clause: int | None
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class MandateChange:
    """What happened to one mandate, with the reasons a reader can check."""

    old: str | None  # old paragraph id
    new: str | None  # new paragraph id
    clause: int  # 0-based clause index in the new paragraph (old, when removed)
    actor: str | None
    verb_old: str | None
    verb_new: str | None
    change: Change
    reasons: tuple[str, ...]
    section: Section = Section.OPERATIVE


@dataclass(frozen=True, slots=True)
class CitationChanges:
    """Documents cited by the two versions, sorted."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]
