"""Every real rendering of a resolution → one clean text (pure, idempotent).

The clean text is resdiff's own rendering, and what `pipeline.segment` reads:

    A/RES/74/175                                   ← header: one metadata item a block
    <blank>
    Seventy-fourth session
    ...
    The General Assembly,
    <blank>
    Recalling all relevant ..., particularly the most recent ones,[^1]
    <blank>
    1. Urges Member States ...                     ← one paragraph a block, one line;
    (a) first subparagraph;                          subparagraphs on lines of their own
    <blank>
    50th plenary meeting
    18 December 2019
    <blank>
    [^1]: Resolutions 72/194, 72/284, ...          ← footnotes last, markers as [^N]

>>> text = normalise("1.\\nUrges Member States to act;4\\n")
>>> normalise(text) == text
True

Each rule below names the artefact it removes. The renderings it knows:

- the text layer of an ODS PDF (`SourceFormat.PDF_TEXT`), artefacts and all: masthead, job
  numbers, barcodes, running heads, page numbers, footnote blocks after a `______` rule in mid
  text, paragraphs split across pages, operative numbers alone on a line, footnote digits glued
  to words (`Strategy4`) or spaced (`ones, 1`);
- the pages of a PDF as pypdf extracts them (`normalise_pages`), where a paragraph opens with a
  space instead of following a blank line;
- the markdown-like rendering (`*Recalling*`, `[72/194](#)`, superscript footnote markers,
  paragraphs run together on one line);
- HTML, after `pipeline.reader` has turned it into the markdown-like form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipeline.models import SourceFormat

# --- patterns of page furniture ------------------------------------------------------------

#: A document symbol standing alone: A/RES/74/175, A/C.6/80/L.22, A/80/L.6, S/RES/2462 (2019).
SYMBOL_RE = re.compile(r"[A-Z]{1,3}(?:/[A-Za-z0-9.\-]+)+(?: \(\d{4}\))?")
#: The job number printed on every page: "19-22332 (E)    100120", "19-22332".
JOB_RE = re.compile(r"\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})*")
#: The barcode under the masthead: "*1922332*".
BARCODE_RE = re.compile(r"\*\d{6,9}\*")
#: The page number of the running head: "2/8".
PAGE_NO_RE = re.compile(r"(?<![\d/])\d{1,3}/\d{1,3}(?![\d/])")
#: A Word field left unfilled in the running head of some documents (A/RES/72/3).
FIELD_ERROR_RE = re.compile(r"Error! No document variable supplied\.")
#: The rule that opens a footnote block.
RULE_RE = re.compile(r"^\s*_{5,}\s*$")
#: A paragraph of the operative part: "12." alone or followed by its text.
OP_NUMBER_RE = re.compile(r"^(\d{1,3})\.(?:\s+|$)")
#: A subparagraph marker: "(a)", "(iv)", "(aa)".
SUBPARA_RE = re.compile(r"^\(([a-z]{1,3}|[ivxlc]{1,6})\)\s")
#: The closing lines of an adopted resolution: "50th plenary meeting".
PLENARY_RE = re.compile(r"^(\d{1,3})(?:st|nd|rd|th) plenary meeting$")
DATE_RE = re.compile(
    r"^\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}$"
)
OPENING_RE = re.compile(r"^The General Assembly,?$")
#: The heading of an annex, which ends the operative part: "Annex", "Annex II", "Annexes".
ANNEX_RE = re.compile(r"^Annex(?:es)?(?: [IVXLC]{1,5})?\*?$")
MARKER = r"\[\^(\d{1,3})\]"
FOOTNOTE_DEF_RE = re.compile(r"^\[\^(\d{1,3})\]:\s*(.*)$")

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUPERSCRIPT_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

#: Words after which a spaced number is part of the text, not a footnote marker
#: ("paragraph 2", "vol. 2187", "on 8 and 9 September").
NOT_BEFORE_MARKER = frozenset(
    """paragraph paragraphs para paras article articles vol vols no
    annex annexes chapter chapters section sections rule rules item items
    protocol protocols and or to of the in on by at from than page pages goal goals target
    targets principle principles recommendation recommendations table figure part parts
    phase level levels some about over under nearly between since until for with every
    each number numbers amendment""".split()
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()

#: How a preambular paragraph opens, beyond the participles in -ing/-ed (UN editorial
#: practice: adjectives and set phrases that stand where a participle would).
PREAMBLE_OPENERS = frozenset(
    """Mindful Aware Conscious Cognizant Convinced Determined Guided Alarmed Concerned Deeply
    Gravely Seriously Desirous Noting Bearing Having Taking Welcoming Expressing Acknowledging
    Affirming Reaffirming Emphasizing Underlining Reiterating Recalling Recognizing Stressing
    Considering Believing Keeping Appreciating Encouraged Further Also Commending Regretting
    Deploring Condemning Fully Firmly Strongly Profoundly Acutely Increasingly Equally Confident
    Anxious Sensitive Resolved Persuaded Heartened Pleased Saddened Shocked Appalled Disturbed
    Dismayed Outraged Troubled Underscoring Highlighting Observing Convened Inspired
    Encouraging Endorsing Supporting Urging Calling Inviting Requesting Looking Realizing
    Seeking Wishing Approving Renewing Reconfirming Paying Referring Pursuant""".split()
)


# --- the whole pass -------------------------------------------------------------------------


def normalise(raw: str, fmt: SourceFormat | None = None) -> str:
    """Turn one rendering of a resolution into resdiff's clean text.

    `fmt` is detected when not given. Normalising clean text returns it unchanged.

    >>> normalise("The General Assembly,\\n\\n*Recalling* its resolution [72/194](#),¹\\n")
    'The General Assembly,\\n\\nRecalling its resolution 72/194,[^1]\\n'
    """
    text = _clean_characters(raw)
    fmt = fmt or detect_format(text)
    if fmt is SourceFormat.MARKDOWN:
        text = markdown_to_text(text)
    # footnotes already in "[^N]: text" form stand anywhere; take them out before looking for
    # page furniture, so that the furniture is found the same way in the clean text
    notes: dict[int, str] = {}
    kept: list[str] = []
    for line in text.split("\n"):
        m = FOOTNOTE_DEF_RE.match(line.strip())
        if m:
            notes[int(m.group(1))] = " ".join(m.group(2).split())
        else:
            kept.append(line)
    return _assemble(split_pages("\n".join(kept)), notes)


def normalise_pages(pages: list[str]) -> str:
    """Normalise the text of a PDF given page by page (as pypdf extracts it).

    pypdf opens each paragraph with a space where the ODS text layer leaves a blank line; the
    page boundaries are known, so no running head has to be found by its shape.
    """
    out: list[_Page] = []
    cleaned = [_clean_characters(t) for t in pages]
    heads = _heads(cleaned[0].split("\n") if cleaned else [])
    for k, text in enumerate(cleaned):
        lines = []
        raw_lines = text.split("\n")
        if k:
            raw_lines = strip_page_head(raw_lines, heads)
        for line in raw_lines:
            if line.startswith(" ") and line.strip():
                lines.append("")  # pypdf: a leading space opens a paragraph
            lines.append(line)
        out.append(_Page(lines=lines))
    return _assemble(out)


def detect_format(text: str) -> SourceFormat:
    """Guess the rendering of a text: markdown-like, an ODS text layer, or clean text."""
    if re.search(r"\*[A-Z][a-z]+[a-z ]*\*", text) or re.search(r"\[(?!\^)[^\[\]\n]*\]\(", text):
        return SourceFormat.MARKDOWN
    if any(ch in text for ch in SUPERSCRIPT_CHARS):
        return SourceFormat.MARKDOWN
    if re.search(r"^\[\^\d+\]:", text, re.M) or not re.search(r"^\s*_{5,}\s*$", text, re.M):
        # no footnote rule: clean text, or a text layer without footnotes (same path)
        return SourceFormat.PDF_TEXT if JOB_RE.search(text) else SourceFormat.CLEAN
    return SourceFormat.PDF_TEXT


def _clean_characters(raw: str) -> str:
    """Unify the characters a text can come in: NFC, Unix newlines, no NBSP or soft hyphens."""
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    text = text.replace("\u00ad", "").replace("\ufeff", "").replace("\u200b", "")
    text = text.replace("\t", " ")
    return "\n".join(line.rstrip() for line in text.split("\n"))


# --- markdown-like rendering ----------------------------------------------------------------


def markdown_to_text(text: str) -> str:
    """The markdown-like rendering → text-layer form with `[^N]` markers and definitions.

    Artefacts: `[72/194](#)` links, `\\(` escapes, bold/italic asterisks (used for leads and
    for the masthead blocks, run together without line breaks), superscript footnote markers,
    several preambular paragraphs run together on one line.
    """
    text = re.sub(r"\[(?!\^)([^\[\]\n]*)\]\([^)\n]*\)", r"\1", text)  # [72/194](#) → 72/194
    text = re.sub(r"\\([()\[\]*_#\\.-])", r"\1", text)  # markdown escapes
    # A paragraph run into the previous one: "ones,¹*Recalling also* that" → new paragraph.
    text = re.sub(
        rf"(?<=[,;.:])([{SUPERSCRIPT_CHARS}]*)\*(?=[A-Z][a-z])",
        r"\1\n\n*",
        text,
    )
    text = re.sub(r"\*{2,3}", "\n\n", text)  # bold blocks of the masthead
    text = text.replace("*", "")

    def markers(line: str) -> str:
        return re.sub(
            rf"\s?([{SUPERSCRIPT_CHARS}]+)",
            lambda m: f"[^{m.group(1).translate(SUPERSCRIPTS)}]",
            line,
        )

    lines = []
    for line in text.split("\n"):
        m = re.match(rf"^\s*([{SUPERSCRIPT_CHARS}]+)\s+(.*)$", line)
        if m:  # a footnote definition: "¹ Resolutions 72/194, ..."
            lines.append(f"[^{m.group(1).translate(SUPERSCRIPTS)}]: {markers(m.group(2))}")
        else:
            lines.append(markers(line))
    return "\n".join(lines)


# --- pages ----------------------------------------------------------------------------------


@dataclass
class _Page:
    lines: list[str]
    footnotes: dict[int, str] = field(default_factory=dict)


def split_pages(text: str) -> list[_Page]:
    """Cut an ODS text layer at its running heads; one `_Page` a printed page.

    A running head is a run of furniture lines (symbol, short title, job number, page number,
    blank) around a page number such as "2/8". The first page has the masthead instead, which
    `_header` reads.
    """
    lines = text.split("\n")
    heads = _heads(lines)
    cuts: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if _is_page_number_line(lines[i], heads):
            start, end = _furniture_span(lines, i, heads)
            if any(JOB_RE.search(lines[k]) or _has_symbol(lines[k]) for k in range(start, end)):
                cuts.append((start, end))
                i = end
                continue
        i += 1
    pages: list[_Page] = []
    prev = 0
    for start, end in cuts:
        pages.append(_Page(lines=lines[prev:start]))
        prev = end
    pages.append(_Page(lines=lines[prev:]))
    return pages


@dataclass(frozen=True)
class _Heads:
    """What a running head is made of in one document: its title lines and its own symbol."""

    titles: tuple[str, ...]
    symbols: frozenset[str]  # the document's own symbol; empty: any symbol counts


def _heads(lines: list[str]) -> _Heads:
    # the document's own symbol stands alone on its masthead line ("A/RES/74/175", or
    # "United Nations  A/RES/78/226" in pypdf's reading), not inside "(A/74/400)"
    alone = re.compile(r"\s*(?:United Nations\s+)?(" + SYMBOL_RE.pattern + r")\s*")
    own = frozenset(
        m.group(1) for x in lines[:15] if (m := alone.fullmatch(x)) and "/" in m.group(1)
    )
    return _Heads(_title_words(lines) + _repeated_heads(lines, own), own)


def _repeated_heads(lines: list[str], own: frozenset[str]) -> tuple[str, ...]:
    """Lines printed next to two or more page numbers: a running head, whatever its words.

    Catches a shortened title in the running head, which the full title does not rebuild.
    """
    seen: dict[str, set[str]] = {}
    pages: set[str] = set()
    for i, line in enumerate(lines):
        if PAGE_NO_RE.search(line) and _strip_plain(line, own) == "":
            page = PAGE_NO_RE.search(line).group(0)  # type: ignore[union-attr]
            pages.add(page)
            for x in lines[max(0, i - 6) : i]:
                g = _strip_plain(x, own)
                if g and _could_be_head(g):
                    seen.setdefault(g, set()).add(page)
    # a running head stands at every page break (odd and even pages alike); a body line
    # that happens to fall near two page breaks does not
    need = max(2, (len(pages) + 1) // 2)
    return tuple(sorted(g for g, where in seen.items() if len(where) >= need))


def _could_be_head(line: str) -> bool:
    """A running head is a title: no paragraph punctuation at its end, no formula of the text."""
    if line.endswith((",", ";", ".", ":")) or OPENING_RE.match(line):
        return False
    return not (PLENARY_RE.match(line) or DATE_RE.match(line) or OP_NUMBER_RE.match(line))


def _title_words(lines: list[str]) -> tuple[str, ...]:
    """The title (and the agenda item's title) as lines of words, to find them in running heads."""
    text = "\n".join(lines[:80])
    m = re.search(
        r"^\s*\d{1,3}/\d{1,4}\.\s+(.+?)(?:\n\s*\n|\n\s*The General Assembly)", text, re.M | re.S
    )
    title = m.group(1) if m else ""
    if not title:
        m = re.search(r"draft resolution\s*\n\s*\n(?:\s*\n)*(.+?)\n\s*\n", text, re.S | re.I)
        title = m.group(1) if m else ""
    # the agenda item's title: lines of words under "Agenda item N", up to a blank line
    agenda = re.search(r"Agenda items? [^\n]*\n((?:[ \t]*[A-Za-z][^\n]*\n)+?)[ \t]*\n", text)
    titles = [" ".join(title.split())]
    if agenda:
        titles.append(" ".join(agenda.group(1).split()))
    return tuple(t for t in titles if len(re.findall(r"[A-Za-z]{2,}", t)) >= 2)


def _strip_plain(line: str, own: frozenset[str] = frozenset()) -> str:
    """A line without its symbol, job number, page number and unfilled Word fields.

    Only the document's own symbols (`own`) are furniture; a footnote line listing other
    symbols ("A/77/PV.82.") is text.
    """
    s = FIELD_ERROR_RE.sub(" ", line.strip())
    s = BARCODE_RE.sub(" ", s)
    s = JOB_RE.sub(" ", s)
    s = PAGE_NO_RE.sub(" ", s)
    s = SYMBOL_RE.sub(
        lambda m: " " if "/" in m.group(0) and (not own or m.group(0) in own) else m.group(0), s
    )
    return " ".join(s.split())


def _has_symbol(line: str) -> bool:
    return any("/" in m.group(0) for m in SYMBOL_RE.finditer(line))


def _is_page_number_line(line: str, heads: _Heads) -> bool:
    return bool(PAGE_NO_RE.search(line)) and _strip_plain(line, heads.symbols) == ""


def _title_suffix(frag: str, acc: str, titles: tuple[str, ...]) -> str | None:
    """`frag acc` if it ends one of the titles at a word boundary, else None."""
    cand = f"{frag} {acc}".strip()
    if frag in titles:
        return cand  # a whole line of a running head seen on other pages
    for title in titles:
        if title == acc:
            continue  # the running head is complete: a line above it is body text
        if title.endswith(cand) and (len(cand) == len(title) or title[-len(cand) - 1] == " "):
            return cand
    return None


def _furniture_span(lines: list[str], i: int, heads: _Heads) -> tuple[int, int]:
    """The running head around the page number at line `i`: (first line, line after it).

    Above the page number: symbol, job number, blank lines, and the lines of the short title,
    which must rebuild the title from its end (so a body line that happens to be a piece of
    the title is not taken). Below it: only symbol, job number and blank lines.
    """
    start, acc = i, ""
    while start > 0 and i - start < 10:
        line = lines[start - 1]
        plain = _strip_plain(line, heads.symbols)
        if plain == "":
            start -= 1
            continue
        cand = _title_suffix(plain, acc, heads.titles)
        if cand is None:
            if not acc:  # no line of the title found: perhaps a shortened one
                start = _shortened_head(lines, start, heads)
            break
        acc = cand
        start -= 1
    end = i + 1
    while end < len(lines) and end - i < 8 and _strip_plain(lines[end], heads.symbols) == "":
        end += 1
    return start, end


def _shortened_head(lines: list[str], start: int, heads: _Heads) -> int:
    """Extend a running head upward over a title the full title does not rebuild.

    Long titles are shortened in running heads. Such a head is still one to three short lines
    right after the blank line that joins two pages, touching the document's own symbol line
    (its first line on even pages; the line right below it on odd ones). Returns the new first
    line of the head.
    """
    if not heads.symbols:
        return start

    def own(line: str) -> bool:
        return any(sym in line for sym in heads.symbols) and _strip_plain(line, heads.symbols) == ""

    for j in range(start - 1, max(start - 3, 1) - 1, -1):
        block = lines[j:start]
        if any(not x.strip() or len(x.strip()) > 100 for x in block):
            return start
        if lines[j - 1].strip():
            continue  # not yet at the blank line that joins the pages
        if own(lines[j]) or (start < len(lines) and own(lines[start])):
            return j
        return start
    return start


def strip_page_head(lines: list[str], heads: _Heads) -> list[str]:
    """Drop the running head at the top of one PDF page (symbol, title, job and page number)."""
    for i, line in enumerate(lines[:10]):
        if _is_page_number_line(line, heads):
            head = lines[:i]
            with_symbol = len(head) <= 6 and any(
                sym in x for x in head for sym in heads.symbols
            )  # a shortened title beside the document's symbol, at the top of the page
            if with_symbol or all(
                _strip_plain(x, heads.symbols) == "" or _title_fragment(x, heads) for x in head
            ):
                end = i + 1
                while (
                    end < len(lines)
                    and _strip_plain(lines[end], heads.symbols) == ""
                    and (lines[end].strip() == "" or not lines[end].startswith(" "))
                ):
                    end += 1
                return lines[end:]
            break
    return lines


def _title_fragment(line: str, heads: _Heads) -> bool:
    s = _strip_plain(line, heads.symbols)
    return any(re.search(r"(?:^|(?<= ))" + re.escape(s) + r"(?= |$)", t) for t in heads.titles)


# --- assembling the clean text --------------------------------------------------------------


def _assemble(pages: list[_Page], notes: dict[int, str] | None = None) -> str:
    """Pages → header, body paragraphs, closing lines, footnotes → clean text."""
    footnotes: dict[int, str] = dict(notes or {})
    for page in pages:
        _take_footnotes(page)
        footnotes.update(page.footnotes)
    # "* Any changes to the list of sponsors ...": a note on the masthead, kept with it
    star_note = footnotes.pop(-1, None)
    # header: the lines before "The General Assembly," (on the first page in practice)
    header: list[str] = []
    found = False
    for pi, page in enumerate(pages):
        for li, line in enumerate(page.lines):
            if OPENING_RE.match(" ".join(line.split())):
                head_lines = [x for q in pages[:pi] for x in q.lines] + page.lines[:li]
                header = _header(["\n".join(head_lines)])
                pages = [_Page(lines=page.lines[li + 1 :], footnotes=page.footnotes)] + pages[
                    pi + 1 :
                ]
                found = True
                break
        if found:
            break
    numbering = _Numbering()
    page_texts = [_page_blocks(p.lines, numbering) for p in pages]
    page_texts = _place_markers(page_texts, pages, footnotes)
    body, closing = _join_paragraphs(page_texts)
    if star_note:
        header.append("* " + star_note)
    lines: list[str] = []
    for item in header:
        lines += [item, ""]
    if found:
        lines += ["The General Assembly,", ""]
    for block in body:
        lines += [block, ""]
    for closing_block in closing:  # blank lines between them, as printed, for a re-read
        lines += closing_block + [""]
    for n in sorted(footnotes):
        lines.append(f"[^{n}]: {footnotes[n]}")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def _take_footnotes(page: _Page) -> None:
    """Cut the footnote block (after a `______` rule, or `[^N]:` lines) out of a page."""
    lines = page.lines
    kept: list[str] = []
    in_notes = False
    current: int | None = None
    expected = None
    for line in lines:
        s = line.strip()
        m = FOOTNOTE_DEF_RE.match(s)
        if m:  # clean or markdown form: "[^3]: text"
            current = int(m.group(1))
            page.footnotes[current] = m.group(2).strip()
            in_notes = False
            continue
        if RULE_RE.match(line):
            in_notes = True
            current = None
            continue
        if not in_notes:
            kept.append(line)
            continue
        if not s:
            continue
        if s.startswith("*") and current is None:  # "* Reissued for ...": a masthead note
            current = -1
            page.footnotes[-1] = s.lstrip("* ")
            continue
        m = re.match(r"^(\d{1,3})\s+(\S.*)$", s)
        if m and (expected is None or int(m.group(1)) == expected or current in (None, -1)):
            current = int(m.group(1))
            page.footnotes[current] = m.group(2).strip()
            expected = current + 1
            continue
        if current is not None and current >= 0:
            page.footnotes[current] = _join_words(page.footnotes[current], s)
    page.lines = kept
    for n, t in page.footnotes.items():
        page.footnotes[n] = " ".join(t.split())


def _join_words(left: str, right: str) -> str:
    """Join two wrapped lines: "counter-" + "terrorism" keeps the hyphen, no space."""
    left, right = left.rstrip(), right.strip()
    if not left:
        return right
    if not right:
        return left
    if left.endswith("-") and not left.endswith(" -"):
        return left + right
    if left.endswith("/"):  # a symbol broken after its slash: "A/74/" + "400"
        return left + right
    return left + " " + right


@dataclass
class _Numbering:
    """The operative number expected next, carried from page to page."""

    next_op: int = 1


def _starts_paragraph(prev: str, line: str, numbering: _Numbering) -> bool:
    """Whether `line` opens a new paragraph although no blank line or indent says so.

    Some PDF text layers carry no paragraph separation at all. A paragraph then still shows:
    an operative number that continues the sequence after a line that ends a paragraph, or a
    preambular opener ("Recalling", "Deeply concerned") after a line ending with a comma.
    """
    end = re.sub(r"[\s\d]*$", "", prev) if re.search(r"[,;.:]\s*\d{1,3}$", prev) else prev
    m = re.match(r"(\d{1,3})\.(?:\s|$)", line)
    if m:
        return int(m.group(1)) == numbering.next_op and end.endswith((",", ";", ".", ":"))
    if numbering.next_op > 1 or not end.endswith(","):
        return False
    word = re.match(r"([A-Z][a-z]+)\b", line)
    return word is not None and word.group(1) in PREAMBLE_OPENERS


def _page_blocks(lines: list[str], numbering: _Numbering) -> list[str]:
    """Lines of a page → blocks separated by blank lines; wrapped lines joined.

    Subparagraphs start a line of their own inside the block. An operative number alone on
    its line ("1.") is joined to the text that follows. Where the text layer does not separate
    paragraphs, `_starts_paragraph` does.
    """
    blocks: list[list[str]] = []
    current: list[str] = []
    closing = False  # after "50th plenary meeting" every line stays a line of its own

    def open_block(first: str) -> None:
        nonlocal current
        if current:
            blocks.append(current)
        current = [first]
        m = re.match(r"(\d{1,3})\.(?:\s|$)", first)
        if m and int(m.group(1)) == numbering.next_op:
            numbering.next_op += 1

    for raw in lines:
        s = " ".join(raw.split())
        if not s:
            if current:
                blocks.append(current)
                current = []
            continue
        ends_body = PLENARY_RE.match(s) or (ANNEX_RE.match(s) and numbering.next_op > 1)
        if ends_body:
            closing = True
        if current and re.fullmatch(r"\d{1,3}\.", current[-1]) and not ends_body:
            current[-1] = current[-1] + " " + s  # "1." alone, then its paragraph
            continue
        if closing:
            current.append(s)
            continue
        if current and SUBPARA_RE.match(s):
            current.append(s)  # a subparagraph starts a line of its own
            continue
        if not current or _starts_paragraph(current[-1], s, numbering):
            open_block(s)
        else:
            current[-1] = _join_words(current[-1], s)
    if current:
        blocks.append(current)
    out = []
    for b in blocks:
        text = "\n".join(b)
        # pypdf: "capacity -building", "seventy - eighth" (a hyphenated word, spaced apart)
        text = re.sub(r"(?<=[A-Za-z]) -(?=\w)|(?<=[A-Za-z]) - (?=[a-z])", "-", text)
        out.append(text)
    return out


# --- footnote markers -----------------------------------------------------------------------


def _place_markers(
    page_texts: list[list[str]], pages: list[_Page], footnotes: dict[int, str]
) -> list[list[str]]:
    """Replace the footnote digits of the text layer by `[^N]` markers.

    The digits come glued to a word (`Strategy4`, `thereto,6`) or spaced (`ones, 1`,
    `Peace 2 and`), and may even be glued to a number (`resolution 77/2285` is 77/228 with
    footnote 5). The first citation of a footnote is on the page that prints it, in number
    order, so each is looked for there first; later citations of a footnote are only taken
    in their unambiguous glued form.
    """
    offset = len(pages) - len(page_texts)  # header pages dropped before the body
    texts = ["\n\n".join(blocks) for blocks in page_texts]
    defined_on: dict[int, int] = {}
    for pi, page in enumerate(pages):
        for n in page.footnotes:
            defined_on.setdefault(n, max(0, pi - offset))
    cursor = (0, 0)  # page index, position
    placed: set[int] = set()
    for n in sorted(defined_on):
        if re.search(rf"\[\^{n}\]", "\n".join(texts)):
            placed.add(n)
            continue
        home = min(defined_on[n], len(texts) - 1) if texts else 0
        hit = None
        order = [home] + list(range(cursor[0], home))  # never after the page that prints it
        for pi in order:
            if pi < cursor[0]:
                continue
            start = cursor[1] if pi == cursor[0] else 0
            hit = _find_marker(texts[pi], n, start, first=True)
            if hit:
                texts[pi] = texts[pi][: hit[0]] + f"[^{n}]" + texts[pi][hit[1] :]
                cursor = (pi, hit[0] + len(f"[^{n}]"))
                placed.add(n)
                break
    if placed:
        texts = [_later_markers(t, placed) for t in texts]
    return [t.split("\n\n") if t else [] for t in texts]


def _find_marker(text: str, n: int, start: int, *, first: bool) -> tuple[int, int] | None:
    """Span of the digits of footnote `n` in `text` after `start` (the space before it too)."""
    num = str(n)
    best: tuple[int, int] | None = None
    glued = re.compile(rf"(?<=[a-z\)\]”’\"\.,;:]){num}(?![\w/])")
    # spaced: "ones, 1"; also across a blank line, where a marker cannot open a paragraph
    # (an operative number, "1.", can: it is excluded by the look-ahead)
    spaced = re.compile(rf"(?<=[\w\)”’\.,;:])([ \t]|\n\n){num}(?=[ \t,;:]|\n|$)")
    for m in glued.finditer(text, start):
        if _plausible_glued(text, m.start()):
            best = (m.start(), m.end())
            break
    for m in spaced.finditer(text, start):
        if best and m.start() >= best[0]:
            break
        if _plausible_spaced(text, m.start(), m.end()):
            best = (m.start(), m.end())
            break
    # glued to the year of a date: "12 February 20139" is 2013 with footnote 9
    months = "|".join(MONTHS)
    dated = re.compile(rf"(?:{months}) (?:19|20)\d\d({num})(?![\w/])")
    dm = dated.search(text, start)
    if dm and (best is None or dm.start(1) < best[0]):
        best = (dm.start(1), dm.end(1))
    if best or not first:
        return best
    # last resort: digits glued to the end of a number, "77/2285" = 77/228 + footnote 5
    tail = re.compile(rf"(?<=\d/\d)(\d*?){num}(?![\w/])").search(text, start)
    if tail:
        return (tail.end() - len(num), tail.end())
    return None


def _closes_a_line(text: str, pos: int) -> bool:
    """Whether the digits at `pos` would end "50th plenary meeting" or a date line, which
    never carry a footnote marker."""
    line = text[text.rfind("\n", 0, pos) + 1 : pos].strip()
    return bool(PLENARY_RE.match(line) or DATE_RE.match(line))


def _plausible_glued(text: str, pos: int) -> bool:
    if _closes_a_line(text, pos):
        return False
    before = text[max(0, pos - 12) : pos]
    if re.search(r"(?:No|vol|vols|para|paras|p|pp|art|chap|sect)\.$", before):
        return False
    return not re.search(r"\d\.$", before)  # a decimal: "3.5 per cent"


def _plausible_spaced(text: str, pos: int, end: int) -> bool:
    if _closes_a_line(text, pos):
        return False
    # only a word right before the number governs it ("paragraph 2", "vol. 2187"); after
    # punctuation ("Rules), 11") the number is free to be a marker
    word = re.search(r"([A-Za-z]+)\.?$", text[max(0, pos - 30) : pos])
    if word and word.group(1).lower() in NOT_BEFORE_MARKER:
        return False
    before = text[max(0, pos - 20) : pos]
    if re.search(r"\d$", before) and not re.search(
        r"(?:" + "|".join(MONTHS) + r") (?:19|20)\d\d$", before
    ):
        return False  # two numbers in a row ("2225 2237"), unless after a date's year
    after = text[end : end + 20]
    if re.match(r"\s*(?:\(|/|%|per cent|" + "|".join(MONTHS) + r")", after):
        return False
    return True


def _later_markers(text: str, placed: set[int]) -> str:
    """Repeated citations of a footnote, glued form only: "Strategy;4" → "Strategy;[^4]"."""

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n in placed and _plausible_glued(text, m.start(1)):
            return f"[^{n}]"
        return m.group(0)

    return re.sub(r"(?<=[a-z\)”’\.,;:])(\d{1,3})(?=[\s,;.:]*(?:\n|$)|\s+and\s)", repl, text)


# --- paragraphs across pages ----------------------------------------------------------------


def _join_paragraphs(page_texts: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Join the blocks of all pages into paragraphs; split off the closing lines.

    A block continues the previous paragraph (a page break or a footnote block cut it) when
    the previous one does not end a paragraph, or when it starts in lower case.
    """
    blocks = [b for page in page_texts for b in page]
    paras: list[str] = []
    headings: set[int] = set()  # indices in paras of section headings
    closing: list[list[str]] = []  # blocks of lines
    in_operative = False
    for k, block in enumerate(blocks):
        block = re.sub(r"\s+(?=\[\^\d+\])", "", block)  # "ones, [^1]" → "ones,[^1]"
        lines = block.split("\n")
        cut = next(
            (
                k
                for k, x in enumerate(lines)
                if PLENARY_RE.match(x) or (in_operative and ANNEX_RE.match(x))
            ),
            None,
        )
        if closing or cut == 0:
            closing.append(lines)  # the closing lines, and whatever follows them
            continue
        if cut is not None:
            closing.append(lines[cut:])
            block = "\n".join(lines[:cut])
        first = lines[0]
        starts_op = OP_NUMBER_RE.match(first) is not None
        if starts_op:
            in_operative = True
        if paras and re.fullmatch(r"\d{1,3}\.", paras[-1]):
            paras[-1] += " " + block  # "16." at the foot of a page, its text on the next
            continue
        after_heading = bool(paras) and len(paras) - 1 in headings
        nxt = blocks[k + 1] if k + 1 < len(blocks) else ""
        if not starts_op and _is_heading(paras[-1] if paras else "", block, nxt):
            headings.add(len(paras))
            paras.append(block)
            continue
        if (
            paras
            and not starts_op
            and not after_heading
            and _continues(paras[-1], block, in_operative)
        ):
            joiner = "\n" if SUBPARA_RE.match(first) else " "
            last_line = paras[-1].split("\n")[-1]
            if joiner == " " and last_line.endswith("-") and not last_line.endswith(" -"):
                joiner = ""
            paras[-1] = paras[-1] + joiner + block
            continue
        paras.append(block)
    paras = [re.sub(r"[ \t]+(?=\[\^\d+\])", "", p) for p in paras]  # joins can put a space there
    closing = [[" ".join(c.split()) for c in block if c.strip()] for block in closing]
    return paras, [block for block in closing if block]


#: A section heading inside a resolution: "I", "II. Implementation of …", "A. Strengthening …".
HEADING_NUMBER_RE = re.compile(r"(?:[IVXLC]{1,6}|[A-H])\.?(?:\s+(?=[A-Z])|$)")


def looks_like_heading(block: str) -> bool:
    """A short line of its own in title style: no paragraph punctuation at its end."""
    text = re.sub(r"(\[\^\d+\])+$", "", block.strip())
    if "\n" in text or len(text) > 200 or not text[:1].isupper():
        return False
    if text.endswith((",", ";", ".", ":")) or OP_NUMBER_RE.match(text) or SUBPARA_RE.match(text):
        return False
    return not (PLENARY_RE.match(text) or DATE_RE.match(text) or OPENING_RE.match(text))


def _is_heading(prev: str, block: str, nxt: str) -> bool:
    """A heading between paragraphs: the previous paragraph ended, the next one starts.

    A numbered heading ("II. Implementation …") needs only the first; an unnumbered one must
    also be followed by a paragraph's start, so that the first half of a paragraph cut by a
    page break ("Recalling the Declaration of") is not taken for a heading.
    """
    if not looks_like_heading(block):
        return False
    if prev and not re.sub(r"(\[\^\d+\])+$", "", prev.rstrip()).endswith((",", ";", ".", ":")):
        return False
    if HEADING_NUMBER_RE.match(block):
        return True
    nfirst = nxt.split("\n")[0]
    starts = OP_NUMBER_RE.match(nfirst) or re.fullmatch(r"\d{1,3}\.", nfirst.strip())
    opener = re.match(r"[A-Z][a-z]+", nfirst)
    return bool(
        starts
        or (opener and opener.group(0) in PREAMBLE_OPENERS)
        or HEADING_NUMBER_RE.match(nfirst)
    )


def _continues(prev: str, block: str, in_operative: bool) -> bool:
    first = block.split("\n")[0]
    if SUBPARA_RE.match(first):
        return True  # subparagraphs stay inside their paragraph
    tail = re.sub(r"(\[\^\d+\])+$", "", prev.rstrip())
    if not tail.endswith((",", ";", ".", ":")):
        return True  # cut in mid-sentence by a page break or a footnote block
    if first[:1].islower() or first[:1].isdigit():
        return True
    if in_operative:
        return True  # an operative paragraph starts with its number, nothing else
    word = re.match(r"[A-Z][a-z]+", first)
    if word is None:
        return True
    w = word.group(0)
    opens = w in PREAMBLE_OPENERS or w.endswith(("ing", "ed"))
    return not opens


# --- the masthead ---------------------------------------------------------------------------


def _header(blocks: list[str]) -> list[str]:
    """Masthead and title blocks → one metadata item a line, in a fixed order.

    Dropped: "United Nations", "General Assembly", job number, barcode,
    the asterisk note of the sponsors' list. Kept: symbol, distribution and date of issue,
    session, committee, agenda item and its title, sponsors, the adoption line, the report
    line, the title.
    """
    items: list[str] = []
    lines = []
    for block in blocks:
        lines += [" ".join(x.split()) for x in block.split("\n")] + [""]
    state = ""
    buf: list[str] = []

    def flush() -> None:
        nonlocal buf, state
        if buf:
            joined = ""
            for part in buf:
                joined = _join_words(joined, part)
            items.append(joined)
        buf = []
        state = ""

    for s in lines:
        if not s:
            if state in ("title", "block", "adopted", "draft-title"):
                flush()
            continue
        # job number, barcode and unfilled Word fields are furniture wherever they stand
        s = FIELD_ERROR_RE.sub("", BARCODE_RE.sub("", JOB_RE.sub("", s))).strip()
        if not s:
            continue
        if state == "report":
            buf.append(s)
            if "]" in s:
                flush()
            continue
        if state == "adopted":
            buf.append(s)
            flush()
            continue
        if state in ("title", "draft-title", "block"):
            buf.append(s)
            if state == "block" and re.search(r"draft (?:resolution|decision)$", s, re.I):
                flush()  # the sponsors' list ends with ": draft resolution"
                state = "draft-title"
            continue
        s2 = re.sub(r"^United Nations\b", "", s).strip()
        if not s2 or s2 in ("General Assembly", "United Nations"):
            continue
        if (
            SYMBOL_RE.fullmatch(s2)
            or s2.startswith("Distr.:")
            or DATE_RE.match(s2)
            or re.search(r"\bsession$", s2)
            or re.fullmatch(r"\w+ Committee", s2)
            or re.match(r"Agenda items? ", s2)
        ):
            items.append(s2)
            continue
        if re.match(r"(?:Resolution|Decision) adopted by the General Assembly", s2):
            buf = [s2]
            state = "" if re.search(r"\d{4}$", s2) else "adopted"
            if not state:
                flush()
            continue
        if s2.startswith("["):
            buf = [s2]
            state = "report"
            if "]" in s2:
                flush()
            continue
        if re.match(r"\d{1,3}/\d{1,4}\.\s", s2):
            buf, state = [s2], "title"
            continue
        if re.fullmatch(r"(?:Revised )?draft (?:resolution|decision)", s2, re.I):
            items.append(s2)
            state = "draft-title"
            continue
        if state == "draft-title":  # blank lines passed since "draft resolution"
            buf = [s2]
            continue
        buf, state = [s2], "block"  # agenda title, sponsors' list, or an unknown line
        if re.search(r"draft (?:resolution|decision)$", s2, re.I):
            flush()
            state = "draft-title"
    flush()
    return [i for i in items if i]
