"""The public functions of resdiff: the library that the CLI and notebooks call."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.models import Resolution
from pipeline.reader import read_document
from pipeline.sources import resolve

if TYPE_CHECKING:
    from pipeline.comparison import Comparison


def load(source: str | Path, *, settings: Settings | None = None) -> Resolution:
    """Read a resolution from a file path (any supported rendering) or a document symbol.

    >>> load("sources/A_RES_74_175-EN.seed.md").symbol
    'A/RES/74/175'
    """
    settings = settings or Settings.from_env()
    path = resolve(str(source), settings)
    return read_document(path)


def compare(
    old: Resolution | str | Path,
    new: Resolution | str | Path,
    *,
    settings: Settings | None = None,
) -> Comparison:
    """Compare two versions of a resolution: paragraphs, clauses, mandates, citations.

    `old` and `new` are parsed resolutions, file paths or document symbols (read with `load`).

    >>> c = compare("A/RES/72/194", "A/RES/74/175")  # doctest: +SKIP
    >>> c.alignment.kind.value_counts()  # doctest: +SKIP
    >>> c.mandates.query("change == 'weakened'")  # doctest: +SKIP
    """
    from pipeline.comparison import compare_resolutions

    settings = settings or Settings.from_env()
    a = old if isinstance(old, Resolution) else load(old, settings=settings)
    b = new if isinstance(new, Resolution) else load(new, settings=settings)
    return compare_resolutions(a, b, settings=settings)
