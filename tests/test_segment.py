"""Reading real resolutions: counts, metadata, renderings agreeing, invariants on every document."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import pipeline
from pipeline.models import Paragraph, Resolution, Section
from pipeline.reader import pdf_pages
from pipeline.segment import citations_of, lead_of, ordinal_value

Reader = Callable[[Path], Resolution]

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "A_RES_74_175-EN.seed.md"

#: Page furniture that must never reach a paragraph: job numbers, barcodes, footnote rules,
#: the masthead, the unfilled Word field of A/RES/72/3's running head.
FURNITURE = re.compile(
    r"\d{2}-\d{5}|\*\d{7}\*|_{5,}|Error! No document|Distr\.:|General Assembly Distr"
)


def page_numbers(path: Path) -> set[str]:
    """The page numbers printed in the running heads ("2/8" … "8/8") of a document."""
    raw = "\n".join(pdf_pages(path.read_bytes())) if path.suffix == ".pdf" else path.read_text()
    totals = Counter(
        m.group(1) for m in re.finditer(r"(?<![\d/])\d{1,2}/(\d{1,2})\s*(?:\n|\d{2}-)", raw)
    )
    if not totals:
        return set()
    total = int(totals.most_common(1)[0][0])
    return {f"{k}/{total}" for k in range(2, total + 1)}


def corpus_documents(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".pdf"))


def key(res: pipeline.Resolution) -> list[tuple[object, ...]]:
    return [(p.pid, p.section, p.number, p.lead, p.text, p.footnotes) for p in res.paragraphs]


def test_seed_rendering_of_74_175() -> None:
    res = pipeline.load(SEED)
    assert (len(res.preamble), len(res.operative), len(res.footnotes)) == (19, 30, 10)
    assert res.symbol == "A/RES/74/175"
    assert res.session == 74
    assert res.agenda_item == "106"
    assert res.adopted == "2019-12-18"
    assert res.committee_report == "A/74/400"
    assert res.plenary_meeting == 50
    assert res.title.startswith("Technical assistance provided by the United Nations Office")


def test_pdf_text_and_seed_renderings_of_74_175_agree(corpus: Path) -> None:
    seed = pipeline.load(SEED)
    text_layer = pipeline.load(corpus / "A_RES_74_175.txt")
    assert key(text_layer) == key(seed)
    assert text_layer.footnotes == seed.footnotes


@pytest.mark.parametrize(
    ("name", "pp", "op"),
    [("A_RES_72_194", 14, 19), ("A_RES_74_175", 19, 30), ("A_RES_78_226", 20, 36)],
)
def test_series_counts(corpus: Path, read: Reader, name: str, pp: int, op: int) -> None:
    for path in (corpus / f"{name}.txt", corpus / f"{name}-EN.pdf"):
        if path.exists():
            res = read(path)
            assert (len(res.preamble), len(res.operative)) == (pp, op), path.name


def test_text_layer_and_pdf_give_the_same_paragraphs(corpus: Path, read: Reader) -> None:
    pairs = [(p, p.with_name(p.stem + "-EN.pdf")) for p in corpus.glob("*.txt")]
    pairs = [(t, f) for t, f in pairs if f.exists()]
    assert len(pairs) >= 10
    for txt, pdf in pairs:
        a, b = read(txt), read(pdf)
        assert key(a) == key(b), txt.name
        assert [(f.number, f.text) for f in a.footnotes] == [
            (f.number, f.text) for f in b.footnotes
        ]
        assert (a.symbol, a.title, a.session, a.adopted, a.plenary_meeting) == (
            b.symbol, b.title, b.session, b.adopted, b.plenary_meeting,
        )  # fmt: skip


def test_every_corpus_document_parses_cleanly(corpus: Path, read: Reader) -> None:
    docs = corpus_documents(corpus)
    assert len(docs) >= 30
    for path in docs:
        res = read(path)
        numbers = [p.number for p in res.operative]
        assert numbers == list(range(1, len(numbers) + 1)), path.name
        assert res.preamble and res.operative, path.name
        assert res.symbol and res.title and res.session, path.name
        note_texts = [f.text for f in res.footnotes]
        pages = page_numbers(path)
        for p in res.paragraphs:
            assert not FURNITURE.search(p.text), (path.name, p.pid, FURNITURE.search(p.text))
            assert res.symbol not in p.text, (path.name, p.pid)
            found = set(re.findall(r"(?<![\d/])\d{1,2}/\d{1,2}(?![\d/])", p.text)) & pages
            assert not found, (path.name, p.pid, found)
            assert p.lead and p.text.startswith(p.lead), (path.name, p.pid)
            for note in note_texts:
                assert len(note) < 25 or note not in p.text, (path.name, p.pid, note)
        # every footnote is cited by some paragraph, and every cited footnote exists
        assert all(f.cited_by for f in res.footnotes), path.name
        assert {n for p in res.paragraphs for n in p.footnotes} <= {f.number for f in res.footnotes}


def test_segmenting_never_loses_a_word_of_the_body(corpus: Path, read: Reader) -> None:
    """Every word of the text layer is in a paragraph, a footnote or the metadata.

    Only the running head may repeat words that the parse holds once: the title, printed on
    every page.
    """

    def words(text: str) -> Counter[str]:
        return Counter(re.findall(r"[A-Za-z]{2,}", text))

    for path in sorted(corpus.glob("*.txt")):
        res = read(path)
        accounted = words(
            " ".join(
                [p.text for p in res.paragraphs]
                + [f.text for f in res.footnotes]
                + list(res.masthead)
                + ["United Nations General Assembly", "The General Assembly", "plenary meeting"]
                + ["st nd rd th"]  # "73rd plenary meeting"
                + [date.fromisoformat(res.adopted).strftime("%B") if res.adopted else ""]
            )
        )
        lost = words(path.read_text(encoding="utf-8")) - accounted
        running_head = set(words(res.title)) | set(words(res.symbol or ""))
        running_head |= set(words("Error! No document variable supplied."))  # A/RES/72/3
        assert not {w: n for w, n in lost.items() if w not in running_head}, path.name


def test_footnotes_resolve_to_the_paragraphs_that_cite_them(corpus: Path, read: Reader) -> None:
    res = read(corpus / "A_RES_74_175.txt")
    by_number = {f.number: f for f in res.footnotes}
    assert by_number[1].cited_by == ("PP1",)
    assert by_number[4].cited_by == ("PP10", "OP29")  # cited again on the last page: "Strategy;4"
    assert by_number[5].text == "E/CN.15/2019/5."
    assert "E/CN.15/2019/5" in res.paragraph("PP14").citations


def test_glued_year_marker(corpus: Path, read: Reader) -> None:
    """ "12 February 20139" in A/RES/72/3 is 2013 with footnote 9."""
    res = read(corpus / "A_RES_72_3.txt")
    op21 = res.paragraph("OP21")
    assert "12 February 2013 in which" in op21.text
    assert op21.footnotes == (9,)


def test_metadata_of_a_draft(corpus: Path, read: Reader) -> None:
    res = read(corpus / "A_80_L.9.txt")
    assert res.kind == "draft"
    assert res.adopted is None
    assert res.title == "Report of the International Criminal Court"
    assert res.sponsors[:2] == ("Andorra", "Armenia")
    assert res.sponsors[-1] == "State of Palestine"
    assert "Bosnia and Herzegovina" in res.sponsors
    assert "Netherlands (Kingdom of the)" in res.sponsors


def test_citations_are_normalised_symbols(corpus: Path, read: Reader) -> None:
    res = read(corpus / "A_RES_74_175.txt")
    cites = res.citations
    for symbol in (
        "A/RES/72/194",
        "A/RES/72/284",
        "S/RES/2462 (2019)",
        "E/CN.15/2019/5",
        "A/RES/71/291",
    ):
        assert symbol in cites
    assert res.paragraph("PP9").citations == ("A/RES/72/194",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("resolutions 72/194, 72/284 and 73/174", ("A/RES/72/194", "A/RES/72/284", "A/RES/73/174")),
        (
            "Security Council resolutions 2133 (2014) and 2178 (2014)",
            ("S/RES/2133 (2014)", "S/RES/2178 (2014)"),
        ),
        ("Resolutions 53/243 A and B.", ("A/RES/53/243",)),
        ("Human Rights Council resolution 31/30", ("A/HRC/RES/31/30",)),
        ("its decision 72/538", ("A/DEC/72/538",)),
        ("A/67/828-S/2013/210, annex.", ("A/67/828", "S/2013/210")),
        ("See A/58/874 and A/58/874/Add.1.", ("A/58/874", "A/58/874/Add.1")),
        ("in the present resolution", ()),
    ],
)
def test_citations_of(text: str, expected: tuple[str, ...]) -> None:
    assert citations_of(text) == expected


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("Recalling also that terrorism", "Recalling also"),
        ("Notes with appreciation the cooperation", "Notes with appreciation"),
        ("Further requests the Office", "Further requests"),
        ("Takes note of the report", "Takes note of"),
        ("Expresses its appreciation to Member States", "Expresses its appreciation"),
        ("Reaffirming its concern that terrorists", "Reaffirming"),
        ("Once again urges States", "Once again urges"),
        ("Having examined the report", "Having examined"),
        ("Bearing in mind that", "Bearing in mind"),
        ("Calls for increased attention", "Calls for"),
        ("Decides to include", "Decides"),
        ("Deeply concerned by", "Deeply concerned"),
    ],
)
def test_lead_of(text: str, lead: str) -> None:
    assert lead_of(text) == lead


def test_ordinals() -> None:
    assert [
        ordinal_value(w) for w in ("Seventy-fourth", "Eightieth", "Seventy-second", "First")
    ] == [74, 80, 72, 1]
    assert ordinal_value("Seventy-banana") is None


def test_sections_are_in_document_order() -> None:
    res = pipeline.load(SEED)
    sections = [p.section for p in res.paragraphs]
    first_op = sections.index(Section.OPERATIVE)
    assert all(s is Section.PREAMBLE for s in sections[:first_op])
    assert all(s is Section.OPERATIVE for s in sections[first_op:])
    assert [p.pid for p in res.preamble] == [f"PP{i}" for i in range(1, 20)]


@pytest.mark.parametrize("lines_per_page", [9, 23, 46])
def test_section_headings_are_kept_apart(corpus: Path, read: Reader, lines_per_page: int) -> None:
    """SYNTHETIC: real A/RES/78/115 with section headings inserted (roman numerals, and a
    phrase of its own text as an unnumbered heading), rendered as an ODS text layer. The
    headings are found, no paragraph text changes, and each paragraph knows its heading."""
    import dataclasses

    from pipeline.normalise import normalise
    from pipeline.render_text import to_text_layer
    from pipeline.segment import segment

    res = read(corpus / "A_RES_78_115.txt")
    phrase = "United Nations Global Counter-Terrorism Strategy"
    assert phrase in res.paragraph("PP2").text

    def heading_of(p: Paragraph) -> str | None:
        if p.number is None:
            return None
        if p.number < 10:
            return "I"
        return "II. " + phrase if p.number < 20 else phrase

    edited = dataclasses.replace(
        res, paragraphs=tuple(dataclasses.replace(p, heading=heading_of(p)) for p in res.paragraphs)
    )
    again = segment(normalise(to_text_layer(edited, lines_per_page=lines_per_page)))
    assert [(p.pid, p.text, p.heading) for p in again.paragraphs] == [
        (p.pid, p.text, p.heading) for p in edited.paragraphs
    ]


@pytest.mark.parametrize("lines_per_page", [7, 15, 46])
def test_subparagraphs_stay_in_their_paragraph(
    corpus: Path, read: Reader, lines_per_page: int
) -> None:
    """SYNTHETIC: A/RES/74/175 OP4 restructured into subparagraphs (a)–(c), (c) holding (i)
    and (ii), built from the paragraph's own clauses and rendered as an ODS text layer."""
    import dataclasses

    from pipeline.models import Subparagraph
    from pipeline.normalise import normalise
    from pipeline.render_text import to_text_layer
    from pipeline.segment import segment

    res = read(corpus / "A_RES_74_175.txt")
    op4 = res.paragraph("OP4")
    chapeau = "Calls upon Member States:"
    items = [
        ("a", "to continue to strengthen international coordination and cooperation in order to "
              "prevent and counter terrorism in all its forms and manifestations;"),
        ("b", "to effectively implement relevant international instruments and United Nations resolutions;"),
        ("c", "to consider entering, when appropriate, into treaties:"),
        ("i", "on extradition;"),
        ("ii", "on mutual legal assistance;"),
    ]  # fmt: skip
    text = " ".join([chapeau] + [f"({label}) {body}" for label, body in items])
    labels = ["a", "b", "c", "c.i", "c.ii"]
    subs = tuple(
        Subparagraph(label=full, text=body) for full, (_, body) in zip(labels, items, strict=True)
    )
    edited_op4 = dataclasses.replace(op4, text=text, subparagraphs=subs, marks=())
    edited = dataclasses.replace(
        res, paragraphs=tuple(edited_op4 if p.pid == "OP4" else p for p in res.paragraphs)
    )
    again = segment(normalise(to_text_layer(edited, lines_per_page=lines_per_page)))
    got = again.paragraph("OP4")
    assert got.text == text
    assert got.subparagraphs == subs
    assert [p.pid for p in again.paragraphs] == [p.pid for p in res.paragraphs]


