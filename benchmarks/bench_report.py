"""Size and render time of the HTML report for every consecutive pair of the corpus chains.

The chains are those of the corpus README (real UN documents, read in place from
`RESDIFF_CORPUS` or `../shared/corpus` beside the project; a version that exists only as PDF is
read from its PDF). For each pair it prints the paragraphs and rows, the size of the full page
and of the compact notebook view, and the time to render (median of --repeat runs, after a
first run that also compiles the templates). The largest report must stay small enough to mail:
the script exits 1 when it is over --limit-kb.

    .venv/bin/python benchmarks/bench_report.py [--repeat 5] [--limit-kb 1024]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from common import corpus_dir  # noqa: E402

from pipeline.api import load  # noqa: E402
from pipeline.comparison import compare_resolutions  # noqa: E402
from pipeline.report import build_rows, render_report  # noqa: E402
from pipeline.symbols import symbol_to_stem  # noqa: E402

#: The version chains of the corpus, oldest first (see the corpus README).
CHAINS = (
    ("A/RES/72/194", "A/RES/74/175", "A/RES/78/226"),
    ("A/RES/78/115", "A/RES/79/129", "A/C.6/80/L.22", "A/RES/80/171"),
    ("A/RES/72/4", "A/RES/73/8", "A/RES/77/7", "A/RES/78/7", "A/RES/79/7", "A/80/L.6",
     "A/RES/80/4"),
    ("A/RES/72/3", "A/RES/73/7", "A/RES/78/6", "A/RES/79/6", "A/80/L.9", "A/RES/80/6"),
)


def document(corpus: Path, symbol: str) -> Path:
    """The text layer of a document when the corpus has one, else its PDF."""
    stem = symbol_to_stem(symbol)
    for name in (f"{stem}.txt", f"{stem}-EN.pdf"):
        if (corpus / name).exists():
            return corpus / name
    raise SystemExit(f"{symbol} is not in {corpus}: set RESDIFF_CORPUS to the shared corpus")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="renders timed per pair")
    parser.add_argument("--limit-kb", type=float, default=1024.0,
                        help="largest full report allowed, in KiB (default: 1 MiB)")
    args = parser.parse_args(argv)
    corpus = corpus_dir()

    head = (f"{'pair':<34} {'paras':>9} {'rows':>4} {'report':>10} {'compact':>10} "
            f"{'compare':>9} {'render':>9} {'1st':>8}")
    print(head)
    print("-" * len(head))
    results: list[tuple[int, str]] = []
    first = True
    for chain in CHAINS:
        for a, b in zip(chain, chain[1:], strict=False):
            old, new = load(document(corpus, a)), load(document(corpus, b))
            t0 = time.perf_counter()
            comparison = compare_resolutions(old, new)
            t_compare = time.perf_counter() - t0
            t0 = time.perf_counter()
            html = render_report(comparison)  # the first render also compiles the templates
            t_first = time.perf_counter() - t0
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                again = render_report(comparison)
                times.append(time.perf_counter() - t0)
                assert again == html, f"{a} → {b}: two renders differ"
            compact = render_report(comparison, compact=True)
            size = len(html.encode("utf-8"))
            pair = f"{a} → {b}"
            results.append((size, pair))
            print(f"{pair:<34} {len(old.paragraphs):>4}→{len(new.paragraphs):<4} "
                  f"{len(build_rows(comparison)):>4} {size / 1024:>7.1f} KB "
                  f"{len(compact.encode('utf-8')) / 1024:>7.1f} KB "
                  f"{t_compare * 1000:>6.1f} ms {statistics.median(times) * 1000:>6.1f} ms "
                  f"{t_first * 1000:>5.0f} ms{' (cold)' if first else ''}")
            first = False

    size, pair = max(results)
    verdict = "ok" if size <= args.limit_kb * 1024 else "TOO BIG"
    print(f"\nlargest report: {pair}, {size / 1024:.1f} KB ({size} bytes); "
          f"limit {args.limit_kb:.0f} KB: {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
