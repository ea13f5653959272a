"""Fetching from the UN services, stood in for on localhost: cache, fallback, retries, refusals.

Every server here is on 127.0.0.1 (tests/fake_un.py) and serves the real PDFs of the corpus;
timeouts and backoffs are tiny Settings values so the whole module runs in a few seconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fake_un import (
    FakeUN,
    RawServer,
    blackhole,
    cache_files,
    closed_port_url,
    http_response,
    un_settings,
)
from werkzeug import Request, Response

from pipeline.cli import main
from pipeline.config import Settings
from pipeline.errors import CacheError, FetchError, OfflineError, SymbolError
from pipeline.fetch import MAX_RETRY_AFTER, USER_AGENT, Fetcher, marc_file_links
from pipeline.sources import Origin, fetch_many, locate, read_manifest

SYMBOL = "A/RES/78/226"
CACHED = "A_RES_78_226-EN.pdf"


def failing_transport() -> httpx.MockTransport:
    """A transport that fails the test if anything tries to use the network."""

    def handler(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"the network was used: {request.url}")

    return httpx.MockTransport(handler)


def assert_nothing_cached(settings: Settings) -> None:
    """No document, no temporary or partial file, no manifest entry."""
    names = cache_files(settings)
    assert [n for n in names if n != "manifest.csv"] == []
    assert read_manifest(settings.cache_dir) == {}


@pytest.fixture
def recorded_sleeps() -> list[float]:
    return []


@pytest.fixture
def raw_servers() -> Iterator[list[RawServer]]:
    servers: list[RawServer] = []
    yield servers
    for server in servers:
        server.close()


# --- the happy path ---------------------------------------------------------------------------


@pytest.mark.network
def test_download_is_cached_with_its_manifest_entry(fake_un: FakeUN, tmp_path: Path) -> None:
    fake_un.serve_ods(SYMBOL)
    settings = un_settings(tmp_path, fake_un.url)

    found = locate(SYMBOL, settings)

    assert found.origin is Origin.ODS
    assert found.path == settings.cache_dir / CACHED
    pdf = fake_un.pdf(SYMBOL)
    assert found.path.read_bytes() == pdf
    assert cache_files(settings) == [CACHED, "manifest.csv"]
    entry = read_manifest(settings.cache_dir)[(SYMBOL, "en")]
    assert entry.file == CACHED and entry.source == "ods"
    assert entry.url == f"{fake_un.url}/api/symbol/access?s=A%2FRES%2F78%2F226&l=en&t=pdf"
    assert entry.final_url == f"{fake_un.url}/ods-files/{CACHED}"  # after the redirect
    assert entry.content_type == "application/pdf"
    assert entry.bytes == len(pdf)
    assert entry.sha256 == hashlib.sha256(pdf).hexdigest()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.retrieved)
    (request,) = fake_un.requests("/api/symbol/access")
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("resdiff/")


@pytest.mark.network
def test_second_call_is_served_from_the_cache_without_a_request(
    fake_un: FakeUN, tmp_path: Path
) -> None:
    fake_un.serve_ods(SYMBOL)
    settings = un_settings(tmp_path, fake_un.url)
    locate(SYMBOL, settings)
    fake_un.server.clear()

    with Fetcher(settings, transport=failing_transport()) as fetcher:
        found = locate(SYMBOL, settings, fetcher=fetcher)

    assert found.origin is Origin.CACHE
    assert found.path == settings.cache_dir / CACHED
    assert fake_un.requests() == []


def test_mirror_is_used_before_the_network(corpus: Path, tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", mirrors=(tmp_path, corpus))
    with Fetcher(settings, transport=failing_transport()) as fetcher:
        pdf = locate(SYMBOL, settings, fetcher=fetcher)
        text = locate("a/res/72/194", settings, fetcher=fetcher)

    # The PDF is preferred, as the official rendering; the text layer serves when it is alone.
    assert (pdf.origin, pdf.path) == (Origin.MIRROR, corpus / CACHED)
    assert (text.origin, text.path) == (Origin.MIRROR, corpus / "A_RES_72_194.txt")
    assert cache_files(settings) == []  # a mirror is read in place, never copied


def test_offline_forbids_the_network(tmp_path: Path) -> None:
    settings = un_settings(tmp_path, "http://127.0.0.1:9", offline=True)
    with Fetcher(settings, transport=failing_transport()) as fetcher:
        with pytest.raises(OfflineError) as caught:
            locate(SYMBOL, settings, fetcher=fetcher)
    assert str(caught.value) == (
        "A/RES/78/226 (en) is not in the cache or any mirror, and the network is switched off "
        "(--offline or RESDIFF_OFFLINE): drop --offline to fetch it, or set RESDIFF_MIRRORS to "
        "a folder that holds it."
    )
    assert cache_files(settings) == []


# --- the Digital Library fallback ---------------------------------------------------------


@pytest.mark.network
def test_ods_404_falls_back_to_the_digital_library(fake_un: FakeUN, tmp_path: Path) -> None:
    fake_un.ods_answer(SYMBOL, Response("Not Found", status=404))
    fake_un.serve_undl(SYMBOL, langs=("fr", "en"))
    settings = un_settings(tmp_path, fake_un.url)

    found = locate(SYMBOL, settings)

    assert found.origin is Origin.UNDL
    assert found.path.read_bytes() == fake_un.pdf(SYMBOL)
    entry = read_manifest(settings.cache_dir)[(SYMBOL, "en")]
    assert entry.source == "undl"
    assert entry.url == fake_un.url + fake_un.file_path(SYMBOL, "en")
    assert fake_un.requests(fake_un.file_path(SYMBOL, "fr")) == []  # the English file only


@pytest.mark.network
def test_cache_keys_on_language(fake_un: FakeUN, tmp_path: Path) -> None:
    """French is fetched and cached apart from English (the bytes are a stand-in: the corpus
    holds English PDFs only)."""
    fake_un.ods_answer(SYMBOL, Response("Not Found", status=404), lang="fr")
    fake_un.serve_undl(SYMBOL, langs=("en", "fr"))
    fake_un.serve_ods(SYMBOL)
    settings = un_settings(tmp_path, fake_un.url, lang="fr")

    french = locate(SYMBOL, settings)
    english = locate(SYMBOL, un_settings(tmp_path, fake_un.url))

    assert (french.origin, french.path.name) == (Origin.UNDL, "A_RES_78_226-FR.pdf")
    assert (english.origin, english.path.name) == (Origin.ODS, CACHED)
    assert sorted(read_manifest(settings.cache_dir)) == [(SYMBOL, "en"), (SYMBOL, "fr")]


def test_marc_file_links_reads_field_856_u() -> None:
    xml = (
        b'<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
        b'<datafield tag="191" ind1=" " ind2=" "><subfield code="a">A/RES/72/194</subfield>'
        b'</datafield><datafield tag="856" ind1="4" ind2=" ">'
        b'<subfield code="u">https://digitallibrary.un.org/record/1/files/A_RES_72_194-EN.pdf'
        b'</subfield><subfield code="y">English</subfield></datafield></record></collection>'
    )
    assert marc_file_links(xml) == (
        "https://digitallibrary.un.org/record/1/files/A_RES_72_194-EN.pdf",
    )
    with pytest.raises(ValueError):
        marc_file_links(b"<html><body>Access denied</body>")


# --- retries ------------------------------------------------------------------------------


@pytest.mark.network
def test_500_then_success_is_retried(
    fake_un: FakeUN, tmp_path: Path, recorded_sleeps: list[float]
) -> None:
    fake_un.ods_answer(SYMBOL, Response("busy", status=500), once=True)
    fake_un.serve_ods(SYMBOL)
    settings = un_settings(tmp_path, fake_un.url, backoff=0.25)

    with Fetcher(settings, sleep=recorded_sleeps.append) as fetcher:
        found = locate(SYMBOL, settings, fetcher=fetcher)

    assert found.origin is Origin.ODS
    assert len(fake_un.requests("/api/symbol/access")) == 2
    assert recorded_sleeps == [0.25]


@pytest.mark.network
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("7", 7.0),
        ("86400", MAX_RETRY_AFTER),  # capped
        (format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True), 0.0),
    ],
    ids=["seconds", "capped", "past-date"],
)
def test_429_honours_retry_after(
    fake_un: FakeUN,
    tmp_path: Path,
    recorded_sleeps: list[float],
    retry_after: str,
    expected: float,
) -> None:
    fake_un.ods_answer(
        SYMBOL, Response("slow down", status=429, headers={"Retry-After": retry_after}), once=True
    )
    fake_un.serve_ods(SYMBOL)
    settings = un_settings(tmp_path, fake_un.url)

    with Fetcher(settings, sleep=recorded_sleeps.append) as fetcher:
        assert locate(SYMBOL, settings, fetcher=fetcher).origin is Origin.ODS

    assert recorded_sleeps == [expected]


@pytest.mark.network
def test_backoff_doubles_and_the_last_failure_is_reported(
    fake_un: FakeUN, tmp_path: Path, recorded_sleeps: list[float]
) -> None:
    fake_un.ods_answer(SYMBOL, Response("down", status=503))
    settings = un_settings(tmp_path, fake_un.url, undl_url=closed_port_url(), retries=3)

    with Fetcher(settings, sleep=recorded_sleeps.append) as fetcher:
        with pytest.raises(FetchError) as caught:
            locate(SYMBOL, settings, fetcher=fetcher)

    assert recorded_sleeps == [0.001, 0.002, 0.004]
    assert len(fake_un.requests("/api/symbol/access")) == 4
    assert str(caught.value) == (
        "A/RES/78/226 (en) is not in the cache or any mirror, and the UN document services did "
        "not deliver it (ODS answered 503 Service Unavailable; Digital Library could not "
        "connect: connection refused); nothing was cached: try again later, or set "
        "RESDIFF_MIRRORS to a folder that holds it."
    )
    assert_nothing_cached(settings)


@pytest.mark.network
def test_stalled_response_times_out(fake_un: FakeUN, tmp_path: Path) -> None:
    fake_un.ods_handler(SYMBOL, fake_un.stall)
    settings = un_settings(
        tmp_path, fake_un.url, undl_url=closed_port_url(), read_timeout=0.2, retries=1
    )

    started = time.monotonic()
    with pytest.raises(OfflineError) as caught:
        locate(SYMBOL, settings)

    assert time.monotonic() - started < 2.0  # two attempts of 0.2 s, and a refused fallback
    message = str(caught.value)
    assert message.startswith("A/RES/78/226 (en) is not in the cache or any mirror")
    assert "ODS timed out after 0.2 s" in message
    assert "resdiff fetch A/RES/78/226" in message and "RESDIFF_MIRRORS" in message
    assert_nothing_cached(settings)


@pytest.mark.network
def test_dropped_connection_mid_body_is_retried(
    fake_un: FakeUN, tmp_path: Path, raw_servers: list[RawServer]
) -> None:
    pdf = fake_un.pdf(SYMBOL)
    # First answer: Content-Length promises the whole PDF, 1000 bytes come, the socket closes.
    raw = RawServer(
        lambda n: (
            http_response(pdf[:1000], content_length=len(pdf)) if n == 0 else http_response(pdf)
        )
    )
    raw_servers.append(raw)
    settings = un_settings(tmp_path, raw.url, undl_url=closed_port_url())

    found = locate(SYMBOL, settings)

    assert raw.connections == 2
    assert found.path.read_bytes() == pdf
    assert cache_files(settings) == [CACHED, "manifest.csv"]


@pytest.mark.network
def test_connection_dropped_every_time_leaves_nothing(
    fake_un: FakeUN, tmp_path: Path, raw_servers: list[RawServer]
) -> None:
    pdf = fake_un.pdf(SYMBOL)
    raw = RawServer(lambda n: http_response(pdf[:1000], content_length=len(pdf)))
    raw_servers.append(raw)
    settings = un_settings(tmp_path, raw.url, undl_url=closed_port_url(), retries=2)

    with pytest.raises(FetchError) as caught:
        locate(SYMBOL, settings)

    assert raw.connections == 3
    message = str(caught.value)
    assert "\n" not in message and message.startswith("A/RES/78/226 (en)")
    assert "ODS dropped the connection" in message
    assert_nothing_cached(settings)


# --- what arrives is checked -----------------------------------------------------------------


@pytest.mark.network
@pytest.mark.parametrize(
    ("response", "reason", "attempts"),
    [
        (
            Response(
                "<!DOCTYPE html><html><body><form>Sign in</form></body></html>",
                status=200,
                content_type="text/html",
            ),
            "ODS sent an HTML page instead of the PDF (an error or sign-in page?)",
            1,
        ),
        (
            Response(b"", status=200, content_type="application/pdf"),
            "ODS sent an empty answer instead of the PDF",
            1,
        ),
        (
            Response(b"PK\x03\x04 a zip file", status=200, content_type="application/pdf"),
            "ODS sent something that is not a PDF (it starts b'PK\\x03\\x04 a zip f')",
            1,
        ),
    ],
    ids=["html", "empty", "not-pdf"],
)
def test_wrong_answers_are_refused(
    fake_un: FakeUN, tmp_path: Path, response: Response, reason: str, attempts: int
) -> None:
    fake_un.ods_answer(SYMBOL, response)
    settings = un_settings(tmp_path, fake_un.url, undl_url=closed_port_url())

    with pytest.raises(FetchError) as caught:
        locate(SYMBOL, settings)

    assert f"({reason}; Digital Library could not connect: connection refused)" in str(caught.value)
    assert len(fake_un.requests("/api/symbol/access")) == attempts
    assert_nothing_cached(settings)


@pytest.mark.network
def test_truncated_pdf_is_retried_then_refused(fake_un: FakeUN, tmp_path: Path) -> None:
    pdf = fake_un.pdf(SYMBOL)
    fake_un.serve_ods(SYMBOL, data=pdf[: len(pdf) // 2])  # a consistent Content-Length
    settings = un_settings(tmp_path, fake_un.url, undl_url=closed_port_url(), retries=1)

    with pytest.raises(FetchError, match=r"ODS sent a truncated PDF \(no %%EOF at its end\)"):
        locate(SYMBOL, settings)

    assert len(fake_un.requests("/api/symbol/access")) == 2
    assert_nothing_cached(settings)


@pytest.mark.network
def test_tampered_cache_file_is_reported_not_used(fake_un: FakeUN, tmp_path: Path) -> None:
    fake_un.serve_ods(SYMBOL)
    settings = un_settings(tmp_path, fake_un.url)
    path = locate(SYMBOL, settings).path
    data = bytearray(path.read_bytes())
    data[2000] ^= 0xFF
    path.write_bytes(bytes(data))
    fake_un.server.clear_log()

    with pytest.raises(CacheError) as caught:
        locate(SYMBOL, settings)

    assert str(caught.value) == (
        f"{path} no longer matches {settings.cache_dir / 'manifest.csv'} (its sha256 changed "
        f"since it was downloaded), so it was not used: resdiff fetch A/RES/78/226 --refresh "
        f"fixes it."
    )
    assert fake_un.requests() == []
    refreshed = locate(SYMBOL, dataclasses.replace(settings, refresh=True))
    assert refreshed.origin is Origin.ODS
    assert locate(SYMBOL, settings).origin is Origin.CACHE


# --- no network at all ----------------------------------------------------------------------


NO_NETWORK = (
    "Error: A/RES/72/194 (en) is not in the cache or any mirror, and the UN document services "
    "could not be reached (ODS could not connect: connection refused; Digital Library could "
    "not connect: connection refused): connect to the internet and run: resdiff fetch "
    "A/RES/72/194, or set RESDIFF_MIRRORS to a folder that holds it.\n"
)


def cli_env(tmp_path: Path, url: str, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "RESDIFF_CACHE": str(tmp_path / "cache"),
        "RESDIFF_ODS_URL": url,
        "RESDIFF_UNDL_URL": url,
        "RESDIFF_MIRRORS": None,
        "RESDIFF_OFFLINE": None,
    }
    env.update(extra)
    return env


@pytest.mark.network
def test_no_network_fails_fast_with_the_fix(tmp_path: Path) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["fetch", "A/RES/72/194"], env=cli_env(tmp_path, closed_port_url())
    )
    assert time.monotonic() - started < 3.0  # with the default retries and timeouts
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == NO_NETWORK
    assert not (tmp_path / "cache").exists()


@pytest.mark.network
def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    with blackhole() as url:
        settings = un_settings(tmp_path, url, connect_timeout=0.3, read_timeout=0.3, retries=1)
        started = time.monotonic()
        with pytest.raises(OfflineError) as caught:
            locate("A/RES/72/194", settings)
        elapsed = time.monotonic() - started

    assert elapsed < 3.0
    assert str(caught.value) == (
        "A/RES/72/194 (en) is not in the cache or any mirror, and the UN document services "
        "could not be reached (ODS timed out after 0.3 s; Digital Library timed out after "
        "0.3 s): connect to the internet and run: resdiff fetch A/RES/72/194, or set "
        "RESDIFF_MIRRORS to a folder that holds it."
    )
    assert cache_files(settings) == []


# --- many symbols -----------------------------------------------------------------------------

MANY = ("A/RES/78/226", "A/RES/78/115", "A/RES/79/129", "A/RES/80/171")


@pytest.mark.network
def test_many_symbols_are_fetched_at_most_concurrency_at_a_time(
    fake_un: FakeUN, tmp_path: Path
) -> None:
    lock = threading.Lock()
    active, peak = 0, 0

    def counting(symbol: str):  # type: ignore[no-untyped-def]
        def handler(_request: Request) -> Response:
            nonlocal active, peak
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.15)
            with lock:
                active -= 1
            return Response(fake_un.pdf(symbol), content_type="application/pdf")

        return handler

    for symbol in MANY:
        fake_un.ods_handler(symbol, counting(symbol))
    settings = un_settings(tmp_path, fake_un.url, concurrency=2)
    seen: list[tuple[int, int]] = []

    refs = [*MANY, "a/res/78/226", "../../etc/passwd"]
    outcomes = fetch_many(refs, settings, on_result=lambda o, d, t: seen.append((d, t)))

    assert peak == 2
    assert [o.ref for o in outcomes] == refs
    assert [o.located.origin for o in outcomes[:5] if o.located] == [Origin.ODS] * 5
    assert outcomes[4].located == outcomes[0].located  # asked twice, fetched once
    assert isinstance(outcomes[5].error, SymbolError)
    assert len(fake_un.requests("/api/symbol/access")) == 4
    assert seen == [(i, 6) for i in range(1, 7)]
    assert sorted(read_manifest(settings.cache_dir)) == sorted((s, "en") for s in MANY)


# --- the command line -------------------------------------------------------------------------


@pytest.mark.network
def test_cli_fetch_prints_file_and_source(fake_un: FakeUN, tmp_path: Path) -> None:
    fake_un.serve_ods(SYMBOL)
    env = cli_env(tmp_path, fake_un.url)
    cached = tmp_path / "cache" / CACHED

    first = CliRunner().invoke(main, ["fetch", SYMBOL], env=env)
    second = CliRunner().invoke(main, ["fetch", SYMBOL], env=env)

    assert (first.exit_code, first.stdout) == (0, f"A/RES/78/226\ten\tods\t{cached}\n")
    assert (second.exit_code, second.stdout) == (0, f"A/RES/78/226\ten\tcache\t{cached}\n")
    assert first.stderr == second.stderr == ""


@pytest.mark.network
def test_cli_fetch_keeps_going_past_a_bad_symbol(fake_un: FakeUN, tmp_path: Path) -> None:
    fake_un.serve_ods(SYMBOL)
    listing = tmp_path / "symbols.txt"
    listing.write_text("# the series\nA/RES/72/194\n\n../x\n", encoding="utf-8")
    env = cli_env(tmp_path, fake_un.url)
    args = ["fetch", SYMBOL, "--from-file", str(listing), "--mirror", str(fake_un.corpus)]

    result = CliRunner().invoke(main, args, env=env)

    assert result.exit_code == 1
    assert result.stdout == (
        f"A/RES/78/226\ten\tmirror\t{fake_un.corpus / CACHED}\n"
        f"A/RES/72/194\ten\tmirror\t{fake_un.corpus / 'A_RES_72_194.txt'}\n"
    )
    assert result.stderr == (
        "Error: '../x' is not a document symbol; symbols look like A/RES/72/194, "
        "A/C.3/78/L.41 or S/RES/2462 (2019).\n"
        "2 of 3 documents ready (2 mirror), 1 failed\n"
    )
    assert fake_un.requests() == []


def test_cli_fetch_needs_a_symbol() -> None:
    result = CliRunner().invoke(main, ["fetch"])
    assert result.exit_code == 2
    assert "Give at least one SYMBOL, or --from-file FILE." in result.stderr


def test_cli_fetch_refuses_a_bad_symbol_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["fetch", "A/RES/72/194/../../x"], env=cli_env(tmp_path, "http://127.0.0.1:9")
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'A/RES/72/194/../../x' is not a document symbol; symbols look like "
        "A/RES/72/194, A/C.3/78/L.41 or S/RES/2462 (2019).\n"
    )
    assert not (tmp_path / "cache").exists()