@pytest.mark.parametrize("name", ["A_80_L.6", "A_RES_80_4"])
def test_an_annex_ends_the_operative_part(corpus: Path, read: Reader, name: str) -> None:
    """SYNTHETIC: a real draft and a real resolution with an annex appended on a new page,
    the annex holding numbered paragraphs copied from A/RES/72/4. Its numbers restart at 1;
    they must not be taken for operative paragraphs, and its text is kept as the annex."""
    from pipeline.normalise import normalise
    from pipeline.segment import segment

    res = read(corpus / f"{name}.txt")
    donor = read(corpus / "A_RES_72_4.txt").operative[:3]
    page = f"\n{res.symbol}\n{res.title}\n \n00-00000\n9/9\n \nAnnex \n \n"
    annex = "".join(f"{p.number}. \n{p.text} \n \n" for p in donor)
    again = segment(normalise((corpus / f"{name}.txt").read_text(encoding="utf-8") + page + annex))
    assert [(p.pid, p.text) for p in again.paragraphs] == [(p.pid, p.text) for p in res.paragraphs]
    assert again.annex == ("Annex", *(f"{p.number}. {p.text}" for p in donor))
    assert res.annex == ()


def test_quoted_paragraphs_in_the_tests_are_real(corpus: Path, read: Reader) -> None:
    """Every paragraph the unit tests quote (tests/real_paragraphs.py) is the corpus text."""
    import real_paragraphs

    names = [n for n in vars(real_paragraphs) if n.startswith("A_RES_")]
    assert names
    for name in names:
        stem, _, pid = name.rpartition("_")
        assert read(corpus / f"{stem}.txt").paragraph(pid).text == getattr(real_paragraphs, name), name
