"""Golden parses: whole expected JSON for documents in every rendering resdiff reads.

Each case folder holds `source` (where the document is: `corpus:FILE`, `sources:FILE`, or
`html:FILE`, a synthetic HTML rendering of a corpus text) and `expected.json`, the parse as
`resdiff parse --format json` prints it. Refresh with `pytest --update-golden` and review the
diff like any change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from renderings import to_html  # tests/renderings.py

from pipeline.reader import extract_text, read_document
from pipeline.render_text import resolution_json
from pipeline.segment import segment

HERE = Path(__file__).resolve().parent
CASES = sorted((HERE / "cases" / "parse").iterdir())


def parse_case(source: str, corpus: Path) -> dict[str, object]:
    kind, _, name = source.strip().partition(":")
    if kind == "sources":
        return resolution_json(read_document(HERE.parent / "sources" / name))
    if kind == "corpus":
        return resolution_json(read_document(corpus / name))
    if kind == "html":  # synthetic rendering of a real text as a saved web page
        page = to_html(read_document(corpus / name))
        text, fmt = extract_text(page.encode("utf-8"))
        return resolution_json(segment(text, source_format=fmt))
    raise ValueError(f"unknown source kind in {source!r}")


def test_there_are_cases_in_four_renderings() -> None:
    sources = [(c / "source").read_text().strip() for c in CASES]
    kinds = {s.split(":")[0] + ":" + s.rsplit(".", 1)[-1] for s in sources}
    assert {"sources:md", "corpus:txt", "corpus:pdf", "html:txt"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_parse(case: Path, corpus: Path, update_golden: bool) -> None:
    got = parse_case((case / "source").read_text(), corpus)
    expected_file = case / "expected.json"
    text = json.dumps(got, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if update_golden:
        expected_file.write_text(text, encoding="utf-8")
    assert expected_file.exists(), f"no golden file: run pytest --update-golden for {case.name}"
    assert text == expected_file.read_text(encoding="utf-8")
