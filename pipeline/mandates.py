"""Mandates: who a clause addresses, with which verb and qualifiers, and how that changed.

The rules live in the editable data file ``pipeline/data/lexicon.toml`` (read once with
`load_lexicon`): a ladder of operative verbs and one of preambular leads, each verb on a numbered
rung; hedges ("upon request", "within its mandate", "to consider") and intensifiers
("strongly", "as a matter of priority", "to further enhance"); repetition markers ("Also",
"Further", "Reiterates its call upon") that are editorial; and a table of actor names.

`classify` compares two aligned clauses (either may be missing) and returns one `MandateChange`:

    added / removed          the clause exists in one version only
    strengthened / weakened  verb rung difference × verb_weight, minus hedges added, plus
                             intensifiers added (each × its weight), is > 0 / < 0
    reworded                 the text changed but that total is 0 (editorial changes: dates,
                             sessions, symbols, punctuation, "Also", "Member States" ↔ "States",
                             "continue to")
    unchanged                same text, apart from what only marks the clause's place in its
                             paragraph: a leading "and", the final ";"/".", a capital first word

Swapping old and new swaps added ↔ removed and strengthened ↔ weakened, since the total is a
difference. `align_clauses` pairs the clauses of two aligned paragraphs.

>>> from pipeline.models import Clause
>>> old = Clause("OP2", 0, "Encourages Member States to consider ratifying ...", "encourages",
...              "Encourages", "Member States")
>>> new = Clause("OP2", 0, "Urges Member States to consider ratifying ...", "urges", "Urges",
...              "Member States")
>>> change = classify(old, new)
>>> change.change.value, change.reasons
('strengthened', ('verb Encourages → Urges',))
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from pipeline.diff import similarity, word_diff, words
from pipeline.errors import InputError
from pipeline.models import (
    Change,
    Clause,
    EditOp,
    MandateChange,
    Qualifier,
    Section,
)

#: Where the default lexicon lives inside the package (see pyproject package-data).
LEXICON_RESOURCE = "data/lexicon.toml"

HEDGE = "hedge"
INTENSIFIER = "intensifier"
CONTINUITY = "continuity"  # "continue to": reported, never a change of strength
QUALIFIER_KINDS = (HEDGE, INTENSIFIER, CONTINUITY)
SCOPES = ("clause", "head")

#: Words that may follow an actor's name where its noun phrase ends ("Member States that have
#: not yet done so", "the Office, within its mandate,"). Any other word means the name is only
#: the start of a longer noun phrase ("the Office of Counter-Terrorism", "the Court liaison
#: office"), so the name is not the actor.
NP_END_WORDS = (
    "to", "that", "which", "who", "whose", "and", "or", "in", "with", "on", "for", "as", "at",
    "by", "from", "through", "within", "upon", "including", "not", "when", "where", "whenever",
    "if", "concerned", "alike", "themselves", "itself",
)  # fmt: skip

#: Verbs whose addressee is followed by "of" ("reminds States of their obligations"): for
#: them "of" also ends the actor's noun phrase.
VERBS_WITH_OF = ("reminds",)

#: After a candidate coordinate verb, these words mean it was a noun ("requests for
#: assistance", "demands for ransom") or one of a list of verbs ("supports, facilitates or
#: participates"), not the start of a clause.
NOT_A_CLAUSE_AFTER = (
    "or", "and", "nor", "for", "from", "by", "of", "made", "received", "submitted", "is", "are",
    "was", "were", "has", "have", "had",
)  # fmt: skip

#: Words that stop the fallback actor: the noun phrase after the verb ends at the first
#: comma, "to" (the issue's rule), or the start of a relative clause or parenthesis.
_FALLBACK_STOP = re.compile(r"[,;:.(“\"]|\s(?:to|that|which|who|whose)\b", re.IGNORECASE)
_FALLBACK_MAX_WORDS = 8

#: Addressee verbs look for their first infinitive ("to provide") at most this many words on.
_HEAD_MAX_WORDS = 60
#: Words after the infinitive "to" that still belong to the head of the mandate.
_HEAD_WINDOW_WORDS = 4
_STOPWORDS_AFTER_TO = (
    "the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those", "all",
    "any", "each", "every", "such", "which", "whom", "be", "and", "or", "date", "end",
)  # fmt: skip

#: Number-like words: changes between them are editorial (sessions, dates, symbols).
_ORDINAL = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth|hundredth)"
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NUMBERLIKE = re.compile(
    rf"(?:\d[\d./]*|[a-z]+(?:\.\d+)?(?:/[\w.]+)+|{_ORDINAL}|{_MONTHS})", re.IGNORECASE
)

#: "expresses its appreciation to Member States", "takes note of the report of ...".
_TO_OR_OF = re.compile(r"(?:to|of)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"[\s,;.:]+$")
_LEADING_AND = re.compile(r"^\s*and\s+", re.IGNORECASE)


class LexiconError(InputError):
    """The lexicon file is missing, not TOML, or breaks the lexicon's rules."""


