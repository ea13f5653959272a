"""Document symbols: canonical spelling, file names, and refusal of anything that is not one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import SymbolError
from pipeline.sources import cache_path
from pipeline.symbols import (
    file_name,
    looks_like_symbol,
    normalise_lang,
    normalise_symbol,
    symbol_to_stem,
)

VALID = [
    ("A/RES/72/194", "A/RES/72/194", "A_RES_72_194"),
    ("a/res/72/194", "A/RES/72/194", "A_RES_72_194"),
    ("A / RES / 72 / 194", "A/RES/72/194", "A_RES_72_194"),
    ("  A/RES/78/226\n", "A/RES/78/226", "A_RES_78_226"),
    ("A/C.3/78/L.41", "A/C.3/78/L.41", "A_C.3_78_L.41"),
    ("A/72/L.6", "A/72/L.6", "A_72_L.6"),
    ("A/80/L.6", "A/80/L.6", "A_80_L.6"),
    ("a/c.6/80/l.22", "A/C.6/80/L.22", "A_C.6_80_L.22"),
    ("S/RES/2462 (2019)", "S/RES/2462 (2019)", "S_RES_2462(2019)"),
    ("s/res/2462(2019)", "S/RES/2462 (2019)", "S_RES_2462(2019)"),
    ("E/CN.15/2019/5", "E/CN.15/2019/5", "E_CN.15_2019_5"),
    ("A/RES/53/243 A", "A/RES/53/243 A", "A_RES_53_243A"),
    ("A/RES/ES-10/19", "A/RES/ES-10/19", "A_RES_ES-10_19"),
    ("A/78/L.6/REV.1", "A/78/L.6/Rev.1", "A_78_L.6_Rev.1"),
    ("A/C.3/78/L.41/add.2", "A/C.3/78/L.41/Add.2", "A_C.3_78_L.41_Add.2"),
    ("A_RES_72_194", "A/RES/72/194", "A_RES_72_194"),  # the stem of a file name
]

INVALID = [
    "../../etc/passwd",
    "A/RES/72/194/../../x",
    "A/RES/72/194/..",
    "./A/RES/72/194",
    "/A/RES/72/194",
    "A//RES/72",
    "A/RES/72/194/",
    "A\\RES\\72\\194",
    "",
    "   ",
    "A",
    "A/RES/72/.hidden",
    "A/RES/72/194.",
    "A/RES/72/194\x00",
    "A/RES/\x0772/194",
    "A/RÉS/72/194",
    "A/RES/72/194; rm -rf /",
    "x" * 10_000,
    "A/" * 5_000,
]


@pytest.mark.parametrize(("text", "canonical", "stem"), VALID)
def test_valid_symbols_are_normalised(text: str, canonical: str, stem: str) -> None:
    assert normalise_symbol(text) == canonical
    assert symbol_to_stem(text) == stem
    assert looks_like_symbol(text)


def test_symbol_to_stem_of_the_issue() -> None:
    assert symbol_to_stem("A/RES/72/194") == "A_RES_72_194"


@pytest.mark.parametrize("text", INVALID, ids=lambda t: repr(t[:24]))
def test_invalid_symbols_are_refused(text: str) -> None:
    with pytest.raises(SymbolError, match="not a document symbol"):
        normalise_symbol(text)
    assert not looks_like_symbol(text)


def test_refusal_message_is_one_short_line() -> None:
    with pytest.raises(SymbolError) as caught:
        normalise_symbol("y" * 10_000)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 250
    assert "longer than 100 characters" in message
    assert "A/RES/72/194" in message  # shows what a symbol looks like


def test_a_missing_file_path_is_not_a_symbol() -> None:
    assert not looks_like_symbol("sources/missing.md")
    assert not looks_like_symbol("A_RES_72_194-EN.pdf")
    assert not looks_like_symbol("notes.txt")


def test_languages() -> None:
    assert normalise_lang("EN") == "en"
    assert normalise_lang(" fr ") == "fr"
    with pytest.raises(SymbolError, match="ar, zh, en, fr, ru, es"):
        normalise_lang("de")
    with pytest.raises(SymbolError):
        normalise_lang("../en")


def test_file_name() -> None:
    assert file_name("A/RES/72/194", "en", ".pdf") == "A_RES_72_194-EN.pdf"
    assert file_name("s/res/2462 (2019)", "fr", ".txt") == "S_RES_2462(2019)-FR.txt"
    with pytest.raises(ValueError):
        file_name("A/RES/72/194", "en", "/../x")


@given(st.text(max_size=200))
def test_normalising_twice_changes_nothing(text: str) -> None:
    try:
        once = normalise_symbol(text)
    except SymbolError:
        return
    assert normalise_symbol(once) == once
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._()-]*", symbol_to_stem(once))


# Text built from the characters a traversal needs, so that hypothesis tries them often.
_TRICKY = st.text(alphabet=st.sampled_from(list("AR/.\\_- ()0123456789\x00~:")), max_size=40)


@given(st.one_of(st.text(max_size=300), _TRICKY), st.sampled_from(["en", "fr", "EN", "../x"]))
def test_no_input_gives_a_cache_path_outside_the_cache(text: str, lang: str) -> None:
    cache = Path("/srv/resdiff/cache")
    try:
        path = cache_path(text, lang, cache)
    except SymbolError:
        return
    assert path.parent == cache
    assert path.resolve().parent == cache.resolve()
    assert path.name not in (".", "..") and not path.name.startswith(".")
