"""Run many comparisons from a plan file: pairs and whole series, locally or on a Dask cluster.

A plan is a TOML (or CSV) file. TOML, every key optional but at least one item:

    # plans/example.toml
    out = "../outputs/example"      # output folder, relative to this file (--out overrides)
    formats = ["csv", "parquet", "json", "html"]   # the default: all four
    mirrors = ["${RESDIFF_CORPUS:-../../shared/corpus}"]   # folders of documents by symbol
    offline = true                  # never use the network (default false)
    lang = "en"                     # language of documents given by symbol (--lang overrides)

    [[pair]]                        # one comparison -> OUT/<name>/ as `resdiff compare --out`
    name = "L22-to-80_171"          # optional: "<old>-to-<new>" from the symbols
    old = "A/C.6/80/L.22"           # a symbol, or a file path relative to this file
    new = "A/RES/80/171"

    [[series]]                      # a whole series -> OUT/<name>/ as `resdiff series --out`
    name = "unodc-counter-terrorism"
    versions = ["A/RES/72/194", "A/RES/74/175", "A/RES/78/226"]    # oldest first

    [[series]]
    from = "A/RES/80/6"             # or walk back from the newest through what it recalls

Mirror paths may use `~`, `$NAME`, `${NAME}` and `${NAME:-default}`; relative paths are taken
from the plan's folder. Plan mirrors are searched after `--mirror` and `RESDIFF_MIRRORS`.

A CSV plan has a header and one item per line (a line starting with `#` is a comment); a pair
fills `old` and `new`, a series fills `versions` (symbols separated by `;`) or `from`. Its
output folder and settings come from the command line (`--out`, `--mirror`, ...):

    name,old,new,versions,from
    L22-to-80_171,A/C.6/80/L.22,A/RES/80/171,,
    unodc,,,A/RES/72/194;A/RES/74/175;A/RES/78/226,

The output folder:

    OUT/runs.csv              one line per item, plan order (columns: RUN_COLUMNS)
    OUT/.resdiff-batch.json   what each finished item was made from (for skipping on a rerun)
    OUT/<item>/               the item's outputs, put in place whole

How a run goes:

- The parent process finds every input (cache, mirrors, UN services; `pipeline.sources`),
  reads its bytes and hashes them. An item whose inputs (sha256 of each file), settings
  (language, alignment thresholds, formats) and resdiff (version and a digest of its code) are
  those recorded for it in the state file, and whose folder is still there, is **skipped**.
- The others are sent, with the bytes of their documents, to the workers, which parse,
  compare and render into a private temporary folder and send back the files. Workers need
  no shared disk: the same plan runs in-process (`workers=1`), in local processes
  (`--workers N`, forkserver or spawn) or on a Dask cluster (`--executor dask --scheduler
  ADDRESS`), and gives the same bytes.
- The parent writes each finished item into a temporary folder beside its target and renames
  it into place, then records it in the state file: an interrupted run never leaves half an
  item, and the next run picks up where it stopped.
- A failing item (a symbol that cannot be found, a file that is not a resolution, a bug) is
  reported as `FAILED <item>: <message>` and the run goes on; `runs.csv` says why, and the
  command exits with status 1.

Outputs are deterministic (no timestamps, no absolute paths), except the timing columns of
`runs.csv` (`TIMING_COLUMNS`), which are the only values that differ from one run to the next.

>>> plan = read_plan(Path("plans/corpus.toml"))                      # doctest: +SKIP
>>> result = run_plan(plan, Settings.from_env(), workers=2)          # doctest: +SKIP
>>> result.summary_line()                                            # doctest: +SKIP
'20 items: 20 ok, 0 skipped, 0 failed in 9.1 s (2.2 items/s)'
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import tomllib
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from pipeline import frames
from pipeline.config import Settings
from pipeline.errors import InputError, PlanError, ResdiffError
from pipeline.models import Resolution
from pipeline.series import FORMATS, atomic_dir
from pipeline.symbols import looks_like_symbol, normalise_symbol

__all__ = [
    "RUN_COLUMNS",
    "STATE_FILE",
    "TIMING_COLUMNS",
    "BatchResult",
    "Document",
    "ItemRun",
    "Plan",
    "PlanItem",
    "Progress",
    "Task",
    "TaskResult",
    "parse_plan",
    "read_plan",
    "run_plan",
    "run_task",
]

#: The state file in the output folder: per item, the key of what it was made from.
STATE_FILE = ".resdiff-batch.json"
#: Held while a run writes into an output folder, so that two runs never mix their outputs.
LOCK_FILE = ".resdiff-batch.lock"
RUNS_FILE = "runs.csv"
STATE_FORMAT = 1

STATUSES = ("ok", "failed", "skipped")
KINDS = ("pair", "series")
COUNT_NAMES = (
    "versions", "steps", "paragraphs",
    "paragraphs_matched", "paragraphs_changed", "paragraphs_moved", "paragraphs_split",
    "paragraphs_merged", "paragraphs_added", "paragraphs_removed",
    "mandates_added", "mandates_removed", "mandates_strengthened", "mandates_weakened",
    "mandates_reworded", "mandates_unchanged",
    "citations_added", "citations_removed",
)  # fmt: skip
#: Seconds spent finding and hashing the inputs (parent), parsing, comparing and rendering
#: (worker), and putting the item in place (parent). The only columns that vary between runs.
TIMING_COLUMNS = ("seconds_resolve", "seconds_parse", "seconds_compare", "seconds_render",
                  "seconds_write")
RUN_COLUMNS: dict[str, Any] = {
    "item": "string",
    "kind": pd.CategoricalDtype(KINDS),
    "status": pd.CategoricalDtype(STATUSES),
    **dict.fromkeys(COUNT_NAMES, "Int64"),
    **dict.fromkeys(TIMING_COLUMNS, "float64"),
    "error": "string",
}

_TOP_KEYS = frozenset({"out", "formats", "mirrors", "offline", "lang", "pair", "series"})
_PAIR_KEYS = frozenset({"name", "old", "new"})
_SERIES_KEYS = frozenset({"name", "versions", "from"})
_CSV_COLUMNS = ("name", "old", "new", "versions", "from")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
_RESERVED = frozenset({RUNS_FILE, STATE_FILE, LOCK_FILE})
_ENV = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")
_STALE = re.compile(r"^\..+\.(?:tmp|old)$")  # what atomic_dir leaves behind if killed


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One item of a plan: a pair (two refs) or a series (refs, or `back_from` a symbol)."""

    name: str
    kind: str  # "pair" | "series"
    refs: tuple[str, ...] = ()
    back_from: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A parsed plan: its items and settings; relative paths are resolved from `base`."""

    items: tuple[PlanItem, ...]
    base: Path
    out: Path | None = None
    formats: tuple[str, ...] = FORMATS
    mirrors: tuple[Path, ...] = ()
    offline: bool = False
    lang: str | None = None

    def settings(self, settings: Settings, *, keep_lang: bool = False) -> Settings:
        """`settings` with the plan's mirrors (searched last), offline and language applied."""
        return dataclasses.replace(
            settings,
            mirrors=tuple(dict.fromkeys((*settings.mirrors, *self.mirrors))),
            offline=settings.offline or self.offline,
            lang=settings.lang if keep_lang or self.lang is None else self.lang,
        )