@dataclass(frozen=True, slots=True)
class QualifierRule:
    """A hedge, intensifier or continuity phrase of the lexicon, with its spellings."""

    kind: str  # "hedge" | "intensifier" | "continuity"
    phrase: str  # canonical phrase, as reported: "upon request"
    variants: tuple[str, ...]
    scope: str  # "clause" | "head"
    weight: int


@dataclass(frozen=True, slots=True)
class VerbMatch:
    """The verb at the start of a clause, as `read_verb` found it."""

    verb: str  # canonical: "calls upon"
    verb_text: str  # as printed, markers included: "Also reiterates its call upon"
    start: int  # offset of verb_text in the text read
    end: int
    strength: int
    #: repetition markers, lower case: ("also",), ("once again",), ("reiterates its call upon",)
    markers: tuple[str, ...]
    #: an intensifying adverb before the verb: "strongly" in "Strongly encourages"
    adverb: str | None


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The verb ladders, qualifiers, markers and actor table of one lexicon file. Read-only."""

    source: str
    verb_weight: int
    operative: Mapping[str, int]  # canonical operative verb → rung
    preamble: Mapping[str, int]  # canonical preambular lead → rung
    forms: Mapping[str, Mapping[str, str]]  # section → printed form → canonical
    repetitions: Mapping[str, frozenset[str]]  # section → forms that repeat an earlier call
    addressee: frozenset[str]
    markers_before: tuple[str, ...]
    markers_after: Mapping[str, tuple[str, ...]]  # section → markers after the verb
    adverbs: tuple[str, ...]  # intensifying adverbs that may stand before a verb
    interposed: tuple[str, ...]
    qualifiers: tuple[QualifierRule, ...]
    actors: Mapping[str, str]  # printed name (lower case) → reported name
    verb_re: Mapping[str, re.Pattern[str]]  # section → verb at a position
    actor_re: re.Pattern[str]
    actor_of_re: re.Pattern[str]  # the same, where "of" may also end the noun phrase
    skip_re: re.Pattern[str]  # commas, spaces and interposed phrases ("in this regard")
    qualifier_re: tuple[tuple[QualifierRule, re.Pattern[str]], ...]

    def strength(self, verb: str | None) -> int | None:
        """The rung of a canonical verb (operative or preambular); None if it is not listed."""
        if verb is None:
            return None
        if verb in self.operative:
            return self.operative[verb]
        return self.preamble.get(verb)


# --- loading ---------------------------------------------------------------------------------


def _phrase_re(phrase: str, inner: str = r"\s+") -> str:
    return inner.join(re.escape(w) for w in phrase.split())


def _alternation(phrases: Iterable[str], inner: str = r"\s+") -> str:
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(_phrase_re(p, inner) for p in ordered)


def _norm(phrase: str) -> str:
    return " ".join(phrase.casefold().split())


def _table(data: dict[str, object], key: str, where: str) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"[{where}] must be a table")
    return value


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where} must be a list of non-empty strings")
    return tuple(_norm(v) for v in value)


def _build(data: dict[str, object], source: str) -> Lexicon:
    scoring = _table(data, "scoring", "scoring")
    verb_weight = scoring.get("verb_weight", 2)
    if not isinstance(verb_weight, int) or verb_weight < 1:
        raise ValueError("scoring.verb_weight must be a whole number ≥ 1")

    ladders: dict[str, dict[str, int]] = {}
    forms: dict[str, dict[str, str]] = {}
    repetitions: dict[str, frozenset[str]] = {}
    for section in ("operative", "preamble"):
        part = _table(data, section, section)
        verbs = _table(part, "verbs", f"{section}.verbs")
        if not verbs:
            raise ValueError(f"[{section}.verbs] is empty")
        ladder: dict[str, int] = {}
        for verb, rung in verbs.items():
            if not isinstance(rung, int) or isinstance(rung, bool):
                raise ValueError(f"{section}.verbs.{verb!r} must be a whole number")
            ladder[_norm(verb)] = rung
        table = {v: v for v in ladder}
        for kind in ("aliases", "repetitions"):
            for form, target in _table(part, kind, f"{section}.{kind}").items():
                if not isinstance(target, str) or _norm(target) not in ladder:
                    raise ValueError(
                        f"{section}.{kind}.{form!r} points to {target!r}, "
                        f"which is not in [{section}.verbs]"
                    )
                table[_norm(form)] = _norm(target)
        ladders[section] = ladder
        forms[section] = table
        repetitions[section] = frozenset(
            _norm(f) for f in _table(part, "repetitions", f"{section}.repetitions")
        )

    addressee = frozenset(
        _strings(_table(data, "operative", "operative").get("addressee", []), "addressee")
    )
    unknown = sorted(addressee - set(ladders["operative"]))
    if unknown:
        raise ValueError(f"operative.addressee lists verbs not in [operative.verbs]: {unknown}")

    markers = _table(data, "markers", "markers")
    before = _strings(markers.get("before", []), "markers.before")
    after = {
        "operative": _strings(markers.get("after_operative", []), "markers.after_operative"),
        "preamble": _strings(markers.get("after_preamble", []), "markers.after_preamble"),
    }
    interposed = _strings(_table(data, "split", "split").get("interposed", []), "split.interposed")

    rules: list[QualifierRule] = []
    for key, kind in (("hedges", HEDGE), ("intensifiers", INTENSIFIER), ("continuity", CONTINUITY)):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise ValueError(f"[[{key}]] must be an array of tables")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("phrase"), str):
                raise ValueError(f"every [[{key}]] needs a phrase")
            phrase = entry["phrase"]
            variants = _strings(entry.get("variants", [phrase]), f"{key} {phrase!r} variants")
            if not variants:
                raise ValueError(f"{key} {phrase!r}: variants must not be empty")
            scope = entry.get("scope", "clause")
            weight = entry.get("weight", 1)
            if scope not in SCOPES:
                raise ValueError(f"{key} {phrase!r}: scope must be one of {SCOPES}")
            if not isinstance(weight, int) or weight < 0:
                raise ValueError(f"{key} {phrase!r}: weight must be a whole number ≥ 0")
            rules.append(QualifierRule(kind, phrase, variants, scope, weight))

    actors_raw = _table(data, "actors", "actors")
    actors = {}
    for name, reported in actors_raw.items():
        if not isinstance(reported, str) or not reported.strip():
            raise ValueError(f"actors.{name!r} must name the actor reported")
        actors[_norm(name)] = reported

    adverbs = tuple(
        v for r in rules if r.kind == INTENSIFIER for v in r.variants
        if " " not in v and v.endswith("ly")
    )  # fmt: skip

    interposed_re = _alternation(interposed)
    verb_re = {}
    inner_marker = r"(?:\s+(?:also|again))?\s+"  # "Taking note also of"
    for section in ("operative", "preamble"):
        forms_re = _alternation(forms[section], inner_marker)
        after_re = _alternation(after[section])
        verb_re[section] = re.compile(
            r"(?P<lead>(?:and\s*,?\s+)?"
            + (rf"(?:(?:{interposed_re})\s*,?\s+)*" if interposed else "")
            + r")(?P<vt>"
            + (rf"(?P<pre>(?:(?:{_alternation(before)})\s+)*)" if before else r"(?P<pre>)")
            + (rf"(?P<adv>(?:{_alternation(adverbs)})\s+)??" if adverbs else r"(?P<adv>)")
            + rf"(?P<verb>{forms_re})"
            + (rf"(?P<post>(?:\s+(?:{after_re}))?)" if after[section] else "(?P<post>)")
            + r")(?![\w-])",
            re.IGNORECASE,
        )  # fmt: skip
    names = _alternation(actors) if actors else r"(?!)"  # no table: no name ever matches
    actor_re, actor_of_re = (
        re.compile(
            rf"(?:the\s+)?(?P<name>{names})"
            rf"(?=\s*[,;.:)]|\s*$|\s+(?:{'|'.join(ends)})\b)",
            re.IGNORECASE,
        )
        for ends in (NP_END_WORDS, (*NP_END_WORDS, "of"))
    )
    skip_re = re.compile(
        rf"[\s,]*(?:(?:{interposed_re})(?![\w-])[\s,]*)*" if interposed else r"[\s,]*",
        re.IGNORECASE,
    )
    qualifier_re = tuple(
        (r, re.compile(rf"(?<![\w-])(?:{_alternation(r.variants)})(?![\w-])", re.IGNORECASE))
        for r in rules
    )
    return Lexicon(
        source=source,
        verb_weight=verb_weight,
        operative=MappingProxyType(ladders["operative"]),
        preamble=MappingProxyType(ladders["preamble"]),
        forms=MappingProxyType({k: MappingProxyType(v) for k, v in forms.items()}),
        repetitions=MappingProxyType(repetitions),
        addressee=addressee,
        markers_before=before,
        markers_after=MappingProxyType(after),
        adverbs=adverbs,
        interposed=interposed,
        qualifiers=tuple(rules),
        actors=MappingProxyType(actors),
        verb_re=MappingProxyType(verb_re),
        actor_re=actor_re,
        actor_of_re=actor_of_re,
        skip_re=skip_re,
        qualifier_re=qualifier_re,
    )


@lru_cache(maxsize=8)
def _load(path: str | None) -> Lexicon:
    if path is None:
        source = f"pipeline/{LEXICON_RESOURCE}"
        try:
            text = resources.files("pipeline").joinpath(LEXICON_RESOURCE).read_text("utf-8")
        except OSError as exc:  # a broken installation, not a user error
            raise LexiconError(
                f"The bundled lexicon {source} could not be read ({exc}). "
                "Reinstall resdiff, or pass a lexicon file explicitly."
            ) from exc
    else:
        source = path
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise LexiconError(
                f"Lexicon {path} could not be read ({exc.strerror or exc}). "
                "Check the path, or leave it out to use the bundled lexicon."
            ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"Lexicon {source} is not valid TOML: {exc}. Fix the file.") from exc
    try:
        return _build(data, source)
    except ValueError as exc:
        raise LexiconError(f"Lexicon {source}: {exc}. Fix the file.") from exc


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read a lexicon file (default: the one bundled with resdiff); each file is read once.

    Raises `LexiconError` with the file and the broken rule when the file is unusable.
    """
    return _load(None if path is None else str(Path(path)))


