"""Split a paragraph into clauses, one per mandate, and read each clause's verb, actor and
qualifiers.

An operative paragraph can carry several mandates: "Urges Member States ..., and requests the
United Nations Office on Drugs and Crime ...". It is split before every coordinate clause,
that is where a comma or semicolon is followed (after an optional "and" and an optional
"in this regard"/"to this end") by a finite operative verb of the lexicon: ", and requests",
"; requests", ", welcomes the publication", ", and in this regard calls upon". Not split:

* participles ("..., recognizing that ...", "taking also into account"): they qualify the
  clause they stand in and address nobody;
* a verb inside quotation marks or brackets (titles of items and documents);
* a verb followed by "for", "of", "or", ... ("requests for assistance", "demands for ransom",
  "supports, facilitates or participates"): a noun or one of a list of verbs.

A preambular paragraph is one clause whose verb is its lead. Its coordinated participles
("..., and recalling its resolution 72/284") are kept in it: the preamble states
considerations, not mandates, and the aligner matches whole preambular paragraphs.

The separator stays with the clause before it and the "and" opens the clause after it, so the
clause texts join back to the paragraph text exactly:
"Urges Member States ... counter-terrorism, " + "and requests the United Nations Office ...".
"""

from __future__ import annotations

import re

from pipeline.mandates import (
    NOT_A_CLAUSE_AFTER,
    Lexicon,
    VerbMatch,
    find_actor,
    load_lexicon,
    qualifiers_of,
    read_verb,
)
from pipeline.models import Clause, Paragraph, Section

_SEPARATOR = re.compile(r"[,;]\s+")
_NEXT_WORD = re.compile(r"[\s,]*([\w’'-]+)")
_OPENERS = {"“": "”", "(": ")", "[": "]"}


def _enclosed(text: str, pos: int) -> bool:
    """Whether `pos` is inside quotation marks or brackets opened earlier in `text`."""
    head = text[:pos]
    if any(head.count(o) > head.count(c) for o, c in _OPENERS.items()):
        return True
    return head.count('"') % 2 == 1


def _clause_starts(text: str, lex: Lexicon) -> list[int]:
    """Offsets where a coordinate operative clause begins (after its separator)."""
    starts: list[int] = []
    taken = 0  # end of the last verb found: ", and, in this regard, calls" is one start
    for sep in _SEPARATOR.finditer(text):
        pos = sep.end()
        if pos < taken:
            continue
        verb = read_verb(text, Section.OPERATIVE, pos, lexicon=lex)
        if verb is None or _enclosed(text, pos):
            continue
        nxt = _NEXT_WORD.match(text, verb.end)
        if nxt and nxt.group(1).casefold() in NOT_A_CLAUSE_AFTER:
            continue
        starts.append(pos)
        taken = verb.end
    return starts


def make_clause(
    pid: str, index: int, text: str, section: Section, *,
    fallback_verb_text: str | None = None, lexicon: Lexicon | None = None,
) -> Clause:  # fmt: skip
    """Read one clause: canonical verb, printed verb, actor and qualifiers.

    A clause whose opening verb is not in the lexicon gets verb None, `fallback_verb_text`
    (the paragraph's printed lead) as verb_text, and no actor; its qualifiers are still read.
    """
    lex = lexicon or load_lexicon()
    verb: VerbMatch | None = read_verb(text, section, lexicon=lex)
    if verb is None and section is Section.PREAMBLE:
        verb = read_verb(text, Section.OPERATIVE, lexicon=lex)  # a finite verb in a PP
    if verb is None:
        return Clause(
            pid=pid,
            index=index,
            text=text,
            verb=None,
            verb_text=fallback_verb_text,
            actor=None,
            qualifiers=qualifiers_of(text, None, lexicon=lex),
        )
    actor, _known = find_actor(text, verb, lexicon=lex)
    return Clause(
        pid=pid,
        index=index,
        text=text,
        verb=verb.verb,
        verb_text=verb.verb_text,
        actor=actor,
        qualifiers=qualifiers_of(text, verb, lexicon=lex),
    )


def split_clauses(p: Paragraph, *, lexicon: Lexicon | None = None) -> tuple[Clause, ...]:
    """Split a paragraph into its clauses, in order; their texts join back to ``p.text``.

    An operative paragraph is cut before each coordinate clause that opens with a finite
    operative verb of the lexicon; a preambular paragraph is one clause.

    >>> from pipeline.models import Paragraph, Section
    >>> p = Paragraph("OP18", Section.OPERATIVE, 18, "Also calls upon",
    ...     "Also calls upon Member States to strengthen their border management, and requests "
    ...     "the United Nations Office on Drugs and Crime to continue to provide technical "
    ...     "assistance to that end to requesting States;")
    >>> [(c.verb, c.actor) for c in split_clauses(p)]
    [('calls upon', 'Member States'), ('requests', 'UNODC')]
    """
    lex = lexicon or load_lexicon()
    text = p.text
    lead = p.lead or None
    if p.section is Section.PREAMBLE or not text:
        return (make_clause(p.pid, 0, text, p.section, fallback_verb_text=lead, lexicon=lex),)
    bounds = [0, *(s for s in _clause_starts(text, lex) if s > 0), len(text)]
    return tuple(
        make_clause(
            p.pid,
            i,
            text[a:b],
            Section.OPERATIVE,
            fallback_verb_text=lead if i == 0 else None,
            lexicon=lex,
        )
        for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
    )
