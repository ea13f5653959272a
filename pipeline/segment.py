"""Clean text → `Resolution`: metadata, PP/OP paragraphs, leads, subparagraphs, footnotes, citations.

Reads the clean text that `pipeline.normalise` writes (pure; no I/O).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from pipeline.errors import EmptyInputError, ParseError
from pipeline.models import Footnote, Paragraph, Resolution, Section, SourceFormat, Subparagraph
from pipeline.normalise import (
    ANNEX_RE,
    DATE_RE,
    FOOTNOTE_DEF_RE,
    MARKER,
    OP_NUMBER_RE,
    OPENING_RE,
    PLENARY_RE,
    SUBPARA_RE,
    SYMBOL_RE,
    looks_like_heading,
)

# --- leads ----------------------------------------------------------------------------------

#: Words that may stand before the verb of a lead: "Also requests", "Deeply concerned",
#: "Once again urges" (UN editorial practice marks repetition and intensity this way).
LEAD_ADVERBS = (
    "Once again",
    "Also",
    "Further",
    "Again",
    "Strongly",
    "Deeply",
    "Gravely",
    "Seriously",
    "Firmly",
    "Fully",
    "Profoundly",
    "Increasingly",
    "Particularly",
    "Greatly",
    "Most",
    "Equally",
)
#: What may follow the verb inside the italic lead: "Recalling also", "Notes with
#: appreciation", "Takes note of", "Expresses its appreciation", "Calls upon", "Bearing in mind".
LEAD_TAILS = (
    r"also",
    r"further",
    r"again",
    r"in particular",
    r"with (?:deep |grave |serious |great |profound )?(?:appreciation|satisfaction|concern|interest|regret|alarm|gratitude)(?: and (?:appreciation|satisfaction|concern|interest|gratitude))?",
    r"note(?: with (?:appreciation|satisfaction|concern|interest))?(?: of)?",
    r"its (?:deep |grave |serious |great |profound |sincere )?(?:appreciation|concern|gratitude|support|call upon|request|commitment|condolences|solidarity)",
    r"upon",
    r"(?:deep |grave |serious |great |profound )?concern",  # "Expresses grave concern"
    r"to (?:welcome|encourage|support|call upon|urge|request|recognize|stress|emphasize|note)",
    r"for",
    r"in mind",
    r"into account",
    r"into consideration",
)
#: Verbs whose lead takes "its …": "Expresses its appreciation", "Reiterates its call upon".
_ITS_HEADS = re.compile(r"(?:Express|Reiterat|Renew|Extend)(?:es|ing|s|e)?$", re.I)
#: Verbs whose lead takes a bare noun or an infinitive: "Expresses concern", "Continues to welcome".
_BARE_HEADS = {
    "concern": re.compile(r"Express(?:es|ing)$", re.I),
    "to": re.compile(r"Continu(?:es|ing)$", re.I),
}
_TAIL_RE = re.compile(r"\s+(?:" + "|".join(LEAD_TAILS) + r")\b")
_ADVERB_RE = re.compile(r"(?:" + "|".join(LEAD_ADVERBS) + r")\s+(?=[a-z])")


def lead_of(text: str) -> str:
    """The lead phrase of a paragraph: its participle or operative verb with their modifiers.

    >>> lead_of("Recalling also that terrorism in all its forms ...")
    'Recalling also'
    >>> lead_of("Takes note of the report of the Secretary-General;")
    'Takes note of'
    """
    m = _ADVERB_RE.match(text)
    pos = m.end() if m else 0
    head = re.match(r"[A-Za-z][A-Za-z\-]*", text[pos:])
    if head is None:
        return ""
    pos += head.end()
    if head.group(0) in ("Having", "Having,"):  # "Having considered", "Having examined"
        nxt = re.match(r"\s+(?:also\s+)?[a-z]+(?:ed|en)\b", text[pos:])
        if nxt:
            pos += nxt.end()
    while True:
        t = _TAIL_RE.match(text, pos)
        if t is None:
            break
        first = t.group(0).split()[0]
        if first == "its" and not _ITS_HEADS.match(head.group(0)):
            break  # "Reaffirming its concern": the object, not the lead
        key = (
            "concern"
            if t.group(0).strip().endswith("concern") and first != "with" and first != "its"
            else first
        )
        if key in _BARE_HEADS and not _BARE_HEADS[key].match(head.group(0)):
            break
        pos = t.end()
    lead = text[:pos]
    # "for" belongs to the lead only in "Calls for"; elsewhere it opens the object
    if lead.endswith(" for") and not re.search(r"\bcalls? for$|\bcalling for$", lead, re.I):
        lead = lead[: -len(" for")]
    return lead.rstrip(",;: ")


# --- citations ------------------------------------------------------------------------------

_COUNCIL_PREFIX = {
    "security council": "S/RES/",
    "human rights council": "A/HRC/RES/",
    "economic and social council": "E/RES/",
}
_NUM = r"(?:S-\d{1,2}/\d{1,4}|\d{1,4}/\d{1,4}|\d{3,4} \(\d{4}\))(?: [A-Z](?![\w/]))?"
_LIST_RE = re.compile(
    r"(?P<council>(?:Security|Human Rights|Economic and Social) Council )?"
    r"(?P<kind>resolutions?|decisions?)\s+(?P<items>"
    + _NUM
    + r"(?:(?:,\s*|,?\s+and\s+|\s+and\s+)"
    + _NUM
    + r")*)",
    re.I,
)
_ITEM_RE = re.compile(_NUM)
#: Document symbols written out: A/74/400, E/CN.15/2019/5, A/58/874/Add.1, S/2013/210.
_DOC_RE = re.compile(r"(?<![\w/])(?:A|E|S|ST|CTC|TD|UNEP)(?:/[A-Za-z0-9.\-]*[A-Za-z0-9])+")


def citations_of(text: str) -> tuple[str, ...]:
    """The documents a text cites, as normalised symbols, first-citation order.

    >>> citations_of("its resolution 72/194 of 19 December 2017 and resolution 2462 (2019)")
    ('A/RES/72/194', 'S/RES/2462 (2019)')
    """
    found: dict[int, str] = {}
    for m in _LIST_RE.finditer(text):
        council = (m.group("council") or "").strip().lower()
        decision = m.group("kind").lower().startswith("decision")
        for item in _ITEM_RE.finditer(m.group("items")):
            found.setdefault(
                m.start("items") + item.start(), _symbol_for(item.group(0), council, decision)
            )
    for m in _DOC_RE.finditer(text):
        sym = m.group(0).rstrip(".-")
        if "/" not in sym or re.fullmatch(r"[A-Z]+/", sym):
            continue
        for part in re.split(r"-(?=[AES]/)", sym):  # "A/67/828-S/2013/210": two symbols
            found.setdefault(m.start() + sym.find(part), part)
    ordered = [found[k] for k in sorted(found)]
    return tuple(dict.fromkeys(ordered))


def _symbol_for(item: str, council: str, decision: bool) -> str:
    item = re.sub(r" [A-Z]$", "", item.strip())  # "53/243 A" → 53/243 (parts A and B)
    if re.fullmatch(r"\d{3,4} \(\d{4}\)", item) or council == "security council":
        return "S/RES/" + item
    if council in _COUNCIL_PREFIX:
        return _COUNCIL_PREFIX[council] + item
    return ("A/DEC/" if decision else "A/RES/") + item


# --- metadata -------------------------------------------------------------------------------

_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}  # fmt: skip
_TENS = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
    "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}  # fmt: skip
_TENS_PREFIX = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip


def ordinal_value(words: str) -> int | None:
    """ "Seventy-fourth" → 74, "Eightieth" → 80; None when it is not an ordinal in words."""
    w = words.strip().lower()
    if w in _UNITS:
        return _UNITS[w]
    if w in _TENS:
        return _TENS[w]
    m = re.fullmatch(r"([a-z]+)-([a-z]+)", w)
    if m and m.group(1) in _TENS_PREFIX and m.group(2) in _UNITS and _UNITS[m.group(2)] < 10:
        return _TENS_PREFIX[m.group(1)] + _UNITS[m.group(2)]
    return None


def iso_date(text: str) -> str | None:
    """ "18 December 2019" → "2019-12-18"."""
    try:
        return datetime.strptime(text.strip(), "%d %B %Y").date().isoformat()
    except ValueError:
        return None


def _metadata(header: list[str], closing: list[str]) -> dict[str, object]:
    meta: dict[str, object] = {
        "symbol": None, "title": "", "session": None, "agenda_item": None, "adopted": None,
        "committee_report": None, "plenary_meeting": None, "kind": "resolution",
        "issued": None, "sponsors": (),
    }  # fmt: skip
    after_distr = False
    agenda_next = False
    draft = False
    title_next = False
    for item in header:
        if title_next and not meta["title"]:
            meta["title"] = item  # a draft's title follows "draft resolution"
            title_next = False
            continue
        if re.fullmatch(r"\w+ Committee", item):
            continue
        if meta["symbol"] is None and SYMBOL_RE.fullmatch(item):
            meta["symbol"] = item
            continue
        if item.startswith("Distr.:"):
            after_distr = True
            draft = draft or "Limited" in item
            continue
        if after_distr and DATE_RE.match(item):
            meta["issued"] = iso_date(item)
            after_distr = False
            continue
        m = re.match(r"(.+?) (?:regular )?session$", item)
        if m:
            meta["session"] = ordinal_value(m.group(1).split()[-1])
            continue
        m = re.match(r"Agenda items? (.+)$", item)
        if m:
            meta["agenda_item"] = m.group(1).strip()
            agenda_next = True
            continue
        if agenda_next:
            agenda_next = False
            if not re.search(r"draft|Resolution adopted|^\[|^\d+/\d+\.", item, re.I):
                meta["agenda_title"] = item
                continue
        m = re.match(r"(?:Resolution|Decision) adopted by the General Assembly on (.+)$", item)
        if m:
            meta["adopted"] = iso_date(m.group(1))
            continue
        if item.startswith("["):
            m = re.search(r"on the report of .*?\((?P<sym>[A-Z][^,)\s]*)", item)
            if m:
                meta["committee_report"] = m.group("sym")
            continue
        m = re.match(r"(\d{1,3}/\d{1,4})\.\s+(.+)$", item)
        if m:
            meta["title"] = m.group(2)
            meta["number"] = m.group(1)
            continue
        m = re.match(r"(.*?):\*? ?draft (?:resolution|decision)$", item, re.I)
        if m:
            draft = True
            meta["sponsors"] = _sponsors(m.group(1))
            title_next = True
            continue
        if re.fullmatch(r"(?:Revised )?draft (?:resolution|decision)", item, re.I):
            draft = True
            title_next = True
            continue
    for line in closing:
        m = PLENARY_RE.match(line)
        if m:
            meta["plenary_meeting"] = int(m.group(1))
        elif DATE_RE.match(line) and meta["adopted"] is None:
            meta["adopted"] = iso_date(line)
    if meta["symbol"] is None and meta.get("number"):
        meta["symbol"] = f"A/RES/{meta['number']}"  # "74/175. Title" names A/RES/74/175
    sym = meta["symbol"]
    if draft or (isinstance(sym, str) and "/L." in sym):
        meta["kind"] = "draft"
    if isinstance(sym, str) and not draft and meta["session"] is None:
        m = re.search(r"/(\d{1,3})/", sym)
        meta["session"] = int(m.group(1)) if m else None
    return meta


#: How the other official languages open a resolution ("The General Assembly," in English).
OTHER_OPENINGS = {
    "French": re.compile(r"L[’']Assemblée générale,"),
    "Spanish": re.compile(r"La Asamblea General,"),
    "Russian": re.compile(r"Генеральная Ассамблея,"),
    "Arabic": re.compile(r"إن الجمعية العامة"),
    "Chinese": re.compile(r"大会[，,]"),
}


def _other_language(text: str) -> str | None:
    """The official language a text is written in, when it is not English."""
    for language, opening in OTHER_OPENINGS.items():
        if opening.search(text):
            return language
    return None


def _annex(closing: list[str]) -> tuple[str, ...]:
    """The closing lines after "50th plenary meeting" and its date: an annex, if any."""
    lines = [x for x in closing if x.strip()]
    while lines and (PLENARY_RE.match(lines[0]) or DATE_RE.match(lines[0])):
        lines.pop(0)
    return tuple(lines)


def _sponsors(text: str) -> tuple[str, ...]:
    """ "Andorra, Armenia, ... and State of Palestine" → the States, one by one.

    Names with a comma of their own ("Netherlands (Kingdom of the)") have none outside brackets;
    the last two are joined by "and", which also stands inside names ("Bosnia and Herzegovina"),
    so only the final " and " is a separator.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts and " and " in parts[-1]:
        head, _, last = parts[-1].rpartition(" and ")
        parts[-1:] = [head, last]
    return tuple(parts)