# --- reading a clause ------------------------------------------------------------------------


def _section_key(section: Section | str) -> str:
    return "preamble" if Section(section) is Section.PREAMBLE else "operative"


def read_verb(
    text: str, section: Section | str = Section.OPERATIVE, pos: int = 0, *,
    lexicon: Lexicon | None = None,
) -> VerbMatch | None:  # fmt: skip
    """The lexicon verb that opens `text` at `pos` (after an optional "and" and "in this
    regard"), with its repetition markers; None when no listed verb is there.

    >>> read_verb("Also reiterates its call upon all States to refrain").verb
    'calls upon'
    """
    lex = lexicon or load_lexicon()
    key = _section_key(section)
    while pos < len(text) and text[pos].isspace():
        pos += 1
    m = lex.verb_re[key].match(text, pos)
    if m is None:
        return None
    printed = _norm(m.group("verb"))
    form = " ".join(w for w in printed.split() if w not in ("also", "again")) or printed
    if form not in lex.forms[key]:
        form = printed
    canonical = lex.forms[key].get(form)
    if canonical is None:  # pragma: no cover - the pattern is built from these forms
        return None
    markers = [w for w in _norm(m.group("pre") or "").split() if w]
    markers = _join_markers(markers, lex.markers_before)
    post = _norm(m.group("post") or "")
    if post:
        markers.append(post)
    inner = [w for w in printed.split() if w in ("also", "again") and w not in form.split()]
    markers.extend(inner)
    if form in lex.repetitions[key]:
        markers.append(form)
    adverb = _norm(m.group("adv") or "") or None
    return VerbMatch(
        verb=canonical,
        verb_text=m.group("vt"),
        start=m.start("vt"),
        end=m.end("vt"),
        strength=lex.strength(canonical) or 0,
        markers=tuple(markers),
        adverb=adverb,
    )


