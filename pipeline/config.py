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
