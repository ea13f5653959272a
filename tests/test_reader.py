"""Reading files: every bad input gets one line naming the file and the problem; renderings agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfWriter
from renderings import to_html  # tests/renderings.py

from pipeline.cli import main
from pipeline.reader import extract_text, read_document
from pipeline.segment import segment

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "A_RES_74_175-EN.seed.md"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def bad_inputs(tmp: Path, corpus: Path) -> dict[str, tuple[Path, str]]:
    """Bad files, each with the words its error must contain."""
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_text("   \n\n  \n")
    (tmp / "binary.bin").write_bytes(bytes(range(256)) * 8)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with open(tmp / "scan.pdf", "wb") as f:
        writer.write(f)
    real = (corpus / "A_RES_74_175.txt").read_text(encoding="utf-8")
    (tmp / "cp1252.txt").write_bytes(real.encode("windows-1252", errors="replace"))
    preamble_only = real[: real.index("\n1. \n")]  # the real preamble, no operative part
    (tmp / "preamble-only.txt").write_text(preamble_only, encoding="utf-8")
    (tmp / "truncated.pdf").write_bytes((corpus / "A_RES_78_226-EN.pdf").read_bytes()[:20000])
    (tmp / "folder").mkdir()
    return {
        "empty": (tmp / "empty.txt", "the file is empty"),
        "blank": (tmp / "blank.txt", "the file is empty"),
        "binary": (tmp / "binary.bin", "a binary file"),
        "no text layer": (tmp / "scan.pdf", "no text layer"),
        "wrong encoding": (tmp / "cp1252.txt", "not UTF-8 text"),
        "no operative part": (tmp / "preamble-only.txt", "no operative paragraphs"),
        "truncated pdf": (tmp / "truncated.pdf", "not a readable PDF"),
        "missing": (tmp / "missing.txt", "neither an existing file nor a document symbol"),
        "folder": (tmp / "folder", "is a folder"),
    }


def test_bad_inputs_get_one_line_errors(tmp_path: Path, corpus: Path) -> None:
    for name, (path, words) in bad_inputs(tmp_path, corpus).items():
        code, out, err = run("parse", str(path))
        assert code == 1, name
        assert out == "", name
        lines = err.strip().splitlines()
        assert len(lines) == 1, (name, err)
        assert lines[0].startswith("Error: "), (name, err)
        assert path.name in lines[0] and words in lines[0], (name, err)
        assert "Traceback" not in err


def test_parse_prints_a_table_by_default() -> None:
    code, out, _ = run("parse", str(SEED))
    assert code == 0
    assert "A/RES/74/175" in out
    assert "19 preambular, 30 operative" in out
    assert "Recalling also" in out and "OP30" in out


def test_parse_json_has_the_documented_keys() -> None:
    code, out, _ = run("parse", str(SEED), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert {
        "symbol",
        "title",
        "session",
        "agenda_item",
        "adopted",
        "paragraphs",
        "footnotes",
    } <= set(doc)
    assert {"id", "section", "number", "lead", "text", "footnotes", "citations"} <= set(
        doc["paragraphs"][0]
    )
    assert doc["paragraphs"][19]["id"] == "OP1" and doc["paragraphs"][19]["number"] == 1
    assert doc["paragraphs"][0]["section"] == "preamble"


def test_parse_by_symbol_through_a_mirror(corpus: Path) -> None:
    code, out, err = run(
        "parse", "A/RES/72/194", "--mirror", str(corpus), "--offline", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["symbol"] == "A/RES/72/194"
    assert sum(p["section"] == "operative" for p in doc["paragraphs"]) == 19


def test_every_command_has_help_that_teaches() -> None:
    for name, command in main.commands.items():
        code, out, _ = run(name, "--help")
        assert code == 0, name
        assert command.help and len(command.help) > 40, name
        assert "Example" in out or "example" in out, name


@pytest.mark.parametrize(
    "name", ["A_RES_80_4.txt", "A_RES_74_175.txt", "A_80_L.9.txt", "A_RES_72_3.txt"]
)
def test_html_rendering_reads_like_the_text_layer(corpus: Path, name: str) -> None:
    """A synthetic HTML page of a real text (italic leads, <sup> markers, navigation and
    footer chrome) parses to the same resolution as the text layer."""
    res = read_document(corpus / name)
    text, fmt = extract_text(to_html(res).encode("utf-8"))
    again = segment(text, source_format=fmt)
    assert [(p.pid, p.lead, p.text, p.marks) for p in again.paragraphs] == [
        (p.pid, p.lead, p.text, p.marks) for p in res.paragraphs
    ]
    assert again.footnotes == res.footnotes
    assert (again.symbol, again.title, again.adopted) == (res.symbol, res.title, res.adopted)


def test_utf16_with_bom_is_read(corpus: Path) -> None:
    data = (corpus / "A_RES_80_4.txt").read_text(encoding="utf-8").encode("utf-16")
    text, _ = extract_text(data)
    assert len(segment(text).operative) == 5


def test_a_document_in_another_official_language_is_named(tmp_path: Path) -> None:
    """resdiff segments English texts; a French one gets an error saying so, not a wrong parse."""
    page = tmp_path / "fr.txt"
    page.write_text("L’Assemblée générale,\n\n1. …;\n")  # the French opening formula only
    code, _, err = run("parse", str(page))
    assert code == 1
    assert "is in French" in err and "--lang en" in err
