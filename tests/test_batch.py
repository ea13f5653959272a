"""Batch runs: plans, failures that do not stop a run, skipping on a rerun, atomic outputs,
progress, and the same bytes from one process, local worker processes and a Dask cluster.

The corpus plan (`plans/corpus.toml`: every consecutive pair of the four chains of the shared
corpus) is run once for the module with one broken item added, then rerun; its outputs are the
reference the parallel runs are compared with.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import batch
from pipeline.batch import (
    RUN_COLUMNS,
    STATE_FILE,
    TIMING_COLUMNS,
    Document,
    ItemRun,
    Plan,
    PlanItem,
    Progress,
    Task,
    parse_plan,
    read_plan,
    run_plan,
    run_task,
)
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.errors import PlanError
from pipeline.series import atomic_dir

ROOT = Path(__file__).resolve().parent.parent
CORPUS_PLAN = ROOT / "plans" / "corpus.toml"
BROKEN = '\n[[pair]]\nname = "missing"\nold = "A/RES/99/999"\nnew = "A/RES/80/4"\n'
#: The chains of ../shared/corpus/README.md, oldest first.
CHAINS = {
    "unodc-counter-terrorism": ["A/RES/72/194", "A/RES/74/175", "A/RES/78/226"],
    "measures-to-eliminate-terrorism": ["A/RES/78/115", "A/RES/79/129", "A/C.6/80/L.22",
                                        "A/RES/80/171"],
    "cuba-embargo": ["A/RES/72/4", "A/RES/73/8", "A/RES/77/7", "A/RES/78/7", "A/RES/79/7",
                     "A/80/L.6", "A/RES/80/4"],
    "international-criminal-court": ["A/RES/72/3", "A/RES/73/7", "A/RES/78/6", "A/RES/79/6",
                                     "A/80/L.9", "A/RES/80/6"],
}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in sorted(root.rglob("*")) if p.is_file()}


def runs(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "runs.csv", keep_default_na=False, na_values=[""])


def without_timings(data: bytes) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    return [{k: v for k, v in row.items() if k not in TIMING_COLUMNS} for row in rows]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An empty cache of our own and no mirrors from the caller's environment."""
    return {"RESDIFF_CACHE": str(tmp_path_factory.mktemp("cache")), "RESDIFF_MIRRORS": ""}


@pytest.fixture(scope="module")
def plan_file(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """plans/corpus.toml with the corpus named explicitly and one broken item added."""
    text = CORPUS_PLAN.read_text(encoding="utf-8")
    text = re.sub(r"^mirrors = .*$", f"mirrors = [{str(corpus)!r}]", text, flags=re.M)
    path = tmp_path_factory.mktemp("plan") / "corpus-broken.toml"
    path.write_text(text + BROKEN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first_run(plan_file: Path, env: dict[str, str],
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    out = tmp_path_factory.mktemp("batch") / "out"
    code, _, err = run("batch", str(plan_file), "--offline", "--out", str(out), env=env)
    return out, code, err


@pytest.fixture(scope="module")
def reference(first_run: tuple[Path, int, str]) -> dict[str, bytes]:
    """Every file of the first run, as it ended (a rerun rewrites runs.csv)."""
    return tree(first_run[0])


# --- the corpus plan -------------------------------------------------------------------------


def test_corpus_plan_lists_every_consecutive_pair_of_every_chain() -> None:
    plan = read_plan(CORPUS_PLAN)
    assert {i.name: list(i.refs) for i in plan.items} == CHAINS
    assert all(i.kind == "series" for i in plan.items)
    assert plan.formats == ("csv", "parquet", "json", "html") and plan.offline
    assert plan.out == ROOT / "outputs" / "corpus"


@pytest.mark.slow
def test_corpus_batch_reports_the_broken_item_and_finishes(first_run: tuple[Path, int, str],
                                                           reference: dict[str, bytes]) -> None:
    out, code, err = first_run
    assert code == 1
    failed = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert failed == [
        "FAILED missing: A/RES/99/999 (en) is not in the cache or any mirror, and the network "
        "is switched off (--offline or RESDIFF_OFFLINE): drop --offline to fetch it, or set "
        "RESDIFF_MIRRORS to a folder that holds it."
    ]
    assert err.splitlines()[-1].startswith("5 items: 4 ok, 0 skipped, 1 failed in ")
    assert "\r" not in err  # not a terminal: no live progress line
    df = runs(out)
    assert list(df.columns) == list(RUN_COLUMNS)
    assert list(df["item"]) == [*CHAINS, "missing"]
    assert list(df["status"]) == ["ok"] * 4 + ["failed"]
    assert list(df["steps"].iloc[:4]) == [len(v) - 1 for v in CHAINS.values()]
    assert df["steps"].iloc[:4].sum() == 16
    assert df["error"].iloc[:4].isna().all() and df["error"].iloc[4].startswith("A/RES/99/999")
    # Every step of every chain has its pairwise outputs, and the series its own.
    for name, chain in CHAINS.items():
        folder = out / name
        steps = sorted(p.name for p in folder.iterdir() if p.is_dir())
        assert len(steps) == len(chain) - 1
        for step in steps:
            assert (folder / step / "report.html").is_file()
            assert (folder / step / "comparison.json").is_file()
        for f in ("index.html", "lineage.csv", "lineage.parquet", "timeline.csv", "series.json"):
            assert (folder / f).is_file(), f
    assert not (out / "missing").exists()
    assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".old", ".lock"))]


