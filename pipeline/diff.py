"""Word-level diffs and word similarity: the only module that imports diff_match_patch.

A text is cut into tokens (words, runs of whitespace, single punctuation marks, document
symbols such as ``A/RES/74/175`` kept whole); each distinct token is mapped to one character,
as diff-match-patch's ``diff_linesToChars`` does for lines; the character strings are diffed
with the time-out off (``Diff_Timeout = 0``, so results never depend on machine speed) and a
semantic clean-up; and the characters are mapped back to tokens. Every edit therefore starts
and ends on a token boundary, and joining the edits rebuilds both texts exactly.

>>> word_diff("Encourages Member States", "Urges Member States")
(Edit(op=<EditOp.DELETE: 'delete'>, text='Encourages'), Edit(op=<EditOp.INSERT: 'insert'>, text='Urges'), Edit(op=<EditOp.EQUAL: 'equal'>, text=' Member States'))
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from diff_match_patch import diff_match_patch

from pipeline.models import Edit, EditOp

#: Tokens, in the order they are tried: document symbols whole ("A/RES/74/175", "72/194",
#: "A/C.6/80/L.22"), words with inner hyphens or apostrophes ("seventy-fifth", "Court’s"),
#: whitespace runs, then any other single character (punctuation).
TOKEN_RE = re.compile(
    r"[A-Z]+(?:\.\d+)?(?:/[\w.]*\w)+"  # A/RES/74/175, A/C.6/80/L.22, S/PRST/2013/2
    r"|\d+(?:/\d+)+"  # 72/194
    r"|\w+(?:[-'’]\w+)*"  # words
    r"|\s+"
    r"|.",
    re.DOTALL,
)

#: Words only, for similarity: the same word rules as TOKEN_RE.
WORD_RE = re.compile(r"[A-Z]+(?:\.\d+)?(?:/[\w.]*\w)+|\d+(?:/\d+)+|\w+(?:[-'’]\w+)*")

#: First code point used for a token. Tokens become characters counted up from here, skipping
#: the surrogate range (not valid on its own in a str that may be encoded).
_FIRST_CHAR = 0x100
_SURROGATES = range(0xD800, 0xE000)

_OPS = {0: EditOp.EQUAL, 1: EditOp.INSERT, -1: EditOp.DELETE}


def tokenize(text: str) -> tuple[str, ...]:
    """Cut `text` into the tokens the word diff works on; they join back to `text`."""
    return tuple(TOKEN_RE.findall(text))


def _char(index: int) -> str:
    code = _FIRST_CHAR + index
    if code >= _SURROGATES.start:
        code += len(_SURROGATES)
    return chr(code)


def _tokens_to_chars(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, str, list[str]]:
    """Map each distinct token to one character (diff_linesToChars, for words)."""
    table: list[str] = []
    index: dict[str, int] = {}

    def encode(tokens: tuple[str, ...]) -> str:
        chars = []
        for tok in tokens:
            i = index.get(tok)
            if i is None:
                i = index[tok] = len(table)
                table.append(tok)
            chars.append(_char(i))
        return "".join(chars)

    return encode(old), encode(new), table


def _decode(chars: str, table: list[str]) -> str:
    out = []
    for ch in chars:
        code = ord(ch)
        if code >= _SURROGATES.stop:
            code -= len(_SURROGATES)
        out.append(table[code - _FIRST_CHAR])
    return "".join(out)


def _engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no time-out: same result on any machine
    return dmp


def word_diff(old: str, new: str) -> tuple[Edit, ...]:
    """Diff two texts word by word; joining EQUAL+DELETE gives `old`, EQUAL+INSERT gives `new`.

    Adjacent edits of the same kind are merged; empty edits are never returned, so two empty
    texts give ``()`` and two equal texts give one EQUAL edit.
    """
    if old == new:
        return (Edit(EditOp.EQUAL, old),) if old else ()
    a, b, table = _tokens_to_chars(tokenize(old), tokenize(new))
    dmp = _engine()
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    edits: list[Edit] = []
    for op, chars in diffs:
        if not chars:
            continue
        text = _decode(chars, table)
        kind = _OPS[op]
        if edits and edits[-1].op is kind:
            edits[-1] = Edit(kind, edits[-1].text + text)
        else:
            edits.append(Edit(kind, text))
    return tuple(edits)


def old_text(edits: tuple[Edit, ...]) -> str:
    """The old text of a diff: its EQUAL and DELETE edits joined."""
    return "".join(e.text for e in edits if e.op is not EditOp.INSERT)


def new_text(edits: tuple[Edit, ...]) -> str:
    """The new text of a diff: its EQUAL and INSERT edits joined."""
    return "".join(e.text for e in edits if e.op is not EditOp.DELETE)


def words(text: str) -> tuple[str, ...]:
    """The words of `text`, case-folded, in order (punctuation and spacing dropped)."""
    return tuple(w.casefold() for w in WORD_RE.findall(text))


@lru_cache(maxsize=8192)
def _bag(text: str) -> tuple[Counter[str], int]:
    bag = Counter(words(text))
    return bag, sum(bag.values())


def similarity(old: str, new: str) -> float:
    """Word overlap of two texts, 0 (no word in common) to 1 (same words, same counts).

    The Dice coefficient of the two multisets of case-folded words: 2·|common| / (|old| + |new|).
    It ignores word order, punctuation and spacing, and takes microseconds, so an aligner can
    call it on every pair of paragraphs. Two texts without words are 1.0 when equal, else 0.0.
    """
    a, na = _bag(old)
    b, nb = _bag(new)
    if na + nb == 0:
        return 1.0 if old.strip() == new.strip() else 0.0
    common = sum((a & b).values())
    return 2.0 * common / (na + nb)
