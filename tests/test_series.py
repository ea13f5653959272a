"""Whole series: paragraph lineage, stories, the mandate timeline, the index page, the CLI.

The real series A/RES/72/194 → 74/175 → 78/226 is read through the corpus as a mirror; its
lineage must agree link for link with the hand-checked pairwise golden files. Split, merge and
mandate rules are checked on comparisons written out by hand (a few real paragraphs, the
alignment given), so they do not depend on the aligner.
"""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline
from pipeline.cli import main
from pipeline.comparison import Comparison
from pipeline.config import Settings
from pipeline.models import (
    AlignKind,
    AlignmentEntry,
    Change,
    CitationChanges,
    MandateChange,
    Paragraph,
    Resolution,
    Section,
)
from pipeline.series import (
    LINEAGE_COLUMNS,
    STORY_COLUMNS,
    TIMELINE_CHANGES,
    TIMELINE_COLUMNS,
    Series,
    build_series,
    render_index,
    series_json,
    step_name,
    write_series,
)

CASES = Path(__file__).resolve().parent / "cases"
SYMBOLS = ("A/RES/72/194", "A/RES/74/175", "A/RES/78/226")
#: The golden case of each step of the series.
GOLDEN = ("72_194-to-74_175", "74_175-to-78_226")


@pytest.fixture(scope="module")
def settings(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The corpus as the only mirror, no network, an empty cache of our own."""
    return Settings(mirrors=(corpus,), offline=True,
                    cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def unodc(settings: Settings) -> Series:
    return pipeline.series(list(SYMBOLS), settings=settings)


def lineage_entries(df: pd.DataFrame, step: int) -> dict[tuple[tuple[str, ...], tuple[str, ...]],
                                                       tuple[str, bool | None, bool | None]]:
    """The alignment of versions step → step + 1 rebuilt from the lineage frame alone:
    {(old ids, new ids): (kind, changed, moved)}; changed and moved only for links."""
    old = df[df["version"] == step]
    new = df[df["version"] == step + 1]
    out: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, bool | None, bool | None]] = {}
    parts: dict[str, list[Any]] = {}
    for r in new.itertuples():
        if pd.isna(r.previous):
            out[(), (r.pid,)] = ("added", None, None)
            continue
        prev = tuple(r.previous.split())
        if len(prev) > 1:
            out[prev, (r.pid,)] = ("merge", r.event == "reworded" or None, bool(r.moved))
        else:
            parts.setdefault(prev[0], []).append(r)
    for pid, rows in parts.items():
        if len(rows) > 1:
            out[(pid,), tuple(r.pid for r in rows)] = ("split", None, None)
        else:
            r = rows[0]
            out[(pid,), (r.pid,)] = ("match", r.event == "reworded", bool(r.moved))
    for r in old.itertuples():
        if pd.isna(r.next):
            out[(r.pid,), ()] = ("removed", None, None)
    return out


# --- the real series against the golden pairs ----------------------------------------------


@pytest.mark.parametrize("step", [0, 1])
def test_lineage_links_are_the_golden_alignment(unodc: Series, step: int) -> None:
    """Every link of the lineage between two consecutive versions is an alignment entry of the
    hand-checked golden file, and every entry of the golden file is a link of the lineage."""
    want = json.loads((CASES / GOLDEN[step] / "expected.json").read_text(encoding="utf-8"))
    assert (want["old"], want["new"]) == SYMBOLS[step: step + 2]
    golden = {(tuple(e["old"]), tuple(e["new"])): e for e in want["alignment"]}
    got = lineage_entries(unodc.lineage, step)
    assert set(got) == set(golden)
    for link, (kind, changed, moved) in got.items():
        e = golden[link]
        assert kind == e["kind"], link
        if kind == "match":
            assert (changed, moved) == (e["changed"], e["moved"]), link


def test_every_paragraph_of_every_version_once(unodc: Series) -> None:
    df = unodc.lineage
    assert list(df.columns) == list(LINEAGE_COLUMNS)
    assert len(df) == sum(len(v.paragraphs) for v in unodc.versions)
    for k, v in enumerate(unodc.versions):
        rows = df[df["version"] == k]
        assert list(rows["pid"]) == [p.pid for p in v.paragraphs]
        assert rows["lineage"].is_unique
        assert set(rows["symbol"]) == {SYMBOLS[k]}
    assert list(df.drop_duplicates("version")["year"]) == [2017, 2019, 2023]


def test_links_read_the_same_from_both_sides(unodc: Series) -> None:
    """`next` of a paragraph and `previous` of its descendants name each other."""
    df = unodc.lineage
    for step in range(len(unodc.versions) - 1):
        forward = {(o, n) for r in df[df["version"] == step].itertuples()
                   if not pd.isna(r.next) for o in [r.pid] for n in r.next.split()}
        backward = {(o, n) for r in df[df["version"] == step + 1].itertuples()
                    if not pd.isna(r.previous) for n in [r.pid] for o in r.previous.split()}
        assert forward == backward


def test_lineage_ids_follow_the_rules(unodc: Series) -> None:
    df = unodc.lineage
    first = df[df["version"] == 0]
    assert list(first["lineage"]) == [f"L:A/RES/72/194:{p}" for p in first["pid"]]
    assert set(first["event"]) == {"first"}
    for r in df[df["version"] > 0].itertuples():
        if r.event == "added":
            assert r.lineage == f"L:{r.symbol}:{r.pid}"
            assert pd.isna(r.previous)
        else:  # no split or merge in this series: a link keeps its lineage
            prev = df[(df["version"] == r.version - 1) & (df["pid"] == r.previous)]
            assert list(prev["lineage"]) == [r.lineage]
    # Deterministic: the same comparisons give the same frame.
    again = build_series(unodc.versions, unodc.comparisons)
    pd.testing.assert_frame_equal(again.lineage, df)


def test_the_moved_paragraph_keeps_its_lineage(unodc: Series) -> None:
    """72/194 PP13 ("cannot and should not be associated with any religion") moved to 74/175
    PP3 (golden: exact, moved)."""
    lid = unodc.lineage_of(0, "PP13")
    assert unodc.lineage_of(1, "PP3") == lid
    row = unodc.lineage.query("version == 1 and pid == 'PP3'").iloc[0]
    assert (row["event"], bool(row["moved"]), row["previous"]) == ("kept", True, "PP13")
    assert "moved unchanged in 2019 to PP3" in unodc.story(lid)


def test_story_tells_each_step_with_its_reasons(unodc: Series) -> None:
    for lid in unodc.lineage_ids:
        story = unodc.story(lid)
        rows = unodc.lineage[unodc.lineage["lineage"] == lid]
        start = rows.iloc[0]
        head = "First appeared in 2017 as" if start["event"] == "first" else "Added in"
        assert story.startswith(f"{head} ") and story.endswith("."), story
        for r in rows.iloc[1:].itertuples():
            assert f" as {r.pid}" in story or f" to {r.pid}" in story, (lid, story)
            if not pd.isna(r.direction) and r.direction != "mixed":
                assert f"{r.direction} in {r.year}" in story, story
        end = rows.iloc[-1]
        if end["fate"] == "removed":
            year = unodc.years[int(end["version"]) + 1]
            assert story.endswith(f"removed in {year} ({SYMBOLS[int(end['version']) + 1]}).")
    # 72/194 OP16 -> 74/175 OP27 drops "whenever appropriate" (golden: strengthened), and 78/226
    # has no counterpart.
    lid = unodc.lineage_of(0, "OP16")
    assert unodc.lineage_of(1, "OP27") == lid
    story = unodc.story(lid)
    assert "2019 as OP27" in story and "whenever appropriate" in story
    with pytest.raises(KeyError, match="not a lineage"):
        unodc.story("L:nothing")


def test_ancestors_and_descendants(unodc: Series) -> None:
    lid = unodc.lineage_of(0, "OP1")
    pids = unodc.lineage[unodc.lineage["lineage"] == lid][["symbol", "pid"]]
    chain = [tuple(x) for x in pids.itertuples(index=False)]
    assert unodc.descendants(0, "OP1") == tuple(chain[1:])
    assert unodc.ancestors(len(chain) - 1, chain[-1][1]) == tuple(chain[:-1])
    with pytest.raises(KeyError):
        unodc.ancestors(0, "OP99")


def test_timeline_counts_every_operative_mandate_change(unodc: Series) -> None:
    t = unodc.timeline
    assert list(t.columns) == list(TIMELINE_COLUMNS)
    actors = set(t["actor"].fillna("<none>"))
    for k, c in enumerate(unodc.comparisons, 1):
        rows = t[t["step"] == k]
        assert set(rows["actor"].fillna("<none>")) == actors  # a full grid
        assert (rows["old"].iloc[0], rows["new"].iloc[0]) == SYMBOLS[k - 1: k + 1]
        for change in TIMELINE_CHANGES:
            want = sum(1 for m in c.mandate_changes
                       if m.section is Section.OPERATIVE and m.change == change)
            assert rows[change.value].sum() == want, (k, change)
    summary = unodc.summary()
    assert list(summary["step"]) == [1, 2]
    assert list(unodc.stories.columns) == list(STORY_COLUMNS)


def test_back_from_walks_the_chain(settings: Settings, unodc: Series) -> None:
    walked = pipeline.series(back_from="A/RES/78/226", settings=settings)
    assert walked.names == SYMBOLS
    pd.testing.assert_frame_equal(walked.lineage, unodc.lineage)
    with pytest.raises(TypeError):
        pipeline.series(list(SYMBOLS), back_from="A/RES/78/226", settings=settings)
    with pytest.raises(pipeline.ResdiffError, match="at least two versions"):
        pipeline.series(["A/RES/72/194"], settings=settings)


# --- splits, merges and mandates on comparisons written by hand ------------------------------

TEXT = {  # operative paragraphs of A/RES/74/175 and 78/226, shortened
    "a": "Requests the United Nations Office on Drugs and Crime, within its mandate, to continue "
         "to provide technical assistance to Member States;",
    "b": "Encourages Member States to strengthen international cooperation;",
    "c": "Urges Member States to strengthen international cooperation;",
    "d": "Requests the Office to report to the General Assembly at its eightieth session;",
    "e": "Decides to include in the provisional agenda the item entitled \u201cCrime prevention\u201d;",
}


def doc(symbol: str, adopted: str, *texts: str) -> Resolution:
    paras = tuple(Paragraph(f"OP{k}", Section.OPERATIVE, k, t.split()[0], t)
                  for k, t in enumerate(texts, 1))
    return Resolution(symbol, "Synthetic test series", int(symbol.split("/")[2]), None,
                      adopted, None, None, "resolution", paras)


def entry(old: tuple[str, ...], new: tuple[str, ...], kind: AlignKind,
          changed: bool = True) -> AlignmentEntry:
    return AlignmentEntry(old, new, kind, changed, False, 0.9 if old and new else 0.0, "fuzzy")


def mandate(old: str | None, new: str | None, change: Change, *reasons: str) -> MandateChange:
    return MandateChange(old, new, 0, "UNODC", "requests", "requests", change, reasons)


def crafted_series() -> Series:
    """v1: a b e → v2: a' (hedge dropped) split into two, b, e → v3: merge of the two parts
    with b, d added, e removed. Synthetic: real wording, edits made up."""
    v1 = doc("A/RES/70/1", "2015-12-01", TEXT["a"], TEXT["b"], TEXT["e"])
    v2 = doc("A/RES/72/1", "2017-12-01", TEXT["a"].replace("within its mandate, ", "")[:60] + ";",
             "Also requests the Office to continue to provide technical assistance;",
             TEXT["b"], TEXT["e"])
    v3 = doc("A/RES/74/1", "2019-12-01", TEXT["c"], TEXT["d"])
    c1 = Comparison(v1, v2, (
        entry(("OP1",), ("OP1", "OP2"), AlignKind.SPLIT),
        entry(("OP2",), ("OP3",), AlignKind.MATCH, changed=False),
        entry(("OP3",), ("OP4",), AlignKind.MATCH, changed=False),
    ), (), (
        mandate("OP1", "OP1", Change.STRENGTHENED, "hedge removed: within its mandate",
                "wording: 3 words added, 7 words removed"),
        mandate("OP1", "OP2", Change.REWORDED, "wording: 9 words added, 0 words removed"),
    ), CitationChanges((), (), ()))
    c2 = Comparison(v2, v3, (
        entry(("OP2", "OP3"), ("OP1",), AlignKind.MERGE),
        entry(("OP1",), (), AlignKind.REMOVED),
        entry((), ("OP2",), AlignKind.ADDED),
        entry(("OP4",), (), AlignKind.REMOVED),
    ), (), (
        mandate("OP3", "OP1", Change.WEAKENED, "verb Urges → Encourages (one rung down)"),
    ), CitationChanges((), (), ()))
    return build_series((v1, v2, v3), (c1, c2))


@pytest.fixture(scope="module")
def crafted() -> Series:
    return crafted_series()


def test_split_children_derive_from_the_parent(crafted: Series) -> None:
    df = crafted.lineage.set_index(["version", "pid"])
    parent = "L:A/RES/70/1:OP1"
    assert df.loc[(0, "OP1"), "lineage"] == parent
    assert df.loc[(0, "OP1"), "fate"] == "split"
    assert df.loc[(0, "OP1"), "next"] == "OP1 OP2"
    assert [df.loc[(1, p), "lineage"] for p in ("OP1", "OP2")] == [f"{parent}.1", f"{parent}.2"]
    assert df.loc[(1, "OP1"), "event"] == "split"
    assert df.loc[(1, "OP1"), "parents"] == parent
    assert df.loc[(1, "OP1"), "direction"] == "strengthened"
    assert df.loc[(1, "OP1"), "mandates"] == (
        "strengthened, UNODC: hedge removed: within its mandate")  # word counts left out
    story = crafted.story(f"{parent}.1")
    assert story == (
        "First appeared in 2015 as OP1 (A/RES/70/1); split in 2017 into OP1 and OP2 "
        "(A/RES/72/1); this part became OP1 (strengthened, UNODC: hedge removed: within its "
        "mandate); removed in 2019 (A/RES/74/1).")
    assert crafted.story(parent) == ("First appeared in 2015 as OP1 (A/RES/70/1); split in "
                                     "2017 into OP1 and OP2 (A/RES/72/1).")


def test_a_merge_keeps_the_oldest_lineage(crafted: Series) -> None:
    df = crafted.lineage.set_index(["version", "pid"])
    # v2 OP2 (the second part of the split, seen since 2015) and OP3 (b, seen since 2015):
    # equally old, so the first in document order wins.
    assert df.loc[(2, "OP1"), "lineage"] == "L:A/RES/70/1:OP1.2"
    assert df.loc[(2, "OP1"), "event"] == "merged"
    assert df.loc[(2, "OP1"), "previous"] == "OP2 OP3"
    assert df.loc[(2, "OP1"), "parents"] == "L:A/RES/70/1:OP2"
    assert df.loc[(2, "OP1"), "direction"] == "weakened"
    assert crafted.story("L:A/RES/70/1:OP2") == (
        "First appeared in 2015 as OP2 (A/RES/70/1); kept unchanged in 2017 as OP3; merged in "
        "2019 into OP1 (A/RES/74/1), which continues L:A/RES/70/1:OP1.2.")
    assert crafted.story("L:A/RES/70/1:OP1.2").endswith(
        "this part became OP2; merged in 2019 with OP3 into OP1 (weakened, UNODC: verb Urges "
        "→ Encourages (one rung down)).")
    assert df.loc[(2, "OP2"), "lineage"] == "L:A/RES/74/1:OP2"
    assert crafted.story("L:A/RES/74/1:OP2") == "Added in 2019 as OP2 (A/RES/74/1)."


def test_a_merge_prefers_the_older_lineage_over_document_order() -> None:
    v1 = doc("A/RES/70/1", "2015-12-01", TEXT["a"])
    v2 = doc("A/RES/71/1", "2016-12-01", TEXT["b"], TEXT["a"])
    v3 = doc("A/RES/72/1", "2017-12-01", TEXT["b"] + " " + TEXT["a"])
    c1 = Comparison(v1, v2, (entry((), ("OP1",), AlignKind.ADDED),
                             entry(("OP1",), ("OP2",), AlignKind.MATCH, changed=False)),
                    (), (), CitationChanges((), (), ()))
    c2 = Comparison(v2, v3, (entry(("OP1", "OP2"), ("OP1",), AlignKind.MERGE),), (), (),
                    CitationChanges((), (), ()))
    s = build_series((v1, v2, v3), (c1, c2))
    assert s.lineage_of(2, "OP1") == "L:A/RES/70/1:OP1"  # seen in 2015, not the 2016 one
    assert s.story("L:A/RES/71/1:OP1").endswith("which continues L:A/RES/70/1:OP1.")


def test_build_series_refuses_mismatched_comparisons(crafted: Series) -> None:
    v1, v2, v3 = crafted.versions
    with pytest.raises(ValueError, match="comparisons"):
        build_series((v1, v2, v3), crafted.comparisons[:1])
    with pytest.raises(ValueError, match="does not compare"):
        build_series((v1, v3, v2), crafted.comparisons)


def test_names_and_step_folders() -> None:
    assert step_name(1, "A/RES/72/194", "A/RES/74/175") == "01_72_194-to-74_175"
    assert step_name(12, "A/RES/79/7", "A/80/L.6") == "12_79_7-to-A_80_L.6"
    assert step_name(3, "A/C.6/80/L.22", "../../etc") == "03_A_C.6_80_L.22-to-etc"


# --- writing -------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if a.get("src"):
            self.srcs.append(a["src"] or "")
        self.scripts += tag == "script"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_series_outputs(unodc: Series, tmp_path: Path) -> None:
    written = write_series(unodc, tmp_path / "a")
    files = tree(tmp_path / "a")
    steps = unodc.steps
    assert steps == ("01_72_194-to-74_175", "02_74_175-to-78_226")
    for name in ("lineage", "timeline", "stories"):
        assert f"{name}.csv" in files and f"{name}.parquet" in files
    assert "index.html" in files and "series.json" in files
    for step in steps:
        for name in ("report.html", "comparison.json", "alignment.csv", "mandates.parquet"):
            assert f"{step}/{name}" in files
    assert not [p for p in files if Path(p).name.startswith(".")]  # no temporary left
    assert all(p.exists() for p in written)
    # Parquet holds the same frame, dtypes and all.
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "lineage.parquet"),
                                  unodc.lineage)
    # The index links every step's report, loads nothing and runs nothing.
    page = _Links()
    page.feed(files["index.html"].decode("utf-8"))
    local = [h for h in page.hrefs if not h.startswith(("https://", "#"))]
    assert local == [f"{s}/report.html" for s in steps]
    assert not page.srcs and not page.scripts
    assert all(h.startswith("https://documents.un.org/") for h in page.hrefs
               if h.startswith("http"))
    # Same series, same bytes; nothing absolute or timed.
    write_series(unodc, tmp_path / "b")
    assert tree(tmp_path / "b") == files
    text = b"".join(v for k, v in files.items() if not k.endswith(".parquet"))
    assert str(tmp_path).encode() not in text


def test_rewriting_replaces_step_folders_and_keeps_other_files(unodc: Series,
                                                               tmp_path: Path) -> None:
    (tmp_path / ".gitkeep").write_text("")
    stale = tmp_path / unodc.steps[0] / "stale.csv"
    stale.parent.mkdir()
    stale.write_text("old")
    write_series(unodc, tmp_path, formats=("csv",))
    assert (tmp_path / ".gitkeep").exists() and not stale.exists()
    assert not list(tmp_path.glob("*.parquet")) and not (tmp_path / "index.html").exists()
    with pytest.raises(pipeline.ResdiffError, match="unknown output format"):
        write_series(unodc, tmp_path, formats=("xlsx",))


def test_index_escapes_document_text(crafted: Series) -> None:
    v1, v2, v3 = crafted.versions
    hostile = dataclasses.replace(v3, title="<script>alert(1)</script>", paragraphs=(
        dataclasses.replace(v3.paragraphs[0], pid="OP1"),) + v3.paragraphs[1:])
    c2 = dataclasses.replace(crafted.comparisons[1], new=hostile)
    s = build_series((v1, v2, hostile), (crafted.comparisons[0], c2))
    html = render_index(s)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert render_index(s) == html
    assert "on 2024" not in html and "on 2024-01-01" in render_index(s, generated_at="2024-01-01")


def test_series_json_is_plain(unodc: Series) -> None:
    data = series_json(unodc)
    assert [v["symbol"] for v in data["versions"]] == list(SYMBOLS)
    assert [s["folder"] for s in data["steps"]] == list(unodc.steps)
    assert set(data["stories"]) == set(unodc.lineage_ids)
    json.dumps(data)


# --- the command -----------------------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_series(corpus: Path, tmp_path: Path) -> None:
    code, out, err = run("series", *SYMBOLS, "--mirror", str(corpus), "--offline",
                         "--out", str(tmp_path / "s"), env={"RESDIFF_CACHE": str(tmp_path)})
    assert code == 0, err
    assert out.startswith("A/RES/72/194 (2017) → A/RES/74/175 (2019) → A/RES/78/226 (2023)")
    assert "Mandate timeline (operative paragraphs):" in out
    assert re.search(r"^  UNODC +▲1 ▼3 ", out, re.M)
    assert (tmp_path / "s" / "index.html").exists()
    code, out, err = run("series", "--from", "A/RES/78/226", "--mirror", str(corpus),
                         "--offline", "--format", "json", env={"RESDIFF_CACHE": str(tmp_path)})
    assert code == 0, err
    assert [v["symbol"] for v in json.loads(out)["versions"]] == list(SYMBOLS)


def test_cli_series_usage_errors(corpus: Path) -> None:
    code, _, err = run("series", "A/RES/72/194")
    assert code == 2 and "at least two versions" in err
    code, _, err = run("series")
    assert code == 2 and "--from SYMBOL" in err
    code, _, err = run("series", "A/RES/72/194", "A/RES/74/175", "--from", "A/RES/78/226")
    assert code == 2
    code, _, err = run("series", "A/RES/72/194", "A/RES/99/999", "--mirror", str(corpus),
                       "--offline")
    assert code == 1 and err.startswith("Error: A/RES/99/999 (en) is not in the cache")


def test_public_name_is_the_function() -> None:
    import sys

    import pipeline.series  # noqa: F401  (a first import must not rebind pipeline.series)

    module = sys.modules["pipeline.series"]
    assert callable(pipeline.series) and pipeline.series is module.series
    assert "series" in pipeline.__all__ and "Series" in pipeline.__all__
