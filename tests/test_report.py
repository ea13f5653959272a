"""The HTML report, in memory: escaping, anchors, the chart, the compact view, determinism.

Most tests use a comparison built by hand from real text: a few paragraphs of A/RES/72/194 and
A/RES/74/175 (renumbered, so the two documents are subsets of the real ones), with the
alignment, word diffs and mandate readings written out here. They need neither the parser nor
the comparison stage. The tests at the end run the real pipeline on the corpus (the `corpus` fixture of conftest).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import difflib
import hashlib
import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline import report
from pipeline.models import (
    AlignKind,
    AlignmentEntry,
    Change,
    CitationChanges,
    ClauseDiff,
    Edit,
    EditOp,
    MandateChange,
    Paragraph,
    Resolution,
    Section,
)

# --- a comparison built by hand from real text ---------------------------------------------------

OLD_TEXT = {  # A/RES/72/194
    "PP1": "Recalling all relevant United Nations resolutions on technical and legislative "
    "assistance in countering terrorism, especially the most recent ones,",
    "PP2": "Reaffirming its resolution 70/291 of 1 July 2016, entitled \u201cThe United Nations "
    "Global Counter-Terrorism Strategy Review\u201d,",
    "PP3": "Stressing again the need to strengthen international, regional and subregional "
    "cooperation to effectively prevent and combat terrorism, in particular by enhancing the "
    "national capacity of States through the provision of technical assistance, based on the "
    "needs and priorities identified by requesting States,",
    "OP1": "Encourages Member States to continue to promote, at the national level, effective "
    "coordination among law enforcement and other relevant entities and authorities "
    "responsible for preventing and countering terrorism, and requests the United Nations "
    "Office on Drugs and Crime, upon request and within its mandate, to continue to provide "
    "technical assistance in that regard;",
    "OP2": "Urges Member States to continue to strengthen international coordination and "
    "cooperation in order to prevent and counter terrorism in all its forms and manifestations "
    "in accordance with international law, including the Charter of the United Nations, to "
    "effectively implement relevant international instruments and United Nations resolutions, "
    "to consider entering, when appropriate, into treaties on extradition and mutual legal "
    "assistance, and to ensure adequate training of all relevant personnel on executing "
    "international cooperation activities, and calls upon all States to consider providing "
    "the United Nations Office on Drugs and Crime with the contact details of and other "
    "relevant information about designated authorities for its repository database;",
    "OP3": "Requests the United Nations Office on Drugs and Crime, within its mandate, to "
    "provide technical assistance, upon request, to Member States to those ends;",
}
NEW_TEXT = {  # A/RES/74/175
    "PP1": "Recalling all relevant United Nations resolutions on technical and legislative "
    "assistance in countering terrorism, particularly the most recent ones,",
    "PP2": "Reaffirming that terrorism in all its forms and manifestations cannot and should "
    "not be associated with any religion, nationality, civilization or ethnic group,",
    "PP3": OLD_TEXT["PP3"],
    "OP1": "Requests the United Nations Office on Drugs and Crime, within its mandate, to "
    "provide technical assistance, upon request, to Member States to those ends;",
    "OP2": "Also encourages Member States to continue to promote, consistent with their legal "
    "frameworks, effective coordination among law enforcement and other relevant entities and "
    "authorities responsible for preventing and countering terrorism, and requests the United "
    "Nations Office on Drugs and Crime, upon request and within its mandate, to continue to "
    "provide technical assistance in that regard;",
    "OP3": "Calls upon Member States to continue to strengthen international coordination and "
    "cooperation in order to prevent and counter terrorism in all its forms and manifestations "
    "in accordance with international law, including the Charter of the United Nations, to "
    "effectively implement relevant international instruments and United Nations resolutions, "
    "to consider entering, when appropriate, into treaties on extradition and mutual legal "
    "assistance, to enable the effective exchange of relevant financial intelligence and to "
    "ensure adequate training of all relevant personnel on executing international "
    "cooperation activities;",
    "OP4": "Encourages Member States to use, as appropriate, the platforms and tools developed "
    "by the United Nations Office on Drugs and Crime, including the Sharing Electronic "
    "Resources and Laws on Crime knowledge management portal, to facilitate international "
    "cooperation in criminal matters related to terrorism and to provide the Office with "
    "relevant information to promote the sharing of good practices and experience and with "
    "the contact details of and any other relevant information about designated authorities "
    "for inclusion in its repository database;",
    "OP5": "Encourages Member States to consider ratifying or acceding to other relevant "
    "conventions to support international cooperation in criminal matters, such as the "
    "United Nations Convention against Transnational Organized Crime and the Protocols "
    "thereto, and calls upon Member States to implement effectively the instruments to which "
    "they are party;",
}


def word_edits(a: str, b: str) -> tuple[Edit, ...]:
    """A word-level diff with difflib, standing in for pipeline.diff in these tests."""
    aw, bw = re.findall(r"\S+\s*", a), re.findall(r"\S+\s*", b)
    out: list[Edit] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, aw, bw, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(Edit(EditOp.EQUAL, "".join(aw[i1:i2])))
            continue
        if i2 > i1:
            out.append(Edit(EditOp.DELETE, "".join(aw[i1:i2])))
        if j2 > j1:
            out.append(Edit(EditOp.INSERT, "".join(bw[j1:j2])))
    return tuple(out)


def _para(pid: str, text: str, citations: tuple[str, ...] = ()) -> Paragraph:
    section = Section.PREAMBLE if pid.startswith("PP") else Section.OPERATIVE
    number = int(pid[2:]) if section is Section.OPERATIVE else None
    lead = " ".join(text.split()[:2]) if text.startswith(("Also", "Calls")) else text.split()[0]
    return Paragraph(pid, section, number, lead, text, citations=citations)


def _res(symbol: str, texts: dict[str, str], **meta: object) -> Resolution:
    cites = {"PP2": ("A/RES/70/291",)} if symbol.endswith("194") else {"PP1": ("A/RES/72/194",)}
    paras = tuple(_para(pid, t, cites.get(pid, ())) for pid, t in texts.items())
    meta = {"title": "", **dict.fromkeys(("session", "agenda_item", "adopted",
                                          "committee_report", "plenary_meeting")), **meta}
    return Resolution(symbol=symbol, paragraphs=paras, kind="resolution", **meta)  # type: ignore[arg-type]


def hand_built_comparison(old_texts: dict[str, str] = OLD_TEXT,
                          new_texts: dict[str, str] = NEW_TEXT) -> report.ComparisonLike:
    """Paragraphs of A/RES/72/194 → A/RES/74/175 with an alignment written by hand."""
    old = _res("A/RES/72/194", old_texts,
               title="72/194. Technical assistance for implementing the international "
               "conventions and protocols related to counter-terrorism",
               session=72, agenda_item="107", adopted="2017-12-19", committee_report="A/72/440",
               plenary_meeting=73)
    new = _res("A/RES/74/175", new_texts,
               title="74/175. Technical assistance provided by the United Nations Office on "
               "Drugs and Crime related to counter-terrorism",
               session=74, agenda_item="106", adopted="2019-12-18", committee_report="A/74/400",
               plenary_meeting=50)
    E, K = AlignmentEntry, AlignKind
    entries = (
        E(("PP1",), ("PP1",), K.MATCH, True, False, 0.95, "fuzzy"),
        E((), ("PP2",), K.ADDED, True, False, 0.0, "unmatched"),
        E(("PP2",), (), K.REMOVED, True, False, 0.0, "unmatched"),
        E(("PP3",), ("PP3",), K.MATCH, False, False, 1.0, "exact"),
        E(("OP3",), ("OP1",), K.MATCH, False, True, 1.0, "exact"),
        E(("OP1",), ("OP2",), K.MATCH, True, False, 0.9, "fuzzy"),
        E(("OP2",), ("OP3", "OP4"), K.SPLIT, True, False, 0.7, "split"),
        E((), ("OP5",), K.ADDED, True, False, 0.0, "unmatched"),
    )
    op2_head, _, op2_tail = old_texts["OP2"].partition(", and calls upon all States")
    op2_tail = "calls upon all States" + op2_tail
    ins = (Edit(EditOp.INSERT, new_texts["OP5"]),)
    clause_diffs = (
        ClauseDiff("PP1", "PP1", 0, 0, word_edits(old_texts["PP1"], new_texts["PP1"])),
        ClauseDiff(None, "PP2", None, 0, (Edit(EditOp.INSERT, new_texts["PP2"]),)),
        ClauseDiff("PP2", None, 0, None, (Edit(EditOp.DELETE, old_texts["PP2"]),)),
        ClauseDiff("OP1", "OP2", 0, 0, word_edits(old_texts["OP1"], new_texts["OP2"])),
        ClauseDiff("OP2", "OP3", 0, 0, word_edits(op2_head + ",", new_texts["OP3"])),
        ClauseDiff("OP2", "OP4", 1, 0, word_edits(op2_tail, new_texts["OP4"])),
        ClauseDiff(None, "OP5", None, 0, ins),
    )
    M = MandateChange
    mandates = (
        M("OP3", "OP1", 0, "UNODC", "requests", "requests", Change.UNCHANGED, ()),
        M("OP1", "OP2", 0, "Member States", "encourages", "encourages", Change.REWORDED,
          ("repetition marker 'Also' added; strength the same",)),
        M("OP1", "OP2", 1, "UNODC", "requests", "requests", Change.UNCHANGED, ()),
        M("OP2", "OP3", 0, "Member States", "urges", "calls upon", Change.WEAKENED,
          ("verb 'urges' → 'calls upon' (down the ladder)",)),
        M("OP2", "OP4", 0, "Member States", "calls upon", "encourages", Change.WEAKENED,
          ("verb 'calls upon' → 'encourages'", "hedge added: 'as appropriate'")),
        M("OP2", None, 1, "States", "calls upon", None, Change.REMOVED,
          ("the clause addressed to all States is gone",)),
        M(None, "OP5", 0, "Member States", None, "encourages", Change.ADDED, ("new clause",)),
        M(None, "OP5", 1, "Member States", None, "calls upon", Change.ADDED, ("new clause",)),
        M(None, "PP2", 0, None, None, "reaffirming", Change.ADDED, ("new preambular paragraph",),
          Section.PREAMBLE),
    )
    citations = CitationChanges(added=("A/RES/72/194",), removed=("A/RES/70/291",), kept=())
    return _HandBuilt(old, new, entries, clause_diffs, mandates, citations)


@dataclasses.dataclass(frozen=True)
class _HandBuilt:
    old: Resolution
    new: Resolution
    entries: tuple[AlignmentEntry, ...]
    clause_diffs: tuple[ClauseDiff, ...]
    mandate_changes: tuple[MandateChange, ...]
    citation_changes: CitationChanges


# --- reading the page back ----------------------------------------------------------------------


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str | None]]:
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [a for t, a in self.tags if (tag is None or t == tag)
                and all(k in a and (v == "" or a[k] == v) for k, v in want.items())]


@pytest.fixture(scope="module")
def comparison() -> report.ComparisonLike:
    return hand_built_comparison()


@pytest.fixture(scope="module")
def page(comparison: report.ComparisonLike) -> str:
    return report.render_report(comparison)


# --- tests --------------------------------------------------------------------------------------


def test_templates_autoescape() -> None:
    env = report._environment()
    assert callable(env.autoescape)
    for name in ("report.html.j2", "compact.html.j2", "_macros.html.j2"):
        assert env.autoescape(name) is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_document_text_is_escaped_not_markup() -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} "quoted" & co'
    texts = dict(NEW_TEXT, PP3=hostile)
    html = report.render_report(hand_built_comparison(new_texts=texts))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert html.count("<script") == 1  # the page's own script only
    assert "alert(1)" in "".join(Elements(html).text)


def test_every_paragraph_has_one_stable_anchor(comparison: report.ComparisonLike,
                                               page: str) -> None:
    ids = Counter(a["id"] for a in Elements(page).find(id=""))
    for side, res in (("old", comparison.old), ("new", comparison.new)):
        for p in res.paragraphs:
            assert ids[f"{side}-{p.pid}"] == 1, f"{side}-{p.pid}"
            assert f'href="#{side}-{p.pid}"' in page
    assert all(n == 1 for n in ids.values())


def test_rows_follow_the_alignment_with_kinds(comparison: report.ComparisonLike,
                                              page: str) -> None:
    rows = Elements(page).find("article")
    assert len(rows) == len(comparison.entries)
    assert [r["data-kinds"] for r in rows] == [
        "reworded", "added", "removed", "kept", "moved", "reworded", "split reworded", "added"]
    unchanged = [not (e.kind is AlignKind.MATCH and not e.changed and not e.moved)
                 for e in comparison.entries]
    assert [r["data-changed"] == "1" for r in rows] == unchanged
    assert "moved from OP3" in page and "split from OP2" in page
    assert [r["data-section"] for r in rows] == ["preamble"] * 4 + ["operative"] * 4


def test_words_are_marked_inside_the_clauses(page: str) -> None:
    assert "<del>especially </del><ins>particularly </ins>" in page
    assert "<ins>Also encourages </ins>" in page
    assert "<del>at the national level, </del>" in page
    # a paragraph that only moved is plain text on both sides, not deleted and inserted
    assert "<del>Requests the United Nations" not in page
    assert "<ins>Requests the United Nations" not in page
    # the deleted clause of the split paragraph is struck through on the old side
    assert "<del>calls upon all </del>States to <del>consider providing </del>" in page


def test_each_side_keeps_its_own_clause_order() -> None:
    # OP1 of A/RES/72/194 with its two clauses swapped in the new version: the clause pairs
    # come in the new order, the old side must still read as the old paragraph.
    old_text = OLD_TEXT["OP1"]
    first, _, second = old_text.partition(", and ")
    new_text = second[:1].upper() + second[1:-1] + ", and " + first[:1].lower() + first[1:] + ";"
    c = _HandBuilt(
        _res("A/RES/72/194", {"OP1": old_text}),
        _res("SYNTHETIC", {"OP1": new_text}, title="synthetic: clauses of OP1 swapped"),
        (AlignmentEntry(("OP1",), ("OP1",), AlignKind.MATCH, True, False, 0.9, "fuzzy"),),
        (ClauseDiff("OP1", "OP1", 1, 0, word_edits("and " + second, second[:1].upper()
                                                    + second[1:-1] + ", ")),
         ClauseDiff("OP1", "OP1", 0, 1, word_edits(first + ", ", "and " + first[:1].lower()
                                                   + first[1:] + ";"))),
        (), CitationChanges((), (), ()))
    row = report.build_rows(c)[0]
    old_side = "".join(e.text for e in row.old[0].edits)
    new_side = "".join(e.text for e in row.new[0].edits)
    assert " ".join(old_side.split()) == " ".join(old_text.split())
    assert " ".join(new_side.split()) == " ".join(new_text.split())


def test_badges_carry_reasons_in_title_and_text(page: str) -> None:
    doc = Elements(page)
    titles = [a["title"] for a in doc.find("span") if "badge" in (a.get("class") or "")]
    assert any(t and "▼ weakened: Member States (urges → calls upon)" in t and "down the ladder"
               in t for t in titles)
    text = "".join(doc.text)
    assert "verb 'urges' → 'calls upon' (down the ladder)" in text
    assert "hedge added: 'as appropriate'" in text


def test_chart_counts_equal_the_mandate_changes(comparison: report.ComparisonLike,
                                                page: str) -> None:
    cells = Elements(page).find("g", data_chart_cell="")
    shown = {(a["data-change"], a["data-actor"]): int(a["data-count"] or 0) for a in cells}
    expected = Counter((str(m.change), m.actor or report.NO_ACTOR)
                       for m in comparison.mandate_changes)
    assert {k: v for k, v in shown.items() if v} == dict(expected)
    totals = {a["data-change"]: int(a["data-count"] or 0)
              for a in Elements(page).find("g", data_chart_total="")}
    assert totals == {str(c): sum(n for (ch, _), n in expected.items() if ch == c)
                      for c in report.CHANGE_ORDER}


def test_chart_is_deterministic_and_orders_actors_by_changes() -> None:
    counts = {(Change.WEAKENED, "B"): 2, (Change.ADDED, "A"): 1, (Change.UNCHANGED, "C"): 9}
    svg = report.summary_chart(counts)
    assert svg == report.summary_chart(dict(reversed(list(counts.items()))))
    assert svg.index(">B<") < svg.index(">A<") < svg.index(">C<")
    assert report.summary_chart({}).startswith('<p class="empty-note">')


def test_masthead_links_to_the_official_pdfs(page: str) -> None:
    assert ('href="https://documents.un.org/api/symbol/access?s=A%2FRES%2F72%2F194&amp;l=en'
            '&amp;t=pdf"') in page
    assert "Adopted 18 December 2019 at the 50th plenary meeting" in page
    cites = Elements(page).find("li", data_citation="")
    assert [c["data-citation"] for c in cites] == ["A/RES/72/194", "A/RES/70/291"]


def test_page_is_self_contained(page: str) -> None:
    doc = Elements(page)
    assert not [a for a in doc.tags if a[0] in ("link", "iframe", "img", "object", "embed")]
    assert not doc.find(src="")  # nothing is loaded from anywhere
    hrefs = [a["href"] or "" for a in doc.find(href="")]
    assert all(h.startswith(("#", "https://documents.un.org/api/symbol/access?")) for h in hrefs)
    assert "@import" not in page and "url(" not in page


def test_content_security_policy_allows_only_the_page_script(page: str) -> None:
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page
    assert "default-src 'none'" in page
    js = script.group(1)
    assert "innerHTML" not in js and "eval(" not in js and "outerHTML" not in js


def test_compact_view_needs_no_script(comparison: report.ComparisonLike) -> None:
    html = report.render_report(comparison, compact=True)
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]+\son\w+=", html)  # no inline event handlers either
    assert html.lstrip().startswith('<div class="resdiff compact view-redline">')
    rows = Elements(html).find("article")
    assert len(rows) == sum(1 for e in comparison.entries
                            if not (e.kind is AlignKind.MATCH and not e.changed and not e.moved))
    assert "1 unchanged paragraph is not shown" in html
    assert not Elements(html).find(id="")  # several reports in one notebook: no clashing ids
    assert "<del>especially </del><ins>particularly </ins>" in html


def test_same_comparison_same_bytes(comparison: report.ComparisonLike) -> None:
    first = report.render_report(comparison)
    assert report.render_report(hand_built_comparison()) == first
    assert report.render_report(comparison, compact=True) == report.render_report(
        hand_built_comparison(), compact=True)
    today = datetime.date.today()
    assert today.isoformat() not in first and str(today.year) not in first  # no clock in it


def test_generated_at_is_shown_only_when_given(comparison: report.ComparisonLike) -> None:
    html = report.render_report(comparison, generated_at="2025-01-31 12:00 UTC")
    assert " on 2025-01-31 12:00 UTC." in html


def test_write_report_is_atomic(comparison: report.ComparisonLike, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out" / "report.html"
    assert report.write_report(comparison, path) == path
    assert path.read_bytes() == report.render_report(comparison).encode("utf-8")
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]
    assert path.stat().st_mode & 0o777 == report.REPORT_MODE

    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    path.write_text("previous report", encoding="utf-8")
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        report.write_report(comparison, path)
    assert path.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]


def test_official_pdf_url_encodes_the_symbol() -> None:
    assert report.official_pdf_url("A/C.6/80/L.22") == (
        "https://documents.un.org/api/symbol/access?s=A%2FC.6%2F80%2FL.22&l=en&t=pdf")
    assert report.official_pdf_url("S/RES/2462 (2019)").endswith("s=S%2FRES%2F2462+%282019%29"
                                                                 "&l=en&t=pdf")


# --- the real pipeline on the corpus ------------------------------------------------------------

PAIR = ("A_RES_72_194.txt", "A_RES_74_175.txt")


@pytest.fixture(scope="module")
def real(corpus: Path) -> report.ComparisonLike:
    import pipeline

    return pipeline.compare(corpus / PAIR[0], corpus / PAIR[1])


def test_real_chart_counts_equal_the_summary(real: report.ComparisonLike) -> None:
    import pandas as pd

    summary = real.summary()  # type: ignore[attr-defined]
    expected: Counter[tuple[str, str]] = Counter()
    for row in summary.itertuples(index=False):
        actor = report.NO_ACTOR if pd.isna(row.actor) else str(row.actor)
        expected[(str(row.change), actor)] += int(row.count)
    cells = Elements(report.render_report(real)).find("g", data_chart_cell="")
    shown = {(a["data-change"], a["data-actor"]): int(a["data-count"] or 0) for a in cells}
    assert {k: v for k, v in shown.items() if v} == dict(expected)
    assert sum(expected.values()) == len(real.mandate_changes) > 0


def test_real_sides_rebuild_every_paragraph(real: report.ComparisonLike) -> None:
    """What a side shows (kept words plus its own marks) is the paragraph as printed."""
    def words(text: str) -> list[str]:
        return text.split()

    shown = 0
    for row in report.build_rows(real):
        for sides, res in ((row.old, real.old), (row.new, real.new)):
            for side in sides:
                text = "".join(e.text for e in side.edits)
                assert words(text) == words(res.paragraph(side.pid).text), side.pid
                shown += 1
    assert shown == len(real.old.paragraphs) + len(real.new.paragraphs)


def test_real_report_anchors_every_paragraph(real: report.ComparisonLike) -> None:
    ids = Counter(a["id"] for a in Elements(report.render_report(real)).find(id=""))
    wanted = [f"old-{p.pid}" for p in real.old.paragraphs] + [
        f"new-{p.pid}" for p in real.new.paragraphs]
    assert all(ids[w] == 1 for w in wanted)
    assert "new-OP12" in ids


def test_real_report_is_the_same_bytes_from_a_fresh_comparison(
        real: report.ComparisonLike, corpus: Path) -> None:
    import pipeline

    again = pipeline.compare(corpus / PAIR[0], corpus / PAIR[1])
    assert again is not real
    assert report.render_report(again) == report.render_report(real)
    assert report.render_report(again, compact=True) == report.render_report(real, compact=True)


def test_notebook_view_is_the_compact_report(real: report.ComparisonLike) -> None:
    html = real._repr_html_()  # type: ignore[attr-defined]
    assert html == report.render_report(real, compact=True)
    assert "<script" not in html and 'class="resdiff compact' in html


def test_cli_writes_the_report(tmp_path: Path, corpus: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    old, new = (str(corpus / name) for name in PAIR)
    html, out = tmp_path / "r" / "report.html", tmp_path / "tables"
    result = CliRunner().invoke(main, ["compare", old, new, "--html", str(html),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert html.read_bytes() == (out / "report.html").read_bytes()
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    help_text = CliRunner().invoke(main, ["compare", "--help"]).output
    assert "--html" in help_text