def read_plan(path: Path) -> Plan:
    """Read a plan file: TOML (`.toml`) or CSV (anything else); `PlanError` if it is invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot be read ({exc})") from None
    fmt = "toml" if path.suffix.lower() == ".toml" else "csv"
    try:
        return parse_plan(text, fmt=fmt, base=path.resolve().parent)
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from None


def parse_plan(text: str, *, fmt: str = "toml", base: Path | None = None) -> Plan:
    """Parse plan text ("toml" or "csv"); relative paths are taken from `base` (default: cwd)."""
    base = base or Path.cwd()
    if fmt == "toml":
        return _toml_plan(text, base)
    if fmt == "csv":
        return _csv_plan(text, base)
    raise PlanError(f"unknown plan format {fmt!r}: toml or csv")


def _toml_plan(text: str, base: Path) -> Plan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"not valid TOML ({exc})") from None
    _known(data, _TOP_KEYS, "the plan")
    items: list[PlanItem] = []
    # In file order, as far as TOML keeps it: the tables of one array in order, the array
    # seen first (pair or series) first.
    for kind in [k for k in data if k in ("pair", "series")]:
        keys = _PAIR_KEYS if kind == "pair" else _SERIES_KEYS
        entries = data[kind]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise PlanError(f"{kind} must be an array of tables: write [[{kind}]] before each one")
        for k, entry in enumerate(entries, 1):
            _known(entry, keys, f"[[{kind}]] number {k}")
            items.append(_item(kind, entry, f"[[{kind}]] number {k}"))
    out = data.get("out")
    if out is not None and not isinstance(out, str):
        raise PlanError("out must be a string: the output folder")
    mirrors = data.get("mirrors", [])
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    if not isinstance(mirrors, list) or not all(isinstance(m, str) for m in mirrors):
        raise PlanError("mirrors must be a list of folder paths")
    offline = data.get("offline", False)
    if not isinstance(offline, bool):
        raise PlanError("offline must be true or false")
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise PlanError('lang must be a string such as "en"')
    return Plan(
        items=_checked(items),
        base=base,
        out=_path(out, base) if out else None,
        formats=_formats(data.get("formats", list(FORMATS))),
        mirrors=tuple(_mirror(m, base) for m in mirrors),
        offline=offline,
        lang=lang.lower() if lang else None,
    )


def _csv_plan(text: str, base: Path) -> Plan:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    header = [h.strip() for h in reader.fieldnames or ()]
    if not header:
        raise PlanError("the CSV plan has no header: name,old,new,versions,from")
    unknown = [h for h in header if h not in _CSV_COLUMNS]
    if unknown:
        raise PlanError(f"unknown column {unknown[0]!r}: the columns are {', '.join(_CSV_COLUMNS)}")
    items = []
    for line, row in enumerate(reader, 2):
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        where = f"line {line}"
        if values.get("old") or values.get("new"):
            if values.get("versions") or values.get("from"):
                raise PlanError(f"{where}: a pair (old, new) or a series (versions or from), "
                                f"not both")
            items.append(_item("pair", {k: values[k] for k in ("name", "old", "new")
                                        if values.get(k)}, where))
        elif values.get("versions") or values.get("from"):
            entry: dict[str, Any] = {"name": values.get("name")} if values.get("name") else {}
            if values.get("versions"):
                entry["versions"] = [v.strip() for v in values["versions"].split(";")
                                     if v.strip()]
            if values.get("from"):
                entry["from"] = values["from"]
            items.append(_item("series", entry, where))
        elif any(values.values()):
            raise PlanError(f"{where}: fill old and new (a pair), or versions or from (a series)")
    return Plan(items=_checked(items), base=base)


def _known(data: dict[str, Any], keys: frozenset[str], where: str) -> None:
    unknown = sorted(set(data) - keys)
    if unknown:
        raise PlanError(f"unknown key {unknown[0]!r} in {where}: the keys are "
                        f"{', '.join(sorted(keys))}")


def _short(ref: str) -> str:
    if looks_like_symbol(ref):
        ref = normalise_symbol(ref).removeprefix("A/RES/").replace("/", "_")
    else:
        ref = Path(ref).stem
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ref).strip("._") or "item"


def _item(kind: str, entry: dict[str, Any], where: str) -> PlanItem:
    def text(key: str) -> str | None:
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PlanError(f"{where}: {key} must be a non-empty string")
        return value.strip() if value else None

    name = text("name")
    if kind == "pair":
        old, new = text("old"), text("new")
        if not old or not new:
            raise PlanError(f"{where}: a pair needs old and new")
        return PlanItem(name or f"{_short(old)}-to-{_short(new)}", "pair", (old, new))
    back_from = text("from")
    versions = entry.get("versions")
    if versions is not None:
        if not isinstance(versions, list) or not all(isinstance(v, str) and v.strip()
                                                     for v in versions):
            raise PlanError(f"{where}: versions must be a list of symbols or paths, oldest first")
        versions = [v.strip() for v in versions]
    if (versions is None) == (back_from is None):
        raise PlanError(f"{where}: a series needs versions (oldest first) or from (the newest "
                        f"symbol, to walk back from), not both")
    if versions is not None:
        if len(versions) < 2:
            raise PlanError(f"{where}: a series needs at least two versions")
        return PlanItem(name or f"{_short(versions[0])}-to-{_short(versions[-1])}", "series",
                        tuple(versions))
    assert back_from is not None
    return PlanItem(name or f"series-to-{_short(back_from)}", "series", back_from=back_from)


def _checked(items: list[PlanItem]) -> tuple[PlanItem, ...]:
    if not items:
        raise PlanError("the plan has no items: add a [[pair]] or a [[series]]")
    seen: set[str] = set()
    for item in items:
        if not _NAME.match(item.name) or item.name in _RESERVED:
            raise PlanError(f"item name {item.name!r} cannot be a folder name: use letters, "
                            f"digits, '.', '_' and '-' (not {', '.join(sorted(_RESERVED))})")
        if item.name in seen:
            raise PlanError(f"two items are named {item.name!r}: give each a distinct name")
        seen.add(item.name)
    return tuple(items)


def _formats(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PlanError(f"formats must be a list of {', '.join(FORMATS)}")
    unknown = [v for v in value if v.lower() not in FORMATS]
    if unknown:
        raise PlanError(f"unknown format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in {v.lower() for v in value})


def _expand(value: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m[1] or m[3]
        return os.environ.get(name) or (m[2] if m[2] is not None else m[0])

    return os.path.expanduser(_ENV.sub(sub, value))


def _path(value: str, base: Path) -> Path:
    path = Path(_expand(value))
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _mirror(value: str, base: Path) -> Path:
    path = _path(value, base)
    if not path.is_dir():
        raise PlanError(f"mirror folder {value!r} ({path}) does not exist")
    return path.resolve()


# --- what a worker gets and gives back ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """One input, as shipped to a worker: the ref asked for, its file name, bytes and hash."""

    ref: str
    file: str
    data: bytes = field(repr=False)
    sha256: str


@dataclass(frozen=True, slots=True)
class Task:
    """Everything a worker needs for one item; no paths, so it runs on any machine."""

    name: str
    kind: str
    documents: tuple[Document, ...]
    formats: tuple[str, ...]
    settings: Settings

    @property
    def size(self) -> int:
        """Bytes of input: how the parent guesses which items take longest."""
        return sum(len(d.data) for d in self.documents)


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a worker sends back: the item's files (relative path, bytes), counts, timings."""

    name: str
    files: tuple[tuple[str, bytes], ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None


def _parse(doc: Document) -> Resolution:
    from pipeline.reader import extract_text
    from pipeline.segment import segment

    try:
        text, fmt = extract_text(doc.data)
        res = segment(text, source_format=fmt)
    except ResdiffError as exc:
        raise type(exc)(f"{doc.ref} ({doc.file}): {exc}") from None
    if res.symbol is None and looks_like_symbol(doc.ref):
        res = dataclasses.replace(res, symbol=normalise_symbol(doc.ref))
    return res


def _counts(versions: Sequence[Resolution], comparisons: Sequence[Any]) -> dict[str, int]:
    out = dict.fromkeys(COUNT_NAMES, 0)
    out["versions"] = len(versions)
    out["steps"] = len(comparisons)
    out["paragraphs"] = sum(len(v.paragraphs) for v in versions)
    for c in comparisons:
        n = frames.counts(c)
        for ours, theirs in (("matched", "match"), ("changed", "changed"), ("moved", "moved"),
                             ("split", "split"), ("merged", "merge"), ("added", "added"),
                             ("removed", "removed")):
            out[f"paragraphs_{ours}"] += n["alignment"][theirs]
        for change, k in n["mandates"].items():
            out[f"mandates_{change}"] += k
        out["citations_added"] += n["citations"]["added"]
        out["citations_removed"] += n["citations"]["removed"]
    return out


def run_task(task: Task) -> TaskResult:
    """Parse, compare and render one item; runs in a worker (or in the calling process).

    Never raises for a bad input: a `ResdiffError` becomes the result's `error`, anything else
    too, with its traceback (a bug), so that one item never stops the others.
    """
    from pipeline.comparison import compare_resolutions
    from pipeline.series import build_series, write_pair, write_series

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    try:
        docs = [_parse(d) for d in task.documents]
        lap("seconds_parse")
        comparisons = tuple(compare_resolutions(a, b, settings=task.settings)
                            for a, b in pairwise(docs))
        built = build_series(docs, comparisons) if task.kind == "series" else None
        lap("seconds_compare")
        with tempfile.TemporaryDirectory(prefix="resdiff-item-") as tmp:
            root = Path(tmp)
            if built is not None:
                write_series(built, root, formats=task.formats)
            else:
                write_pair(comparisons[0], root, formats=task.formats)
            files = tuple(sorted((p.relative_to(root).as_posix(), p.read_bytes())
                                 for p in root.rglob("*") if p.is_file()))
        lap("seconds_render")
        return TaskResult(task.name, files, _counts(docs, comparisons), timings)
    except ResdiffError as exc:
        return TaskResult(task.name, timings=timings, error=str(exc))
    except Exception as exc:  # a bug: reported with its traceback, and the run goes on
        return TaskResult(task.name, timings=timings,
                          error=f"internal error, a bug in resdiff ({type(exc).__name__}: {exc})",
                          traceback=traceback.format_exc())


# --- one run --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemRun:
    """The outcome of one item in one run: a line of runs.csv."""

    name: str
    kind: str
    status: str  # "ok" | "failed" | "skipped"
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None

    def record(self) -> dict[str, Any]:
        """The runs.csv row."""
        return {"item": self.name, "kind": self.kind, "status": self.status, **self.counts,
                **{k: round(self.timings.get(k, 0.0), 3) for k in TIMING_COLUMNS},
                "error": self.error}


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Every item's outcome, in plan order, and the wall time of the run."""

    runs: tuple[ItemRun, ...]
    out: Path
    seconds: float

    @property
    def failed(self) -> tuple[ItemRun, ...]:
        """The items that failed."""
        return tuple(r for r in self.runs if r.status == "failed")

    def count(self, status: str) -> int:
        """How many items ended with `status`."""
        return sum(1 for r in self.runs if r.status == status)

    @property
    def steps(self) -> int:
        """Comparisons made in this run (skipped items not counted)."""
        return sum(r.counts.get("steps", 0) for r in self.runs if r.status == "ok")

    def summary_line(self) -> str:
        """"20 items: 19 ok, 0 skipped, 1 failed in 9.1 s (2.1 items/s)"."""
        n = len(self.runs)
        rate = n / self.seconds if self.seconds > 0 else float("inf")
        return (f"{n} item{'s' if n != 1 else ''}: {self.count('ok')} ok, "
                f"{self.count('skipped')} skipped, {self.count('failed')} failed "
                f"in {self.seconds:.1f} s ({rate:.1f} items/s)")


@cache
def code_digest() -> str:
    """sha256 of resdiff's own code, templates and data: a changed rule reruns every item."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("resdiff")
    except metadata.PackageNotFoundError:  # pragma: no cover - a bare checkout
        return "dev"


def item_key(item: PlanItem, docs: Sequence[Document], formats: Sequence[str],
             settings: Settings) -> str:
    """What an item's outputs depend on, hashed: inputs, settings, resdiff version and code."""
    payload = {
        "state": STATE_FORMAT, "resdiff": _version(), "code": code_digest(),
        "kind": item.kind, "refs": list(item.refs), "from": item.back_from,
        "inputs": [[d.ref, d.sha256] for d in docs], "formats": list(formats),
        "lang": settings.lang, "align": dataclasses.asdict(settings.align),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Inputs:
    """Finds and reads the documents of the items, each file once per run."""

    def __init__(self, plan: Plan, settings: Settings) -> None:
        self.plan = plan
        self.settings = settings
        self.files: dict[Path, tuple[bytes, str]] = {}
        self.parsed: dict[str, Resolution] = {}

    def path(self, ref: str) -> Path:
        from pipeline.sources import resolve

        if looks_like_symbol(ref):
            return resolve(ref, self.settings)
        path = _path(ref, self.plan.base)
        if not path.is_file():
            raise InputError(f"{ref}: no such file (a path in a plan is taken from the plan's "
                             f"folder, {self.plan.base})")
        return path

    def document(self, ref: str) -> Document:
        path = self.path(ref)
        if path not in self.files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"{ref}: {path} cannot be read ({exc.strerror})") from None
            self.files[path] = (data, hashlib.sha256(data).hexdigest())
        data, sha = self.files[path]
        return Document(ref, path.name, data, sha)

    def load(self, ref: str) -> Resolution:
        if ref not in self.parsed:
            self.parsed[ref] = _parse(self.document(ref))
        return self.parsed[ref]

    def documents(self, item: PlanItem) -> tuple[Document, ...]:
        from pipeline.lineage import chain, trace

        refs = item.refs
        if item.back_from is not None:
            refs = chain(item.back_from, self.settings, loader=self.load)
            if len(refs) < 2:
                why = trace(item.back_from, self.settings, loader=self.load).reason
                raise ResdiffError(f"no earlier version of {item.back_from} was found ({why})")
        return tuple(self.document(ref) for ref in refs)


def _load_state(out: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every item runs again
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        return {}
    items = data.get("items")
    return items if isinstance(items, dict) else {}


def _save_state(out: Path, items: dict[str, dict[str, Any]]) -> None:
    from pipeline.writers import write_json

    write_json({"format": STATE_FORMAT, "items": items}, out / STATE_FILE)
    os.chmod(out / STATE_FILE, 0o644)


def _install(target: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Write an item's files into a temporary folder and rename it over `target`."""
    with atomic_dir(target) as tmp:
        for rel, data in files:
            parts = Path(rel).parts
            if Path(rel).is_absolute() or ".." in parts or not parts:
                raise PlanError(f"a worker sent back an unsafe file name {rel!r}")
            path = tmp.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, 0o644)


def _clean_stale(out: Path) -> None:
    """Remove what a killed run left behind: temporary item folders and files."""
    for entry in out.iterdir():
        if _STALE.match(entry.name):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


class _Lock:
    """An exclusive lock file in the output folder, taken over if its process has died."""

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK_FILE

    def __enter__(self) -> _Lock:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._holder_alive():
                    raise PlanError(
                        f"another resdiff batch is writing to {self.path.parent} (lock file "
                        f"{self.path}): wait for it, or delete the lock file if it is stale"
                    ) from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as f:
                f.write(str(os.getpid()))
            return self
        raise PlanError(f"cannot take the lock {self.path}")

    def _holder_alive(self) -> bool:
        try:
            pid = int(self.path.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


OnItem = Callable[[ItemRun, int, int], None]


def run_plan(
    plan: Plan,
    settings: Settings | None = None,
    *,
    out: Path | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    client: Any = None,
    force: bool = False,
    keep_lang: bool = False,
    on_item: OnItem | None = None,
) -> BatchResult:
    """Run every item of `plan` into `out` (default: the plan's `out`); see the module docstring.

    `executor` is "local" (`workers` processes; 1 runs in this process) or "dask" (a
    `dask.distributed.Client` given as `client`, or one connected to `scheduler`). `force`
    runs items even when their inputs are unchanged. `on_item(run, done, total)` is called
    as each item ends, in the order they end. Raises `PlanError` for a run that cannot start
    (no output folder, Dask missing or unreachable); a failing item never raises.
    """
    started = time.perf_counter()
    settings = plan.settings(settings or Settings.from_env(), keep_lang=keep_lang)
    target = Path(out) if out is not None else plan.out
    if target is None:
        raise PlanError("no output folder: set out = \"FOLDER\" in the plan, or give --out FOLDER")
    if executor not in ("local", "dask"):
        raise PlanError(f"unknown executor {executor!r}: local or dask")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlanError(f"cannot make the output folder {target} ({exc.strerror})") from None
    with _Lock(target):
        _clean_stale(target)
        runs = _run(plan, settings, target, workers, executor, scheduler, client, force,
                    on_item)
    return BatchResult(runs, target, time.perf_counter() - started)


def _run(plan: Plan, settings: Settings, out: Path, workers: int, executor: str,
         scheduler: str | None, client: Any, force: bool,
         on_item: OnItem | None) -> tuple[ItemRun, ...]:
    total = len(plan.items)
    done: dict[str, ItemRun] = {}
    kinds = {item.name: item.kind for item in plan.items}
    state = _load_state(out)

    def finish(run: ItemRun) -> None:
        done[run.name] = run
        if on_item is not None:
            on_item(run, len(done), total)

    inputs = _Inputs(plan, settings)
    tasks: list[Task] = []
    keys: dict[str, str] = {}
    resolve_time: dict[str, float] = {}
    for item in plan.items:
        clock = time.perf_counter()
        try:
            docs = inputs.documents(item)
        except ResdiffError as exc:
            finish(ItemRun(item.name, item.kind, "failed",
                           timings={"seconds_resolve": time.perf_counter() - clock},
                           error=_one_line(str(exc))))
            continue
        key = item_key(item, docs, plan.formats, settings)
        resolve_time[item.name] = time.perf_counter() - clock
        recorded = state.get(item.name, {})
        if not force and recorded.get("key") == key and (out / item.name).is_dir():
            finish(ItemRun(item.name, item.kind, "skipped", dict(recorded.get("counts", {})),
                           {"seconds_resolve": resolve_time[item.name]}))
            continue
        keys[item.name] = key
        tasks.append(Task(item.name, item.kind, docs, plan.formats, settings))

    # Longest first (by bytes of input: PDFs take longest to read), so that no worker is
    # left with one long item at the end; the outputs do not depend on the order.
    tasks.sort(key=lambda t: -t.size)
    for result in _execute(tasks, workers, executor, scheduler, client):
        timings = {"seconds_resolve": resolve_time[result.name], **result.timings}
        kind = kinds[result.name]
        if result.error is not None:
            finish(ItemRun(result.name, kind, "failed", timings=timings,
                           error=_one_line(result.error), traceback=result.traceback))
            continue
        clock = time.perf_counter()
        try:
            _install(out / result.name, result.files)
            state[result.name] = {"key": keys[result.name], "counts": result.counts}
            _save_state(out, state)
        except (OSError, ResdiffError) as exc:
            finish(ItemRun(result.name, kind, "failed", timings=timings,
                           error=_one_line(f"cannot write {out / result.name}: {exc}")))
            continue
        timings["seconds_write"] = time.perf_counter() - clock
        finish(ItemRun(result.name, kind, "ok", result.counts, timings))
    runs = tuple(done[item.name] for item in plan.items)
    _write_runs(out, runs)
    return runs


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _write_runs(out: Path, runs: Sequence[ItemRun]) -> None:
    from pipeline.writers import write_csv

    write_csv(frames.frame([r.record() for r in runs], RUN_COLUMNS), out / RUNS_FILE)
    os.chmod(out / RUNS_FILE, 0o644)


# --- executors ------------------------------------------------------------------------------


def _execute(tasks: Sequence[Task], workers: int, executor: str, scheduler: str | None,
             client: Any) -> Iterator[TaskResult]:
    if not tasks:
        return iter(())
    if executor == "dask":
        return _dask(tasks, scheduler, client)
    if workers <= 1 or len(tasks) == 1:
        return (run_task(t) for t in tasks)
    return _processes(tasks, workers)


def _mp_context() -> Any:
    # Never plain fork: the parent may hold threads (a Dask client, a notebook kernel) whose
    # locks a forked child would inherit held. forkserver forks from a clean server process
    # that has imported resdiff once; spawn is the portable fallback.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["pipeline.batch"])
        return ctx
    return multiprocessing.get_context("spawn")


def _crashed(task: Task, exc: BaseException) -> TaskResult:
    return TaskResult(task.name, error=f"the worker running it failed ({type(exc).__name__}: "
                                       f"{exc})")


def _processes(tasks: Sequence[Task], workers: int) -> Iterator[TaskResult]:
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=_mp_context())
    try:
        futures = {pool.submit(run_task, t): t for t in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker died (killed, out of memory)
                yield _crashed(futures[future], exc)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(tasks: Sequence[Task], scheduler: str | None, client: Any) -> Iterator[TaskResult]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise PlanError(
            "--executor dask needs dask.distributed, which is not installed: "
            "pip install 'resdiff[dask]' (or pip install 'dask[distributed]')"
        ) from None
    own = client is None
    if own:
        if not scheduler:
            raise PlanError("--executor dask needs --scheduler ADDRESS (such as "
                            "tcp://10.0.0.5:8786, printed by `dask scheduler`)")
        try:
            client = Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise PlanError(f"cannot reach the Dask scheduler at {scheduler} ({exc}): start one "
                            f"with `dask scheduler` and workers with `dask worker {scheduler}`"
                            ) from None
    return _dask_results(client, own, tasks, dask_completed)


def _dask_results(client: Any, own: bool, tasks: Sequence[Task],
                  completed: Any) -> Iterator[TaskResult]:
    try:
        futures = {client.submit(run_task, t, pure=False): t for t in tasks}
        for future in completed(list(futures)):
            try:
                yield future.result()
            except Exception as exc:  # a worker died, or the task could not be run there
                yield _crashed(futures[future], exc)
    finally:
        if own:
            client.close()


# --- progress -------------------------------------------------------------------------------


class Progress:
    """Items done/total, rate and time left on one terminal line of stderr; FAILED lines.

    The live line is drawn only when the stream is a terminal; `FAILED <item>: <message>`
    lines and the final summary are always written.
    """

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self.drawn = False

    def item(self, run: ItemRun, done: int, total: int) -> None:
        """Called as each item ends (`run_plan(on_item=...)`)."""
        if run.status == "failed":
            self._clear()
            self.stream.write(f"FAILED {run.name}: {run.error}\n")
            if run.traceback:
                self.stream.write(run.traceback)
        if self.live:
            elapsed = time.monotonic() - self.started
            rate = done / elapsed if elapsed > 0 else 0.0
            left = (total - done) / rate if rate > 0 else 0.0
            self.stream.write(f"\r\x1b[K[{done}/{total}] {rate:.1f} items/s, "
                              f"{_duration(left)} left · {run.name}: {run.status}")
            self.drawn = True
        self.stream.flush()

    def finish(self, result: BatchResult) -> None:
        """The one-line summary, always."""
        self._clear()
        self.stream.write(f"{result.summary_line()}; runs.csv in {result.out}\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.drawn = False


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"~{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"~{minutes} min {secs:02d} s"
    return f"~{minutes // 60} h {minutes % 60:02d} min"
