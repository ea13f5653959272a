"""A file on disk → `Resolution`: sniff the rendering, extract text, normalise, segment.

The only module of the reading stage that touches the disk. Every failure is a `ResdiffError`
whose message names the file and the problem in one line.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

from pipeline.errors import EmptyInputError, EncodingError, InputError, ResdiffError
from pipeline.models import Resolution, SourceFormat
from pipeline.normalise import detect_format, normalise, normalise_pages
from pipeline.segment import segment

#: Block elements of an HTML page: each starts a paragraph of its own.
HTML_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
               "header", "footer", "blockquote", "table", "ol", "ul")  # fmt: skip
#: Page chrome of a saved page, dropped whole: scripts, styles, navigation, footer, forms.
HTML_CHROME = ("script", "style", "nav", "noscript", "template", "head", "footer", "aside",
               "form", "button")  # fmt: skip
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def read_document(path: Path) -> Resolution:
    """Read a resolution from a file in any rendering resdiff knows (PDF, text, markdown, HTML)."""
    data = _read_bytes(path)
    try:
        text, fmt = extract_text(data)
        return segment(text, source_format=fmt)
    except ResdiffError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def extract_text(data: bytes) -> tuple[str, SourceFormat]:
    """Bytes of a document → (clean text, rendering it came in). Pure."""
    if not data.strip():
        raise EmptyInputError("the file is empty")
    if data.lstrip()[:5] == b"%PDF-":
        return normalise_pages(pdf_pages(data)), SourceFormat.PDF
    text = decode(data)
    if looks_like_html(text):
        return normalise(html_to_markdown(text), SourceFormat.MARKDOWN), SourceFormat.HTML
    fmt = detect_format(text)
    return normalise(text, fmt), fmt


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(
            f"{path}: no such file (give a file path or a symbol such as A/RES/74/175)"
        )
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a document")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused.

    Guessing a legacy encoding would silently corrupt quotes and accents, so a text in another
    encoding gets an error saying how to convert it.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise EncodingError("not valid UTF-16 text") from None
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if b"\x00" in sample or controls > len(sample) // 20:
        raise EncodingError("a binary file, not a PDF, HTML or text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. iconv -f windows-1252 -t utf-8"
        ) from None


def pdf_pages(data: bytes) -> list[str]:
    """The text layer of each page of a PDF, through pypdf.

    pypdf (BSD licence, pure Python) gives the ODS PDFs' text word for word like the reference
    text layers, with page boundaries known.
    """
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-PDF chatter goes to our error
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"not a readable PDF ({exc})") from None
    if not "".join(pages).strip():
        raise InputError(
            "the PDF has no text layer (a scanned image?): run it through OCR, "
            "or fetch the ODS original with: resdiff fetch SYMBOL"
        )
    return pages


def looks_like_html(text: str) -> bool:
    """True for an HTML page (a doctype, or an html/body/p element near the start)."""
    head = text[:2048].lower()
    return bool(re.search(r"<!doctype html|<html[\s>]|<body[\s>]|<p[\s>]", head))


def html_to_markdown(html: str) -> str:
    """An HTML page saved from a UN site → the markdown-like rendering normalise reads.

    Block elements become paragraphs, `<sup>` footnote numbers become superscript digits,
    `<br>` a line break; scripts, styles and navigation are dropped.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(list(HTML_CHROME)):
        tag.decompose()
    for sup in soup.find_all("sup"):
        digits = sup.get_text().strip()
        sup.replace_with(digits.translate(SUPERSCRIPT) if digits.isdigit() else digits)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(HTML_BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = soup.get_text()
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
