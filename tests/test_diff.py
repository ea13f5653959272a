"""Word diff and word similarity (pipeline.diff)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from real_paragraphs import A_RES_72_194_OP1 as OP1_72_194  # tests/real_paragraphs.py
from real_paragraphs import A_RES_74_175_OP1 as OP1_74_175
from real_paragraphs import A_RES_74_175_OP30 as OP30_74_175
from real_paragraphs import A_RES_78_226_OP36 as OP36_78_226

from pipeline import diff
from pipeline.diff import new_text, old_text, similarity, tokenize, word_diff
from pipeline.models import Edit, EditOp

# Real operative paragraphs: A/RES/74/175 OP30 and A/RES/78/226 OP36 (the report request).
# A/RES/72/194 OP1 and A/RES/74/175 OP1 (real).

# Texts made of resolution-like pieces, so the diff sees words, symbols, punctuation, spacing.
PIECES = st.sampled_from(
    ["Requests", "requests", "the", "Office", "Member", "States", "upon", "request", ",", ";",
     ".", " ", "  ", "\n", "72/194", "A/RES/74/175", "seventy-fifth", "Court’s", "(", ")",
     "“", "”", "é", "and", "to", "provide", "1373", "-", "\u00a0"]
)  # fmt: skip
TEXTS = st.one_of(st.lists(PIECES, max_size=60).map("".join), st.text(max_size=80))


def _ops(edits: tuple[Edit, ...]) -> list[tuple[str, str]]:
    return [(e.op.value, e.text) for e in edits]


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_applying_the_edits_rebuilds_both_texts(old: str, new: str) -> None:
    edits = word_diff(old, new)
    assert old_text(edits) == old
    assert new_text(edits) == new
    assert all(e.text for e in edits), "no empty edits"
    assert all(a.op is not b.op for a, b in zip(edits, edits[1:], strict=False)), "merged runs"


@settings(max_examples=150, deadline=None)
@given(TEXTS, TEXTS)
def test_edits_start_and_end_on_token_boundaries(old: str, new: str) -> None:
    edits = word_diff(old, new)
    for text, kept in ((old, EditOp.INSERT), (new, EditOp.DELETE)):
        bounds = {0}
        pos = 0
        for tok in tokenize(text):
            pos += len(tok)
            bounds.add(pos)
        pos = 0
        for e in edits:
            if e.op is kept:
                continue
            pos += len(e.text)
            assert pos in bounds, f"edit ends inside a token at {pos} of {text!r}"


@given(TEXTS)
def test_a_text_diffed_with_itself_is_one_equal_edit(text: str) -> None:
    assert word_diff(text, text) == ((Edit(EditOp.EQUAL, text),) if text else ())


def test_tokens_join_back_and_keep_symbols_whole() -> None:
    text = "resolutions 72/194 and A/RES/74/175, A/C.6/80/L.22; seventy-fifth session (2019)"
    tokens = tokenize(text)
    assert "".join(tokens) == text
    for whole in ("72/194", "A/RES/74/175", "A/C.6/80/L.22", "seventy-fifth"):
        assert whole in tokens


def test_real_session_change_is_one_whole_word_replacement() -> None:
    changed = [e for e in word_diff(OP30_74_175, OP36_78_226) if e.op is not EditOp.EQUAL]
    assert _ops(tuple(changed)) == [("delete", "seventy-fifth"), ("insert", "seventy-eighth")]


def test_real_hedge_insertion_is_found_as_inserted_words() -> None:
    edits = word_diff(OP1_72_194, OP1_74_175)
    inserted = " ".join(e.text for e in edits if e.op is EditOp.INSERT)
    deleted = " ".join(e.text for e in edits if e.op is EditOp.DELETE)
    assert "upon request" in inserted
    assert "Implementation Task Force" in deleted
    assert "Coordination" in inserted
    assert old_text(edits) == OP1_72_194 and new_text(edits) == OP1_74_175


def test_the_time_out_is_off() -> None:
    # The default 1 s time-out makes diffs of long texts depend on machine speed.
    assert diff._engine().Diff_Timeout == 0


def test_word_diff_is_deterministic() -> None:
    assert word_diff(OP1_72_194, OP1_74_175) == word_diff(OP1_72_194, OP1_74_175)


def test_only_diff_imports_diff_match_patch() -> None:
    package = Path(diff.__file__).parent
    importers = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "diff_match_patch" for n in names):
                importers.append(path.name)
    assert importers == ["diff.py"]


# --- similarity ------------------------------------------------------------------------------


def test_similarity_bounds_on_real_text() -> None:
    assert similarity(OP1_74_175, OP1_74_175) == 1.0
    assert similarity(OP1_72_194, OP1_74_175) > 0.8
    assert similarity(OP30_74_175, OP1_74_175) < 0.4
    assert similarity("Requests the Office", "Urges States") == 0.0


def test_similarity_ignores_case_punctuation_and_order() -> None:
    assert (
        similarity("Requests the Office, upon request;", "upon request the office requests") == 1.0
    )


def test_similarity_of_texts_without_words() -> None:
    assert similarity("", "") == 1.0
    assert similarity(";", ";") == 1.0
    assert similarity("", "Requests") == 0.0


@given(TEXTS, TEXTS)
def test_similarity_is_symmetric_and_in_range(a: str, b: str) -> None:
    s = similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(similarity(b, a))
