"""Symbol → file without the network: paths, the bundled sample, mirrors, the cache manifest."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fake_un import cache_files, un_settings

import pipeline
from pipeline import sources
from pipeline.cli import main
from pipeline.config import PROJECT_ROOT, Settings
from pipeline.errors import CacheError, SymbolError
from pipeline.fetch import Download, Fetcher
from pipeline.sources import (
    Origin,
    fetch_many,
    list_sources,
    locate,
    mirror_candidates,
    read_bundled,
    read_manifest,
    resolve,
    store,
)

SAMPLE = PROJECT_ROOT / "sources" / "A_RES_74_175-EN.seed.md"
SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "000_37dc50d56631538a.txt"
# Stand-in bytes for cache entries of these tests (the cache does not look inside a file).
STAND_IN = b"%PDF-1.7\n stand-in bytes for a test, not a UN document\n%%EOF\n"


def no_network() -> Fetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"the network was used: {request.url}")

    return Fetcher(Settings(), transport=httpx.MockTransport(handler))


def download(symbol: str, lang: str = "en", data: bytes = STAND_IN) -> Download:
    return Download(
        symbol=symbol,
        lang=lang,
        service="ods",
        url=f"http://127.0.0.1:9/api/symbol/access?s={symbol}&l={lang}&t=pdf",
        final_url=f"http://127.0.0.1:9/files/{symbol.replace('/', '_')}-{lang.upper()}.pdf",
        content_type="application/pdf",
        retrieved="2024-01-02T03:04:05Z",
        data=data,
    )


# --- paths and symbols --------------------------------------------------------------------


def test_an_existing_file_path_is_returned_as_is(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9")
    relative = os.path.relpath(SAMPLE)
    assert resolve(relative, settings, fetcher=no_network()) == Path(relative)
    assert resolve(str(SAMPLE), settings, fetcher=no_network()) == SAMPLE


REFUSED = ["../../etc/passwd", "A/RES/72/194/../../x", "", "x" * 10_000, "A/RES/72\x00/194"]


@pytest.mark.parametrize(
    "ref", REFUSED, ids=["traversal", "inner-traversal", "empty", "junk", "nul"]
)
def test_bad_symbols_are_refused_before_any_file_or_network_access(
    ref: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / "a" / "b" / "c"  # so that ../../etc/passwd names no file here
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    settings = un_settings(tmp_path, "http://127.0.0.1:9", mirrors=(tmp_path,))

    def no_lookup(*args: object) -> None:
        pytest.fail("a cache, sample or mirror was read before the symbol was checked")

    for name in ("read_manifest", "read_bundled", "_from_mirrors"):
        monkeypatch.setattr(sources, name, no_lookup)

    with pytest.raises(SymbolError):
        resolve(ref, settings, fetcher=no_network())
    with pytest.raises(SymbolError):
        locate(ref, settings, fetcher=no_network())
    (outcome,) = fetch_many([ref], settings, fetcher=no_network())
    assert isinstance(outcome.error, SymbolError)
    assert not settings.cache_dir.exists()


def test_a_missing_path_is_reported_as_such(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9")
    with pytest.raises(SymbolError) as caught:
        resolve("sources/missing.md", settings, fetcher=no_network())
    assert str(caught.value) == (
        "'sources/missing.md' is neither an existing file nor a document symbol; symbols "
        "look like A/RES/72/194, A/C.3/78/L.41 or S/RES/2462 (2019)."
    )


# --- the bundled sample -------------------------------------------------------------------------


def test_bundled_manifest_records_the_seed() -> None:
    (entry,) = read_bundled(PROJECT_ROOT / "sources")
    data = SAMPLE.read_bytes()
    assert entry.file == SAMPLE.name
    assert (entry.symbol, entry.language, entry.format) == ("A/RES/74/175", "en", "markdown")
    assert entry.title == (
        "Technical assistance provided by the United Nations Office on Drugs and Crime "
        "related to counter-terrorism"
    )
    assert entry.sha256 == hashlib.sha256(data).hexdigest()
    assert entry.bytes == len(data)
    assert entry.origin == (
        "seed rendering supplied with the project (shared/seeds/000_37dc50d56631538a.txt)"
    )
    assert entry.official_url == (
        "https://documents.un.org/api/symbol/access?s=A/RES/74/175&l=en&t=pdf"
    )
    if SEED.is_file():  # the sample is the seed, byte for byte
        assert SEED.read_bytes() == data


def test_the_bundled_sample_counts_as_cached(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", sources_dir=PROJECT_ROOT / "sources")
    found = locate("a/res/74/175", settings, fetcher=no_network())
    assert (found.origin, found.path) == (Origin.BUNDLED, SAMPLE)


def test_the_download_cache_comes_before_the_bundled_sample(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", sources_dir=PROJECT_ROOT / "sources")
    store(download("A/RES/74/175"), settings)
    found = locate("A/RES/74/175", settings, fetcher=no_network())
    assert (found.origin, found.path.name) == (Origin.CACHE, "A_RES_74_175-EN.pdf")


def test_a_changed_bundled_sample_is_reported(tmp_path: Path) -> None:
    copy = tmp_path / "sources"
    copy.mkdir()
    shutil.copy(PROJECT_ROOT / "sources" / "MANIFEST.csv", copy)
    (copy / SAMPLE.name).write_bytes(SAMPLE.read_bytes() + b"\nan edit\n")
    settings = un_settings(tmp_path, "http://127.0.0.1:9", sources_dir=copy)

    with pytest.raises(CacheError) as caught:
        locate("A/RES/74/175", settings, fetcher=no_network())

    assert str(caught.value) == (
        f"{copy / SAMPLE.name} no longer matches {copy / 'MANIFEST.csv'} (its sha256 changed), "
        f"so it was not used: restore it from version control, or resdiff fetch A/RES/74/175 "
        f"--refresh fetches the official document."
    )


# --- mirrors ------------------------------------------------------------------------------------


def test_mirror_candidates_prefer_the_pdf() -> None:
    assert mirror_candidates("A/RES/72/194", "en")[:4] == (
        "A_RES_72_194-EN.pdf",
        "A_RES_72_194.pdf",
        "A_RES_72_194-EN.txt",
        "A_RES_72_194.txt",
    )
    french = mirror_candidates("A/RES/72/194", "fr")
    assert french[:2] == ("A_RES_72_194-FR.pdf", "A_RES_72_194-FR.txt")
    assert all("-FR." in name for name in french)  # a file without language is English


def test_mirrors_are_searched_in_order(tmp_path: Path, corpus: Path) -> None:
    first = tmp_path / "first"
    first.mkdir()
    (first / "A_RES_72_194.txt").write_bytes((corpus / "A_RES_72_194.txt").read_bytes())
    settings = un_settings(tmp_path, "http://127.0.0.1:9", mirrors=(first, corpus))
    found = locate("A/RES/72/194", settings, fetcher=no_network())
    assert (found.origin, found.path) == (Origin.MIRROR, first / "A_RES_72_194.txt")


# --- the cache manifest -------------------------------------------------------------------------


def test_manifest_is_sorted_and_deterministic(tmp_path: Path) -> None:
    items = [download("A/RES/79/129"), download("A/RES/72/194", "fr"), download("A/RES/72/194")]
    one = un_settings(tmp_path / "one", "http://127.0.0.1:9")
    two = un_settings(tmp_path / "two", "http://127.0.0.1:9")
    for item in items:
        store(item, one)
    for item in reversed(items):
        store(item, two)

    text = (one.cache_dir / "manifest.csv").read_bytes()
    assert text == (two.cache_dir / "manifest.csv").read_bytes()
    rows = list(csv.DictReader(text.decode().splitlines()))
    assert [(r["symbol"], r["language"]) for r in rows] == [
        ("A/RES/72/194", "en"),
        ("A/RES/72/194", "fr"),
        ("A/RES/79/129", "en"),
    ]
    assert list(rows[0]) == list(sources.CACHE_FIELDS)
    assert b"\r" not in text
    assert cache_files(one) == [
        "A_RES_72_194-EN.pdf",
        "A_RES_72_194-FR.pdf",
        "A_RES_79_129-EN.pdf",
        "manifest.csv",
    ]


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        store(download("A/RES/72/194"), settings)
    assert cache_files(settings) == []


def test_a_file_deleted_from_the_cache_is_a_miss(tmp_path: Path, corpus: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", mirrors=(corpus,))
    store(download("A/RES/72/194"), settings).path.unlink()
    found = locate("A/RES/72/194", settings, fetcher=no_network())
    assert found.origin is Origin.MIRROR


@pytest.mark.parametrize(
    "manifest",
    [
        "symbol,language\nA/RES/72/194,en\n",  # columns missing
        "symbol,language,file,source,url,final_url,retrieved,content_type,bytes,sha256\n"
        "A/RES/72/194,en,../../x.pdf,ods,u,u,t,application/pdf,1,00\n",  # not in the folder
    ],
    ids=["columns", "escaping-file"],
)
def test_a_broken_manifest_is_reported(tmp_path: Path, manifest: str) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9")
    settings.cache_dir.mkdir()
    (settings.cache_dir / "manifest.csv").write_text(manifest, encoding="utf-8")
    with pytest.raises(CacheError, match="manifest.csv"):
        locate("A/RES/72/194", settings, fetcher=no_network())


def test_list_sources_reports_what_is_intact(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", sources_dir=PROJECT_ROOT / "sources")
    ok = store(download("A/RES/72/194"), settings)
    changed = store(download("A/RES/78/226"), settings)
    gone = store(download("A/RES/79/129"), settings)
    changed.path.write_bytes(b"%PDF-edited")
    gone.path.unlink()

    rows = {(r.symbol, r.source): r.status for r in list_sources(settings)}

    assert rows == {
        ("A/RES/72/194", "ods"): "ok",
        ("A/RES/74/175", "bundled"): "ok",
        ("A/RES/78/226", "ods"): "modified",
        ("A/RES/79/129", "ods"): "missing",
    }
    assert ok.path.is_file()
    assert read_manifest(settings.cache_dir)[("A/RES/72/194", "en")].retrieved == (
        "2024-01-02T03:04:05Z"
    )


# --- through the public API and the command line ----------------------------------------------


def test_load_reads_a_symbol_through_the_chain(tmp_path: Path, corpus: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", mirrors=(corpus,), offline=True)
    res = pipeline.load("A/RES/72/194", settings=settings)
    assert res.symbol == "A/RES/72/194"


def test_cli_parse_a_symbol_from_a_mirror(tmp_path: Path, corpus: Path) -> None:
    env = {
        "RESDIFF_MIRRORS": str(corpus),
        "RESDIFF_CACHE": str(tmp_path / "cache"),
        "RESDIFF_ODS_URL": "http://127.0.0.1:9",
        "RESDIFF_UNDL_URL": "http://127.0.0.1:9",
        "RESDIFF_OFFLINE": None,
    }
    result = CliRunner().invoke(main, ["parse", "A/RES/72/194", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["symbol"] == "A/RES/72/194"
    assert not (tmp_path / "cache").exists()


def test_cli_parse_takes_mirror_and_offline_options(tmp_path: Path, corpus: Path) -> None:
    env = {"RESDIFF_MIRRORS": None, "RESDIFF_CACHE": str(tmp_path / "cache")}
    args = ["parse", "a/res/72/194", "--mirror", str(corpus), "--offline", "--lang", "EN"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output

    missing = CliRunner().invoke(main, ["parse", "A/RES/70/177", "--offline"], env=env)
    assert missing.exit_code == 1
    assert missing.stderr == (
        "Error: A/RES/70/177 (en) is not in the cache or any mirror, and the network is "
        "switched off (--offline or RESDIFF_OFFLINE): drop --offline to fetch it, or set "
        "RESDIFF_MIRRORS to a folder that holds it.\n"
    )


def test_cli_sources_lists_table_and_json(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9")
    store(download("A/RES/72/194"), settings)
    env = {"RESDIFF_CACHE": str(settings.cache_dir)}

    table = CliRunner().invoke(main, ["sources"], env=env)
    as_json = CliRunner().invoke(main, ["sources", "--format", "json"], env=env)

    assert table.exit_code == 0 and as_json.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:5] == ["A/RES/72/194", "en", "ods", "ok", f"{len(STAND_IN)}"]
    assert lines[1].split()[:4] == ["A/RES/74/175", "en", "bundled", "ok"]
    records = json.loads(as_json.stdout)
    assert [(r["symbol"], r["source"], r["status"]) for r in records] == [
        ("A/RES/72/194", "ods", "ok"),
        ("A/RES/74/175", "bundled", "ok"),
    ]
    assert records[0]["sha256"] == hashlib.sha256(STAND_IN).hexdigest()