@pytest.mark.slow
def test_rerun_skips_everything_already_done(first_run: tuple[Path, int, str], plan_file: Path,
                                             env: dict[str, str],
                                             reference: dict[str, bytes]) -> None:
    out, _, _ = first_run  # `reference` has kept the first run's files before this rerun
    before = mtimes(out)
    code, _, err = run("batch", str(plan_file), "--offline", "--out", str(out), env=env)
    assert code == 1  # the broken item still fails
    assert list(runs(out)["status"]) == ["skipped"] * 4 + ["failed"]
    assert err.splitlines()[-1].startswith("5 items: 0 ok, 4 skipped, 1 failed in ")
    after = mtimes(out)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {"runs.csv"}  # no output of a skipped item was touched
    assert set(after) == set(before)
    # The counts of a skipped item come from the state file, as they were.
    first = runs(out)
    assert first["paragraphs"].iloc[0] == 138


@pytest.mark.slow
def test_local_processes_and_dask_give_the_same_bytes(
    reference: dict[str, bytes], plan_file: Path, env: dict[str, str], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("dask.distributed")
    code, _, err = run("batch", str(plan_file), "--offline", "--out", str(tmp_path / "w2"),
                       "--workers", "2", env=env)
    assert code == 1, err
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        # the scheduler's HTTP endpoint on a free port: 8787 may be taken on a shared machine
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        code, _, err = run("batch", str(plan_file), "--offline", "--out", str(tmp_path / "dask"),
                           "--executor", "dask", "--scheduler", cluster.scheduler_address,
                           env=env)
    assert code == 1, err
    for name in ("w2", "dask"):
        got = tree(tmp_path / name)
        assert set(got) == set(reference), name
        for path, data in reference.items():
            if path == "runs.csv":
                assert without_timings(got[path]) == without_timings(data)
            else:
                assert got[path] == data, (name, path)


# --- plans -----------------------------------------------------------------------------------


def test_toml_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mirror").mkdir()
    monkeypatch.setenv("RESDIFF_TEST_MIRROR", str(tmp_path / "mirror"))
    plan = parse_plan(
        'out = "results"\nformats = ["json", "csv"]\nmirrors = ["${RESDIFF_TEST_MIRROR}", '
        '"${RESDIFF_UNSET_VARIABLE:-mirror}"]\nlang = "FR"\n'
        '[[pair]]\nold = "A/C.6/80/L.22"\nnew = "A/RES/80/171"\n'
        '[[series]]\nname = "cuba"\nversions = ["A/RES/79/7", "A/80/L.6", "A/RES/80/4"]\n'
        '[[series]]\nfrom = "A/RES/80/6"\n',
        base=tmp_path,
    )
    assert plan.items == (
        PlanItem("A_C.6_80_L.22-to-80_171", "pair", ("A/C.6/80/L.22", "A/RES/80/171")),
        PlanItem("cuba", "series", ("A/RES/79/7", "A/80/L.6", "A/RES/80/4")),
        PlanItem("series-to-80_6", "series", back_from="A/RES/80/6"),
    )
    assert plan.out == tmp_path / "results"
    assert plan.formats == ("csv", "json")  # always in the canonical order
    assert plan.mirrors == ((tmp_path / "mirror").resolve(),) * 2
    s = plan.settings(Settings(mirrors=(Path("/cli"),), lang="en"))
    assert s.mirrors == (Path("/cli"), (tmp_path / "mirror").resolve()) and s.lang == "fr"
    assert plan.settings(Settings(lang="es"), keep_lang=True).lang == "es"


@pytest.mark.parametrize("text, message", [
    ('[[pair]]\nold = "A/RES/1/1"\n', "a pair needs old and new"),
    ('[[pair]]\nold = "A/RES/1/1"\nnew = "A/RES/1/2"\nolder = "x"\n', "unknown key 'older'"),
    ('output = "x"\n[[pair]]\nold = "a"\nnew = "b"\n', "unknown key 'output'"),
    ('[[series]]\nversions = ["A/RES/1/1"]\n', "at least two versions"),
    ('[[series]]\nversions = ["A/RES/1/1", "A/RES/1/2"]\nfrom = "A/RES/1/2"\n', "not both"),
    ('[[pair]]\nname="x"\nold = "a"\nnew = "b"\n[[pair]]\nname="x"\nold = "c"\nnew = "d"\n',
     "two items are named 'x'"),
    ('[[pair]]\nname = "../up"\nold = "a"\nnew = "b"\n', "cannot be a folder name"),
    ('[[pair]]\nname = "runs.csv"\nold = "a"\nnew = "b"\n', "cannot be a folder name"),
    ('formats = ["pdf"]\n[[pair]]\nold = "a"\nnew = "b"\n', "unknown format 'pdf'"),
    ('mirrors = ["no/such/folder"]\n[[pair]]\nold = "a"\nnew = "b"\n', "does not exist"),
    ('offline = "yes"\n[[pair]]\nold = "a"\nnew = "b"\n', "offline must be true or false"),
    ('[pair]\nold = "a"\nnew = "b"\n', "write [[pair]]"),
    ("out = \n", "not valid TOML"),
    ('out = "x"\n', "no items"),
])
def test_bad_plans_say_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        parse_plan(text, base=tmp_path)


def test_csv_plan(tmp_path: Path) -> None:
    plan = parse_plan(
        "# a comment line\nname,old,new,versions,from\n"
        "draft,A/80/L.6,A/RES/80/4,,\n"
        ",,,A/RES/79/7; A/80/L.6 ;A/RES/80/4,\n"
        "walk,,,,A/RES/80/6\n,,,,\n",
        fmt="csv", base=tmp_path,
    )
    assert plan.items == (
        PlanItem("draft", "pair", ("A/80/L.6", "A/RES/80/4")),
        PlanItem("79_7-to-80_4", "series", ("A/RES/79/7", "A/80/L.6", "A/RES/80/4")),
        PlanItem("walk", "series", back_from="A/RES/80/6"),
    )
    assert plan.out is None and plan.formats == ("csv", "parquet", "json", "html")
    with pytest.raises(PlanError, match="unknown column 'title'"):
        parse_plan("name,title\nx,y\n", fmt="csv")
    with pytest.raises(PlanError, match="line 2: a pair"):
        parse_plan("old,new,from\na,b,c\n", fmt="csv")


def test_csv_plan_of_files_matches_compare_out(corpus: Path, tmp_path: Path,
                                               env: dict[str, str]) -> None:
    """A pair item writes what `resdiff compare --out` writes, byte for byte; file paths in a
    plan are taken from the plan's folder; the run ends in status 0."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("A_80_L.6.txt", "A_RES_80_4.txt"):
        (docs / name).write_bytes((corpus / name).read_bytes())
    plan = tmp_path / "plan.csv"
    plan.write_text("name,old,new\ncuba,docs/A_80_L.6.txt,docs/A_RES_80_4.txt\n")
    code, out, err = run("batch", str(plan), "--out", str(tmp_path / "out"), env=env)
    assert code == 0, err
    assert out == "" and err.startswith("1 item: 1 ok, 0 skipped, 0 failed in ")
    code, _, err = run("compare", str(docs / "A_80_L.6.txt"), str(docs / "A_RES_80_4.txt"),
                       "--out", str(tmp_path / "compare"), env=env)
    assert code == 0, err
    assert tree(tmp_path / "out" / "cuba") == tree(tmp_path / "compare")

    # A changed input reruns its item; an unchanged one is skipped; --force reruns all.
    plan.write_text("name,old,new\ncuba,docs/A_80_L.6.txt,docs/A_RES_80_4.txt\n"
                    "same,docs/A_80_L.6.txt,docs/A_80_L.6.txt\n")
    code, _, err = run("batch", str(plan), "--out", str(tmp_path / "out"), env=env)
    assert code == 0 and list(runs(tmp_path / "out")["status"]) == ["skipped", "ok"]
    with (docs / "A_RES_80_4.txt").open("a") as f:
        f.write("\n")
    code, _, err = run("batch", str(plan), "--out", str(tmp_path / "out"), env=env)
    assert list(runs(tmp_path / "out")["status"]) == ["ok", "skipped"]
    code, _, err = run("batch", str(plan), "--out", str(tmp_path / "out"), "--force", env=env)
    assert list(runs(tmp_path / "out")["status"]) == ["ok", "ok"]
    # A missing file fails its item only.
    plan.write_text("name,old,new\ngone,docs/nothing.txt,docs/A_RES_80_4.txt\n")
    code, _, err = run("batch", str(plan), "--out", str(tmp_path / "out"), env=env)
    assert code == 1
    assert "FAILED gone: docs/nothing.txt: no such file (a path in a plan is taken from" in err


@pytest.mark.slow
def test_series_walked_back_from_the_newest(corpus: Path, tmp_path: Path) -> None:
    """`from = SYMBOL` walks the lineage in the parent; a symbol that recalls no earlier
    version that can be found fails its item with the reason."""
    plan = parse_plan(
        f"mirrors = [{str(corpus)!r}]\noffline = true\nformats = [\"csv\"]\n"
        '[[series]]\nfrom = "A/RES/78/226"\n[[series]]\nfrom = "A/RES/80/171"\n',
        base=tmp_path)
    result = run_plan(plan, Settings(cache_dir=tmp_path / "cache"), out=tmp_path / "o")
    ok, failed = result.runs
    assert (ok.name, ok.status, ok.counts["versions"]) == ("series-to-78_226", "ok", 3)
    assert sorted(p.name for p in (tmp_path / "o" / ok.name).iterdir() if p.is_dir()) == [
        "01_72_194-to-74_175", "02_74_175-to-78_226"]
    assert (failed.name, failed.status) == ("series-to-80_171", "failed")
    assert failed.error and failed.error.startswith("no earlier version of A/RES/80/171 was "
                                                    "found (A/RES/66/10 could not be resolved")


def test_formats_subset_and_state(corpus: Path, tmp_path: Path) -> None:
    plan = Plan(items=(PlanItem("p", "pair", (str(corpus / "A_80_L.6.txt"),
                                             str(corpus / "A_RES_80_4.txt"))),),
                base=tmp_path, formats=("csv",))
    result = run_plan(plan, Settings(cache_dir=tmp_path / "cache"), out=tmp_path / "o")
    assert [r.status for r in result.runs] == ["ok"]
    assert sorted(tree(tmp_path / "o" / "p")) == sorted(
        f"{t}.csv" for t in ("alignment", "citations", "clauses", "mandates", "paragraphs",
                             "summary"))
    assert (tmp_path / "o" / STATE_FILE).is_file()
    # Another format is another output: the item runs again.
    again = run_plan(dataclasses.replace(plan, formats=("csv", "json")),
                     Settings(cache_dir=tmp_path / "cache"), out=tmp_path / "o")
    assert [r.status for r in again.runs] == ["ok"]
    assert "comparison.json" in tree(tmp_path / "o" / "p")
    with pytest.raises(PlanError, match="no output folder"):
        run_plan(plan, Settings())


# --- workers and atomicity -------------------------------------------------------------------


def test_run_task_turns_bad_input_into_an_error() -> None:
    doc = Document("junk.txt", "junk.txt", b"\x00\x01binary", "0" * 64)
    result = run_task(Task("junk", "pair", (doc, doc), ("csv",), Settings()))
    assert result.files == () and result.traceback is None
    assert result.error and result.error.startswith("junk.txt (junk.txt): ")


def test_a_bug_in_a_worker_is_reported_with_its_traceback(monkeypatch: pytest.MonkeyPatch,
                                                           corpus: Path) -> None:
    data = (corpus / "A_RES_80_4.txt").read_bytes()
    doc = Document("A/RES/80/4", "A_RES_80_4.txt", data, "0" * 64)

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("pipeline.comparison.compare_resolutions", boom)
    result = run_task(Task("bug", "pair", (doc, doc), ("csv",), Settings()))
    assert result.error == ("internal error, a bug in resdiff (ZeroDivisionError: division by "
                            "zero)")
    assert result.traceback and "ZeroDivisionError" in result.traceback


def test_atomic_dir_keeps_the_old_folder_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "item"
    target.mkdir()
    (target / "old.csv").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "new.csv").write_text("half")
        raise RuntimeError("killed")
    assert tree(target) == {"old.csv": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["item"]
    with atomic_dir(target) as tmp:
        (tmp / "new.csv").write_text("new")
    assert tree(target) == {"new.csv": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["item"]


def test_a_run_cleans_what_a_killed_run_left_and_holds_a_lock(corpus: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "o"
    (out / ".item.x1y2z3.tmp").mkdir(parents=True)
    (out / ".item.x1y2z3.tmp" / "half.csv").write_text("half")
    (out / ".runs.csv.abc.tmp").write_text("half")
    plan = Plan(items=(PlanItem("p", "pair", (str(corpus / "A_80_L.6.txt"),
                                             str(corpus / "A_RES_80_4.txt"))),),
                base=tmp_path, formats=("csv",))
    run_plan(plan, Settings(cache_dir=tmp_path / "cache"), out=out)
    assert sorted(p.name for p in out.iterdir()) == [STATE_FILE, "p", "runs.csv"]
    (out / batch.LOCK_FILE).write_text(str(os.getpid()))  # a live run holds it
    with pytest.raises(PlanError, match="another resdiff batch is writing"):
        run_plan(plan, Settings(cache_dir=tmp_path / "cache"), out=out)
    (out / batch.LOCK_FILE).write_text("999999999")  # a dead one: taken over
    assert run_plan(plan, Settings(cache_dir=tmp_path / "cache"), out=out).count("skipped") == 1


def test_dask_missing_or_unconfigured_says_what_to_do(monkeypatch: pytest.MonkeyPatch,
                                                      corpus: Path, tmp_path: Path) -> None:
    plan = Plan(items=(PlanItem("p", "pair", (str(corpus / "A_80_L.6.txt"),
                                             str(corpus / "A_RES_80_4.txt"))),),
                base=tmp_path, formats=("csv",))
    with pytest.raises(PlanError, match="needs --scheduler ADDRESS"):
        run_plan(plan, Settings(cache_dir=tmp_path), out=tmp_path / "o", executor="dask")
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(PlanError, match=re.escape("pip install 'resdiff[dask]'")):
        run_plan(plan, Settings(cache_dir=tmp_path), out=tmp_path / "o", executor="dask",
                 scheduler="tcp://127.0.0.1:1", force=True)


# --- progress and the command ----------------------------------------------------------------


def test_progress_on_a_terminal_and_off_it() -> None:
    ok = ItemRun("a", "pair", "ok")
    bad = ItemRun("b", "pair", "failed", error="it broke")
    result = batch.BatchResult((ok, bad), Path("out"), 2.0)
    live = io.StringIO()
    progress = Progress(live, live=True)
    progress.item(ok, 1, 2)
    progress.item(bad, 2, 2)
    progress.finish(result)
    text = live.getvalue()
    assert re.search(r"\r\x1b\[K\[1/2\] [\d.]+ items/s, ~\d+ s left · a: ok", text)
    assert "\r\x1b[KFAILED b: it broke\n" in text
    assert text.endswith("\r\x1b[K2 items: 1 ok, 0 skipped, 1 failed in 2.0 s (1.0 items/s); "
                         "runs.csv in out\n")
    quiet = io.StringIO()
    progress = Progress(quiet)  # StringIO is not a terminal
    progress.item(ok, 1, 2)
    progress.item(bad, 2, 2)
    progress.finish(result)
    assert quiet.getvalue() == ("FAILED b: it broke\n2 items: 1 ok, 0 skipped, 1 failed in "
                                "2.0 s (1.0 items/s); runs.csv in out\n")
    assert batch._duration(3725) == "~1 h 02 min" and batch._duration(75) == "~1 min 15 s"


def test_batch_help_shows_the_plan_format() -> None:
    code, out, _ = run("batch", "--help")
    assert code == 0
    for text in ("[[pair]]", "[[series]]", "formats = [", "FAILED <item>: <message>",
                 "runs.csv", "--workers", "--executor", "--scheduler", "Examples:"):
        assert text in out, text
