"""Synthetic edits of real resolutions with a known answer (benchmarks/synthetic.py), 40 pairs.

The benchmark runs 200 pairs (`python benchmarks/synthetic.py`); this is the same measure on a
smaller sample, with the same thresholds. Every document here is labelled synthetic.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import synthetic  # noqa: E402


@pytest.fixture(scope="module")
def pairs(corpus: Path) -> list[synthetic.Pair]:
    return synthetic.generate(40, seed=7, corpus=synthetic.load_corpus(corpus))


@pytest.fixture(scope="module")
def scores(pairs: list[synthetic.Pair]) -> synthetic.Scores:
    return synthetic.score(pairs)


def test_generation_is_deterministic(pairs: list[synthetic.Pair], corpus: Path) -> None:
    again = synthetic.generate(3, seed=7, corpus=synthetic.load_corpus(corpus))
    assert [(p.old_text, p.new_text, p.edits) for p in again] == [
        (p.old_text, p.new_text, p.edits) for p in pairs[:3]]


def test_every_synthetic_document_is_labelled(pairs: list[synthetic.Pair]) -> None:
    for p in pairs:
        for text in (p.old_text, p.new_text):
            assert synthetic.LABEL in text
            assert synthetic.LABEL in synthetic.parse(text).title


def test_the_sample_covers_every_kind_of_edit(pairs: list[synthetic.Pair]) -> None:
    applied = {e for p in pairs for e in p.edits}
    assert applied == set(synthetic.EDIT_KINDS)


def test_links_moves_and_directions_meet_the_thresholds(scores: synthetic.Scores) -> None:
    assert scores.parse_mismatches == 0, scores.failures
    assert scores.link_f1 >= 0.98, scores.report()
    assert scores.move_precision >= 0.95 and scores.move_recall >= 0.95, scores.report()
    assert scores.direction_total >= 10
    assert scores.direction_accuracy >= 0.95, scores.report()


def test_editorial_changes_are_never_stronger_or_weaker(scores: synthetic.Scores) -> None:
    assert scores.editorial_total >= 5
    assert scores.editorial_directed == 0, scores.failures
    assert scores.untouched_directed == 0, scores.failures
