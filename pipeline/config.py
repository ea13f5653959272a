"""Settings shared by the stages: one frozen object, built once at the edge (CLI or API)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: The project folder when resdiff runs from a checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The six official languages of the United Nations, as the UN services spell them.
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

DEFAULT_ODS_URL = "https://documents.un.org"
DEFAULT_UNDL_URL = "https://digitallibrary.un.org"


def _paths(value: str | None) -> tuple[Path, ...]:
    if not value:
        return ()
    return tuple(Path(p) for p in value.split(os.pathsep) if p)


@dataclass(frozen=True, slots=True)
class AlignSettings:
    """Thresholds of `pipeline.align`, each with the reason for its value.

    Similarities are cosines of TF-IDF vectors over stemmed words and word pairs (0..1);
    containments are the IDF-weighted share of one paragraph's words found in another.
    """

    # Below this a same-section pair is not a link. Unrelated paragraphs of one resolution
    # share its boilerplate ("United Nations Office on Drugs and Crime", "Member States",
    # "technical assistance") and score up to ~0.25; real rewrites across two sessions
    # (72/194 -> 74/175, a third of the words kept) mostly score 0.35 and more.
    match_threshold: float = 0.3
    # A paragraph that crossed sections changes its lead ("Recognizing" -> "Recognizes") and
    # competes with the whole other section, so ask for more.
    cross_section_threshold: float = 0.5
    # Between two linked neighbours (anchors of the backbone) a paragraph rewritten in place
    # needs less likeness: 74/175 PP9 -> 78/226 PP8 ("Recalling in particular its resolution
    # ...", the recalled resolution and half the text changed) scores 0.27.
    gap_threshold: float = 0.15
    # A gap is "in place" only when short on both sides: in a long run of new paragraphs
    # any weak likeness is as likely chance as a rewrite.
    gap_size: int = 4
    # Score every pair of a gap only when the gap is small (pairs), else only candidates.
    gap_pairs: int = 400
    # Tie-break toward the same relative position (0..1 of its section): small, so that a
    # clearly better match far away still wins (a real move), only near-ties are decided.
    position_weight: float = 0.05
    # Candidate prefilter: terms found in more than this share of all paragraphs (both
    # versions) are too common to find candidates with; they still count in the score.
    rare_term_share: float = 0.2
    # ... and in more than this many paragraphs, whatever the share: otherwise the posting
    # lists grow with the document and candidate scoring turns quadratic (2,000 paragraphs:
    # 13 s of a 16 s comparison). No pair under about 320 paragraphs in all reaches it.
    rare_term_max: int = 64
    # How many candidates per paragraph, from each side, get an exact score.
    candidates: int = 8
    # Split/merge: each part must have this share of its words in the whole ...
    part_containment: float = 0.7
    # ... the parts together must cover this share of the whole ...
    cover: float = 0.6
    # ... and add some coverage to what the 1:1 match alone covers. Small: a part may be a
    # short tail (", and encourages the Office to intensify its technical assistance in that
    # regard" is 5 % of its paragraph's words); `part_containment` already asks that a part
    # be made of the whole's words.
    cover_gain: float = 0.02
    # A split or merge has at most this many parts (UN editors split an OP in two or three).
    max_parts: int = 4


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of a run. Build with `Settings.from_env()` and override with `replace`."""

    sources_dir: Path = PROJECT_ROOT / "sources"  # bundled samples + MANIFEST.csv
    cache_dir: Path = PROJECT_ROOT / "sources" / "cache"  # downloaded documents + manifest
    mirrors: tuple[Path, ...] = ()
    ods_url: str = DEFAULT_ODS_URL
    undl_url: str = DEFAULT_UNDL_URL
    lang: str = "en"
    offline: bool = False
    refresh: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5  # seconds; doubled at each retry
    concurrency: int = 4
    align: AlignSettings = field(default_factory=AlignSettings)
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings with the `RESDIFF_*` environment variables applied."""
        env = dict(os.environ if environ is None else environ)
        kwargs: dict[str, object] = {}
        if env.get("RESDIFF_CACHE"):
            kwargs["cache_dir"] = Path(env["RESDIFF_CACHE"])
        if env.get("RESDIFF_MIRRORS"):
            kwargs["mirrors"] = _paths(env["RESDIFF_MIRRORS"])
        if env.get("RESDIFF_ODS_URL"):
            kwargs["ods_url"] = env["RESDIFF_ODS_URL"].rstrip("/")
        if env.get("RESDIFF_UNDL_URL"):
            kwargs["undl_url"] = env["RESDIFF_UNDL_URL"].rstrip("/")
        if env.get("RESDIFF_OFFLINE", "").lower() in {"1", "true", "yes"}:
            kwargs["offline"] = True
        return cls(**kwargs)  # type: ignore[arg-type]
