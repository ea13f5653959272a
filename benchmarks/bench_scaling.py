"""How comparison time grows with document length: 50 to 2,000 paragraphs, growth exponent.

Every document here is SYNTHETIC: real paragraphs of the corpus (the `.txt` text layers in
`RESDIFF_CORPUS`, or `../shared/corpus` beside the project) repeated to the length wanted, each
repetition lightly edited by a seeded generator so that no two paragraphs are the same (a few
words swapped for words of other paragraphs, a number changed). The new version then gets the
edits of a typical revision, also seeded: about 8 % of paragraphs reworded, 3 % deleted, 3 %
inserted, 1 % moved far, a split and a merge per 200 paragraphs. Titles say SYNTHETIC.

For each size it times the whole comparison (`compare_resolutions`: alignment, clauses,
mandates, citations) and the alignment alone, best of --repeat runs, then fits the growth
exponent k of time ~ n^k by least squares on log-log axes. n log n over this range has
k ≈ 1.18; a quadratic stage shows as k → 2 at the large sizes, so the slope over the last
three sizes is printed too. --profile N prints the top functions by cumulative time at N.

    .venv/bin/python benchmarks/bench_scaling.py [--sizes 50,100,200,500,1000,2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best  # noqa: E402
from synthetic import LABEL, corpus_dir  # noqa: E402

from pipeline.align import align  # noqa: E402
from pipeline.comparison import compare_resolutions  # noqa: E402
from pipeline.models import Paragraph, Resolution, Section  # noqa: E402
from pipeline.reader import read_document  # noqa: E402

SIZES = (50, 100, 200, 500, 1000, 2000)
PREAMBLE_SHARE = 0.3  # a third of a resolution's paragraphs are preambular, typically
_WORD = re.compile(r"[a-z]{5,}")
_NUMBER = re.compile(r"\b\d{1,4}\b")


def pool(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """Preambular and operative paragraph texts of the corpus, and its longer words; sorted."""
    pre: set[str] = set()
    ops: set[str] = set()
    for path in sorted(folder.glob("*.txt")):
        res = read_document(path)
        for p in res.paragraphs:
            (pre if p.section is Section.PREAMBLE else ops).add(p.text)
    vocab = sorted({w for t in pre | ops for w in _WORD.findall(t)})
    return sorted(pre), sorted(ops), vocab


def _touch(text: str, rng: random.Random, vocab: Sequence[str], words: int) -> str:
    """`words` words swapped for others of the corpus, and a number changed, if any."""
    tokens = text.split(" ")
    for _ in range(words):
        k = rng.randrange(1, len(tokens)) if len(tokens) > 1 else 0
        if _WORD.fullmatch(tokens[k].lower()):
            tokens[k] = rng.choice(vocab)
    out = " ".join(tokens)
    return _NUMBER.sub(lambda m: str(int(m[0]) + rng.randrange(1, 9)), out, count=1)


def document(n: int, pre: Sequence[str], ops: Sequence[str], vocab: Sequence[str],
             seed: int) -> list[tuple[Section, str]]:
    """A SYNTHETIC document of `n` paragraphs: the corpus's, repeated, each copy edited."""
    rng = random.Random(seed)
    n_pre = round(n * PREAMBLE_SHARE)
    out: list[tuple[Section, str]] = []
    for section, texts, count in ((Section.PREAMBLE, pre, n_pre),
                                  (Section.OPERATIVE, ops, n - n_pre)):
        order = list(texts)
        rng.shuffle(order)
        for k in range(count):
            text = order[k % len(order)]
            if k >= len(order):  # a repetition: make it a paragraph of its own
                text = _touch(text, rng, vocab, 3)
            out.append((section, text))
    return out