def _join_markers(words_: list[str], known: tuple[str, ...]) -> list[str]:
    """Group marker words back into the lexicon's phrases ("once", "again" → "once again")."""
    out: list[str] = []
    i = 0
    multi = sorted((k.split() for k in known), key=len, reverse=True)
    while i < len(words_):
        for phrase in multi:
            if words_[i : i + len(phrase)] == phrase:
                out.append(" ".join(phrase))
                i += len(phrase)
                break
        else:
            out.append(words_[i])
            i += 1
    return out


def canonical_verb(lead: str, section: Section | str = Section.OPERATIVE, *,
                   lexicon: Lexicon | None = None) -> str | None:  # fmt: skip
    """The canonical verb of a paragraph lead ("Also requests" → "requests"); None if unknown."""
    found = read_verb(lead, section, lexicon=lexicon)
    return found.verb if found else None


def _skip_interposed(text: str, pos: int, lex: Lexicon) -> int:
    m = lex.skip_re.match(text, pos)
    return m.end() if m else pos


def find_actor(
    text: str, verb: VerbMatch, *, lexicon: Lexicon | None = None
) -> tuple[str | None, bool]:
    """The actor a clause addresses and whether the actor table knew it.

    For verbs that address someone ("requests", "urges", "invites"), the noun phrase after the
    verb, through the actor table, or else the phrase itself up to the first comma or "to".
    For other verbs ("welcomes the report"), an actor only when the phrase after the verb (or
    after its "to": "expresses its appreciation to Member States") starts with a known name.
    """
    lex = lexicon or load_lexicon()
    pos = _skip_interposed(text, verb.end, lex)
    addressee = verb.verb in lex.addressee
    if not addressee:
        m = _TO_OR_OF.match(text, pos)
        if m:
            pos = m.end()
    m = (lex.actor_of_re if verb.verb in VERBS_WITH_OF else lex.actor_re).match(text, pos)
    if m:
        return lex.actors[_norm(m.group("name"))], True
    if not addressee:
        return None, True
    rest = text[pos:]
    stop = _FALLBACK_STOP.search(rest)
    phrase = " ".join(rest[: stop.start() if stop else len(rest)].split()[:_FALLBACK_MAX_WORDS])
    phrase = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
    # "Encourages the efforts of Member States": the activity of a known actor is addressed
    # to that actor
    owner = re.search(r"\b(?:of|by)\s+(?:the\s+)?", phrase)
    if owner:
        m = lex.actor_re.match(phrase, owner.end())
        if m and m.end() == len(phrase.rstrip()):
            return lex.actors[_norm(m.group("name"))], True
    if not phrase[:1].isupper():
        return None, False  # an activity ("further dialogue between …"), not an addressee
    return phrase, False