# --- the document ---------------------------------------------------------------------------


def segment(clean: str, *, source_format: SourceFormat = SourceFormat.CLEAN) -> Resolution:
    """Read resdiff's clean text (see `pipeline.normalise`) into a `Resolution`.

    Raises `EmptyInputError` for a text with nothing in it and `ParseError` for a text with no
    operative paragraph.
    """
    if not clean.strip():
        raise EmptyInputError("the document is empty")
    lines = clean.split("\n")
    footnote_texts: dict[int, str] = {}
    body_lines: list[str] = []
    for line in lines:
        m = FOOTNOTE_DEF_RE.match(line)
        if m:
            footnote_texts[int(m.group(1))] = m.group(2)
        else:
            body_lines.append(line)
    blocks = [b for b in "\n".join(body_lines).split("\n\n") if b.strip()]
    header: list[str] = []
    start = 0
    for i, block in enumerate(blocks):
        if OPENING_RE.match(block.strip()):
            header = [" ".join(b.split()) for b in blocks[:i]]
            start = i + 1
            break
    body: list[str] = []
    closing: list[str] = []
    for block in blocks[start:]:
        first = block.split("\n")[0]
        operative = any(OP_NUMBER_RE.match(b) for b in body)
        if closing or PLENARY_RE.match(first) or (operative and ANNEX_RE.match(first)):
            closing += block.split("\n")  # the closing lines, and an annex after them
        else:
            body.append(block)
    paragraphs = _paragraphs(body, footnote_texts)
    language = _other_language(clean)
    if language and not header:
        raise ParseError(
            f"the document is in {language}; resdiff segments the English version only "
            "(fetch it with --lang en)"
        )
    if not any(p.section is Section.OPERATIVE for p in paragraphs):
        raise ParseError(
            "no operative paragraphs found (a resolution's operative part is numbered 1., 2., …)"
        )
    meta = _metadata(header, closing)
    cited_by: dict[int, list[str]] = {}
    for p in paragraphs:
        for n in p.footnotes:
            cited_by.setdefault(n, []).append(p.pid)
    footnotes = tuple(
        Footnote(number=n, text=t, citations=citations_of(t), cited_by=tuple(cited_by.get(n, ())))
        for n, t in sorted(footnote_texts.items())
    )
    return Resolution(
        symbol=meta["symbol"],  # type: ignore[arg-type]
        title=str(meta["title"]),
        session=meta["session"],  # type: ignore[arg-type]
        agenda_item=meta["agenda_item"],  # type: ignore[arg-type]
        adopted=meta["adopted"] if meta["kind"] == "resolution" else None,  # type: ignore[arg-type]
        committee_report=meta["committee_report"],  # type: ignore[arg-type]
        plenary_meeting=meta["plenary_meeting"],  # type: ignore[arg-type]
        kind=str(meta["kind"]),
        paragraphs=paragraphs,
        footnotes=footnotes,
        source_format=source_format,
        issued=meta["issued"],  # type: ignore[arg-type]
        sponsors=meta["sponsors"],  # type: ignore[arg-type]
        masthead=tuple(header),
        annex=_annex(closing),
    )


