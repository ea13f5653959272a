"""Align the paragraphs of two versions of a resolution: every paragraph in exactly one entry.

The passes, each recorded in `AlignmentEntry.method` so that a reader can see why a link exists:

1. ``exact``: the same text after `comparable` (whitespace, quote and dash typography, the
   repetition marker "Also"/"Further" of the lead). Same section first, in document order.
2. ``fuzzy``: TF-IDF cosine over stemmed words and word pairs, scored only for candidates that
   share a rare term (an inverted index), assigned greedily best-first above a threshold.
3. ``cross-section``: the same, between a preambular and an operative paragraph, with a higher
   threshold, for the paragraphs still alone.
4. ``positional``: what is still alone between two links of the order-preserving backbone
   is linked at a lower threshold: a paragraph rewritten in place keeps its neighbours.
5. ``split`` / ``merge``: one paragraph whose words are covered by two or more consecutive
   paragraphs of the other version, each of which is mostly made of its words.
6. moves: the backbone is the heaviest order-preserving chain of links (a weighted longest
   increasing subsequence); a link outside it is ``moved``. Renumbering alone moves nothing.

Everything left is ``added`` or ``removed`` (method ``unmatched``). Pure: values in, values out.

>>> from pipeline.models import Paragraph, Resolution, Section
>>> def res(*texts):
...     ps = tuple(Paragraph(f"OP{i}", Section.OPERATIVE, i, t.split()[0], t)
...                for i, t in enumerate(texts, 1))
...     return Resolution(None, "", None, None, None, None, None, "resolution", ps)
>>> [(e.old, e.new, e.kind.value) for e in align(res("Requests a report;"), res("Requests a report;"))]
[(('OP1',), ('OP1',), 'match')]
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pipeline.config import AlignSettings
from pipeline.models import AlignKind, AlignmentEntry, Paragraph, Resolution, Section

#: Function words that carry no evidence of which paragraph became which.
STOP_WORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or that the their
    them these this those to which with""".split()
)

#: Repetition markers: UN editors write "Also requests", "Further requests", "Recalling also"
#: when a verb repeats, so the marker follows the order of paragraphs, not their content.
REPETITION_MARKERS = frozenset({"also", "further"})

DIGITS = 4  # similarities are rounded so that outputs are the same bytes on every machine

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
                         "\u00a0": " "})
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")
_HYPHEN = re.compile(r"\s*-\s*")


def comparable(paragraph: Paragraph) -> str:
    """The text two paragraphs must share to count as unchanged.

    Drops what is not wording: runs of whitespace, curly versus straight quotes and dashes, a
    space around a hyphen (a PDF line-break artefact: "capacity -building"), the case of the
    lead and its repetition marker ("Also requests" = "Requests", "Recalling also" =
    "Recalling").
    """
    text = unicodedata.normalize("NFKC", paragraph.text).translate(_QUOTES)
    text = _HYPHEN.sub("-", _SPACE.sub(" ", text).strip())
    lead = _SPACE.sub(" ", unicodedata.normalize("NFKC", paragraph.lead)).strip()
    if lead and text.lower().startswith(lead.lower()):
        rest = text[len(lead):]
        words = [w for w in lead.lower().split() if w not in REPETITION_MARKERS]
        text = " ".join(words) + rest
        return text.strip()
    else:
        first, _, rest = text.partition(" ")
        if first.lower() in REPETITION_MARKERS and rest:
            text = rest
        text = text[:1].lower() + text[1:]
    return text.strip()


def _stem(word: str) -> str:
    # Just enough to meet "requests"/"request", "strengthening"/"strengthen" across versions.
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and not word.endswith(("ss", "us", "is")):
            stem = word[: len(word) - len(suffix)] + repl
            if len(stem) >= 4:
                return stem
    return word