def head_end(text: str, verb: VerbMatch, *, lexicon: Lexicon | None = None) -> int:
    """Where the head of the mandate ends: after the first infinitive and a few words more
    for verbs that address someone ("requests X, within its mandate, to continue to provide
    technical"), else a few words after the verb ("Encourages further efforts by the")."""
    lex = lexicon or load_lexicon()
    start = verb.end
    if verb.verb in lex.addressee:
        limit = _word_offset(text, start, _HEAD_MAX_WORDS)
        for m in re.finditer(r"\bto\s+([a-z]+)\b", text[start:limit]):
            word = m.group(1)
            if word in _STOPWORDS_AFTER_TO or (len(word) > 5 and word.endswith("ing")):
                continue
            start = start + m.start()
            break
    return _window_end(text, start, _HEAD_WINDOW_WORDS + (1 if start != verb.end else 0))


def _word_offset(text: str, pos: int, n: int) -> int:
    for i, m in enumerate(re.finditer(r"\S+", text[pos:])):
        if i == n:
            return pos + m.start()
    return len(text)


def _window_end(text: str, pos: int, n: int) -> int:
    """The end of the `n`th word from `pos`, stopping early at ; : . ( or a comma."""
    end = pos
    count = 0
    for m in re.finditer(r"[\w’'-]+|[,;:.(]", text[pos:]):
        if m.group() in ",;:.(":
            break
        end = pos + m.end()
        count += 1
        if count == n:
            break
    return end


def find_qualifiers(
    text: str, verb: VerbMatch | None, *, lexicon: Lexicon | None = None
) -> tuple[tuple[QualifierRule, int], ...]:
    """Every hedge, intensifier and continuity phrase of a clause, in text order, with offsets.

    Words of the verb itself are not looked at ("Further requests" is a repetition marker,
    not the intensifier "further"), except an adverb before it ("Strongly encourages").
    Where variants overlap, the longest wins ("as and where appropriate" over "where
    appropriate").
    """
    lex = lexicon or load_lexicon()
    start = verb.end if verb else 0
    end_head = head_end(text, verb, lexicon=lex) if verb else _window_end(text, 0, 6)
    found: list[tuple[int, int, QualifierRule]] = []
    if verb and verb.adverb:
        for rule in lex.qualifiers:
            if rule.kind == INTENSIFIER and verb.adverb in rule.variants:
                found.append((verb.start, verb.start + len(verb.adverb), rule))
                break
    for rule, pattern in lex.qualifier_re:
        limit = len(text) if rule.scope == "clause" else end_head
        for m in pattern.finditer(text, start, max(start, limit)):
            found.append((m.start(), m.end(), rule))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[2].kind, f[2].phrase))
    chosen: list[tuple[QualifierRule, int]] = []
    last_end = -1
    for s, e, rule in found:
        if s >= last_end:
            chosen.append((rule, s))
            last_end = e
    return tuple(chosen)


