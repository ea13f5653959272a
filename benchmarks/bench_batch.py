"""Pairs per second for the whole corpus plan, with 1 and 2 workers, against two baselines.

The plan is `plans/corpus.toml`: every consecutive pair of the four chains of the shared corpus
(16 comparisons of real UN documents, most read from their PDFs). Each batch run starts from an
empty output folder and does everything a user gets: find and hash the inputs, parse, align,
diff clauses, read mandates, trace the lineage, and write CSV, Parquet, JSON and the HTML
reports and index pages.

The baselines do less work and are given more: the documents already parsed, as clean text
(one paragraph a line), so they neither read PDFs nor align paragraphs, split clauses or read
mandates:

    difflib    SequenceMatcher over the lines (ratio) + HtmlDiff.make_file (a side-by-side page)
    redlines   Redlines(old, new).output_markdown (word-level track changes)

For a like-for-like view, "resdiff compare" times resdiff on the same parsed documents:
`compare_resolutions` and `render_report`, no parsing and no files. Each figure is the best of
--repeat runs.

    .venv/bin/python benchmarks/bench_batch.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import warnings
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from common import best  # noqa: E402

from pipeline.batch import read_plan, run_plan  # noqa: E402
from pipeline.comparison import compare_resolutions  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.models import Resolution  # noqa: E402
from pipeline.report import render_report  # noqa: E402

PLAN = ROOT / "plans" / "corpus.toml"


def text(res: Resolution) -> str:
    """The clean text a baseline gets: one paragraph a line."""
    return "\n".join(p.text for p in res.paragraphs) + "\n"


def with_difflib(a: str, b: str) -> str:
    """SequenceMatcher over lines, then a side-by-side HTML page."""
    old, new = a.splitlines(), b.splitlines()
    difflib.SequenceMatcher(None, old, new, autojunk=False).ratio()
    return difflib.HtmlDiff(wrapcolumn=100).make_file(old, new, "old", "new")


def with_redlines(a: str, b: str) -> str:
    """Word-level track changes as markdown."""
    from redlines import Redlines

    return str(Redlines(a, b).output_markdown)


def main(argv: list[str] | None = None) -> int:
    """Run the plan and the baselines, print pairs per second and the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated")
    args = ap.parse_args(argv)
    plan = read_plan(PLAN)
    settings = plan.settings(Settings.from_env())
    chains = [item.refs for item in plan.items]
    n_pairs = sum(len(c) - 1 for c in chains)
    print(f"plans/corpus.toml: {len(chains)} series, {n_pairs} pairs of real UN documents; "
          f"{os.cpu_count()} CPUs; best of {args.repeat}")

    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="resdiff-bench-") as tmp:
        counter = iter(range(1_000_000))  # a fresh output folder for every run
        for workers in (int(w) for w in args.workers.split(",")):

            def batch(workers: int = workers) -> None:
                out = Path(tmp) / f"w{workers}-{next(counter)}"
                result = run_plan(plan, settings, out=out, workers=workers)
                assert not result.failed, result.failed
                assert result.steps == n_pairs

            seconds = best(batch, args.repeat)
            rates[f"resdiff batch, {workers} worker{'s' if workers > 1 else ''}"] = (
                n_pairs / seconds)

    from pipeline.api import load

    docs = {ref: load(ref, settings=settings) for chain in chains for ref in chain}
    pairs = [(docs[a], docs[b]) for chain in chains for a, b in pairwise(chain)]
    texts = [(text(a), text(b)) for a, b in pairs]

    def resdiff_compare() -> None:
        for a, b in pairs:
            render_report(compare_resolutions(a, b, settings=settings))

    rates["resdiff compare (parsed, + report)"] = n_pairs / best(resdiff_compare, args.repeat)
    rates["difflib (lines + HtmlDiff)"] = n_pairs / best(
        lambda: [with_difflib(a, b) for a, b in texts], args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # redlines' dependencies may warn on import
        rates["redlines (words, markdown)"] = n_pairs / best(
            lambda: [with_redlines(a, b) for a, b in texts], args.repeat)

    width = max(len(k) for k in rates)
    for name, rate in rates.items():
        print(f"  {name:<{width}}  {rate:8.2f} pairs/s")
    one = rates.get("resdiff batch, 1 worker")
    two = rates.get("resdiff batch, 2 workers")
    if one and two:
        print(f"2 workers / 1 worker: {two / one:.2f}x")
    like = rates["resdiff compare (parsed, + report)"]
    for name in ("difflib (lines + HtmlDiff)", "redlines (words, markdown)"):
        line = f"{name}: {rates[name] / like:.1f}x the pairs/s of resdiff compare"
        if one:
            line += f", {rates[name] / one:.1f}x resdiff batch (1 worker)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