def _paragraphs(body: list[str], footnote_texts: dict[int, str]) -> tuple[Paragraph, ...]:
    # (pid, section, number, raw block) first, so that unnumbered text after an operative
    # paragraph can be kept with it before anything is parsed
    raw: list[tuple[str, Section, int | None, str, str | None]] = []
    pp = 0
    seen: set[str] = set()
    heading: str | None = None
    for k, block in enumerate(body):
        m = OP_NUMBER_RE.match(block)
        if m is None and k + 1 < len(body) and looks_like_heading(block):
            heading = " ".join(re.sub(MARKER, "", block).split())  # applies to what follows
            continue
        if m is None and raw and raw[-1][1] is Section.OPERATIVE:
            pid, section, number, text, head = raw[-1]  # unnumbered text in the operative part
            raw[-1] = (pid, section, number, text + " " + block, head)
        elif m:
            number = int(m.group(1))
            pid = f"OP{number}"
            while pid in seen:  # a misprinted duplicate number keeps an id of its own
                pid += "'"
            seen.add(pid)
            raw.append((pid, Section.OPERATIVE, number, block[m.end() :], heading))
        else:
            pp += 1
            raw.append((f"PP{pp}", Section.PREAMBLE, None, block, heading))
    return tuple(
        dataclasses.replace(_paragraph(pid, sec, num, text, footnote_texts), heading=head)
        for pid, sec, num, text, head in raw
    )