def qualifiers_of(text: str, verb: VerbMatch | None, *,
                  lexicon: Lexicon | None = None) -> tuple[Qualifier, ...]:  # fmt: skip
    """The hedges and intensifiers of a clause as `Qualifier` values, in text order."""
    return tuple(
        Qualifier(rule.kind, rule.phrase)
        for rule, _ in find_qualifiers(text, verb, lexicon=lexicon)
        if rule.kind != CONTINUITY
    )


# --- comparing two clauses -------------------------------------------------------------------


def _section_of(clause: Clause) -> Section:
    return Section.PREAMBLE if clause.pid.upper().startswith("PP") else Section.OPERATIVE


def _body(text: str) -> str:
    """The clause as compared: without its leading "and", its final separator, and the capital
    of its first word, which only say where the clause stands in its paragraph."""
    body = _TRAILING.sub("", _LEADING_AND.sub("", text)).strip()
    return body[:1].lower() + body[1:]


def _label(verb: str | None, verb_text: str | None) -> str:
    if verb is None:
        return verb_text.strip() if verb_text else "?"
    return verb[:1].upper() + verb[1:]


def _times(n: int) -> str:
    return f" (×{n})" if n > 1 else ""


def _describe(clause: Clause) -> str:
    label = _label(clause.verb, clause.verb_text)
    return f"{label} ({clause.actor})" if clause.actor else label


@dataclass(frozen=True, slots=True)
class _Reading:
    body: str
    verb: VerbMatch | None
    qualifiers: tuple[tuple[QualifierRule, int], ...]


def _read(clause: Clause, lex: Lexicon) -> _Reading:
    body = _body(clause.text)
    verb = read_verb(body, _section_of(clause), lexicon=lex)
    return _Reading(body, verb, find_qualifiers(body, verb, lexicon=lex))


def _plain_markers(markers: tuple[str, ...]) -> bool:
    """Markers that are words ("also", "once again"), not repetition formulas."""
    return all(" " not in m or m == "once again" for m in markers)


def _verb_reasons(old: Clause, new: Clause, ro: _Reading, rn: _Reading,
                  lex: Lexicon) -> tuple[int, list[str], list[str]]:  # fmt: skip
    score = 0
    strength: list[str] = []
    editorial: list[str] = []
    if old.verb != new.verb:
        so, sn = lex.strength(old.verb), lex.strength(new.verb)
        change = f"verb {_label(old.verb, old.verb_text)} → {_label(new.verb, new.verb_text)}"
        if so is None or sn is None:
            strength.append(f"{change} (not on the ladder)")
        elif so == sn:
            strength.append(f"{change} (same rung)")
        else:
            score += (sn - so) * lex.verb_weight
            strength.append(change)
    else:
        mo = ro.verb.markers if ro.verb else ()
        mn = rn.verb.markers if rn.verb else ()
        if mo != mn:
            if _plain_markers(mo) and _plain_markers(mn):
                for m in mn:
                    if m not in mo:
                        editorial.append(f'editorial: "{m.capitalize()}" added')
                for m in mo:
                    if m not in mn:
                        editorial.append(f'editorial: "{m.capitalize()}" removed')
            else:
                editorial.append(
                    f'editorial: verb "{(old.verb_text or "").strip()}" → '
                    f'"{(new.verb_text or "").strip()}" (repetition only)'
                )
    return score, strength, editorial


