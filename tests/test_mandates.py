"""Mandate classification, clause alignment and the lexicon (pipeline.mandates).

Texts marked "synthetic" are real operative paragraphs with a known edit applied by the test;
they are not UN text. Unmarked texts are copied from the corpus.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from real_paragraphs import A_RES_72_194_OP1 as OP1_72  # tests/real_paragraphs.py
from real_paragraphs import A_RES_74_175_OP1 as OP1_74
from real_paragraphs import A_RES_74_175_OP30 as OP30_74
from real_paragraphs import A_RES_78_226_OP36 as OP36_78

from pipeline.clauses import split_clauses
from pipeline.errors import InputError
from pipeline.mandates import (
    LexiconError,
    align_clauses,
    canonical_verb,
    classify,
    load_lexicon,
    read_verb,
)
from pipeline.models import Change, Clause, MandateChange, Paragraph, Resolution, Section

# Real: A/RES/74/175 OP2, OP15, OP30 and A/RES/78/226 OP36.
OP2_74 = (
    "Encourages Member States to consider ratifying or acceding to other relevant conventions to "
    "support international cooperation in criminal matters, such as the United Nations "
    "Convention against Transnational Organized Crime and the Protocols thereto, and calls upon "
    "Member States to implement effectively the instruments to which they are party;"
)
OP15_74 = (
    "Requests the United Nations Office on Drugs and Crime to continue providing technical "
    "assistance to Member States, upon request and as appropriate, to assess their terrorist "
    "financing risks and to identify the financial activities, financial services and economic "
    "sectors most vulnerable to terrorist financing risks, in line with relevant international "
    "standards on countering money-laundering and the financing of terrorism, and welcomes the "
    "guidance issued by the United Nations, including the Guidance Manual for Member States on "
    "Terrorist Financing Risk Assessments published by the United Nations Office on Drugs and "
    "Crime;"
)
# Real: A/RES/72/194 OP1 → A/RES/74/175 OP1 (a hedge "upon request" was added).
# Real: A/RES/74/175 OP10 → A/RES/78/226 OP11 ("whenever appropriate" dropped).
OP10_74 = (
    "Stresses the importance of the development and maintenance of effective, fair, humane, "
    "transparent and accountable criminal justice systems by Member States, in accordance with "
    "applicable international law, as a fundamental basis of any strategy to counter terrorism, "
    "and requests the United Nations Office on Drugs and Crime, whenever appropriate, to take "
    "into account in its technical assistance to counter terrorism the elements necessary for "
    "building national capacity in order to strengthen criminal justice systems and the rule of "
    "law;"
)
OP11_78 = (
    "Stresses the importance of the development and maintenance of effective, fair, humane, "
    "transparent and accountable criminal justice systems by Member States, in accordance with "
    "domestic law and applicable international law, as a basis for any strategy to counter "
    "terrorism, bearing in mind, as appropriate, the relevant and applicable provisions of the "
    "United Nations standards and norms on crime prevention and criminal justice, and requests "
    "the United Nations Office on Drugs and Crime to take into account in its technical "
    "assistance to counter terrorism the elements necessary for building national capacity in "
    "order to strengthen criminal justice systems and the rule of law;"
)
# Real: A/RES/74/175 OP18 (two mandates).
OP18_74 = (
    "Also calls upon Member States to strengthen their border management so as to effectively "
    "prevent the movement of foreign terrorist fighters and terrorist groups, and requests the "
    "United Nations Office on Drugs and Crime to continue to provide technical assistance to "
    "that end to requesting States;"
)


def op(text: str, pid: str = "OP1") -> Paragraph:
    return Paragraph(pid, Section.OPERATIVE, int(pid[2:]), "", text)


def clauses(text: str, pid: str = "OP1") -> tuple[Clause, ...]:
    return split_clauses(op(text, pid))


def first(text: str, pid: str = "OP1") -> Clause:
    return clauses(text, pid)[0]


def change_of(old: str, new: str, index: int = 0) -> MandateChange:
    return classify(clauses(old)[index], clauses(new)[index])


# --- the lexicon -----------------------------------------------------------------------------


def test_default_lexicon_is_cached_and_frozen() -> None:
    lex = load_lexicon()
    assert load_lexicon() is lex
    with pytest.raises(dataclasses.FrozenInstanceError):
        lex.verb_weight = 9  # type: ignore[misc]
    with pytest.raises(TypeError):
        lex.operative["requests"] = 1  # type: ignore[index]


def test_operative_ladder_has_the_required_order() -> None:
    s = load_lexicon().strength
    assert s("takes note of") < s("welcomes") == s("invites") < s("encourages")
    assert s("encourages") < s("calls upon") == s("urges") < s("strongly urges")
    assert s("strongly urges") == s("requests") < s("decides")
    assert s("condemns") < s("strongly condemns")
    assert s("expresses concern") < s("expresses deep concern") < s("expresses grave concern")


def test_preambular_ladder_has_the_required_order() -> None:
    s = load_lexicon().strength
    assert s("concerned") < s("deeply concerned") < s("gravely concerned")
    assert s("noting") < s("noting with appreciation")
    assert s("recognizing") < s("reaffirming")
    assert s("taking note of") == s("takes note of") and s("welcoming") == s("welcomes")


def test_verbs_seen_in_ga_resolutions_are_on_the_ladder() -> None:
    lex = load_lexicon()
    for verb in ("reaffirms", "stresses", "emphasizes", "underlines", "notes with appreciation",
                 "expresses its appreciation", "recognizes", "acknowledges", "recommends",
                 "authorizes", "demands", "condemns", "strongly condemns", "deplores",
                 "supports", "appeals to", "invites"):  # fmt: skip
        assert lex.strength(verb) is not None, verb
    assert canonical_verb("Reiterates its call upon") == "calls upon"
    assert canonical_verb("Once again urges") == "urges"
    assert canonical_verb("Calls on") == "calls upon"


def test_read_verb_keeps_markers_apart() -> None:
    verb = read_verb("Also reiterates its call upon all States to refrain")
    assert verb is not None
    assert (verb.verb, verb.verb_text) == ("calls upon", "Also reiterates its call upon")
    assert verb.markers == ("also", "reiterates its call upon")
    assert read_verb("Ponders the report") is None


def test_a_broken_lexicon_file_is_reported_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text("[operative.verbs\n", "utf-8")
    with pytest.raises(LexiconError, match="lexicon.toml is not valid TOML"):
        load_lexicon(bad)
    assert issubclass(LexiconError, InputError)


def test_a_lexicon_alias_to_a_missing_verb_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text(
        '[operative.verbs]\n"requests" = 5\n[operative.aliases]\n"asks" = "begs"\n'
        '[preamble.verbs]\n"noting" = 1\n',
        "utf-8",
    )
    with pytest.raises(LexiconError, match="'asks' points to 'begs'"):
        load_lexicon(bad)


def test_a_minimal_lexicon_is_enough(tmp_path: Path) -> None:
    small = tmp_path / "lexicon.toml"
    small.write_text(
        '[operative.verbs]\n"requests" = 5\n"welcomes" = 2\n[preamble.verbs]\n"noting" = 1\n',
        "utf-8",
    )
    lex = load_lexicon(small)
    parts = split_clauses(op(OP15_74), lexicon=lex)
    assert [(c.verb, c.actor, c.qualifiers) for c in parts] == [
        ("requests", None, ()),
        ("welcomes", None, ()),
    ]
    assert classify(parts[0], parts[0], lexicon=lex).change is Change.UNCHANGED


def test_a_missing_lexicon_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="could not be read.*bundled lexicon"):
        load_lexicon(tmp_path / "nope.toml")


def test_an_edited_lexicon_changes_the_classification(tmp_path: Path) -> None:
    # Put "encourages" above "urges": the synthetic swap now weakens.
    src = resources.files("pipeline").joinpath("data/lexicon.toml").read_text("utf-8")
    edited = tmp_path / "lexicon.toml"
    edited.write_text(src.replace('"encourages" = 3', '"encourages" = 9', 1), "utf-8")
    lex = load_lexicon(edited)
    old = split_clauses(op(OP2_74), lexicon=lex)[0]
    new = split_clauses(op(OP2_74.replace("Encourages", "Urges", 1)), lexicon=lex)[0]
    assert classify(old, new, lexicon=lex).change is Change.WEAKENED
    assert classify(old, new).change is Change.STRENGTHENED


# --- classify: synthetic edits of real paragraphs with a known answer ------------------------


def test_synthetic_verb_swap_encourages_to_urges_strengthens() -> None:
    change = change_of(OP2_74, OP2_74.replace("Encourages", "Urges", 1))
    assert change.change is Change.STRENGTHENED
    assert change.reasons == ("verb Encourages → Urges",)
    assert (change.verb_old, change.verb_new, change.actor) == (
        "encourages",
        "urges",
        "Member States",
    )


def test_synthetic_hedge_inserted_weakens() -> None:
    new = OP18_74.replace(
        "to continue to provide technical assistance to that end to requesting",
        "to continue to provide technical assistance, upon request, to that end to",
    )
    change = change_of(OP18_74, new, index=1)
    # "to requesting States" already meant "upon request": nothing changes in strength.
    assert change.change is Change.REWORDED, change.reasons

    new = OP30_74.replace("to submit", "to submit, within existing resources,")
    change = change_of(OP30_74, new)
    assert change.change is Change.WEAKENED
    assert change.reasons == ("hedge added: within existing resources",)


def test_synthetic_upon_request_inserted_into_a_clause_without_it_weakens() -> None:
    old = OP2_74
    new = OP2_74.replace("Member States to implement", "Member States, upon request, to implement")
    change = change_of(old, new, index=1)
    assert change.change is Change.WEAKENED
    assert change.reasons == ("hedge added: upon request",)


def test_synthetic_intensifier_added_and_removed() -> None:
    old = "Reaffirms its respect for the sovereignty of all States;"  # synthetic
    new = "Strongly reaffirms its respect for the sovereignty of all States;"
    assert change_of(old, new).reasons == ("intensifier added: strongly",)
    assert change_of(new, old).change is Change.WEAKENED
    assert change_of(new, old).reasons == ("intensifier removed: strongly",)


def test_synthetic_continue_to_provide_versus_consider_providing() -> None:
    # "continue to" is continuity, not strength; "to consider" is a hedge.
    base = "Requests the Secretary-General to continue to provide the Office with sufficient resources;"
    plain = base.replace("continue to provide", "provide")
    consider = base.replace("continue to provide", "consider providing")
    dropped = change_of(base, plain)
    assert dropped.change is Change.REWORDED
    assert dropped.reasons == ("continuity removed: continue to",)
    hedged = change_of(base, consider)
    assert hedged.change is Change.WEAKENED
    assert hedged.reasons == (
        "hedge added: to consider",
        "continuity removed: continue to",
        "wording: 1 word added, 1 word removed",
    )


def test_synthetic_opposite_changes_offset() -> None:
    base = OP30_74.replace("Also requests", "Encourages")
    new = base.replace("Encourages", "Urges").replace("to submit", "to submit, where possible,")
    change = change_of(base, new)
    # +1 rung × verb_weight 2, -1 hedge: the verb wins.
    assert change.change is Change.STRENGTHENED
    new2 = base.replace("to submit", "to submit, where possible, as a matter of priority,")
    change2 = change_of(base, new2)
    assert change2.change is Change.REWORDED
    assert change2.reasons[-1] == "strength: the changes offset each other"


def test_real_session_number_change_is_editorial() -> None:
    change = change_of(OP30_74, OP36_78)
    assert change.change is Change.REWORDED
    assert change.reasons == (
        "editorial: numbers, dates or symbols (seventy-fifth → seventy-eighth)",
    )


def test_real_hedge_added_between_versions_weakens() -> None:
    change = change_of(OP1_72, OP1_74, index=1)
    assert change.change is Change.WEAKENED
    assert change.reasons[0] == "hedge added: upon request"
    assert change.actor == "UNODC" and change.clause == 1


def test_real_hedge_dropped_between_versions_strengthens() -> None:
    change = change_of(OP10_74, OP11_78, index=1)
    assert change.change is Change.STRENGTHENED
    assert change.reasons == ("hedge removed: whenever appropriate",)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (OP30_74, OP30_74.replace("Also requests", "Requests"), 'editorial: "Also" removed'),
        (OP30_74, OP30_74.replace("Also requests", "Further requests"), 'editorial: "Further" added'),
        (OP2_74, OP2_74.replace("Encourages Member States", "Encourages States"),
         "editorial: Member States ↔ States"),
        (OP30_74, OP30_74.replace("the present resolution", "resolution 72/194"),
         "wording: 2 words added, 3 words removed"),
        (OP30_74.replace("present resolution", "resolution 72/194"),
         OP30_74.replace("present resolution", "resolution 74/175"),
         "editorial: numbers, dates or symbols (72/194 → 74/175)"),
        (OP30_74, OP30_74.replace(" a report", ", a report"), "editorial: punctuation"),
        ("Reiterates its call upon all States to refrain from promulgating such laws;",
         "Calls upon all States to refrain from promulgating such laws;",
         'editorial: verb "Reiterates its call upon" → "Calls upon" (repetition only)'),
        ("Calls upon all States to refrain from promulgating such laws;",
         "Urges all States to refrain from promulgating such laws;",
         "verb Calls upon → Urges (same rung)"),
    ],
)  # fmt: skip
def test_synthetic_editorial_changes_are_reworded_never_stronger_or_weaker(
    old: str, new: str, reason: str
) -> None:
    change = change_of(old, new)
    assert change.change is Change.REWORDED
    assert reason in change.reasons


def test_same_text_apart_from_leading_and_or_final_separator_is_unchanged() -> None:
    a = first("Requests the Secretary-General to submit a report;")
    b = Clause("OP7", 1, "and requests the Secretary-General to submit a report.", a.verb,
               "requests", a.actor, a.qualifiers)  # fmt: skip
    change = classify(a, b)
    assert change.change is Change.UNCHANGED and change.reasons == ()
    assert change.clause == 1 and (change.old, change.new) == ("OP1", "OP7")


def test_added_and_removed_clauses() -> None:
    second = clauses(OP18_74, "OP18")[1]
    added = classify(None, second)
    removed = classify(second, None)
    assert (added.change, removed.change) == (Change.ADDED, Change.REMOVED)
    assert added.reasons == ("clause added: Requests (UNODC)",)
    assert removed.reasons == ("clause removed: Requests (UNODC)",)
    assert (added.old, added.new, added.clause) == (None, "OP18", 1)
    assert (removed.old, removed.new, removed.clause) == ("OP18", None, 1)
    with pytest.raises(ValueError):
        classify(None, None)


def test_preambular_clauses_use_the_preambular_ladder() -> None:
    # Synthetic pair of preambular paragraphs.
    old = split_clauses(Paragraph("PP4", Section.PREAMBLE, None, "Concerned",
                                  "Concerned about the continued attacks,"))[0]  # fmt: skip
    new = split_clauses(Paragraph("PP4", Section.PREAMBLE, None, "Gravely concerned",
                                  "Gravely concerned about the continued attacks,"))[0]  # fmt: skip
    change = classify(old, new)
    assert change.change is Change.STRENGTHENED
    assert change.section is Section.PREAMBLE
    assert change.reasons == ("verb Concerned → Gravely concerned",)


# --- properties ------------------------------------------------------------------------------

REAL = (OP2_74, OP15_74, OP30_74, OP1_74, OP10_74, OP18_74)

# Synthetic edits: (what to replace, by what); each applies where its text occurs.
EDITS = (
    ("Encourages", "Urges"), ("Encourages", "Invites"), ("Requests", "Decides to request"),
    ("Requests", "Invites"), ("Also requests", "Requests"), ("calls upon", "strongly urges"),
    ("to continue providing", "to consider providing"), ("to continue to provide", "to provide"),
    ("Member States", "States"), ("upon request and as appropriate", "as a matter of priority"),
    (", upon request,", ","), ("technical assistance", "technical assistance, where possible,"),
    ("seventy-fifth", "seventy-eighth"), ("to implement effectively", "to fully implement"),
    ("whenever appropriate", "urgently"), ("within its mandate", "within existing resources"),
)  # fmt: skip

MIRROR = {
    Change.ADDED: Change.REMOVED, Change.REMOVED: Change.ADDED,
    Change.STRENGTHENED: Change.WEAKENED, Change.WEAKENED: Change.STRENGTHENED,
    Change.REWORDED: Change.REWORDED, Change.UNCHANGED: Change.UNCHANGED,
}  # fmt: skip


@st.composite
def edited_pair(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(st.sampled_from(REAL))
    edits = draw(st.lists(st.sampled_from(EDITS), max_size=4))
    new = text
    for a, b in edits:
        new = new.replace(a, b, 1)
    return text, new


@settings(max_examples=200, deadline=None)
@given(edited_pair(), st.booleans())
def test_swapping_old_and_new_mirrors_the_change(pair: tuple[str, str], flip: bool) -> None:
    old_text, new_text = pair if not flip else pair[::-1]
    old, new = clauses(old_text), clauses(new_text)
    for i, j in align_clauses(old, new):
        a = None if i is None else old[i]
        b = None if j is None else new[j]
        forward, backward = classify(a, b), classify(b, a)
        assert backward.change is MIRROR[forward.change], (forward.reasons, backward.reasons)
        assert classify(a, b) == forward  # deterministic


@given(st.sampled_from(REAL))
def test_a_clause_compared_with_itself_is_unchanged(text: str) -> None:
    for c in clauses(text):
        assert classify(c, c).change is Change.UNCHANGED


# --- align_clauses ---------------------------------------------------------------------------


def test_align_clauses_pairs_real_paragraph_versions() -> None:
    assert align_clauses(clauses(OP1_72), clauses(OP1_74)) == ((0, 0), (1, 1))
    assert align_clauses(clauses(OP10_74), clauses(OP11_78)) == ((0, 0), (1, 1))


def test_align_clauses_follows_swapped_clauses() -> None:
    # Synthetic: the two clauses of 74/175 OP18 in the other order.
    a, b = clauses(OP18_74)
    swapped = (
        "Requests the United Nations Office on Drugs and Crime to continue to provide technical "
        "assistance to that end to requesting States, and calls upon Member States to strengthen "
        "their border management so as to effectively prevent the movement of foreign terrorist "
        "fighters and terrorist groups;"
    )
    assert align_clauses((a, b), clauses(swapped)) == ((1, 0), (0, 1))


def test_align_clauses_reports_added_and_removed_clauses() -> None:
    # Synthetic: a third mandate added to 74/175 OP18, then the first one dropped.
    old = clauses(OP18_74)
    grown = clauses(OP18_74[:-1] + ", and invites donors to contribute to the trust fund;")
    assert align_clauses(old, grown) == ((0, 0), (1, 1), (None, 2))
    assert align_clauses(grown, old) == ((0, 0), (1, 1), (2, None))
    assert align_clauses(old, (old[1],)) == ((0, None), (1, 0))
    assert align_clauses((), old) == ((None, 0), (None, 1))
    assert align_clauses(old, ()) == ((0, None), (1, None))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(REAL), max_size=3), st.lists(st.sampled_from(REAL), max_size=3))
def test_align_clauses_uses_every_index_exactly_once(olds: list[str], news: list[str]) -> None:
    old = tuple(c for t in olds for c in clauses(t))
    new = tuple(c for t in news for c in clauses(t))
    pairs = align_clauses(old, new)
    assert sorted(i for i, _ in pairs if i is not None) == list(range(len(old)))
    assert sorted(j for _, j in pairs if j is not None) == list(range(len(new)))
    assert all(i is not None or j is not None for i, j in pairs)
    assert [j for _, j in pairs if j is not None] == list(range(len(new)))
    assert align_clauses(old, new) == pairs


def test_a_hedge_inside_a_preambular_paragraph_is_wording_not_strength(
    corpus: Path, read: Callable[[Path], Resolution]
) -> None:
    """72/194 PP7 → 74/175 PP9 recall an earlier resolution whose quoted text gained "upon
    request": the preamble asks nothing of anyone, so this is reworded, not weakened."""
    old = split_clauses(read(corpus / "A_RES_72_194.txt").paragraph("PP7"))[0]
    new = split_clauses(read(corpus / "A_RES_74_175.txt").paragraph("PP9"))[0]
    change = classify(old, new)
    assert change.change is Change.REWORDED
    assert any("upon request" in r for r in change.reasons)
