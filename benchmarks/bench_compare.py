"""How long one comparison takes: a 74/175-sized pair, the longest documents, 100 paragraphs.

Parsing is timed apart from comparing (alignment + clauses + mandates + citations); each time
is the best of several runs. The 100-paragraph pair is SYNTHETIC: the operative paragraphs of
the corpus pooled, 100 of them shuffled with a seed, then edited as the synthetic benchmark
does (paragraphs inserted, deleted and moved).

    .venv/bin/python benchmarks/bench_compare.py
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best  # noqa: E402
from synthetic import LABEL, corpus_dir  # noqa: E402

import pipeline  # noqa: E402
from pipeline.align import align  # noqa: E402
from pipeline.comparison import compare_resolutions  # noqa: E402
from pipeline.models import Paragraph, Resolution, Section  # noqa: E402


def hundred(corpus: dict[str, Resolution], seed: int = 0) -> tuple[Resolution, Resolution]:
    """A SYNTHETIC pair of 100-paragraph documents pooled from the corpus, with edits."""
    rng = random.Random(seed)
    pool = sorted({p.text for r in corpus.values() for p in r.paragraphs})
    texts = rng.sample(pool, 130)
    old_texts = texts[:100]
    new_texts = old_texts[:]
    for _ in range(8):
        del new_texts[rng.randrange(len(new_texts))]
    for t in texts[100:108]:
        new_texts.insert(rng.randrange(len(new_texts)), t)
    for _ in range(3):
        k = rng.randrange(len(new_texts))
        new_texts.insert(rng.randrange(len(new_texts)), new_texts.pop(k))

    def doc(ts: list[str], name: str) -> Resolution:
        paras = tuple(Paragraph(f"PP{k}" if k <= 30 else f"OP{k - 30}",
                                Section.PREAMBLE if k <= 30 else Section.OPERATIVE,
                                None if k <= 30 else k - 30, t.split()[0], t)
                      for k, t in enumerate(ts, 1))
        return Resolution(None, f"{LABEL} {name}", None, None, None, None, None, "resolution",
                          paras)

    return doc(old_texts, "old"), doc(new_texts, "new")


def main(argv: list[str] | None = None) -> int:
    """Time the comparisons and print one line each."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    folder = corpus_dir()
    paths = sorted(folder.glob("*.txt"))
    docs = {p.stem: pipeline.load(p) for p in paths}
    print(f"{'pair':<44} {'paras':>9} {'parse':>9} {'align':>9} {'compare':>9}")

    def row(label: str, a: Resolution, b: Resolution, parse: float | None) -> None:
        t_align = best(lambda: align(a, b), args.repeat)
        t_all = best(lambda: compare_resolutions(a, b), args.repeat)
        sizes = f"{len(a.paragraphs)}/{len(b.paragraphs)}"
        shown = f"{1000 * parse:7.1f}ms" if parse is not None else "       -  "
        print(f"{label:<44} {sizes:>9} {shown:>9} {1000 * t_align:7.1f}ms {1000 * t_all:7.1f}ms")

    def parse_time(*names: str) -> float:
        return sum(best(lambda n=n: pipeline.load(folder / f"{n}.txt"), args.repeat)
                   for n in names)

    row("A/RES/72/194 -> A/RES/74/175 (74/175-sized)", docs["A_RES_72_194"],
        docs["A_RES_74_175"], parse_time("A_RES_72_194", "A_RES_74_175"))
    longest = sorted(docs, key=lambda n: -len(docs[n].paragraphs))[:2]
    row(f"{longest[0]} -> {longest[1]} (longest)", docs[longest[0]], docs[longest[1]],
        parse_time(*longest))
    row("A/RES/74/175 -> A/RES/78/226", docs["A_RES_74_175"], docs["A_RES_78_226"],
        parse_time("A_RES_74_175", "A_RES_78_226"))
    a, b = hundred(docs)
    row("100 paragraphs, SYNTHETIC pooled + edited", a, b, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