def _qualifier_reasons(ro: _Reading, rn: _Reading) -> tuple[int, bool, list[str], list[str]]:
    """Score, whether any weighted qualifier changed, strength reasons, continuity reasons."""
    count_old = Counter(rule for rule, _ in ro.qualifiers)
    count_new = Counter(rule for rule, _ in rn.qualifiers)
    score = 0
    moved = False
    strength: list[str] = []
    neutral: list[str] = []
    order = {k: i for i, k in enumerate(QUALIFIER_KINDS)}
    rules = sorted(set(count_old) | set(count_new), key=lambda r: (order[r.kind], r.phrase))
    for rule in rules:
        delta = count_new[rule] - count_old[rule]
        if delta == 0:
            continue
        what = "added" if delta > 0 else "removed"
        reason = f"{rule.kind} {what}: {rule.phrase}{_times(abs(delta))}"
        if rule.kind == CONTINUITY:
            neutral.append(reason)
            continue
        sign = -1 if rule.kind == HEDGE else 1
        score += sign * delta * rule.weight
        moved = moved or rule.weight > 0
        strength.append(reason)
    return score, moved, strength, neutral


def _without_qualifiers(words_: tuple[str, ...], lex: Lexicon) -> list[str]:
    """The words of a hunk less those of hedges, intensifiers and continuity phrases."""
    text = " ".join(words_)
    for _rule, pattern in lex.qualifier_re:
        text = pattern.sub(" ", text)
    return text.split()


def _shown(text: str) -> str:
    """A hunk as shown in a reason: spacing collapsed, outer punctuation off, ∅ when empty."""
    return " ".join(text.split()).strip(" ,;.:") or "∅"


def _count(n: int) -> str:
    return f"{n} word" if n == 1 else f"{n} words"


