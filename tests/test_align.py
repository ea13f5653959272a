"""Paragraph alignment: hand-built documents from real text, real pairs, properties."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.align import align, backbone, comparable
from pipeline.config import AlignSettings
from pipeline.models import AlignKind, AlignmentEntry, Paragraph, Resolution, Section

# Real paragraphs of A/RES/72/194 (PP and OP text as printed, footnote markers dropped).
PP = [
    "Recalling all relevant United Nations resolutions on technical and legislative assistance "
    "in countering terrorism, especially the most recent ones,",
    "Reaffirming that terrorism in all its forms and manifestations cannot and should not be "
    "associated with any religion, nationality, civilization or ethnic group,",
    "Stressing again the need to strengthen international, regional and subregional cooperation "
    "to effectively prevent and combat terrorism, in particular by enhancing the national "
    "capacity of States through the provision of technical assistance, based on the needs and "
    "priorities identified by requesting States,",
    "Recalling the Declaration and Programme of Action on a Culture of Peace and the Global "
    "Agenda for Dialogue among Civilizations,",
]
OP = [
    "Urges Member States that have not yet done so to consider becoming parties to the existing "
    "international conventions and protocols related to counter-terrorism, and requests the "
    "United Nations Office on Drugs and Crime, within its mandate, in close coordination with "
    "the relevant entities of the Counter-Terrorism Implementation Task Force, to continue to "
    "provide technical assistance to Member States for the ratification and legislative "
    "incorporation of those international legal instruments;",
    "Calls upon Member States to strengthen border management to effectively prevent the "
    "movements of foreign terrorist fighters and terrorist groups, and requests the United "
    "Nations Office on Drugs and Crime to continue to provide technical assistance to that end "
    "to requesting States;",
    "Requests the United Nations Office on Drugs and Crime, within its mandate, to continue to "
    "support requesting Member States in the implementation of capacity-building programmes to "
    "strengthen crime prevention and criminal justice responses to the destruction of and "
    "trafficking in cultural heritage by terrorists;",
    "Further requests the United Nations Office on Drugs and Crime to provide, upon request, "
    "technical assistance for building the capacity of Member States in the development and "
    "implementation of programmes of assistance and support for victims of terrorism in "
    "accordance with relevant national legislation, with emphasis on the special needs of women "
    "and children;",
    "Requests the Secretary-General to continue to provide the United Nations Office on Drugs "
    "and Crime with sufficient resources to carry out activities, within its mandate, to assist "
    "Member States, upon request, in the implementation of the relevant elements of the United "
    "Nations Global Counter-Terrorism Strategy;",
    "Also requests the Secretary-General to submit to the General Assembly at its seventy-third "
    "session a report on the implementation of the present resolution.",
]
# A real paragraph of another chain (A/RES/78/6, the ICC report).
ICC = ("Welcomes the report of the International Criminal Court for 2022/23, and calls upon all "
       "States Parties to the Rome Statute to cooperate fully with the Court;")

LEADS = ("Also requests", "Further requests", "Calls upon", "Taking note", "Stressing again")


def lead(text: str) -> str:
    for lead in LEADS:
        if text.startswith(lead):
            return lead
    return text.split()[0]


def res(pps: list[str], ops: list[str]) -> Resolution:
    paras = [Paragraph(f"PP{k}", Section.PREAMBLE, None, lead(t), t)
             for k, t in enumerate(pps, 1)]
    paras += [Paragraph(f"OP{k}", Section.OPERATIVE, k, lead(t), t)
              for k, t in enumerate(ops, 1)]
    return Resolution("A/RES/0/0", "test", None, None, None, None, None, "resolution",
                      tuple(paras))


def links(entries: tuple[AlignmentEntry, ...]) -> set[tuple[str, str]]:
    return {(o, n) for e in entries for o in e.old for n in e.new}


def kinds(entries: tuple[AlignmentEntry, ...]) -> Counter[str]:
    return Counter(e.kind.value for e in entries)


def assert_partition(old: Resolution, new: Resolution, entries: tuple[AlignmentEntry, ...]):
    assert sorted(pid for e in entries for pid in e.old) == sorted(p.pid for p in old.paragraphs)
    assert sorted(pid for e in entries for pid in e.new) == sorted(p.pid for p in new.paragraphs)
    for e in entries:
        assert e.old or e.new
        assert 0.0 <= e.similarity <= 1.0
        n = (len(e.old), len(e.new))
        expected = {AlignKind.MATCH: n == (1, 1), AlignKind.SPLIT: n[0] == 1 and n[1] > 1,
                    AlignKind.MERGE: n[0] > 1 and n[1] == 1, AlignKind.ADDED: n == (0, 1),
                    AlignKind.REMOVED: n == (1, 0)}
        assert expected[e.kind], e


# --- hand-built -----------------------------------------------------------------------------


def test_identical_documents_match_one_to_one_unchanged() -> None:
    doc = res(PP, OP)
    entries = align(doc, doc)
    assert [(e.old, e.new) for e in entries] == [((p.pid,), (p.pid,)) for p in doc.paragraphs]
    assert all(e.kind is AlignKind.MATCH and not e.changed and not e.moved for e in entries)
    assert {e.method for e in entries} == {"exact"}
    assert {e.similarity for e in entries} == {1.0}


def test_repetition_marker_whitespace_and_quotes_are_not_changes() -> None:
    old = res([], [OP[3], OP[5]])
    new_ops = ["Requests" + OP[3][len("Further requests"):],
               OP[5].replace("  ", " ").replace("report", " report")]
    new = res([], new_ops)
    entries = align(old, new)
    assert [e.changed for e in entries] == [False, False]
    p = Paragraph("PP1", Section.PREAMBLE, None, "Recalling also", "Recalling also “its” text,")
    q = Paragraph("PP1", Section.PREAMBLE, None, "Recalling", 'Recalling "its"  text,')
    assert comparable(p) == comparable(q)


def test_reworded_paragraph_is_a_changed_fuzzy_match() -> None:
    old = res(PP, OP)
    ops = list(OP)
    ops[1] = ops[1].replace("Calls upon Member States to strengthen border management",
                            "Also calls upon Member States to strengthen their border management")
    entries = align(old, res(PP, ops))
    e = next(e for e in entries if e.old == ("OP2",))
    assert (e.new, e.kind, e.changed, e.moved, e.method) == (("OP2",), AlignKind.MATCH, True,
                                                             False, "fuzzy")
    assert 0.5 < e.similarity < 1.0


def test_insert_and_delete() -> None:
    old = res(PP, OP)
    new = res(PP[:1] + PP[2:], OP[:2] + [ICC] + OP[2:])
    entries = align(old, new)
    assert_partition(old, new, entries)
    assert kinds(entries) == Counter(match=9, added=1, removed=1)
    assert next(e for e in entries if e.kind is AlignKind.ADDED).new == ("OP3",)
    assert next(e for e in entries if e.kind is AlignKind.REMOVED).old == ("PP2",)
    assert not any(e.moved for e in entries)  # renumbering alone is not a move
    # entries follow the new version; a removed paragraph comes after its old predecessor
    assert [e.new or e.old for e in entries][:3] == [("PP1",), ("PP2",), ("PP2",)]


def test_a_paragraph_moved_far_is_the_only_move() -> None:
    old = res(PP, OP)
    new = res(PP, [OP[4], *OP[:4], OP[5]])
    entries = align(old, new)
    moved = [e for e in entries if e.moved]
    assert [(e.old, e.new) for e in moved] == [(("OP5",), ("OP1",))]
    assert not moved[0].changed


def test_split_at_and_requests() -> None:
    head, tail = OP[1].split(", and requests ")
    new = res(PP, [OP[0], head + ";", "Requests " + tail, *OP[2:]])
    entries = align(res(PP, OP), new)
    split = [e for e in entries if e.kind is AlignKind.SPLIT]
    assert [(e.old, e.new, e.method) for e in split] == [(("OP2",), ("OP2", "OP3"), "split")]
    assert kinds(entries) == Counter(match=9, split=1)


def test_merge_of_two_adjacent_paragraphs() -> None:
    merged = OP[2].rstrip(";") + ", and requests" + OP[3][len("Further requests"):]
    new = res(PP, [*OP[:2], merged, *OP[4:]])
    entries = align(res(PP, OP), new)
    merge = [e for e in entries if e.kind is AlignKind.MERGE]
    assert [(e.old, e.new, e.method) for e in merge] == [(("OP3", "OP4"), ("OP3",), "merge")]


def test_paragraph_that_crossed_sections_is_found() -> None:
    old = res(PP, OP)
    moved = PP[2].replace("Stressing again", "Stresses again").rstrip(",") + ";"
    new = res(PP[:2] + PP[3:], [*OP[:5], moved, OP[5]])
    entries = align(old, new)
    e = next(e for e in entries if e.old == ("PP3",))
    assert (e.new, e.kind, e.method) == (("OP6",), AlignKind.MATCH, "cross-section")


def test_unrelated_paragraphs_are_not_linked() -> None:
    entries = align(res([], OP[:1]), res([], [ICC]))
    assert kinds(entries) == Counter(added=1, removed=1)


def test_thresholds_come_from_settings() -> None:
    strict = AlignSettings(match_threshold=0.99, gap_threshold=0.99, cross_section_threshold=0.99)
    ops = [o.replace("Member States", "States Members") for o in OP]
    entries = align(res([], OP), res([], ops), settings=strict)
    assert kinds(entries)["match"] == 1  # only the one paragraph without "Member States"


def test_backbone_is_the_heaviest_increasing_chain() -> None:
    assert backbone([]) == set()
    assert backbone([(0, 0, 1), (1, 1, 1), (2, 2, 1)]) == {0, 1, 2}
    # (2, 0) jumped from the end to the front: keeping the other two is heavier
    assert backbone([(0, 1, 1.5), (1, 2, 1.5), (2, 0, 2.0)]) == {0, 1}
    # a lone heavy link loses against two light ones in order
    assert backbone([(0, 2, 1.9), (1, 0, 1.1), (2, 1, 1.1)]) == {1, 2}


# --- real documents -------------------------------------------------------------------------

REAL_PAIRS = [
    ("A_RES_72_194", "A_RES_74_175"),
    ("A_RES_74_175", "A_RES_78_226"),
    ("A_C.6_80_L.22", "A_RES_80_171"),
    ("A_RES_79_7", "A_RES_80_4"),
    ("A_RES_79_6", "A_80_L.9"),
]


@pytest.fixture(scope="module")
def loaded(corpus: Path) -> dict[str, Resolution]:
    import pipeline

    names = {n for pair in REAL_PAIRS for n in pair} | {"A_RES_80_6"}
    return {n: pipeline.load(corpus / f"{n}.txt") for n in sorted(names)}


@pytest.mark.parametrize("name", ["A_RES_72_194", "A_RES_78_226", "A_C.6_80_L.22", "A_RES_80_4"])
def test_a_real_document_against_itself(loaded: dict[str, Resolution], name: str) -> None:
    doc = loaded[name]
    entries = align(doc, doc)
    assert len(entries) == len(doc.paragraphs)
    assert all(e.kind is AlignKind.MATCH and not e.changed and not e.moved for e in entries)


@pytest.mark.parametrize(("a", "b"), REAL_PAIRS)
def test_swapping_old_and_new_mirrors_the_alignment(loaded: dict[str, Resolution], a: str,
                                                    b: str) -> None:
    forward = align(loaded[a], loaded[b])
    backward = align(loaded[b], loaded[a])
    assert_partition(loaded[a], loaded[b], forward)
    assert links(backward) == {(n, o) for o, n in links(forward)}
    mirror = {"added": "removed", "removed": "added", "split": "merge", "merge": "split",
              "match": "match"}
    assert kinds(backward) == Counter({mirror[k]: v for k, v in kinds(forward).items()})
    moved = {(e.old, e.new) for e in forward if e.moved}
    assert moved == {(e.new, e.old) for e in backward if e.moved}


def test_heavy_rewrite_keeps_most_counterparts(loaded: dict[str, Resolution]) -> None:
    """Only a third of the words of 72/194 survive into 74/175; most paragraphs still do."""
    old = loaded["A_RES_72_194"]
    entries = align(old, loaded["A_RES_74_175"])
    linked = {pid for e in entries if e.new for pid in e.old}
    assert len(linked) >= 0.8 * len(old.paragraphs)


def test_unrelated_resolutions_are_mostly_added_and_removed(loaded: dict[str, Resolution]) -> None:
    cuba, icc = loaded["A_RES_80_4"], loaded["A_RES_80_6"]
    entries = align(cuba, icc)
    assert_partition(cuba, icc, entries)
    linked = sum(1 for e in entries if e.old and e.new)
    assert linked <= 2


def test_empty_operative_part(loaded: dict[str, Resolution]) -> None:
    doc = loaded["A_RES_74_175"]
    preamble_only = dataclasses.replace(doc, paragraphs=doc.preamble)
    entries = align(doc, preamble_only)
    assert_partition(doc, preamble_only, entries)
    assert kinds(entries) == Counter(match=len(doc.preamble), removed=len(doc.operative))
    assert not any(e.changed for e in entries if e.kind is AlignKind.MATCH)
    assert kinds(align(preamble_only, doc)) == Counter(match=len(doc.preamble),
                                                       added=len(doc.operative))


# --- properties -----------------------------------------------------------------------------

POOL = PP + OP + [ICC]
WORDS = st.sampled_from(("States", "terrorism", "requests", "the", "Office", "assistance",
                         "report", "session", "Court", "embargo", ",", "and"))
TEXTS = st.one_of(st.sampled_from(POOL),
                  st.lists(WORDS, min_size=0, max_size=12).map(" ".join))


@st.composite
def documents(draw: st.DrawFn) -> Resolution:
    pps = draw(st.lists(TEXTS, max_size=5))
    ops = draw(st.lists(TEXTS, max_size=7))
    return res([t or "Noting" for t in pps], [t or "Decides" for t in ops])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), documents())
def test_every_paragraph_is_in_exactly_one_entry(old: Resolution, new: Resolution) -> None:
    assert_partition(old, new, align(old, new))


@settings(max_examples=40, deadline=None)
@given(documents())
def test_a_document_against_itself_finds_no_change(doc: Resolution) -> None:
    entries = align(doc, doc)
    assert all(e.kind is AlignKind.MATCH and not e.changed and not e.moved for e in entries)
    assert [e.old for e in entries] == [e.new for e in entries]
