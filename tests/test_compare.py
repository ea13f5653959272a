"""`pipeline.compare` end to end on real documents: golden pairs, symmetry, degenerate inputs, CLI."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pipeline
from pipeline.cli import main
from pipeline.comparison import Comparison, compare_resolutions, summary_text
from pipeline.models import AlignKind, Change, Resolution, Section

CASES = Path(__file__).resolve().parent / "cases"

#: Hand-checked real pairs: tests/cases/<name>/expected.json, with NOTES.md beside it.
GOLDEN = {
    "72_194-to-74_175": ("A_RES_72_194", "A_RES_74_175"),
    "74_175-to-78_226": ("A_RES_74_175", "A_RES_78_226"),
    "L22-to-80_171": ("A_C.6_80_L.22", "A_RES_80_171"),
}
MIRROR = {"added": "removed", "removed": "added", "split": "merge", "merge": "split",
          "match": "match", "strengthened": "weakened", "weakened": "strengthened",
          "reworded": "reworded", "unchanged": "unchanged"}


@pytest.fixture(scope="module")
def docs(corpus: Path) -> dict[str, Resolution]:
    names = {n for pair in GOLDEN.values() for n in pair} | {"A_RES_80_4", "A_RES_80_6"}
    return {n: pipeline.load(corpus / f"{n}.txt") for n in sorted(names)}


@pytest.fixture(scope="module")
def compared(docs: dict[str, Resolution]) -> dict[str, Comparison]:
    return {name: pipeline.compare(docs[a], docs[b]) for name, (a, b) in GOLDEN.items()}


def expected_record(c: Comparison) -> dict[str, Any]:
    """What a golden file holds: the alignment, the mandate counts, the citation changes."""
    data = c.to_json()
    mandates = Counter((m.section.value, m.change.value) for m in c.mandate_changes)
    return {
        "old": c.old.symbol,
        "new": c.new.symbol,
        "alignment": [
            {k: e[k] for k in ("old", "new", "kind", "changed", "moved", "method", "similarity")}
            for e in data["alignment"]
        ],
        "mandate_counts": {
            section.value: {ch.value: mandates.get((section.value, ch.value), 0) for ch in Change}
            for section in Section
        },
        "citations": data["citations"],
    }


# --- golden pairs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_pair(compared: dict[str, Comparison], name: str, update_golden: bool) -> None:
    path = CASES / name / "expected.json"
    got = expected_record(compared[name])
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        pytest.skip(f"rewrote {path}")
    assert path.exists(), f"no golden file: run pytest --update-golden, then review {path}"
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["alignment"] == want["alignment"]
    assert got == want
    assert (CASES / name / "NOTES.md").exists()


def test_heavy_rewrite_most_paragraphs_have_a_counterpart(compared: dict[str, Comparison]) -> None:
    c = compared["72_194-to-74_175"]
    linked = {pid for e in c.entries if e.new for pid in e.old}
    assert len(linked) / len(c.old.paragraphs) >= 0.85
    # the far move of "Reaffirming that terrorism ... cannot and should not be associated with
    # any religion" from the end of the preamble to its third paragraph
    assert ("PP13",) in [e.old for e in c.entries if e.moved]


def test_draft_to_adopted_is_nearly_identical(compared: dict[str, Comparison]) -> None:
    c = compared["L22-to-80_171"]
    assert all(e.kind is AlignKind.MATCH and not e.moved for e in c.entries)
    assert sum(e.changed for e in c.entries) <= 3


# --- symmetry and identity ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_swapping_old_and_new_swaps_the_answers(docs: dict[str, Resolution], name: str,
                                                compared: dict[str, Comparison]) -> None:
    a, b = GOLDEN[name]
    forward, backward = compared[name], pipeline.compare(docs[b], docs[a])
    kinds = Counter(e.kind.value for e in forward.entries)
    assert Counter(e.kind.value for e in backward.entries) == Counter(
        {MIRROR[k]: v for k, v in kinds.items()})
    changes = Counter(m.change.value for m in forward.mandate_changes)
    assert Counter(m.change.value for m in backward.mandate_changes) == Counter(
        {MIRROR[k]: v for k, v in changes.items()})
    cc, bc = forward.citation_changes, backward.citation_changes
    assert (bc.added, bc.removed, bc.kept) == (cc.removed, cc.added, cc.kept)


@pytest.mark.parametrize("name", ["A_RES_72_194", "A_C.6_80_L.22", "A_RES_80_4"])
def test_a_document_against_itself(docs: dict[str, Resolution], name: str) -> None:
    c = pipeline.compare(docs[name], docs[name])
    assert all(e.kind is AlignKind.MATCH and not e.changed and not e.moved for e in c.entries)
    assert {m.change for m in c.mandate_changes} == {Change.UNCHANGED}
    assert not any(d for d in c.clauses["changed"])
    assert c.citation_changes.added == c.citation_changes.removed == ()


def test_unrelated_resolutions(docs: dict[str, Resolution]) -> None:
    c = pipeline.compare(docs["A_RES_80_4"], docs["A_RES_80_6"])  # Cuba embargo vs ICC report
    kinds = Counter(e.kind for e in c.entries)
    assert kinds[AlignKind.ADDED] + kinds[AlignKind.REMOVED] >= 0.9 * len(c.entries)
    assert len(c.alignment) == len(c.entries)
    assert c.to_json()["citations"]["kept"] == list(c.citation_changes.kept)


def test_empty_operative_part(docs: dict[str, Resolution]) -> None:
    full = docs["A_RES_74_175"]
    preamble_only = dataclasses.replace(full, paragraphs=full.preamble)
    c = compare_resolutions(full, preamble_only)
    assert Counter(e.kind for e in c.entries) == Counter(
        {AlignKind.MATCH: len(full.preamble), AlignKind.REMOVED: len(full.operative)})
    operative = [m for m in c.mandate_changes if m.section is Section.OPERATIVE]
    assert operative and all(m.change is Change.REMOVED for m in operative)
    assert "removed" in summary_text(c)


# --- API, JSON and text ------------------------------------------------------------------------


def test_compare_accepts_paths(corpus: Path) -> None:
    c = pipeline.compare(corpus / "A_RES_79_7.txt", str(corpus / "A_80_L.6.txt"))
    assert (c.old.symbol, c.new.symbol) == ("A/RES/79/7", "A/80/L.6")
    assert "compare" in pipeline.__all__ and "Comparison" in pipeline.__all__


def test_json_has_the_documented_keys(compared: dict[str, Comparison]) -> None:
    data = compared["74_175-to-78_226"].to_json()
    assert {"old", "new", "alignment", "mandates", "citations"} <= set(data)
    assert {"symbol", "title", "adopted", "paragraphs"} <= set(data["old"])
    assert {"id", "section", "number", "lead", "text"} <= set(data["old"]["paragraphs"][0])
    assert set(data["alignment"][0]) == {"old", "new", "kind", "changed", "moved", "similarity",
                                         "method"}
    assert {"old", "new", "clause", "actor", "verb_old", "verb_new", "change",
            "reasons"} <= set(data["mandates"][0])
    assert set(data["citations"]) == {"added", "removed", "kept"}
    for m in data["mandates"]:
        assert isinstance(m["clause"], int) and isinstance(m["reasons"], list)
    # similarities are rounded so that outputs are the same bytes everywhere
    assert all(round(e["similarity"], 4) == e["similarity"] for e in data["alignment"])
    json.dumps(data)


def test_same_inputs_same_bytes(docs: dict[str, Resolution]) -> None:
    from pipeline.writers import dumps

    a, b = docs["A_RES_72_194"], docs["A_RES_74_175"]
    assert dumps(pipeline.compare(a, b).to_json()) == dumps(pipeline.compare(a, b).to_json())


def test_summary_text_lists_changed_paragraphs(compared: dict[str, Comparison]) -> None:
    text = summary_text(compared["72_194-to-74_175"])
    lines = text.splitlines()
    assert lines[0] == "A/RES/72/194 → A/RES/74/175"
    assert any(line.startswith("Paragraphs  33 → 49") for line in lines)
    assert "PP13 → PP3" in text and "match, moved" in text


# --- CLI ------------------------------------------------------------------------------------


def test_cli_compare_summary_json_and_out(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    old, new = str(corpus / "A_RES_79_7.txt"), str(corpus / "A_RES_80_4.txt")
    result = runner.invoke(main, ["compare", old, new])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("A/RES/79/7 → A/RES/80/4\n")
    result = runner.invoke(main, ["compare", old, new, "--format", "json", "--out",
                                  str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["old"]["symbol"] == "A/RES/79/7"
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "comparison.json" in written and "mandates.parquet" in written
    assert "alignment.csv" in written and not any(n.endswith(".tmp") for n in written)
    assert json.loads((tmp_path / "out" / "comparison.json").read_text()) == data


def test_cli_compare_symbols_from_a_mirror(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["compare", "A/RES/78/7", "A/RES/79/7", "--mirror",
                                       str(corpus), "--offline", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new"]["symbol"] == "A/RES/79/7"


def test_cli_compare_missing_file_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(tmp_path / "no.txt"),
                                       str(tmp_path / "no.txt")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_cli_compare_has_help() -> None:
    result = CliRunner().invoke(main, ["compare", "--help"])
    assert result.exit_code == 0 and "Examples:" in result.output
