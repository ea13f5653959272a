"""What the benchmark scripts share: the corpus folder and a timer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    """The folder of real documents: `RESDIFF_CORPUS`, else `../shared/corpus` beside the repo."""
    return Path(os.environ.get("RESDIFF_CORPUS") or ROOT.parent / "shared" / "corpus")


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs of `fn`, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
