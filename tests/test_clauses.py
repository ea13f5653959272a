"""Splitting paragraphs into clauses and reading their verb, actor and qualifiers
(pipeline.clauses)."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
from real_paragraphs import A_RES_74_175_OP1 as OP1  # tests/real_paragraphs.py

from pipeline.clauses import split_clauses
from pipeline.config import PROJECT_ROOT
from pipeline.mandates import canonical_verb
from pipeline.models import Paragraph, Qualifier, Resolution, Section

# --- real paragraphs, copied from the corpus (text layers of the official PDFs) -------------

# A/RES/74/175
OP3 = (
    "Also encourages Member States to continue to promote, consistent with their legal "
    "frameworks, effective coordination among law enforcement and other relevant entities and "
    "authorities responsible for preventing and countering terrorism, and requests the United "
    "Nations Office on Drugs and Crime, upon request and within its mandate, to continue to "
    "provide technical assistance in that regard;"
)
OP9 = (
    "Requests the United Nations Office on Drugs and Crime, in cooperation with the "
    "International Criminal Police Organization (INTERPOL) and other relevant entities of the "
    "United Nations Global Counter-Terrorism Coordination Compact, to continue to provide "
    "technical assistance to Member States, upon request, to collect, record and share biometric "
    "data in order to responsibly and properly identify terrorists, including foreign terrorist "
    "fighters, in compliance with domestic law and international law, welcomes the publication "
    "of the United Nations Compendium of Recommended Practices for the Responsible Use and "
    "Sharing of Biometrics in Counter-Terrorism, developed within the Working Group on Border "
    "Management and Law Enforcement relating to Counter-Terrorism, and stresses the importance "
    "of populating and making full use of the databases of INTERPOL in this regard;"
)
OP16 = (
    "Encourages Member States to further identify, analyse and counter any potential, existing "
    "and in some cases growing links between transnational organized crime, illicit drug-related "
    "activities, money-laundering and the financing of terrorism, in order to enhance criminal "
    "justice responses to those crimes, recognizing that terrorists could benefit from "
    "transnational organized crime as a source of financing or logistical support and that the "
    "nature and scope of the linkages between terrorism and transnational organized crime vary "
    "by context, and calls upon the United Nations Office on Drugs and Crime, within its mandate, "
    "to support, upon request, the efforts of Member States in that regard;"
)
OP26 = (
    "Encourages Member States to take appropriate measures, in line with domestic law, to "
    "maintain a safe and humane environment in prisons, develop tools that can help to address "
    "radicalization to violence and terrorist recruitment, develop risk assessments to evaluate "
    "the susceptibility of inmates to terrorist recruitment and radicalization to violence, "
    "taking into consideration, as appropriate, the United Nations Standard Minimum Rules for the "
    "Treatment of Prisoners (the Nelson Mandela Rules), and make use of information shared by "
    "other States, including through the United Nations Office on Drugs and Crime, on approaches "
    "and good practices pertaining to prevention of radicalization to violence and terrorist "
    "recruitment of individuals in prisons, and encourages the Office to intensify its technical "
    "assistance in that regard;"
)
OP28 = (
    "Expresses its appreciation to Member States that have supported the technical assistance "
    "activities of the United Nations Office on Drugs and Crime, including through financial "
    "contributions, and invites Member States to consider making additional, sustainable "
    "voluntary financial contributions and providing in-kind support, in accordance with the "
    "rules and procedures of the United Nations, in particular in view of the need for enhanced, "
    "effective and coordinated delivery of technical assistance on criminal justice responses to "
    "prevent and counter terrorism;"
)
PP_CONCERN = (
    "Reaffirming its concern that terrorists could benefit from transnational organized crime as "
    "a source of financing or logistical support, recognizing that the nature and scope of the "
    "linkages between terrorism and transnational organized crime vary by context, and "
    "emphasizing the need to coordinate efforts at the local, national, regional, subregional and "
    "international levels to respond to this challenge, in accordance with international law,"
)
# A/RES/72/4
CUBA_OP2 = (
    "Reiterates its call upon all States to refrain from promulgating and applying laws and "
    "measures of the kind referred to in the preamble to the present resolution, in conformity "
    "with their obligations under the Charter of the United Nations and international law, "
    "which, inter alia, reaffirm the freedom of trade and navigation;"
)
CUBA_OP3 = (
    "Once again urges States that have and continue to apply such laws and measures to take the "
    "steps necessary to repeal or invalidate them as soon as possible in accordance with their "
    "legal regime;"
)
# A/RES/78/115
TERROR_OP3 = (
    "Recalls the pivotal role of the General Assembly in following up the implementation and "
    "the updating of the United Nations Global Counter-Terrorism Strategy, looks forward to the "
    "ninth review, in 2026, and in this regard recalls its invitation to the Secretary-General to "
    "contribute to the future deliberations of the Assembly, and requests the Secretary-General "
    "when doing so to provide information on relevant activities within the Secretariat to "
    "ensure overall coordination and coherence in the counter-terrorism efforts of the United "
    "Nations system;"
)
TERROR_OP12 = (
    "Reminds States of their obligations under relevant international conventions and "
    "protocols, and Security Council resolutions, including Council resolution 1373 (2001), to "
    "ensure that perpetrators of terrorist acts are brought to justice, and recalls the General "
    "Assembly resolutions on measures to eliminate international terrorism;"
)
# A/RES/72/3
ICC_OP5 = (
    "Underlines, bearing in mind that in accordance with the Rome Statute the International "
    "Criminal Court is complementary to national criminal jurisdictions, that States need to "
    "adopt appropriate measures within their national legal systems for those crimes for which "
    "they are required under international law to exercise their responsibility to investigate "
    "and prosecute;"
)
# A/RES/78/226
UNODC_OP15 = (
    "Calls for increased attention and action at the national and international levels to assist "
    "Member States, upon their request, to ensure that all counter-terrorism measures comply with "
    "the rule of law and applicable international law, including international human rights "
    "law, international humanitarian law and international refugee law, and encourages in this "
    "regard the United Nations Office on Drugs and Crime to engage with and, upon request, "
    "provide support to Member States, within its mandate, to integrate and mainstream the "
    "promotion and protection of human rights and fundamental freedoms throughout its "
    "capacity-building projects and programmes across all four pillars of the United Nations "
    "Global Counter-Terrorism Strategy;"
)


def op(text: str, pid: str = "OP1", lead: str = "") -> Paragraph:
    return Paragraph(pid, Section.OPERATIVE, int(pid[2:]), lead, text)


def shape(p: Paragraph) -> list[tuple[str | None, str | None, str | None]]:
    return [(c.verb, c.verb_text, c.actor) for c in split_clauses(p)]


# --- splitting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OP1, [("urges", "Urges", "Member States"), ("requests", "requests", "UNODC")]),
        (OP3, [("encourages", "Also encourages", "Member States"),
               ("requests", "requests", "UNODC")]),
        (OP9, [("requests", "Requests", "UNODC"), ("welcomes", "welcomes", None),
               ("stresses", "stresses", None)]),
        (OP26, [("encourages", "Encourages", "Member States"),
                ("encourages", "encourages", "UNODC")]),
        (OP28, [("expresses its appreciation", "Expresses its appreciation to", "Member States"),
                ("invites", "invites", "Member States")]),
        (CUBA_OP2, [("calls upon", "Reiterates its call upon", "all States")]),
        (CUBA_OP3, [("urges", "Once again urges", "Member States")]),
        (TERROR_OP3, [("recalls", "Recalls", None), ("looks forward to", "looks forward to", None),
                      ("recalls", "recalls", None),
                      ("requests", "requests", "Secretary-General")]),
        (TERROR_OP12, [("reminds", "Reminds", "Member States"), ("recalls", "recalls", None)]),
        (UNODC_OP15, [("calls for", "Calls for", None), ("encourages", "encourages", "UNODC")]),
    ],
)  # fmt: skip
def test_real_operative_paragraphs_split_at_coordinate_verbs(
    text: str, expected: list[tuple[str, str, str | None]]
) -> None:
    p = op(text)
    assert shape(p) == expected
    assert "".join(c.text for c in split_clauses(p)) == text


def test_the_separator_ends_one_clause_and_and_opens_the_next() -> None:
    first, second = split_clauses(op(OP1))
    assert first.text.endswith("related to counter-terrorism, ")
    assert second.text.startswith("and requests the United Nations Office")
    assert [c.index for c in (first, second)] == [0, 1]
    assert {c.pid for c in (first, second)} == {"OP1"}


def test_participles_stay_in_their_clause() -> None:
    # OP16: ", recognizing that ..." is a participle, not a new mandate.
    clauses = split_clauses(op(OP16))
    assert [c.verb for c in clauses] == ["encourages", "calls upon"]
    assert "recognizing that terrorists" in clauses[0].text


def test_a_comma_after_the_lead_verb_is_not_a_split() -> None:
    # A/RES/72/3 OP5: "Underlines, bearing in mind that ..."
    assert shape(op(ICC_OP5)) == [("underlines", "Underlines", None)]


def test_a_preambular_paragraph_is_one_clause_even_with_coordinated_participles() -> None:
    pp = Paragraph("PP8", Section.PREAMBLE, None, "Reaffirming", PP_CONCERN)
    (clause,) = split_clauses(pp)
    assert (clause.verb, clause.verb_text, clause.text) == (
        "reaffirming",
        "Reaffirming",
        PP_CONCERN,
    )


@pytest.mark.parametrize(
    ("lead", "text", "verb"),
    [
        ("Gravely concerned", "Gravely concerned about the continued attacks,", "gravely concerned"),
        ("Deeply concerned", "Deeply concerned that terrorism persists,", "deeply concerned"),
        ("Noting with appreciation", "Noting with appreciation the ongoing work,",
         "noting with appreciation"),
        ("Recalling also", "Recalling also that terrorism in all its forms,", "recalling"),
        ("Taking note also", "Taking note also of the independent evaluations,", "taking note of"),
    ],
)  # fmt: skip
def test_preambular_leads_are_read_with_their_markers_dropped(
    lead: str, text: str, verb: str
) -> None:
    # The first two are synthetic sentences; the last three open real paragraphs of 74/175 and 78/226.
    (clause,) = split_clauses(Paragraph("PP1", Section.PREAMBLE, None, lead, text))
    assert clause.verb == verb


def test_synthetic_noun_after_a_comma_is_not_a_clause() -> None:
    # Synthetic: "requests" and "demands" used as nouns after a comma.
    text = (
        "Notes the growing number of cases, requests for assistance received by the Office, "
        "demands for ransom and political concessions;"
    )
    assert [c.verb for c in split_clauses(op(text))] == ["notes"]


def test_synthetic_verb_inside_a_quoted_title_is_not_a_clause() -> None:
    text = "Decides to include the item entitled “Terrorism, welcomes and regrets” in its agenda;"
    assert [c.verb for c in split_clauses(op(text))] == ["decides"]


def test_synthetic_semicolon_and_interposed_phrase_start_clauses() -> None:
    text = (
        "Welcomes the report of the Secretary-General; requests the Secretary-General to submit "
        "a report, and, in this regard, calls upon Member States to contribute;"
    )
    assert [(c.verb, c.actor) for c in split_clauses(op(text))] == [
        ("welcomes", None),
        ("requests", "Secretary-General"),
        ("calls upon", "Member States"),
    ]


def test_unknown_lead_keeps_the_printed_lead_and_no_verb() -> None:
    # Synthetic verb not in the lexicon.
    (clause,) = split_clauses(op("Ponders the report of the Secretary-General;", lead="Ponders"))
    assert (clause.verb, clause.verb_text, clause.actor) == (None, "Ponders", None)


def test_empty_paragraph_gives_one_empty_clause() -> None:
    (clause,) = split_clauses(op(""))
    assert clause.text == "" and clause.verb is None


# --- qualifiers ------------------------------------------------------------------------------


def test_real_hedges_and_intensifiers_are_found_in_text_order() -> None:
    first, second = split_clauses(op(OP1))
    assert first.qualifiers == (Qualifier("hedge", "to consider"),)
    assert second.qualifiers == (
        Qualifier("hedge", "within its mandate"),
        Qualifier("hedge", "upon request"),
    )
    assert split_clauses(op(OP26))[1].qualifiers == (Qualifier("intensifier", "intensify"),)
    assert split_clauses(op(OP16))[0].qualifiers[0] == Qualifier("intensifier", "further")


def test_repetition_markers_are_not_intensifiers() -> None:
    # Real A/RES/74/175 OP22 opening: "Further requests" repeats a verb, it does not intensify.
    text = "Further requests the United Nations Office on Drugs and Crime, within its mandate, to continue to develop its specialized legal knowledge;"  # noqa: E501
    (clause,) = split_clauses(op(text))
    assert clause.verb == "requests" and clause.verb_text == "Further requests"
    assert clause.qualifiers == (Qualifier("hedge", "within its mandate"),)


def test_head_scoped_words_far_from_the_mandate_are_not_qualifiers() -> None:
    # Real A/RES/74/175 OP22 tail: "while fully respecting human rights" is content.
    text = (
        "Requests the Office to support Member States in effectively criminalizing such acts in "
        "accordance with domestic law and applicable international law, while fully respecting "
        "human rights and fundamental freedoms;"
    )
    (clause,) = split_clauses(op(text))
    assert Qualifier("intensifier", "fully") not in clause.qualifiers


def test_longest_variant_wins() -> None:
    # Synthetic: "as and where appropriate" is one hedge, not "where appropriate" as well.
    (clause,) = split_clauses(
        op("Calls upon all States to intensify, as and where appropriate, the exchange;")
    )
    assert clause.qualifiers == (
        Qualifier("intensifier", "intensify"),
        Qualifier("hedge", "where appropriate"),
    )


# --- the whole corpus (needs the shared corpus and the parser) -------------------------------


def _corpus_dir() -> Path:
    return Path(os.environ.get("RESDIFF_CORPUS") or PROJECT_ROOT.parent / "shared" / "corpus")


@cache
def _corpus() -> tuple[Resolution, ...]:
    import pipeline

    files = sorted(_corpus_dir().glob("*.txt"))
    return tuple(pipeline.load(f) for f in files)


@pytest.fixture(scope="module")
def corpus() -> tuple[Resolution, ...]:
    if not any(_corpus_dir().glob("*.txt")):
        pytest.skip(f"the shared corpus is not at {_corpus_dir()} (set RESDIFF_CORPUS)")
    return _corpus()


def test_every_corpus_paragraph_splits_back_into_its_text(corpus: tuple[Resolution, ...]) -> None:
    n_op = n_clauses = 0
    for res in corpus:
        for p in res.paragraphs:
            clauses = split_clauses(p)
            assert clauses, (res.symbol, p.pid)
            assert "".join(c.text for c in clauses) == p.text, (res.symbol, p.pid)
            assert [c.index for c in clauses] == list(range(len(clauses)))
            if p.section is Section.PREAMBLE:
                assert len(clauses) == 1
            else:
                n_op += 1
                n_clauses += len(clauses)
    assert n_op > 300 and n_clauses > n_op  # some paragraphs do carry several mandates


def test_every_corpus_lead_is_the_first_clause_verb(corpus: tuple[Resolution, ...]) -> None:
    for res in corpus:
        for p in res.paragraphs:
            first = split_clauses(p)[0]
            assert first.verb is not None, (res.symbol, p.pid, p.lead)
            lead_verb = canonical_verb(p.lead, p.section)
            # The lexicon may read further than the parser's lead: "Expresses" + " concern",
            # "Continues" + " to welcome", "Also reiterates" + " its call upon".
            assert lead_verb == first.verb or (first.verb_text or "").lower().startswith(
                p.lead.lower()
            ), (res.symbol, p.pid, p.lead, first.verb)


def test_every_corpus_addressee_verb_has_an_actor(corpus: tuple[Resolution, ...]) -> None:
    from pipeline.mandates import load_lexicon

    addressee = load_lexicon().addressee
    activities = 0
    for res in corpus:
        for p in res.operative:
            for c in split_clauses(p):
                if c.verb in addressee and not c.actor:
                    # only an activity is encouraged without an addressee:
                    # "Encourages further dialogue between the United Nations and the Court"
                    after = c.text.split(c.verb_text or "", 1)[-1]
                    assert re.match(r"\s*(?:the\s+)?[a-z]", after), (res.symbol, p.pid, c.index)
                    activities += 1
    assert activities <= 15  # 3 paragraphs of the ICC series, in each of its 5 versions


def test_both_renderings_of_74_175_give_the_same_clauses(corpus: tuple[Resolution, ...]) -> None:
    import pipeline

    seed = pipeline.load(PROJECT_ROOT / "sources" / "A_RES_74_175-EN.seed.md")
    (layer,) = [r for r in corpus if r.symbol == "A/RES/74/175"]

    def read(
        res: Resolution,
    ) -> list[tuple[str, int, str | None, str | None, tuple[Qualifier, ...]]]:
        return [
            (c.pid, c.index, c.verb, c.actor, c.qualifiers)
            for p in res.paragraphs
            for c in split_clauses(p)
        ]

    assert read(seed) == read(layer)
    assert len(read(seed)) > 60
