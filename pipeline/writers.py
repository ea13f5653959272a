"""Write comparison tables to disk: CSV, JSON and Parquet, each file atomically.

A file is written to a temporary name in its folder and renamed over the target with
`os.replace`, so a reader (or a crashed run) never sees half a file. Same inputs, same bytes:
CSV rows end in "\\n" on every platform, JSON keys are sorted and no timestamp or absolute path
is written. Parquet is checked by reading it back, not by its bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.comparison import Comparison

#: The tables of a comparison written by `write_comparison`, by file stem.
TABLES = ("paragraphs", "alignment", "clauses", "mandates", "citations", "summary")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`; renamed over it if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write `df` as UTF-8 CSV with "\\n" line ends, no index."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    return path


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write `df` as Parquet (pyarrow), dtypes kept, no index."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, engine="pyarrow", index=False)
    return path


def dumps(obj: Any) -> str:
    """JSON text with sorted keys, two-space indent, UTF-8 kept, a final newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json(obj: Any, path: Path) -> Path:
    """Write `obj` as JSON (see `dumps`)."""
    return write_text(dumps(obj), path)


def write_text(text: str, path: Path) -> Path:
    """Write `text` as UTF-8 with "\\n" line ends."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return path


def write_comparison(c: Comparison, out: Path) -> tuple[Path, ...]:
    """Write every table of `c` as CSV and Parquet, and `comparison.json`, into folder `out`."""
    written: list[Path] = []
    views: dict[str, Callable[[], pd.DataFrame]] = {
        "paragraphs": lambda: c.paragraphs, "alignment": lambda: c.alignment,
        "clauses": lambda: c.clauses, "mandates": lambda: c.mandates,
        "citations": lambda: c.citations, "summary": c.summary,
    }
    for name in TABLES:
        df = views[name]()
        written.append(write_csv(df, out / f"{name}.csv"))
        written.append(write_parquet(df, out / f"{name}.parquet"))
    written.append(write_json(c.to_json(), out / "comparison.json"))
    return tuple(written)