def words(text: str) -> list[str]:
    """Stemmed content words of `text`, in order, function words dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return [_stem(w) for w in _WORD.findall(text) if w not in STOP_WORDS]


@dataclass(frozen=True, slots=True)
class _Para:
    """What the passes need of one paragraph."""

    pid: str
    pos: int  # document order, both sections
    section: Section
    rel: float  # position within its section, 0..1
    key: str  # comparable text
    vector: dict[str, float]  # TF-IDF, unit length
    bag: dict[str, float]  # word -> IDF, for containment


@dataclass(slots=True)
class _Link:
    old: list[int]
    new: list[int]
    similarity: float
    method: str


def _prepare(old: Resolution, new: Resolution) -> tuple[list[_Para], list[_Para], dict[str, int]]:
    sides = (old.paragraphs, new.paragraphs)
    tokens = [[words(p.text) for p in ps] for ps in sides]
    terms = [[_terms(ws) for ws in side] for side in tokens]
    df: dict[str, int] = defaultdict(int)
    for side in terms:
        for ts in side:
            for t in ts:
                df[t] += 1
    n = sum(len(ps) for ps in sides)
    idf = {t: math.log((1 + n) / (1 + d)) + 0.05 for t, d in df.items()}
    out: list[list[_Para]] = []
    for ps, side in zip(sides, terms, strict=True):
        count = {s: sum(1 for p in ps if p.section is s) for s in Section}
        seen = dict.fromkeys(Section, 0)
        paras = []
        for pos, (p, ts) in enumerate(zip(ps, side, strict=True)):
            vec = {t: (1 + math.log(c)) * idf[t] for t, c in ts.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            rel = seen[p.section] / max(1, count[p.section] - 1)
            seen[p.section] += 1
            bag = {t: idf[t] for t in ts if " " not in t}
            paras.append(_Para(p.pid, pos, p.section, rel, comparable(p),
                               {t: v / norm for t, v in vec.items()}, bag))
        out.append(paras)
    return out[0], out[1], df


def _terms(ws: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for w in ws:
        counts[w] += 1
    for a, b in zip(ws, ws[1:], strict=False):
        counts[f"{a} {b}"] += 1
    return counts


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two unit vectors held as dicts."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def containment(part: dict[str, float], whole: dict[str, float]) -> float:
    """IDF-weighted share of the words of `part` that are also in `whole`."""
    total = sum(part.values())
    if not total:
        return 0.0
    return sum(w for t, w in part.items() if t in whole) / total


def _candidates(
    olds: list[_Para], news: list[_Para], df: dict[str, int], cfg: AlignSettings
) -> dict[tuple[int, int], float]:
    """Exact cosine for the pairs worth scoring: near neighbours by rare terms, by position."""
    n = len(olds) + len(news)
    cap = min(max(3, int(cfg.rare_term_share * n)), cfg.rare_term_max)
    index: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(olds):
        for t in p.vector:
            if df[t] <= cap:
                index[t].append(i)
    rough: dict[tuple[int, int], float] = defaultdict(float)
    for j, q in enumerate(news):
        for t, w in q.vector.items():
            for i in index.get(t, ()):
                rough[i, j] += w * olds[i].vector[t]
    by_new: dict[int, list[tuple[float, int]]] = defaultdict(list)
    by_old: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (i, j), s in rough.items():
        by_new[j].append((-s, i))
        by_old[i].append((-s, j))
    pairs: set[tuple[int, int]] = set()
    for j, lst in by_new.items():
        pairs.update((i, j) for _, i in sorted(lst)[: cfg.candidates])
    for i, lst in by_old.items():
        pairs.update((i, j) for _, j in sorted(lst)[: cfg.candidates])
    # Positional neighbours: a short paragraph without rare words ("Decides to include in the
    # provisional agenda ...") still meets its counterpart at the same place of its section.
    for section in Section:
        o = [i for i, p in enumerate(olds) if p.section is section]
        m = [j for j, q in enumerate(news) if q.section is section]
        if not o or not m:
            continue
        for k, j in enumerate(m):
            centre = round(k * (len(o) - 1) / max(1, len(m) - 1))
            for i in o[max(0, centre - 2): centre + 3]:
                pairs.add((i, j))
    return {(i, j): cosine(olds[i].vector, news[j].vector) for i, j in pairs}


def _exact(olds: list[_Para], news: list[_Para], links: list[_Link],
           used_old: set[int], used_new: set[int]) -> None:
    for same_section in (True, False):
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(olds):
            if i not in used_old:
                by_key[p.key].append(i)
        for j, q in enumerate(news):
            if j in used_new:
                continue
            for i in by_key.get(q.key, ()):
                if i in used_old or (same_section and olds[i].section is not q.section):
                    continue
                used_old.add(i)
                used_new.add(j)
                method = "exact" if olds[i].section is q.section else "cross-section"
                links.append(_Link([i], [j], 1.0, method))
                break


def _greedy(olds: list[_Para], news: list[_Para], scores: dict[tuple[int, int], float],
            links: list[_Link], used_old: set[int], used_new: set[int],
            cfg: AlignSettings) -> None:
    for same_section in (True, False):
        threshold = cfg.match_threshold if same_section else cfg.cross_section_threshold
        ranked = []
        for (i, j), s in scores.items():
            if s < threshold or (olds[i].section is news[j].section) != same_section:
                continue
            prior = cfg.position_weight * (1 - abs(olds[i].rel - news[j].rel))
            ranked.append((-(s + prior), i, j))
        method = "fuzzy" if same_section else "cross-section"
        for _, i, j in _best_first(ranked, used_old, used_new):
            links.append(_Link([i], [j], scores[i, j], method))


def _best_first(
    ranked: list[tuple[float, int, int]], used_old: set[int], used_new: set[int]
) -> Iterator[tuple[float, int, int]]:
    """Greedy assignment: pairs in order of (negated) score, each paragraph taken once."""
    for key, i, j in sorted(ranked):
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        yield key, i, j


def _gaps(olds: list[_Para], news: list[_Para], scores: dict[tuple[int, int], float],
          links: list[_Link], used_old: set[int], used_new: set[int],
          cfg: AlignSettings) -> None:
    """Link what is left between two anchors of the backbone, at a lower threshold.

    A paragraph rewritten in place keeps its neighbours: when the paragraphs before and
    after it are linked in order, a weak likeness to the one paragraph left between the same
    anchors on the other side is evidence enough.
    """
    chain = backbone([(lk.old[0], lk.new[0], 1.0 + lk.similarity) for lk in links])
    anchors = sorted((links[k].old[0], links[k].new[0]) for k in chain)
    if not anchors:  # nothing in common: no place to be "in"
        return
    anchors = [(-1, -1), *anchors, (len(olds), len(news))]
    for (o0, n0), (o1, n1) in zip(anchors, anchors[1:], strict=False):
        gap_old = [i for i in range(o0 + 1, o1) if i not in used_old]
        gap_new = [j for j in range(n0 + 1, n1) if j not in used_new]
        if not gap_old or not gap_new or max(len(gap_old), len(gap_new)) > cfg.gap_size:
            continue
        small = len(gap_old) * len(gap_new) <= cfg.gap_pairs
        ranked = []
        for i in gap_old:
            for j in gap_new:
                if olds[i].section is not news[j].section:
                    continue
                s = scores.get((i, j))
                if s is None and small:
                    s = scores[i, j] = cosine(olds[i].vector, news[j].vector)
                if s is not None and s >= cfg.gap_threshold:
                    ranked.append((-s, i, j))
        for s, i, j in _best_first(ranked, used_old, used_new):
            links.append(_Link([i], [j], -s, "positional"))


def _join(bags: Iterable[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for b in bags:
        out.update(b)
    return out


def _vector_of(paras: Sequence[_Para]) -> dict[str, float]:
    vec: dict[str, float] = defaultdict(float)
    for p in paras:
        for t, v in p.vector.items():
            vec[t] += v
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def _split_pass(wholes: list[_Para], parts: list[_Para], links: list[_Link], whole_side: str,
                cfg: AlignSettings) -> None:
    """Find wholes covered by runs of consecutive parts; `whole_side` is "old" (split)."""
    part_side = "new" if whole_side == "old" else "old"
    link_of_whole = {}
    link_of_part = {}
    for k, link in enumerate(links):
        w, p = getattr(link, whole_side), getattr(link, part_side)
        if len(w) == 1 and len(p) == 1:
            link_of_whole[w[0]] = k
            link_of_part[p[0]] = k
        else:
            for x in w:
                link_of_whole[x] = -1
            for x in p:
                link_of_part[x] = -1
    free_parts = [j for j in range(len(parts)) if j not in link_of_part]
    if not free_parts:
        return
    # A whole is worth trying when some free part is mostly made of its words. Such a whole
    # must hold one of the part's heaviest words that together weigh more than the share it
    # may miss, so only the wholes listed under those words are scored (not every pair).
    holders: dict[str, list[int]] = defaultdict(list)
    for w, whole in enumerate(wholes):
        if link_of_whole.get(w, 0) != -1:
            for t in whole.bag:
                holders[t].append(w)
    tries: dict[int, list[int]] = defaultdict(list)
    for j in free_parts:
        bag = parts[j].bag
        total = sum(bag.values())
        heavy, weight = [], 0.0
        for t, x in sorted(bag.items(), key=lambda kv: (-kv[1], kv[0])):
            heavy.append(t)
            weight += x
            if weight > (1 - cfg.part_containment) * total:
                break
        for w in sorted({w for t in heavy for w in holders.get(t, ())}):
            if containment(bag, wholes[w].bag) >= cfg.part_containment:
                tries[w].append(j)
    drop: set[int] = set()
    taken: set[int] = set()
    for w in sorted(tries):
        at = link_of_whole.get(w)
        mate = getattr(links[at], part_side)[0] if at is not None else None
        best: tuple[float, list[int]] | None = None
        for j in tries[w]:
            if j in taken:
                continue
            for run in _runs(j, mate, parts, cfg.max_parts):
                if any(x in taken or (x != mate and x in link_of_part) for x in run):
                    continue
                if any(containment(parts[x].bag, wholes[w].bag) < cfg.part_containment
                       for x in run):
                    continue
                cover = containment(wholes[w].bag, _join(parts[x].bag for x in run))
                alone = containment(wholes[w].bag, parts[mate].bag) if mate is not None else 0.0
                if cover < cfg.cover or cover - alone < cfg.cover_gain:
                    continue
                if best is None or cover > best[0]:
                    best = (cover, run)
        if best is None:
            continue
        run = best[1]
        sim = cosine(wholes[w].vector, _vector_of([parts[x] for x in run]))
        if at is not None:
            drop.add(at)
        taken.update(run)
        if whole_side == "old":
            links.append(_Link([w], run, sim, "split"))
        else:
            links.append(_Link(run, [w], sim, "merge"))
    for k in sorted(drop, reverse=True):
        del links[k]


def _runs(j: int, mate: int | None, parts: list[_Para], max_parts: int) -> list[list[int]]:
    """Runs of consecutive same-section parts of 2..max_parts that hold `j` (and `mate`)."""
    out = []
    for start in range(j - max_parts + 1, j + 1):
        for stop in range(max(start + 2, j + 1), start + max_parts + 1):
            if start < 0 or stop > len(parts):
                continue
            run = list(range(start, stop))
            if len({parts[x].section for x in run}) != 1:
                continue
            if mate is not None and mate not in run:
                continue
            out.append(run)
    return out


def backbone(pairs: Sequence[tuple[int, int, float]]) -> set[int]:
    """Indexes of the heaviest chain of (old, new, weight) pairs increasing in both orders.

    A weighted longest increasing subsequence in n log n: pairs sorted by old position, a
    Fenwick tree over new positions holds the best chain ending at or before each.
    """
    if not pairs:
        return set()
    ranks = {v: r for r, v in enumerate(sorted({p[1] for p in pairs}), 1)}
    size = len(ranks)
    tree: list[tuple[float, int]] = [(0.0, -1)] * (size + 1)

    def query(r: int) -> tuple[float, int]:
        best = (0.0, -1)
        while r > 0:
            if tree[r][0] > best[0]:
                best = tree[r]
            r -= r & -r
        return best

    def update(r: int, value: tuple[float, int]) -> None:
        while r <= size:
            if value[0] > tree[r][0]:
                tree[r] = value
            r += r & -r

    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0], pairs[k][1]))
    score = [0.0] * len(pairs)
    back = [-1] * len(pairs)
    for k in order:
        prev_score, prev = query(ranks[pairs[k][1]] - 1)
        score[k] = prev_score + pairs[k][2]
        back[k] = prev
        update(ranks[pairs[k][1]], (score[k], k))
    k = max(range(len(pairs)), key=lambda x: (score[x], -x))
    chain = set()
    while k != -1:
        chain.add(k)
        k = back[k]
    return chain


def align(
    old: Resolution, new: Resolution, *, settings: AlignSettings | None = None
) -> tuple[AlignmentEntry, ...]:
    """Pair the paragraphs of `old` with those of `new`; each paragraph is in exactly one entry.

    Entries come in the order of the new version, each removed paragraph after the entry of
    the old paragraph before it.
    """
    cfg = settings or AlignSettings()
    olds, news, df = _prepare(old, new)
    links: list[_Link] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    _exact(olds, news, links, used_old, used_new)
    scores = _candidates(olds, news, df, cfg)
    _greedy(olds, news, scores, links, used_old, used_new, cfg)
    _gaps(olds, news, scores, links, used_old, used_new, cfg)
    _split_pass(olds, news, links, "old", cfg)
    _split_pass(news, olds, links, "new", cfg)
    return _entries(olds, news, links)


def _entries(olds: list[_Para], news: list[_Para], links: list[_Link]) -> tuple[AlignmentEntry, ...]:
    # Weight 1 + similarity: the backbone keeps as many links as it can, and among chains of
    # equal length the more similar one, so one far move never outweighs several neighbours.
    chain = backbone([(min(lk.old), min(lk.new), 1.0 + lk.similarity) for lk in links])
    placed: list[tuple[tuple[float, int, int], AlignmentEntry]] = []
    where: dict[int, float] = {}  # old position -> new position of its entry
    for lk in links:
        for i in lk.old:
            where[i] = min(lk.new)
    for k, lk in enumerate(links):
        o = [olds[i] for i in sorted(lk.old)]
        n = [news[j] for j in sorted(lk.new)]
        changed = " ".join(p.key for p in o) != " ".join(q.key for q in n)
        similarity = round(lk.similarity, DIGITS)
        if changed:  # 1.0 is kept for "the same wording": "this work" -> "that work" is 0.9999
            similarity = min(similarity, round(1.0 - 10.0**-DIGITS, DIGITS))
        kind = AlignKind.MATCH
        if len(n) > 1:
            kind = AlignKind.SPLIT
        elif len(o) > 1:
            kind = AlignKind.MERGE
        entry = AlignmentEntry(tuple(p.pid for p in o), tuple(q.pid for q in n), kind, changed,
                               k not in chain, similarity, lk.method)
        placed.append(((float(n[0].pos), 0, o[0].pos), entry))
    linked_new = {j for lk in links for j in lk.new}
    for q in news:
        if q.pos not in linked_new:
            placed.append(((float(q.pos), 0, -1), AlignmentEntry(
                (), (q.pid,), AlignKind.ADDED, True, False, 0.0, "unmatched")))
    anchor = -0.5  # a removed paragraph follows the entry of the last linked old one before it
    for p in olds:
        if p.pos in where:
            anchor = where[p.pos] + 0.5
            continue
        placed.append(((anchor, 1, p.pos), AlignmentEntry(
            (p.pid,), (), AlignKind.REMOVED, True, False, 0.0, "unmatched")))
    placed.sort(key=lambda x: x[0])
    return tuple(e for _, e in placed)
