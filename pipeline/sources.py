"""Symbol → file: where resdiff looks for a document, and the cache of what it downloaded.

`resolve(ref, settings)` returns an existing file path as it is; anything else must be a
document symbol, which is looked up in this order (the first hit wins):

    1. the download cache   settings.cache_dir/A_RES_72_194-EN.pdf, listed in manifest.csv
    2. the bundled sample   settings.sources_dir/A_RES_74_175-EN.seed.md, in MANIFEST.csv
    3. the mirrors          --mirror DIR (in the order given), then RESDIFF_MIRRORS
    4. the UN services      ODS, then the Digital Library (`pipeline.fetch`); stored in 1.

A file of the cache or the bundled sample is used only if its sha256 still matches its manifest;
otherwise `CacheError` names the file and the command that repairs it. `--refresh` skips 1-3
and downloads again; `--offline` stops after 3.

Cache layout (`sources/cache/`, or RESDIFF_CACHE): one `SYMBOL_STEM-LANG.pdf` per document and
language, and `manifest.csv` with one line per file, sorted by symbol and language:

    symbol,language,file,source,url,final_url,retrieved,content_type,bytes,sha256

Every file, the manifest too, is written to a temporary file in the cache folder and moved into
place with `os.replace`, so a reader never sees half a file. Threads of one process share the
cache safely; two processes fetching at once may lose a manifest line, and the file without one
is then simply downloaded again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shlex
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import CacheError, InputError, OfflineError, ResdiffError, SymbolError
from pipeline.fetch import Download, Fetcher
from pipeline.symbols import (
    MAX_SYMBOL_LENGTH,
    file_name,
    looks_like_symbol,
    normalise_lang,
    normalise_symbol,
    symbol_to_stem,
)

__all__ = [
    "BUNDLED_MANIFEST",
    "CACHE_FIELDS",
    "CACHE_MANIFEST",
    "BundledEntry",
    "CacheEntry",
    "CachedDocument",
    "Located",
    "Origin",
    "Outcome",
    "cache_path",
    "fetch_many",
    "list_sources",
    "locate",
    "mirror_candidates",
    "read_bundled",
    "read_manifest",
    "resolve",
    "store",
]

#: The manifest of the download cache, inside settings.cache_dir.
CACHE_MANIFEST = "manifest.csv"
#: The manifest of the documents bundled with resdiff, inside settings.sources_dir.
BUNDLED_MANIFEST = "MANIFEST.csv"
CACHE_FIELDS = (
    "symbol",
    "language",
    "file",
    "source",
    "url",
    "final_url",
    "retrieved",
    "content_type",
    "bytes",
    "sha256",
)
# Renderings looked for in a mirror, best first: the official PDF, then its text layer, then
# other renderings the reader understands.
_MIRROR_SUFFIXES = (".pdf", ".txt", ".md", ".html", ".htm")
# Serialises read-modify-write of a cache manifest between the threads of `fetch_many`.
_MANIFEST_LOCK = threading.Lock()


class Origin(StrEnum):
    """Where a document was found."""

    CACHE = "cache"  # downloaded earlier, checked against the cache manifest
    BUNDLED = "bundled"  # shipped in sources/, checked against sources/MANIFEST.csv
    MIRROR = "mirror"  # a local folder of documents named by symbol
    ODS = "ods"  # just downloaded from the Official Document System
    UNDL = "undl"  # just downloaded from the UN Digital Library


@dataclass(frozen=True, slots=True)
class Located:
    """A document found for a symbol and language."""

    symbol: str
    lang: str
    path: Path
    origin: Origin


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One line of the cache manifest."""

    symbol: str
    language: str
    file: str
    source: str  # "ods" | "undl"
    url: str
    final_url: str
    retrieved: str
    content_type: str
    bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BundledEntry:
    """One line of sources/MANIFEST.csv: a document shipped with resdiff."""

    file: str
    symbol: str
    language: str
    title: str
    format: str
    sha256: str
    bytes: int
    origin: str
    official_url: str


