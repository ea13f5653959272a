"""Synthetic edits of real resolutions, with a known answer, and a scorer for `pipeline.compare`.

Every document made here is SYNTHETIC: real paragraphs of the corpus (the `.txt` text layers
in `RESDIFF_CORPUS`, or `../shared/corpus` beside the project), edited by a seeded random
generator. Each one says so on its first line and in its title; none is a United Nations text.

The edits and their answers:

    insert     a paragraph copied from a resolution of another chain   -> added
    delete     a paragraph dropped                                      -> removed
    move       a paragraph moved at least a third of its section away   -> match, moved
    split      an OP cut at ", and requests" (or another verb)          -> split
    merge      two adjacent OPs joined with ", and"                     -> merge
    verb       the lead verb one or more rungs up or down the ladder    -> strengthened/weakened
    hedge      ", upon request," added after the addressee, or removed  -> weakened/strengthened
    editorial  a date, a session number, or the "Also" of the lead      -> never stronger/weaker

Both versions of a pair are rendered like the corpus's text layers (header block, numbered
OPs, running heads, page numbers, a footnote block under a rule mid-text, paragraphs cut by
page breaks, footnote digits glued to words) and read back with resdiff's own reader, so the
parser is exercised too.

    .venv/bin/python benchmarks/synthetic.py --pairs 200 --seed 0
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from common import corpus_dir  # noqa: E402

from pipeline.comparison import Comparison, compare_resolutions  # noqa: E402
from pipeline.mandates import load_lexicon  # noqa: E402
from pipeline.models import Change, Footnote, Paragraph, Resolution, Section  # noqa: E402
from pipeline.reader import extract_text  # noqa: E402
from pipeline.render_text import to_text_layer  # noqa: E402
from pipeline.segment import segment  # noqa: E402

LABEL = "SYNTHETIC TEST DOCUMENT (resdiff benchmarks/synthetic.py): not a United Nations text"

#: Operative verbs swapped by verb edits; whether a swap is up or down the ladder is read from
#: resdiff's own lexicon (`pipeline/data/lexicon.toml`), and swaps within one rung ("urges" ->
#: "calls upon", both 4) are never drawn.
VERB_LADDER = ("invites", "encourages", "calls upon", "urges", "requests")

#: Hedges inserted or removed: each makes a mandate conditional.
HEDGES = ("upon request", "as appropriate", "where appropriate")


def _hedge_variants() -> dict[str, tuple[str, ...]]:
    lex = load_lexicon()
    return {q.phrase: q.variants for q in lex.qualifiers if q.kind == "hedge"
            and q.phrase in HEDGES}

EDIT_KINDS = ("insert", "delete", "move", "split", "merge", "verb", "hedge", "editorial")

#: Verbs at which an OP may be split: ", and requests ..." -> "...;" + "Requests ...".
SPLIT_RE = re.compile(r", and (requests|calls upon|encourages|invites|urges|welcomes|notes|"
                      r"stresses|decides|emphasizes|underlines|recognizes|reaffirms) ")
MONTHS = ("January February March April May June July August September October November "
          "December").split()
DATE_RE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b")
ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth").split()
SESSION_RE = re.compile(r"\b(sixty|seventy|eighty)-(" + "|".join(ORDINALS) + r") session\b")
CLOSING_RE = re.compile(r"\s*\d+(?:st|nd|rd|th) plenary meeting\b.*$", re.DOTALL)


# --- the documents as editable items ----------------------------------------------------------


@dataclass
class Item:
    """One paragraph being edited; `origin` is the old paragraph id(s) it comes from."""

    section: Section
    text: str
    footnotes: list[str] = field(default_factory=list)
    origin: tuple[str, ...] = ()
    touched: str = ""  # the edit applied to it, if any
    marks: list[tuple[str, int]] = field(default_factory=list)  # (text before, footnote index)


@dataclass
class Truth:
    """The known answer of a pair."""

    links: set[tuple[str, str]] = field(default_factory=set)  # (old pid, new pid)
    moved: set[str] = field(default_factory=set)  # old pids
    directions: dict[str, Change] = field(default_factory=dict)  # new pid -> expected change
    editorial: set[str] = field(default_factory=set)  # new pids with editorial edits only
    untouched: set[str] = field(default_factory=set)  # new pids copied without any edit


@dataclass
class Pair:
    """Two synthetic versions of one real resolution, rendered, and the answer."""

    name: str
    base: str
    edits: list[str]
    old_text: str
    new_text: str
    truth: Truth


def _items(res: Resolution) -> list[Item]:
    notes = {f.number: f.text for f in res.footnotes}
    out = []
    for p in res.paragraphs:
        text = CLOSING_RE.sub("", p.text).strip()
        numbers = [n for n in p.footnotes if n in notes]
        # a mark is kept as the words before it, found again in the edited text
        marks = [(text[max(0, off - 30): off], numbers.index(n)) for off, n in p.marks
                 if n in numbers and off <= len(text)]
        out.append(Item(p.section, text, [notes[n] for n in numbers], (p.pid,), "", marks))
    return out


def _pids(items: Sequence[Item]) -> list[str]:
    pp = op = 0
    out = []
    for it in items:
        if it.section is Section.PREAMBLE:
            pp += 1
            out.append(f"PP{pp}")
        else:
            op += 1
            out.append(f"OP{op}")
    return out


def _lead_word_count(text: str) -> int:
    first = text.split()[0].lower()
    return 2 if first in ("also", "further") else 1


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _strip_marker(text: str) -> str:
    first, _, rest = text.partition(" ")
    return _upper_first(rest) if first.lower() in ("also", "further") else text


# --- the edits ------------------------------------------------------------------------------


class Editor:
    """Applies edits to a copy of a document's items, recording their answers."""

    def __init__(self, rng: random.Random, items: list[Item], donors: list[Item]):
        self.rng = rng
        self.items = items
        self.original = list(items)
        self.donors = donors
        self.moved: set[str] = set()

    def free(self, section: Section | None = None) -> list[int]:
        return [k for k, it in enumerate(self.items)
                if not it.touched and len(it.origin) == 1
                and (section is None or it.section is section)]

    def apply(self, kind: str) -> bool:
        return bool(getattr(self, kind)())

    def insert(self) -> bool:
        donor = self.rng.choice(self.donors)
        place = [k for k, it in enumerate(self.items) if it.section is donor.section]
        if not place:
            return False
        k = self.rng.choice(place + [place[-1] + 1])
        self.items.insert(k, Item(donor.section, donor.text, list(donor.footnotes), (),
                                  "insert"))
        return True

    def delete(self) -> bool:
        ops = [k for k in self.free() if sum(
            it.section is Section.OPERATIVE for it in self.items) > 2 or
            self.items[k].section is Section.PREAMBLE]
        if not ops:
            return False
        del self.items[self.rng.choice(ops)]
        return True

    def move(self) -> bool:
        if self.moved:  # one move per pair: two crossing moves have no single answer
            return False
        section = self.rng.choice(list(Section))
        idx = [k for k, it in enumerate(self.items) if it.section is section]
        if len(idx) < 6:
            return False
        candidates = [k for k in self.free(section)]
        self.rng.shuffle(candidates)
        far = max(3, len(idx) // 3)
        for k in candidates:
            targets = [t for t in idx if abs(t - k) >= far]
            if not targets:
                continue
            t = self.rng.choice(targets)
            item = self.items.pop(k)
            item.touched = "move"
            self.items.insert(t, item)
            self.moved.add(item.origin[0])
            return True
        return False

    def split(self) -> bool:
        for k in self.rng.sample(self.free(Section.OPERATIVE), len(self.free(Section.OPERATIVE))):
            it = self.items[k]
            m = SPLIT_RE.search(it.text)
            if not m:
                continue
            first = it.text[: m.start()] + ";"
            second = _upper_first(it.text[m.start() + len(", and "):])
            if len(first.split()) < 8 or len(second.split()) < 8:
                continue
            a = Item(it.section, first, it.footnotes, it.origin, "split")
            b = Item(it.section, second, [], it.origin, "split")
            self.items[k: k + 1] = [a, b]
            return True
        return False

    def merge(self) -> bool:
        free = set(self.free(Section.OPERATIVE))
        # neighbours in both versions: two paragraphs brought together by a move are not merged
        order = {it.origin[0]: k for k, it in enumerate(self.original)}
        pairs = [k for k in sorted(free) if k + 1 in free and
                 order[self.items[k + 1].origin[0]] == order[self.items[k].origin[0]] + 1]
        if not pairs:
            return False
        k = self.rng.choice(pairs)
        a, b = self.items[k], self.items[k + 1]
        text = a.text.rstrip(" ;.,") + ", and " + _lower_first(_strip_marker(b.text))
        self.items[k: k + 2] = [Item(a.section, text, a.footnotes + b.footnotes,
                                     a.origin + b.origin, "merge")]
        return True

    def verb(self) -> bool:
        lex = load_lexicon()
        for k in self.rng.sample(self.free(Section.OPERATIVE), len(self.free(Section.OPERATIVE))):
            it = self.items[k]
            n = _lead_word_count(it.text)
            words = it.text.split(" ")
            head = " ".join(words[n - 1: n + 1]).lower()  # "calls upon"
            verb = head if head in VERB_LADDER else words[n - 1].lower()
            if verb not in VERB_LADDER:
                continue
            rung = lex.operative[verb]
            choices = [v for v in VERB_LADDER if lex.operative[v] != rung]
            new_verb = self.rng.choice(choices)
            rest = it.text.split(" ", n - 1 + len(verb.split()))[-1]
            it.text = _upper_first(new_verb) + " " + rest
            it.touched = "verb-up" if lex.operative[new_verb] > rung else "verb-down"
            return True
        return False

    def hedge(self) -> bool:
        variants = _hedge_variants()
        everything = [v.lower() for vs in variants.values() for v in vs]
        for k in self.rng.sample(self.free(Section.OPERATIVE), len(self.free(Section.OPERATIVE))):
            it = self.items[k]
            low = it.text.lower()
            present = {h for h, vs in variants.items() if any(v.lower() in low for v in vs)}
            if present and self.rng.random() < 0.5:
                # remove a hedge that occurs once, in one spelling, as ", upon request,"
                for h in sorted(present):
                    if sum(low.count(v.lower()) for v in variants[h]) != 1:
                        continue
                    m = re.search(r", " + re.escape(h) + r",", it.text, re.IGNORECASE)
                    if not m:
                        continue
                    it.text = it.text[: m.start()] + it.text[m.end() - 1:]
                    it.text = it.text.replace(", ,", ",")
                    it.touched = "hedge-removed"
                    return True
                continue
            # ", upon request," right after the addressee: "Requests the Office, upon
            # request, to continue ..." (the first " to " of the paragraph ends the addressee)
            m = re.search(r" to ", it.text)
            if not m or m.start() > 120 or "," in it.text[: m.start()]:
                continue
            hedges = [h for h in HEDGES if not any(v.lower() in low for v in variants[h])]
            if not hedges or any(v in low for v in everything if " " not in v):
                continue
            hedge = self.rng.choice(hedges)
            it.text = it.text[: m.start()] + f", {hedge}," + it.text[m.start():]
            it.touched = "hedge-added"
            return True
        return False

    def editorial(self) -> bool:
        for k in self.rng.sample(self.free(), len(self.free())):
            it = self.items[k]
            m = DATE_RE.search(it.text)
            if m:
                day = int(m.group(1))
                new = str(day % 28 + 1)
                it.text = it.text[: m.start(1)] + new + it.text[m.end(1):]
                it.touched = "editorial"
                return True
            m = SESSION_RE.search(it.text)
            if m:
                nxt = ORDINALS[(ORDINALS.index(m.group(2)) + 1) % len(ORDINALS)]
                it.text = it.text[: m.start(2)] + nxt + it.text[m.end(2):]
                it.touched = "editorial"
                return True
            if it.section is Section.OPERATIVE:
                first = it.text.split(" ", 1)
                if first[0].lower() in ("also", "further"):
                    it.text = _upper_first(first[1])
                else:
                    it.text = "Also " + _lower_first(it.text)
                it.touched = "editorial"
                return True
        return False


def answer(old: Sequence[Item], new: Sequence[Item], moved: set[str]) -> Truth:
    """The links, moves and directions a perfect comparison reports for `old` -> `new`."""
    truth = Truth(moved=set(moved))
    old_pid = dict(zip((it.origin[0] for it in old), _pids(old), strict=True))
    for pid, it in zip(_pids(new), new, strict=True):
        for o in it.origin:
            truth.links.add((old_pid[o], pid))
        if it.touched in ("verb-up", "hedge-removed"):
            truth.directions[pid] = Change.STRENGTHENED
        elif it.touched in ("verb-down", "hedge-added"):
            truth.directions[pid] = Change.WEAKENED
        elif it.touched == "editorial":
            truth.editorial.add(pid)
        elif not it.touched and it.origin:
            truth.untouched.add(pid)
    truth.moved = {old_pid[o] for o in moved}
    return truth


# --- rendering like the corpus's text layers ----------------------------------------------------


def build(base: Resolution, items: Sequence[Item], name: str) -> Resolution:
    """A `Resolution` of `items`, labelled synthetic, footnotes numbered in order of citation.

    Untouched paragraphs keep their footnote marks where the original printed them; an edited
    paragraph has its marks at its end.
    """
    paragraphs: list[Paragraph] = []
    footnotes: list[Footnote] = []
    for pid, it in zip(_pids(items), items, strict=True):
        numbers = list(range(len(footnotes) + 1, len(footnotes) + 1 + len(it.footnotes)))
        footnotes += [Footnote(n, t) for n, t in zip(numbers, it.footnotes, strict=True)]
        marks = _place_marks(it, numbers)
        number = int(pid[2:]) if it.section is Section.OPERATIVE else None
        paragraphs.append(Paragraph(pid, it.section, number, "", it.text,
                                    footnotes=tuple(numbers), marks=tuple(sorted(marks))))
    label = f" ({LABEL}, {name})"
    plain = _title(base)
    masthead = [LABEL] + [m + label if plain and m.endswith(plain) else m
                          for m in base.masthead if m != base.symbol]
    return dataclasses.replace(base, title=plain + label, paragraphs=tuple(paragraphs),
                               footnotes=tuple(footnotes), masthead=tuple(masthead))


def _place_marks(it: Item, numbers: list[int]) -> list[tuple[int, int]]:
    """Footnote marks where the original printed them, else after distinct words near the end."""
    placed: dict[int, int] = {}
    for before, k in it.marks:
        at = it.text.find(before)
        if before and at >= 0 and k < len(numbers):
            placed[numbers[k]] = at + len(before)
    missing = [n for n in numbers if n not in placed]
    if missing:
        ends = [m.end() for m in re.finditer(r"[A-Za-z]\b", it.text)]
        free = [e for e in ends if e not in placed.values()][-len(missing):] or [len(it.text)]
        for n, e in zip(missing, free + [len(it.text)] * len(missing), strict=False):
            placed[n] = e
    return sorted((off, n) for n, off in placed.items())


def render(res: Resolution, rng: random.Random, job: str) -> str:
    """The ODS text-layer rendering of `res` (resdiff's own `to_text_layer`), page size drawn."""
    return to_text_layer(res, lines_per_page=rng.randint(34, 46), job=job,
                         spaced_markers=rng.random() < 0.3)


def parse(text: str) -> Resolution:
    """Read a rendered text with resdiff's own reader (sniff, normalise, segment)."""
    clean, fmt = extract_text(text.encode("utf-8"))
    return segment(clean, source_format=fmt)


# --- generation and scoring ---------------------------------------------------------------------


def load_corpus(folder: Path | None = None) -> dict[str, Resolution]:
    """The corpus's text layers, parsed, by symbol."""
    folder = folder or corpus_dir()
    out = {}
    for path in sorted(folder.glob("*.txt")):
        res = parse(path.read_text(encoding="utf-8"))
        out[res.symbol or path.stem] = res
    return out


def _chain(res: Resolution) -> str:
    return re.sub(r"^\d+/\d+\.\s*", "", res.title).split()[0:3].__str__()


def generate(n: int, seed: int = 0, corpus: dict[str, Resolution] | None = None) -> list[Pair]:
    """`n` synthetic pairs, the same for the same seed and corpus."""
    corpus = corpus or load_corpus()
    rng = random.Random(seed)
    symbols = sorted(corpus)
    pairs = []
    for k in range(n):
        base = symbols[k % len(symbols)]
        res = corpus[base]
        chain = _chain(res)
        donors = [it for s in symbols if _chain(corpus[s]) != chain for it in _items(corpus[s])]
        old = _items(res)
        new = [Item(it.section, it.text, list(it.footnotes), it.origin, "", list(it.marks))
               for it in old]
        editor = Editor(rng, new, donors)
        wanted = rng.sample(EDIT_KINDS, rng.randint(2, 5))
        done = [kind for kind in wanted if editor.apply(kind)]
        name = f"synthetic-{seed}-{k:03d}"
        job = f"99-{k:05d}"
        pairs.append(Pair(name, base, done, render(build(res, old, name), rng, job),
                          render(build(res, new, name), rng, job),
                          answer(old, new, editor.moved)))
    return pairs


def _title(res: Resolution) -> str:
    return re.sub(r"^\d+/\d+\.\s*", "", " ".join(res.title.split()))


@dataclass
class Scores:
    """Counts over all pairs, and the measures made of them."""

    pairs: int = 0
    parse_mismatches: int = 0
    link_tp: int = 0
    link_fp: int = 0
    link_fn: int = 0
    move_tp: int = 0
    move_fp: int = 0
    move_fn: int = 0
    direction_right: int = 0
    direction_total: int = 0
    editorial_directed: int = 0  # editorial edits reported as stronger or weaker: must be 0
    editorial_total: int = 0
    untouched_directed: int = 0  # untouched paragraphs reported as stronger or weaker
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def link_precision(self) -> float:
        return self._ratio(self.link_tp, self.link_tp + self.link_fp)

    @property
    def link_recall(self) -> float:
        return self._ratio(self.link_tp, self.link_tp + self.link_fn)

    @property
    def link_f1(self) -> float:
        p, r = self.link_precision, self.link_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def move_precision(self) -> float:
        return self._ratio(self.move_tp, self.move_tp + self.move_fp)

    @property
    def move_recall(self) -> float:
        return self._ratio(self.move_tp, self.move_tp + self.move_fn)

    @property
    def direction_accuracy(self) -> float:
        return self._ratio(self.direction_right, self.direction_total)

    def report(self) -> str:
        return "\n".join([
            f"synthetic pairs           {self.pairs} (parse mismatches {self.parse_mismatches})",
            f"pair-link P/R/F1          {self.link_precision:.4f} / {self.link_recall:.4f} / "
            f"{self.link_f1:.4f}   (tp {self.link_tp}, fp {self.link_fp}, fn {self.link_fn})",
            f"move precision / recall   {self.move_precision:.4f} / {self.move_recall:.4f}   "
            f"(tp {self.move_tp}, fp {self.move_fp}, fn {self.move_fn})",
            f"mandate-direction acc.    {self.direction_accuracy:.4f}   "
            f"({self.direction_right}/{self.direction_total})",
            f"editorial as directed     {self.editorial_directed} of {self.editorial_total}",
            f"untouched as directed     {self.untouched_directed}",
            f"time                      {self.seconds:.2f} s "
            f"({1000 * self.seconds / max(1, self.pairs):.1f} ms a pair, parse + compare)",
        ])


DIRECTED = (Change.STRENGTHENED, Change.WEAKENED)


def score(pairs: Iterable[Pair]) -> Scores:
    """Parse, compare and score each pair against its answer."""
    s = Scores()
    start = time.perf_counter()
    for pair in pairs:
        s.pairs += 1
        old, new = parse(pair.old_text), parse(pair.new_text)
        c = compare_resolutions(old, new)
        expected_new = {n for _, n in pair.truth.links} | {
            p.pid for p in new.paragraphs}
        if len(expected_new) != len(new.paragraphs):
            s.parse_mismatches += 1
            s.failures.append(f"{pair.name}: parsed paragraphs do not match the rendering")
        _score_pair(s, pair, c)
    s.seconds = time.perf_counter() - start
    return s


def _score_pair(s: Scores, pair: Pair, c: Comparison) -> None:
    t = pair.truth
    links = {(o, n) for e in c.entries for o in e.old for n in e.new}
    tp = links & t.links
    s.link_tp += len(tp)
    s.link_fp += len(links - t.links)
    s.link_fn += len(t.links - links)
    if links != t.links:
        s.failures.append(f"{pair.name} {pair.edits}: links missing "
                          f"{sorted(t.links - links)}, extra {sorted(links - t.links)}")
    moved = {o for e in c.entries if e.moved for o in e.old}
    s.move_tp += len(moved & t.moved)
    s.move_fp += len(moved - t.moved)
    s.move_fn += len(t.moved - moved)
    if moved != t.moved:
        s.failures.append(f"{pair.name} {pair.edits}: moved {sorted(moved)}, "
                          f"expected {sorted(t.moved)}")
    by_new: dict[str, list[Change]] = {}
    for m in c.mandate_changes:
        if m.new:
            by_new.setdefault(m.new, []).append(m.change)
    for pid, want in t.directions.items():
        got = by_new.get(pid, [])
        other = Change.WEAKENED if want is Change.STRENGTHENED else Change.STRENGTHENED
        s.direction_total += 1
        if want in got and other not in got:
            s.direction_right += 1
        else:
            s.failures.append(f"{pair.name}: {pid} expected {want.value}, got "
                              f"{[g.value for g in got]}")
    for pid in t.editorial:
        s.editorial_total += 1
        if any(g in DIRECTED for g in by_new.get(pid, [])):
            s.editorial_directed += 1
            s.failures.append(f"{pair.name}: editorial {pid} reported "
                              f"{[g.value for g in by_new[pid]]}")
    for pid in t.untouched:
        if any(g in DIRECTED for g in by_new.get(pid, [])):
            s.untouched_directed += 1
            s.failures.append(f"{pair.name}: untouched {pid} reported "
                              f"{[g.value for g in by_new[pid]]}")


def main(argv: list[str] | None = None) -> int:
    """Generate, compare and score; print the measures (and the failures with -v)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    ap.add_argument("--show", metavar="NAME", help="print the two renderings of one pair")
    args = ap.parse_args(argv)
    pairs = generate(args.pairs, args.seed)
    if args.show:
        pair = next(p for p in pairs if p.name == args.show)
        print(pair.old_text, "\n=========\n", pair.new_text, "\n", pair.edits, pair.truth)
        return 0
    edits: dict[str, int] = {}
    for p in pairs:
        for e in p.edits:
            edits[e] = edits.get(e, 0) + 1
    s = score(pairs)
    print(s.report())
    print("edits applied             " + ", ".join(f"{k} {v}" for k, v in sorted(edits.items())))
    if args.verbose:
        print("\n".join(s.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