def _is_roman(label: str, letter: str) -> bool:
    """ "(i)" after "(h)" is a letter; after "(a)" it numbers an item inside (a)."""
    if not set(label) <= set("ivxlc"):
        return False
    expected = chr(ord(letter) + 1) if len(letter) == 1 else "a"
    return label != expected


def _paragraph(
    pid: str, section: Section, number: int | None, block: str, footnote_texts: dict[int, str]
) -> Paragraph:
    cited = [int(x) for x in re.findall(MARKER, block)]
    footnotes = tuple(dict.fromkeys(cited))
    lines = [" ".join(x.split()) for x in block.split("\n") if x.strip()]
    plain_lines = [re.sub(MARKER, "", x) for x in lines]
    subparagraphs: list[Subparagraph] = []
    parent = ""  # the letter of the enclosing subparagraph: "(a)" holds "(i)", "(ii)"
    for line in plain_lines[1:]:
        m = SUBPARA_RE.match(line)
        if not m:
            continue
        label = m.group(1)
        if _is_roman(label, parent):
            full = f"{parent}.{label}" if parent else label
        else:
            parent = full = label
        subparagraphs.append(Subparagraph(label=full, text=line[m.end() :].strip()))
    text, marks = _strip_markers(" ".join(lines))
    cites: list[str] = list(citations_of(text))
    for n in footnotes:
        cites += citations_of(footnote_texts.get(n, ""))
    return Paragraph(
        pid=pid,
        section=section,
        number=number,
        lead=lead_of(text),
        text=text,
        subparagraphs=tuple(subparagraphs),
        footnotes=footnotes,
        citations=tuple(dict.fromkeys(cites)),
        marks=marks,
    )


def _strip_markers(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Text without its `[^N]` markers, and where each stood (offset in the plain text)."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    length = 0
    for m in re.finditer(MARKER, text):
        out.append(text[pos : m.start()])
        length += m.start() - pos
        marks.append((length, int(m.group(1))))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), tuple(marks)