def revise(doc: list[tuple[Section, str]], pre: Sequence[str], ops: Sequence[str],
           vocab: Sequence[str], seed: int) -> list[tuple[Section, str]]:
    """The next version: the edits of a typical revision (see the module docstring)."""
    rng = random.Random(seed)
    new = list(doc)
    n = len(doc)
    for k in rng.sample(range(n), max(1, round(0.08 * n))):
        new[k] = (new[k][0], _touch(new[k][1], rng, vocab, rng.randint(1, 4)))
    for _ in range(max(1, round(0.03 * n))):
        del new[rng.randrange(len(new))]
    for _ in range(max(1, round(0.03 * n))):
        k = rng.randrange(len(new))
        source = pre if new[k][0] is Section.PREAMBLE else ops
        new.insert(k, (new[k][0], _touch(rng.choice(source), rng, vocab, 2)))
    for _ in range(max(1, round(0.01 * n))):
        k = rng.randrange(len(new))
        item = new.pop(k)
        same = [j for j, (s, _) in enumerate(new) if s is item[0]]
        new.insert(same[(same.index(min(same, key=lambda j: abs(j - k))) + len(same) // 2)
                        % len(same)], item)
    for _ in range(max(1, n // 200)):  # a split at ", and", and a merge of two neighbours
        k = rng.randrange(len(new))
        section, text = new[k]
        if ", and " in text:
            head, tail = text.split(", and ", 1)
            new[k: k + 1] = [(section, head + ";"), (section, tail[:1].upper() + tail[1:])]
        j = rng.randrange(len(new) - 1)
        if new[j][0] is new[j + 1][0]:
            new[j: j + 2] = [(new[j][0], new[j][1].rstrip(";,.") + ", and " + new[j + 1][1])]
    return new


def resolution(paras: Sequence[tuple[Section, str]], name: str) -> Resolution:
    """`paras` as a SYNTHETIC resolution, PP/OP numbered in order."""
    out = []
    counts = {Section.PREAMBLE: 0, Section.OPERATIVE: 0}
    for section, text in sorted(paras, key=lambda x: x[0] is Section.OPERATIVE):
        counts[section] += 1
        k = counts[section]
        pid = f"PP{k}" if section is Section.PREAMBLE else f"OP{k}"
        out.append(Paragraph(pid, section, k if section is Section.OPERATIVE else None,
                             text.split()[0], text))
    return Resolution(None, f"{LABEL} ({name})", None, None, None, None, None, "resolution",
                      tuple(out))


def pair(n: int, pre: Sequence[str], ops: Sequence[str], vocab: Sequence[str],
         seed: int = 0) -> tuple[Resolution, Resolution]:
    """A SYNTHETIC old/new pair of about `n` paragraphs."""
    old = document(n, pre, ops, vocab, seed)
    new = revise(old, pre, ops, vocab, seed + 1)
    return resolution(old, f"{n} paragraphs, old"), resolution(new, f"{n} paragraphs, new")


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) on log(x): the k of y ~ x^k."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return (sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True))
            / sum((a - mx) ** 2 for a in lx))


def profile(a: Resolution, b: Resolution, top: int = 15) -> str:
    """The top functions of one comparison by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    compare_resolutions(a, b)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Time the comparisons, print one line per size, then the growth exponents."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="also profile one comparison of N paragraphs")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    pre, ops, vocab = pool(corpus_dir())
    print(f"SYNTHETIC documents from {len(pre)} preambular and {len(ops)} operative paragraphs "
          f"of the corpus, repeated and edited (seed {args.seed})")
    print(f"{'paragraphs':>10} {'old/new':>11} {'align':>10} {'compare':>10} {'ms/para':>8}")
    t_align, t_all = [], []
    for n in sizes:
        a, b = pair(n, pre, ops, vocab, args.seed)
        t_align.append(best(lambda a=a, b=b: align(a, b), args.repeat))
        t_all.append(best(lambda a=a, b=b: compare_resolutions(a, b), args.repeat))
        print(f"{n:>10} {len(a.paragraphs):>5}/{len(b.paragraphs):<5} "
              f"{1000 * t_align[-1]:8.1f}ms {1000 * t_all[-1]:8.1f}ms "
              f"{1000 * t_all[-1] / n:8.2f}")
    nlogn = slope(sizes, [n * math.log(n) for n in sizes])
    print(f"growth exponent k (time ~ n^k), all sizes: compare {slope(sizes, t_all):.2f}, "
          f"align {slope(sizes, t_align):.2f}; n log n would be {nlogn:.2f}")
    if len(sizes) >= 3:
        tail = sizes[-3:]
        print(f"last three sizes ({tail[0]}-{tail[-1]}): compare {slope(tail, t_all[-3:]):.2f}, "
              f"align {slope(tail, t_align[-3:]):.2f}; n log n would be "
              f"{slope(tail, [n * math.log(n) for n in tail]):.2f}")
    if args.profile:
        a, b = pair(args.profile, pre, ops, vocab, args.seed)
        print(f"\nprofile of one comparison of {args.profile} paragraphs (SYNTHETIC):")
        print(profile(a, b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