def _text_reasons(ro: _Reading, rn: _Reading, lex: Lexicon) -> list[str]:
    """Editorial and wording reasons from the word diff of the two clause bodies."""
    verb_end_old = ro.verb.end if ro.verb else 0
    verb_end_new = rn.verb.end if rn.verb else 0
    hunks: list[tuple[str, str]] = []
    pos_old = pos_new = 0
    deleted: list[str] = []
    inserted: list[str] = []
    start_old = start_new = 0

    def flush() -> None:
        if deleted or inserted:
            in_verb = start_old < verb_end_old and start_new < verb_end_new
            if not in_verb:
                hunks.append(("".join(deleted), "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for edit in word_diff(ro.body, rn.body):
        if edit.op is EditOp.EQUAL:
            flush()
            pos_old += len(edit.text)
            pos_new += len(edit.text)
            continue
        if not deleted and not inserted:
            start_old, start_new = pos_old, pos_new
        if edit.op is EditOp.DELETE:
            deleted.append(edit.text)
            pos_old += len(edit.text)
        else:
            inserted.append(edit.text)
            pos_new += len(edit.text)
    flush()

    markers = set(lex.markers_before) | {m for ms in lex.markers_after.values() for m in ms}
    punctuation = False
    capitals = False
    member = False
    numbers: list[str] = []
    marker_reasons: list[str] = []
    added = removed = 0
    for old, new in hunks:
        wo, wn = words(old), words(new)
        if not wo and not wn:
            punctuation = punctuation or (old.strip() != new.strip())
        elif wo == wn:  # words() case-folds: only capitals changed
            capitals = True
        elif all(w in markers for w in wo + wn):
            marker_reasons += [f'editorial: "{w.capitalize()}" removed' for w in wo]
            marker_reasons += [f'editorial: "{w.capitalize()}" added' for w in wn]
        elif all(_NUMBERLIKE.fullmatch(w) for w in wo + wn):
            numbers.append(f"{_shown(old)} → {_shown(new)}")
        elif set(wo + wn) == {"member"}:
            member = True
        else:  # words of qualifiers are already reported as such
            removed += len(_without_qualifiers(wo, lex))
            added += len(_without_qualifiers(wn, lex))
    reasons = list(dict.fromkeys(marker_reasons))
    if numbers:
        shown = "; ".join(numbers[:3]) + ("; …" if len(numbers) > 3 else "")
        reasons.append(f"editorial: numbers, dates or symbols ({shown})")
    if member:
        reasons.append("editorial: Member States ↔ States")
    if capitals:
        reasons.append("editorial: capitals")
    if punctuation:
        reasons.append("editorial: punctuation")
    if added or removed:
        reasons.append(f"wording: {_count(added)} added, {_count(removed)} removed")
    return reasons


def classify(old: Clause | None, new: Clause | None, *,
             lexicon: Lexicon | None = None) -> MandateChange:  # fmt: skip
    """What happened to one mandate between two aligned clauses (None: the clause is absent).

    >>> from pipeline.models import Clause
    >>> c = Clause("OP5", 0, "Requests the Office, upon request, to provide assistance;",
    ...            "requests", "Requests", "UNODC")
    >>> classify(None, c).change.value, classify(c, c).change.value
    ('added', 'unchanged')
    """
    if old is None and new is None:
        raise ValueError("classify needs at least one clause")
    lex = lexicon or load_lexicon()
    if old is None or new is None:
        clause = new if new is not None else old
        assert clause is not None
        what = Change.ADDED if new is not None else Change.REMOVED
        return MandateChange(
            old=None if old is None else old.pid,
            new=None if new is None else new.pid,
            clause=clause.index,
            actor=clause.actor,
            verb_old=None if old is None else old.verb,
            verb_new=None if new is None else new.verb,
            change=what,
            reasons=(f"clause {what.value}: {_describe(clause)}",),
            section=_section_of(clause),
        )
    ro, rn = _read(old, lex), _read(new, lex)
    reasons: list[str] = []
    change = Change.UNCHANGED
    if ro.body != rn.body:
        verb_score, verb_strength, verb_editorial = _verb_reasons(old, new, ro, rn, lex)
        q_score, q_moved, q_strength, q_neutral = _qualifier_reasons(ro, rn)
        if _section_of(new) is Section.PREAMBLE:
            # a preambular paragraph asks nothing of anyone: only its lead's intensity
            # ("concerned" → "deeply concerned") can strengthen it; a hedge inside it (often in
            # a recalled text) is wording
            q_neutral = [f"wording: {r}" for r in q_strength] + q_neutral
            q_score, q_moved, q_strength = 0, False, []
        score = verb_score + q_score
        actor = [f"actor {old.actor} → {new.actor}"] if old.actor != new.actor else []
        text = _text_reasons(ro, rn, lex)
        reasons = verb_strength + actor + q_strength + q_neutral + verb_editorial + text
        if score == 0 and (verb_score != 0 or q_moved):
            reasons.append("strength: the changes offset each other")
        change = (
            Change.STRENGTHENED if score > 0 else Change.WEAKENED if score < 0 else Change.REWORDED
        )
        reasons = list(dict.fromkeys(reasons)) or ["wording: spacing only"]
    return MandateChange(
        old=old.pid,
        new=new.pid,
        clause=new.index,
        actor=new.actor,
        verb_old=old.verb,
        verb_new=new.verb,
        change=change,
        reasons=tuple(reasons),
        section=_section_of(new),
    )


# --- aligning the clauses of two aligned paragraphs ------------------------------------------

#: A pair of clauses is matched when its score reaches this: same actor and verb (0.4) alone
#: do, or text similarity ≥ 0.58 alone, or the same verb with similarity ≥ 0.34.
MIN_CLAUSE_SCORE = 0.35


def _pair_score(old: Clause, new: Clause) -> float:
    score = 0.6 * similarity(old.text, new.text)
    if old.actor is not None and old.actor == new.actor:
        score += 0.25
    if old.verb is not None and old.verb == new.verb:
        score += 0.15
    return score


def align_clauses(
    old: tuple[Clause, ...], new: tuple[Clause, ...]
) -> tuple[tuple[int | None, int | None], ...]:
    """Pair the clauses of two aligned paragraphs by actor, verb and word overlap.

    Every old index and every new index appears exactly once; unmatched clauses come as
    ``(i, None)`` / ``(None, j)``. Pairs follow the new paragraph's order, with an unmatched
    old clause placed before the first pair that comes after it in the old paragraph. Two
    one-clause paragraphs are always paired: the paragraphs were aligned, so their single
    mandates are the same mandate, however reworded.
    """
    if len(old) == 1 and len(new) == 1:
        return ((0, 0),)
    candidates = sorted(
        ((_pair_score(o, n), i, j) for i, o in enumerate(old) for j, n in enumerate(new)),
        key=lambda c: (-round(c[0], 9), abs(c[1] - c[2]), c[1], c[2]),
    )
    match_of_new: dict[int, int] = {}
    used_old: set[int] = set()
    for score, i, j in candidates:
        if score < MIN_CLAUSE_SCORE:
            break
        if i in used_old or j in match_of_new:
            continue
        used_old.add(i)
        match_of_new[j] = i
    pairs: list[tuple[int | None, int | None]] = []
    pending_old = [i for i in range(len(old)) if i not in used_old]
    for j in range(len(new)):
        mate = match_of_new.get(j)
        if mate is not None:
            while pending_old and pending_old[0] < mate:
                pairs.append((pending_old.pop(0), None))
        pairs.append((mate, j))
    pairs.extend((i, None) for i in pending_old)
    return tuple(pairs)