@dataclass(frozen=True, slots=True)
class CachedDocument:
    """A row of `resdiff sources`: a cached or bundled document and whether it is intact."""

    symbol: str
    language: str
    source: str  # "ods" | "undl" | "bundled"
    path: str
    bytes: int
    sha256: str
    retrieved: str  # empty for bundled documents
    status: str  # "ok" | "modified" | "missing"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `fetch_many` did for one requested symbol: a document, or the error."""

    ref: str
    located: Located | None
    error: ResdiffError | None


# --- files -----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and `os.replace`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _plain_name(name: str, manifest: Path) -> str:
    """A manifest's `file` value, refused unless it names a file in the manifest's folder."""
    if not name or Path(name).name != name or name in (".", ".."):
        raise CacheError(f"{manifest} names {name!r}, which is not a file in its folder.")
    return name


def cache_path(symbol: str, lang: str, cache_dir: Path, suffix: str = ".pdf") -> Path:
    """The cache file of a document: `cache_dir/A_RES_72_194-EN.pdf`; SymbolError if invalid.

    The name is built from the validated symbol only, and the result is checked to lie
    directly in `cache_dir`, so nothing a user types can point outside it.
    """
    name = file_name(symbol, lang, suffix)
    # file_name() builds the name from the validated symbol alone; checked again here because
    # this is the one place where a name typed by a user becomes a path that is written.
    if Path(name).name != name or name.startswith(".") or os.sep in name or "/" in name:
        raise SymbolError(f"{symbol!r} does not give a file name inside the cache.")
    return cache_dir / name


# --- manifests -------------------------------------------------------------------------------


def read_manifest(cache_dir: Path) -> dict[tuple[str, str], CacheEntry]:
    """The cache manifest as {(symbol, language): entry}; empty when there is none yet."""
    manifest = cache_dir / CACHE_MANIFEST
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    entries: dict[tuple[str, str], CacheEntry] = {}
    try:
        for row in csv.DictReader(io.StringIO(text)):
            values = {k: row[k] for k in CACHE_FIELDS}
            entry = CacheEntry(**{**values, "bytes": int(values["bytes"])})  # type: ignore[arg-type]
            _plain_name(entry.file, manifest)
            entries[(entry.symbol, entry.language)] = entry
    except (KeyError, TypeError, ValueError, csv.Error) as exc:
        raise CacheError(
            f"{manifest} cannot be read ({exc}): delete it and fetch again with "
            f"resdiff fetch SYMBOL --refresh."
        ) from None
    return entries


def _write_manifest(cache_dir: Path, entries: Iterable[CacheEntry]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CACHE_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in sorted(entries, key=lambda e: (e.symbol, e.language)):
        writer.writerow(asdict(entry))
    _atomic_write(cache_dir / CACHE_MANIFEST, buffer.getvalue().encode("utf-8"))


def read_bundled(sources_dir: Path) -> tuple[BundledEntry, ...]:
    """The documents shipped with resdiff, from sources/MANIFEST.csv; empty if it is absent."""
    manifest = sources_dir / BUNDLED_MANIFEST
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    try:
        entries = tuple(
            BundledEntry(**{**row, "bytes": int(row["bytes"])})  # type: ignore[arg-type]
            for row in csv.DictReader(io.StringIO(text))
        )
        for entry in entries:
            _plain_name(entry.file, manifest)
    except (KeyError, TypeError, ValueError, csv.Error) as exc:
        raise CacheError(f"{manifest} cannot be read ({exc}).") from None
    return entries


def store(download: Download, settings: Settings) -> Located:
    """Put a checked download into the cache (file, then manifest line), atomically."""
    path = cache_path(download.symbol, download.lang, settings.cache_dir)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, download.data)
    entry = CacheEntry(
        symbol=download.symbol,
        language=download.lang,
        file=path.name,
        source=download.service,
        url=download.url,
        final_url=download.final_url,
        retrieved=download.retrieved,
        content_type=download.content_type,
        bytes=len(download.data),
        sha256=hashlib.sha256(download.data).hexdigest(),
    )
    with _MANIFEST_LOCK:
        entries = read_manifest(settings.cache_dir)
        entries[(entry.symbol, entry.language)] = entry
        _write_manifest(settings.cache_dir, entries.values())
    return Located(download.symbol, download.lang, path, Origin(download.service))


