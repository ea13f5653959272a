"""DataFrames of a comparison (fixed columns and dtypes) and the writers (atomic, deterministic)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest

import pipeline
from pipeline import frames, writers
from pipeline.comparison import Comparison, compare_resolutions
from pipeline.models import Resolution

VIEWS = {
    "paragraphs": frames.PARAGRAPHS_COLUMNS,
    "alignment": frames.ALIGNMENT_COLUMNS,
    "clauses": frames.CLAUSES_COLUMNS,
    "mandates": frames.MANDATES_COLUMNS,
    "citations": frames.CITATIONS_COLUMNS,
    "summary": frames.SUMMARY_COLUMNS,
}


def view(c: Comparison, name: str) -> pd.DataFrame:
    return c.summary() if name == "summary" else getattr(c, name)


@pytest.fixture(scope="module")
def docs(corpus: Path) -> tuple[Resolution, Resolution]:
    return pipeline.load(corpus / "A_RES_72_194.txt"), pipeline.load(corpus / "A_RES_74_175.txt")


@pytest.fixture(scope="module")
def comparison(docs: tuple[Resolution, Resolution]) -> Comparison:
    return compare_resolutions(*docs)


@pytest.fixture(scope="module")
def empty(docs: tuple[Resolution, Resolution]) -> Comparison:
    """A comparison with no rows in most tables: two empty documents."""
    nothing = dataclasses.replace(docs[0], paragraphs=(), footnotes=())
    return compare_resolutions(nothing, nothing)


def assert_schema(df: pd.DataFrame, columns: dict[str, object]) -> None:
    assert list(df.columns) == list(columns)
    for name, dtype in columns.items():
        assert df[name].dtype == pd.api.types.pandas_dtype(dtype), name


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_columns_and_dtypes_are_fixed(comparison: Comparison, empty: Comparison,
                                      name: str) -> None:
    full, none = view(comparison, name), view(empty, name)
    assert_schema(full, VIEWS[name])
    assert_schema(none, VIEWS[name])
    assert len(full) > 0


def test_paragraphs_frame(comparison: Comparison) -> None:
    df = comparison.paragraphs
    assert len(df) == len(comparison.old.paragraphs) + len(comparison.new.paragraphs)
    assert df["entry"].notna().all()
    row = df[(df.version == "old") & (df.pid == "PP13")].iloc[0]
    assert (row.kind, row.counterpart, bool(row.moved)) == ("match", "PP3", True)
    assert df[(df.version == "new") & (df.kind == "added")]["counterpart"].isna().all()


def test_alignment_frame_matches_entries(comparison: Comparison) -> None:
    df = comparison.alignment
    assert len(df) == len(comparison.entries)
    assert df["similarity"].between(0, 1).all()
    added = df[df.kind == "added"]
    assert added["old"].isna().all() and added["old_number"].isna().all()
    assert set(df["method"].dropna()) <= set(frames.METHODS)


def test_clauses_frame_rebuilds_both_texts(comparison: Comparison) -> None:
    df = comparison.clauses
    both = df[df.old_pid.notna() & df.new_pid.notna()]
    assert (both["words_inserted"] >= 0).all()
    unchanged = df[~df["changed"]]
    assert (unchanged["old_text"] == unchanged["new_text"]).all()
    assert df["diff"].str.contains(r"\{\+", regex=True).any()


def test_mandates_and_summary_agree(comparison: Comparison) -> None:
    m, s = comparison.mandates, comparison.summary()
    assert int(s["count"].sum()) == len(m) == len(comparison.mandate_changes)
    strengthened = s[s.change == "strengthened"]["count"].sum()
    assert strengthened == (m.change == "strengthened").sum()


def test_citations_frame(comparison: Comparison) -> None:
    df = comparison.citations
    cc = comparison.citation_changes
    assert len(df) == len(cc.added) + len(cc.removed) + len(cc.kept)
    assert df[df.status == "added"]["old_paragraphs"].isna().all()
    assert df[df.status == "removed"]["new_paragraphs"].isna().all()


# --- writers --------------------------------------------------------------------------------


def test_write_comparison_is_complete_and_deterministic(comparison: Comparison,
                                                       tmp_path: Path) -> None:
    first = writers.write_comparison(comparison, tmp_path / "a")
    writers.write_comparison(comparison, tmp_path / "b")
    names = sorted(p.name for p in first)
    assert names == sorted([f"{t}.{ext}" for t in writers.TABLES for ext in ("csv", "parquet")]
                           + ["comparison.json"])
    for name in names:
        if name.endswith((".csv", ".json")):
            a = (tmp_path / "a" / name).read_bytes()
            assert a == (tmp_path / "b" / name).read_bytes(), name
            assert b"\r\n" not in a and str(tmp_path).encode() not in a
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_parquet_reads_back_with_its_dtypes(comparison: Comparison, tmp_path: Path,
                                            name: str) -> None:
    df = view(comparison, name)
    path = writers.write_parquet(df, tmp_path / f"{name}.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, df, check_categorical=False)


def test_json_keys_are_sorted(comparison: Comparison, tmp_path: Path) -> None:
    path = writers.write_json({"b": 1, "a": {"d": 2, "c": 3}}, tmp_path / "x.json")
    assert path.read_text() == '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}\n'


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_text("old\n")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), writers.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise Boom
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["t.csv"]
