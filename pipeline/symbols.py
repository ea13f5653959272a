"""UN document symbols: validate what a person types, and name the files that hold a document.

A symbol is a series of `/`-separated components made of letters, digits, dots and hyphens
(`A/RES/72/194`, `A/C.3/78/L.41`, `E/CN.15/2019/5`, `A/RES/ES-10/19`), optionally followed by
the year of a Security Council resolution (`S/RES/2462 (2019)`) or the letter of a resolution
adopted in parts (`A/RES/53/243 A`). Everything here is pure: no file or network access, so a
symbol is refused before anything is read, written or fetched.

>>> normalise_symbol(" a / res / 72 / 194 ")
'A/RES/72/194'
>>> file_name("A/RES/72/194", "en", ".pdf")
'A_RES_72_194-EN.pdf'
"""

from __future__ import annotations

import re

from pipeline.config import LANGUAGES
from pipeline.errors import SymbolError

__all__ = [
    "MAX_SYMBOL_LENGTH",
    "file_name",
    "looks_like_symbol",
    "normalise_lang",
    "normalise_symbol",
    "symbol_to_stem",
]

#: The longest symbol accepted. Real ones stay under 40 characters
#: (`A/HRC/RES/47/1`, `A/C.3/78/L.41/Rev.1`); the cap keeps junk out of messages and paths.
MAX_SYMBOL_LENGTH = 100

# Each component starts and ends with a letter or digit, with single dots or hyphens inside:
# this alone rules out `.`, `..`, hidden names and trailing dots (which Windows drops).
_COMPONENT = r"[A-Z0-9]+(?:[.-][A-Z0-9]+)*"
_SYMBOL_RE = re.compile(
    rf"(?P<body>{_COMPONENT}(?:/{_COMPONENT}){{1,11}})"
    r"(?:\s*\((?P<year>\d{4})\)|\s(?P<part>[A-Z]))?"
)
# UN editors print revisions, addenda, corrigenda and amendments in mixed case
# (`A/78/L.6/Rev.1`); every other component is upper case.
_MIXED_CASE = re.compile(r"(REV|ADD|CORR|AMEND)\.(\d+)")
_MIXED_CASE_SPELLING = {"REV": "Rev", "ADD": "Add", "CORR": "Corr", "AMEND": "Amend"}
# A string ending like a file is a path that does not exist, not a symbol (`sources/x.md`).
_FILE_SUFFIX = re.compile(r"\.(pdf|txt|md|html?|json|xml|csv|docx?)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HINT = "symbols look like A/RES/72/194, A/C.3/78/L.41 or S/RES/2462 (2019)"


def _show(text: str) -> str:
    """The input as a short, printable quotation for an error message."""
    shown = repr(text[:40])
    return shown + "…" if len(text) > 40 else shown


def normalise_symbol(text: str) -> str:
    """Validate a document symbol and return its canonical spelling; SymbolError if invalid.

    Case and spaces are normalised (`a / res / 72 / 194` → `A/RES/72/194`), and the file-name
    form is accepted (`A_RES_72_194` → `A/RES/72/194`).

    >>> normalise_symbol("s/res/2462(2019)")
    'S/RES/2462 (2019)'
    >>> normalise_symbol("A/78/L.6/REV.1")
    'A/78/L.6/Rev.1'
    """
    if not isinstance(text, str):
        raise SymbolError(f"{text!r} is not a document symbol; {_HINT}.")
    if len(text) > MAX_SYMBOL_LENGTH:
        raise SymbolError(
            f"{_show(text)} is not a document symbol (longer than {MAX_SYMBOL_LENGTH} "
            f"characters); {_HINT}."
        )
    if not text.isascii() or _CONTROL.search(text):
        raise SymbolError(
            f"{_show(text)} is not a document symbol (it holds characters no symbol uses); {_HINT}."
        )
    s = " ".join(text.split())
    if not s:
        raise SymbolError(f"An empty string is not a document symbol; {_HINT}.")
    s = re.sub(r" ?/ ?", "/", s)
    if "/" not in s and "_" in s:
        # The stem of a file name, as in A_RES_72_194-EN.pdf: underscores are never part of
        # a UN symbol, so the mapping back is unambiguous.
        s = s.replace("_", "/")
    m = _SYMBOL_RE.fullmatch(s.upper())
    if m is None:
        raise SymbolError(f"{_show(text)} is not a document symbol; {_HINT}.")
    body = "/".join(
        _MIXED_CASE.sub(lambda c: f"{_MIXED_CASE_SPELLING[c[1]]}.{c[2]}", part)
        if _MIXED_CASE.fullmatch(part)
        else part
        for part in m["body"].split("/")
    )
    if m["year"]:
        return f"{body} ({m['year']})"
    if m["part"]:
        return f"{body} {m['part']}"
    return body


def looks_like_symbol(text: str) -> bool:
    """Whether `text` reads as a document symbol rather than a file path.

    The caller decides first whether the text names an existing file (then it is a path);
    this only tells a symbol from a mistyped path.

    >>> looks_like_symbol("a/res/72/194"), looks_like_symbol("sources/missing.md")
    (True, False)
    """
    if not isinstance(text, str) or _FILE_SUFFIX.search(text.strip()):
        return False
    try:
        normalise_symbol(text)
    except SymbolError:
        return False
    return True


def symbol_to_stem(symbol: str) -> str:
    """The file-name stem of a symbol: `/` becomes `_`, spaces go (`S_RES_2462(2019)`).

    >>> symbol_to_stem("A/RES/72/194")
    'A_RES_72_194'
    """
    return normalise_symbol(symbol).replace("/", "_").replace(" ", "")


def normalise_lang(lang: str) -> str:
    """One of the six official languages in lower case (`EN` → `en`); SymbolError otherwise."""
    code = lang.strip().lower() if isinstance(lang, str) else ""
    if code not in LANGUAGES:
        raise SymbolError(
            f"{_show(str(lang))} is not a language of the UN documents: use one of "
            f"{', '.join(LANGUAGES)}."
        )
    return code


def file_name(symbol: str, lang: str, suffix: str) -> str:
    """The file name under which a document is cached or mirrored: `A_RES_72_194-EN.pdf`.

    `suffix` is a fixed extension chosen by resdiff (".pdf"), never user input.
    """
    if not re.fullmatch(r"(\.[a-z0-9]+)+", suffix):
        raise ValueError(f"not a file suffix: {suffix!r}")
    return f"{symbol_to_stem(symbol)}-{normalise_lang(lang).upper()}{suffix}"