# --- the chain -------------------------------------------------------------------------------


def _refresh_command(symbol: str, lang: str) -> str:
    lang_option = "" if lang == "en" else f" --lang {lang}"
    return f"resdiff fetch {shlex.quote(symbol)}{lang_option} --refresh"


def _from_cache(symbol: str, lang: str, settings: Settings) -> Path | None:
    entry = read_manifest(settings.cache_dir).get((symbol, lang))
    if entry is None:
        return None
    path = settings.cache_dir / entry.file
    if not path.is_file():
        return None  # deleted by hand: a miss, downloaded again
    if _sha256(path) != entry.sha256:
        raise CacheError(
            f"{path} no longer matches {settings.cache_dir / CACHE_MANIFEST} (its sha256 "
            f"changed since it was downloaded), so it was not used: "
            f"{_refresh_command(symbol, lang)} fixes it."
        )
    return path


def _from_bundled(symbol: str, lang: str, settings: Settings) -> Path | None:
    for entry in read_bundled(settings.sources_dir):
        if entry.symbol != symbol or entry.language != lang:
            continue
        path = settings.sources_dir / entry.file
        if not path.is_file():
            continue
        if _sha256(path) != entry.sha256:
            raise CacheError(
                f"{path} no longer matches {settings.sources_dir / BUNDLED_MANIFEST} (its "
                f"sha256 changed), so it was not used: restore it from version control, or "
                f"{_refresh_command(symbol, lang)} fetches the official document."
            )
        return path
    return None


def mirror_candidates(symbol: str, lang: str) -> tuple[str, ...]:
    """The file names looked for in a mirror, best first.

    PDF first, as the official rendering, then the text layer and other renderings; English
    files may also carry no language (`A_RES_72_194.txt`, as in the project's corpus).
    """
    stem, code = symbol_to_stem(symbol), normalise_lang(lang)
    names: list[str] = []
    for suffix in _MIRROR_SUFFIXES:
        names.append(file_name(symbol, code, suffix))
        if code == "en":
            names.append(f"{stem}{suffix}")
    return tuple(names)


def _from_mirrors(symbol: str, lang: str, settings: Settings) -> Path | None:
    names = mirror_candidates(symbol, lang)
    for mirror in settings.mirrors:
        for name in names:
            path = Path(mirror) / name
            if path.is_file():
                return path
    return None


def locate(symbol: str, settings: Settings, *, fetcher: Fetcher | None = None) -> Located:
    """Find or fetch one document by symbol in `settings.lang`, through the chain above.

    Raises SymbolError for an invalid symbol before any file or network access; CacheError
    for a cached file that was changed; OfflineError or FetchError when it cannot be had.
    """
    symbol = normalise_symbol(symbol)
    lang = normalise_lang(settings.lang)
    if not settings.refresh:
        for origin, look in (
            (Origin.CACHE, _from_cache),
            (Origin.BUNDLED, _from_bundled),
            (Origin.MIRROR, _from_mirrors),
        ):
            path = look(symbol, lang, settings)
            if path is not None:
                return Located(symbol, lang, path, origin)
    if settings.offline:
        raise OfflineError(
            f"{symbol} ({lang}) is not in the cache or any mirror, and the network is switched "
            f"off (--offline or RESDIFF_OFFLINE): drop --offline to fetch it, or set "
            f"RESDIFF_MIRRORS to a folder that holds it."
        )
    if fetcher is None:
        with Fetcher(settings) as own:
            return store(own.download(symbol, lang), settings)
    return store(fetcher.download(symbol, lang), settings)


