"""Normalising: each artefact rule on real text, and the properties that hold for any input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.models import Resolution
from pipeline.normalise import normalise
from pipeline.reader import extract_text
from pipeline.render_text import to_text_layer
from pipeline.segment import segment

Reader = Callable[[Path], Resolution]
ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "A_RES_74_175-EN.seed.md"

# Real page furniture and artefacts, copied from the text layer of A/RES/74/175.
PAGE_BREAK = """Coordination Compact by United Nations entities, the International Criminal Police
Organization (INTERPOL) and the World Customs Organization, and noting also the
__________________

2  Resolutions 53/243 A and B.

3  Resolution 56/6.

Technical assistance provided by the United Nations Office
on Drugs and Crime related to counter-terrorism
A/RES/74/175

3/8
19-22332

role of the United Nations Office on Drugs and Crime as the Chair of the Working
Group on Criminal Justice, Legal Responses and Countering the Financing of
Terrorism,
"""


def test_page_break_and_footnote_block_in_mid_paragraph() -> None:
    text = (
        " 74/175. Technical assistance provided by the United Nations Office\n"
        "on Drugs and Crime related to counter-terrorism\n\nThe General Assembly,\n\n"
        "Noting the signing of the United Nations Global Counter-Terrorism\n" + PAGE_BREAK
    )
    clean = normalise(text)
    assert "noting also the role of the United Nations Office" in clean
    body = clean.split("The General Assembly,")[1]
    for furniture in ("19-22332", "3/8", "______", "A/RES/74/175", "Crime related to counter-terrorism"):
        assert furniture not in body
    assert "[^2]: Resolutions 53/243 A and B." in clean
    assert "[^3]: Resolution 56/6." in clean


def test_running_head_without_the_title_is_found_by_repetition() -> None:
    """A shortened running head is not the title, but it repeats at every page break."""
    head = "Technical assistance related to counter-terrorism\nA/RES/74/175\n\n{n}/8\n19-22332\n\n"
    text = (
        "The General Assembly,\n\nRecalling its resolution 72/194 and noting\n\n"
        + head.format(n=3)
        + "the report of the Secretary-General,\n\nWelcoming the partnership between the Office\n\n"
        + head.format(n=5)
        + "and the Organization,\n\n1. Requests the Office to report;\n"
    )
    clean = normalise(text)
    assert "Recalling its resolution 72/194 and noting the report of the Secretary-General," in clean
    assert "Welcoming the partnership between the Office and the Organization," in clean
    assert "Technical assistance" not in clean


def test_operative_number_alone_on_its_line() -> None:
    clean = normalise("The General Assembly,\n\n1. \nUrges Member States that have not yet done so to consider becoming\nparties;\n")
    assert "1. Urges Member States that have not yet done so to consider becoming parties;" in clean


def test_hyphen_at_line_end_is_kept() -> None:
    clean = normalise("The General Assembly,\n\n1. Requests the Office to strengthen its counter-\nterrorism assistance and the Inter-\nParliamentary Union;\n")
    assert "counter-terrorism assistance and the Inter-Parliamentary Union;" in clean


def test_glued_and_spaced_footnote_digits() -> None:
    text = (
        "The General Assembly,\n\nRecalling all relevant United Nations resolutions, particularly the most recent ones, 1\n\n"
        "Reiterating all aspects of the United Nations Global Counter-Terrorism\nStrategy2 and the need for States,\n"
        "__________________\n\n1  Resolutions 72/194.\n\n2  Resolution 60/288.\n"
    )
    clean = normalise(text)
    assert "most recent ones,[^1]" in clean
    assert "Counter-Terrorism Strategy[^2] and the need" in clean


def test_footnote_digit_glued_to_a_symbol() -> None:
    """ "resolution 77/2285" is resolution 77/228 with footnote 5 when no other 5 is found."""
    text = (
        "The General Assembly,\n\nRecalling its resolution 77/2285 on the subject,\n"
        "__________________\n\n5  A/77/100.\n"
    )
    assert "resolution 77/228[^5] on the subject," in normalise(text)


def test_markdown_rendering() -> None:
    text = "The General Assembly,**Recalling* its resolution [72/194](#),¹*Recalling also* that\n\n¹ Resolution [60/288](#).\n"
    clean = normalise(text)
    assert clean == (
        "The General Assembly,\n\nRecalling its resolution 72/194,[^1]\n\nRecalling also that\n\n"
        "[^1]: Resolution 60/288.\n"
    )


def test_every_corpus_rendering_normalises_to_a_fixed_point(corpus: Path) -> None:
    paths = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".pdf")) + [SEED]
    for path in paths:
        clean, _ = extract_text(path.read_bytes())
        assert normalise(clean) == clean, path.name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["A_RES_72_194", "A_RES_74_175", "A_RES_78_226", "A_RES_72_4", "A_80_L.9", "A_RES_79_129"]),
    lines_per_page=st.integers(min_value=6, max_value=60),
    width=st.integers(min_value=55, max_value=110),
    spaced=st.booleans(),
)
def test_page_breaks_anywhere_change_nothing(
    corpus: Path, read: Reader, name: str, lines_per_page: int, width: int, spaced: bool
) -> None:
    """A real resolution re-rendered with page breaks, running heads and footnote blocks at
    other places (a synthetic rendering) parses to the same paragraphs and footnotes."""
    res = read(corpus / f"{name}.txt")
    layer = to_text_layer(res, lines_per_page=lines_per_page, width=width, spaced_markers=spaced)
    clean = normalise(layer)
    assert normalise(clean) == clean
    again = segment(clean)
    assert [(p.pid, p.lead, p.text, p.footnotes, p.marks) for p in again.paragraphs] == [
        (p.pid, p.lead, p.text, p.footnotes, p.marks) for p in res.paragraphs
    ]
    assert again.footnotes == res.footnotes
    assert (again.symbol, again.title, again.adopted, again.plenary_meeting) == (
        res.symbol, res.title, res.adopted, res.plenary_meeting,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_normalising_twice_changes_nothing_on_any_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "The General Assembly,", "", " ", "1.", "2. Requests the Office;", "Recalling its resolution 72/194,",
                "__________________", "1  Resolution 60/288.", "A/RES/74/175", "2/8", "19-22332", "(a) first item;",
                "Strategy4 and", "ones, 1", "*Recalling* it,", "¹ Note.", "[^1]: note", "50th plenary meeting",
                "18 December 2019", "Noting with appreciation the work,", "of the present resolution.",
            ]
        ),  # fmt: skip
        max_size=40,
    )
)
def test_normalising_twice_changes_nothing_on_shuffled_furniture(lines: list[str]) -> None:
    text = "\n".join(lines)
    once = normalise(text)
    assert normalise(once) == once


def test_pdf_text_without_paragraph_separation(corpus: Path, read: Reader) -> None:
    """Some PDF text layers mark no paragraph at all (no blank line, no indent): the
    paragraphs are still found, from operative numbering and preambular openers."""
    from pipeline.normalise import normalise_pages
    from pipeline.reader import pdf_pages

    for pdf in sorted(corpus.glob("*-EN.pdf")):
        pages = pdf_pages(pdf.read_bytes())
        flat = ["\n".join(line.lstrip() for line in page.split("\n")) for page in pages]
        again = segment(normalise_pages(flat))
        expected = read(pdf)
        assert [(p.pid, p.text, p.footnotes) for p in again.paragraphs] == [
            (p.pid, p.text, p.footnotes) for p in expected.paragraphs
        ], pdf.name


@pytest.mark.parametrize("fraction", [0.5, 0.7])
def test_shortened_running_head_with_a_single_page_break(corpus: Path, read: Reader, fraction: float) -> None:
    """SYNTHETIC: each corpus text re-rendered with a shortened title (its first words) in
    the running heads, and pages long enough that there is one break only, so the head can
    be learnt neither from the title nor from repetition: it is found beside the symbol."""
    import re

    checked = 0
    for path in sorted(corpus.glob("*.txt")):
        res = read(path)
        words = res.title.split()
        short = " ".join(words[: max(3, len(words) // 2)])
        lines = len(to_text_layer(res, lines_per_page=10**6).split("\n"))
        layer = to_text_layer(res, lines_per_page=int(lines * fraction) + 1, running_head=short)
        if len(re.findall(r"^\d+/\d+ ?$", layer, re.M)) != 1:
            continue
        checked += 1
        again = segment(normalise(layer))
        assert [(p.pid, p.text) for p in again.paragraphs] == [(p.pid, p.text) for p in res.paragraphs], path.name
    assert checked >= 10
