"""The public functions of resdiff: the library that the CLI and notebooks call."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Settings
from pipeline.models import Resolution
from pipeline.reader import read_document


def load(source: str | Path, *, settings: Settings | None = None) -> Resolution:
    """Read a resolution from a file path (any supported rendering) or a document symbol.

    >>> load("sources/A_RES_74_175-EN.seed.md").symbol
    'A/RES/74/175'
    """
    settings = settings or Settings.from_env()
    path = Path(source)
    return read_document(path)