def resolve(ref: str, settings: Settings, *, fetcher: Fetcher | None = None) -> Path:
    """The file for `ref`: an existing file path as it is, else a symbol found or fetched.

    >>> resolve("sources/A_RES_74_175-EN.seed.md", Settings()).name
    'A_RES_74_175-EN.seed.md'
    """
    ref = str(ref)
    # Only a string that could be a path is asked of the file system; junk and NUL bytes
    # (which the OS would refuse anyway) go straight to the symbol check and its message.
    if len(ref) <= 4096 and "\x00" not in ref and ref.strip():
        try:
            if Path(ref).is_file():
                return Path(ref)
            if Path(ref).is_dir():
                raise InputError(f"{ref}: is a folder, not a document")
        except (OSError, ValueError):
            pass
    if not looks_like_symbol(ref) and len(ref) <= MAX_SYMBOL_LENGTH and ref.isprintable():
        if ref.strip().startswith((".", "/", "~")) or "\\" in ref or Path(ref).suffix:
            raise SymbolError(
                f"{ref!r} is neither an existing file nor a document symbol; symbols look "
                f"like A/RES/72/194, A/C.3/78/L.41 or S/RES/2462 (2019)."
            )
    return locate(ref, settings, fetcher=fetcher).path


def fetch_many(
    refs: Sequence[str],
    settings: Settings,
    *,
    fetcher: Fetcher | None = None,
    on_result: Callable[[Outcome, int, int], None] | None = None,
) -> tuple[Outcome, ...]:
    """Locate or fetch several symbols, at most `settings.concurrency` at a time.

    Keeps going past a bad symbol or a failed download: each gets an `Outcome` with its
    error, in the order asked. `on_result(outcome, done, total)` is called from the calling
    thread as each one finishes (for progress). Invalid symbols never reach the network.
    """
    outcomes: dict[int, Outcome] = {}
    pending: dict[str, list[int]] = {}  # normalised symbol -> positions asking for it
    total = len(refs)
    done = 0

    def report(index: int, outcome: Outcome) -> None:
        nonlocal done
        outcomes[index] = outcome
        done += 1
        if on_result is not None:
            on_result(outcome, done, total)

    for index, ref in enumerate(refs):
        try:
            pending.setdefault(normalise_symbol(ref), []).append(index)
        except SymbolError as exc:
            report(index, Outcome(ref, None, exc))
    if pending:
        shared = fetcher or Fetcher(settings)
        try:
            workers = max(1, min(settings.concurrency, len(pending)))
            with ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="resdiff-fetch"
            ) as pool:
                futures = {pool.submit(locate, s, settings, fetcher=shared): s for s in pending}
                for future in as_completed(futures):
                    try:
                        located: Located | None = future.result()
                        error: ResdiffError | None = None
                    except ResdiffError as exc:
                        located, error = None, exc
                    for index in pending[futures[future]]:
                        report(index, Outcome(refs[index], located, error))
        finally:
            if fetcher is None:
                shared.close()
    return tuple(outcomes[i] for i in range(total))


def list_sources(settings: Settings) -> tuple[CachedDocument, ...]:
    """Every cached and bundled document, with whether its file still matches its manifest."""

    def status(path: Path, sha256: str) -> str:
        if not path.is_file():
            return "missing"
        return "ok" if _sha256(path) == sha256 else "modified"

    rows = [
        CachedDocument(
            symbol=e.symbol,
            language=e.language,
            source=e.source,
            path=str(settings.cache_dir / e.file),
            bytes=e.bytes,
            sha256=e.sha256,
            retrieved=e.retrieved,
            status=status(settings.cache_dir / e.file, e.sha256),
        )
        for e in read_manifest(settings.cache_dir).values()
    ]
    rows += [
        CachedDocument(
            symbol=e.symbol,
            language=e.language,
            source=Origin.BUNDLED.value,
            path=str(settings.sources_dir / e.file),
            bytes=e.bytes,
            sha256=e.sha256,
            retrieved="",
            status=status(settings.sources_dir / e.file, e.sha256),
        )
        for e in read_bundled(settings.sources_dir)
    ]
    return tuple(sorted(rows, key=lambda r: (r.symbol, r.language, r.source != "bundled")))
