"""The only network code of resdiff: download one document from the UN's official services.

    Fetcher(settings).download(symbol, lang) -> Download
      1. Official Document System  {ods_url}/api/symbol/access?s=SYMBOL&l=LANG&t=pdf
                                   (answers with redirects that end at the PDF)
      2. UN Digital Library        {undl_url}/search?p=191__a:"SYMBOL"&f=symbol&of=xm
                                   (MARC XML; field 856 $u links the files of the record,
                                   …/record/ID/files/A_RES_72_194-EN.pdf; the one for LANG is used)

Each request has connect and read timeouts and is retried with exponential backoff on 429
(honouring Retry-After, capped), 5xx, a read timeout and a connection dropped mid-body. What
arrives is checked whole before anyone sees it: not empty, a PDF (`%PDF-`, not an HTML error
or sign-in page served with status 200), complete (Content-Length matched, `%%EOF` at the end).

Nothing here touches the disk: `pipeline.sources` writes an accepted download to the cache
atomically, so a refused or failed download can never leave a file behind. Tests inject an
`httpx.Client` or transport, and a `sleep` that records the backoff instead of waiting.
"""

from __future__ import annotations

import email.utils
import re
import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import PurePosixPath
from types import TracebackType
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import httpx

from pipeline.config import Settings
from pipeline.errors import FetchError, OfflineError, SourceError
from pipeline.symbols import file_name, normalise_lang, normalise_symbol

__all__ = [
    "MAX_BYTES",
    "MAX_RETRY_AFTER",
    "USER_AGENT",
    "Download",
    "Fetcher",
    "make_client",
    "marc_file_links",
]


def _version() -> str:
    try:
        return metadata.version("resdiff")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "0.1"


#: Names the tool and where to read about it, as the UN services ask of automated clients.
USER_AGENT = f"resdiff/{_version()} (+https://github.com/resdiff/resdiff; UN resolution diffs)"
#: The longest wait a Retry-After header can impose; a server asking for more gets this.
MAX_RETRY_AFTER = 60.0
#: The largest document accepted. GA resolutions are well under 5 MB; this bounds memory.
MAX_BYTES = 100 * 2**20
# `%%EOF` closes a PDF, but some generators append a newline or a few bytes after it.
_EOF_WINDOW = 2048
# A slow server could trickle a byte per read timeout forever: bound the whole response too.
_TOTAL_TIMEOUT_FACTOR = 10
_SERVICE_NAMES = {"ods": "ODS", "undl": "Digital Library"}
_MARC_NS = "{http://www.loc.gov/MARC21/slim}"


@dataclass(frozen=True, slots=True)
class Download:
    """One document as the UN services delivered it, checked but not yet stored."""

    symbol: str
    lang: str
    service: str  # "ods" | "undl"
    url: str  # the address asked for
    final_url: str  # after redirects
    content_type: str
    retrieved: str  # ISO 8601, UTC, to the second
    data: bytes = field(repr=False)


class _Failure(Exception):
    """Why one service did not deliver, and whether asking again may help."""

    def __init__(
        self,
        reason: str,
        *,
        retry: bool = False,
        wait: float | None = None,
        unreachable: bool = False,
        not_found: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.wait = wait  # seconds the server asked for (Retry-After), if any
        self.unreachable = unreachable
        self.not_found = not_found


@dataclass(frozen=True, slots=True)
class _Body:
    data: bytes
    final_url: str
    content_type: str


def make_client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client with resdiff's timeouts, User-Agent and redirect policy."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        follow_redirects=True,
        transport=transport,
    )


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _short(exc: BaseException) -> str:
    """An exception's message without the errno prefix: "connection refused"."""
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc).strip()) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _check_pdf(data: bytes) -> None:
    """Refuse an empty answer, a page that is not a PDF, or a PDF cut short."""
    if not data:
        raise _Failure("sent an empty answer instead of the PDF")
    if not data.startswith(b"%PDF-"):
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
            raise _Failure("sent an HTML page instead of the PDF (an error or sign-in page?)")
        raise _Failure(f"sent something that is not a PDF (it starts {data[:12]!r})")
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        # The end of the file is missing: a transfer cut short that still looked complete.
        raise _Failure("sent a truncated PDF (no %%EOF at its end)", retry=True)


def marc_file_links(xml: bytes) -> tuple[str, ...]:
    """The file addresses (field 856, subfield u) of every record in a MARC XML answer.

    Raises ValueError when the answer is not XML (the search served an HTML page).
    """
    # ElementTree never fetches external entities, and the expat bundled with Python >= 3.11
    # refuses entity-expansion bombs; the answer is also capped at MAX_BYTES.
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise ValueError(str(exc)) from None
    links: list[str] = []
    for datafield in root.iter():
        if datafield.tag not in ("datafield", f"{_MARC_NS}datafield"):
            continue
        if datafield.get("tag") != "856":
            continue
        for sub in datafield:
            if sub.tag in ("subfield", f"{_MARC_NS}subfield") and sub.get("code") == "u":
                if sub.text and sub.text.strip():
                    links.append(sub.text.strip())
    return tuple(links)


def _link_name(url: str) -> str:
    """The file name a link points at, compared without case or spaces."""
    return unquote(PurePosixPath(urlsplit(url).path).name).replace(" ", "").upper()


class Fetcher:
    """Downloads documents from the ODS, then the Digital Library; safe to share between threads.

    `client` (or `transport`) replaces the real network in tests; `sleep` replaces the wait
    between retries. A client passed in is not closed by the fetcher.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._client = client
        self._owns_client = client is None
        self._transport = transport
        self._sleep = sleep
        self._lock = threading.Lock()

    # The client is made on first use, so a run served wholly from the cache opens nothing.
    @property
    def client(self) -> httpx.Client:
        """The httpx client, made on first use."""
        with self._lock:
            if self._client is None:
                self._client = make_client(self.settings, self._transport)
            return self._client

    def close(self) -> None:
        """Close the client if the fetcher made it."""
        with self._lock:
            if self._owns_client and self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- public -----------------------------------------------------------------------

    def download(self, symbol: str, lang: str) -> Download:
        """Download one document, ODS first, then the Digital Library; SourceError if neither.

        The error says which services failed and how (`OfflineError` when none could be
        reached, `FetchError` when one answered wrongly), and what to do next.
        """
        symbol = normalise_symbol(symbol)
        lang = normalise_lang(lang)
        if self.settings.offline:
            raise OfflineError(
                f"{symbol} ({lang}) is not in the cache or any mirror, and the network is "
                f"switched off (--offline or RESDIFF_OFFLINE): {self._hint(symbol, lang)}."
            )
        failures: list[tuple[str, _Failure]] = []
        for service, get in (("ods", self._from_ods), ("undl", self._from_undl)):
            try:
                return get(symbol, lang)
            except _Failure as failure:
                failures.append((service, failure))
        raise self._error(symbol, lang, failures)

    # --- the two services ---------------------------------------------------------------

    def _from_ods(self, symbol: str, lang: str) -> Download:
        url = str(
            httpx.URL(
                f"{self.settings.ods_url.rstrip('/')}/api/symbol/access",
                params={"s": symbol, "l": lang, "t": "pdf"},
            )
        )
        body = self._get(url, accept="application/pdf", check=_check_pdf)
        return self._download(symbol, lang, "ods", url, body)

    def _from_undl(self, symbol: str, lang: str) -> Download:
        search = str(
            httpx.URL(
                f"{self.settings.undl_url.rstrip('/')}/search",
                params={"p": f'191__a:"{symbol}"', "f": "symbol", "of": "xm"},
            )
        )
        answer = self._get(search, accept="application/marcxml+xml, application/xml, text/xml")
        try:
            links = marc_file_links(answer.data)
        except ValueError:
            raise _Failure("did not answer the search with MARC XML") from None
        want = file_name(symbol, lang, ".pdf").upper()
        matches = [
            u for u in links if _link_name(u) == want and urlsplit(u).scheme in ("http", "https")
        ]
        if not matches:
            what = f"no {lang.upper()} PDF for it" if links else "no record of it"
            raise _Failure(f"has {what}", not_found=True)
        body = self._get(matches[0], accept="application/pdf", check=_check_pdf)
        return self._download(symbol, lang, "undl", matches[0], body)

    def _download(self, symbol: str, lang: str, service: str, url: str, body: _Body) -> Download:
        return Download(
            symbol=symbol,
            lang=lang,
            service=service,
            url=url,
            final_url=body.final_url,
            content_type=body.content_type,
            retrieved=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            data=body.data,
        )

    # --- one address, with retries -----------------------------------------------------

    def _get(self, url: str, *, accept: str, check: Callable[[bytes], None] | None = None) -> _Body:
        """GET `url` whole, retrying what may pass; the last failure is raised."""
        retries = max(0, self.settings.retries)
        for attempt in range(retries + 1):
            try:
                body = self._get_once(url, accept)
                if check is not None:
                    check(body.data)
                return body
            except _Failure as failure:
                if not failure.retry or attempt == retries:
                    raise
                backoff = self.settings.backoff * 2**attempt
                wait = failure.wait if failure.wait is not None else backoff
                self._sleep(min(wait, MAX_RETRY_AFTER))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _get_once(self, url: str, accept: str) -> _Body:
        settings = self.settings
        total = _TOTAL_TIMEOUT_FACTOR * max(settings.read_timeout, 1.0)
        deadline = time.monotonic() + total
        try:
            with self.client.stream("GET", url, headers={"Accept": accept}) as response:
                status = response.status_code
                if status == 404:
                    raise _Failure("answered 404 (no such document)", not_found=True)
                if status == 429 or status >= 500:
                    raise _Failure(
                        f"answered {status} {httpx.codes.get_reason_phrase(status)}".rstrip(),
                        retry=True,
                        wait=_retry_after(response.headers.get("Retry-After")),
                    )
                if status >= 400:
                    raise _Failure(
                        f"answered {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise _Failure(f"sent more than {MAX_BYTES // 2**20} MB")
                    if time.monotonic() > deadline:
                        raise _Failure(
                            f"was too slow (no complete answer in {_seconds(total)})",
                            retry=True,
                            unreachable=True,
                        )
                    chunks.append(chunk)
                expected = response.headers.get("Content-Length", "")
                encoding = response.headers.get("Content-Encoding", "identity").lower()
                # Content-Length counts the bytes on the wire, so compare only unencoded bodies.
                if (
                    expected.isdigit()
                    and encoding in ("", "identity")
                    and int(expected) != response.num_bytes_downloaded
                ):
                    raise _Failure(
                        f"sent {response.num_bytes_downloaded} of {expected} bytes", retry=True
                    )
                return _Body(
                    data=b"".join(chunks),
                    final_url=str(response.url),
                    content_type=response.headers.get("Content-Type", ""),
                )
        except httpx.ConnectTimeout:
            raise _Failure(
                f"no connection within {_seconds(settings.connect_timeout)}", unreachable=True
            ) from None
        except httpx.ConnectError as exc:
            # Refused or no route: asking again within seconds does not help, so fail fast.
            raise _Failure(f"could not connect: {_short(exc)}", unreachable=True) from None
        except httpx.TimeoutException:
            raise _Failure(
                f"timed out after {_seconds(settings.read_timeout)}", retry=True, unreachable=True
            ) from None
        except (httpx.RemoteProtocolError, httpx.NetworkError) as exc:
            raise _Failure(f"dropped the connection ({_short(exc)})", retry=True) from None
        except httpx.TooManyRedirects:
            raise _Failure("redirected too many times") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _Failure(f"could not be asked ({_short(exc)})") from None

    # --- the error a person reads -----------------------------------------------------------

    @staticmethod
    def _hint(symbol: str, lang: str) -> str:
        command = f"resdiff fetch {shlex.quote(symbol)}" + (
            "" if lang == "en" else f" --lang {lang}"
        )
        return (
            f"connect to the internet and run: {command}, "
            f"or set RESDIFF_MIRRORS to a folder that holds it"
        )

    def _error(self, symbol: str, lang: str, failures: list[tuple[str, _Failure]]) -> SourceError:
        detail = "; ".join(f"{_SERVICE_NAMES[s]} {f.reason}" for s, f in failures)
        if self.settings.refresh:
            lead = f"{symbol} ({lang}) could not be downloaded again"
        else:
            lead = f"{symbol} ({lang}) is not in the cache or any mirror"
        if all(f.unreachable for _, f in failures):
            return OfflineError(
                f"{lead}, and the UN document services could not be reached ({detail}): "
                f"{self._hint(symbol, lang)}."
            )
        if all(f.not_found for _, f in failures):
            return FetchError(
                f"{lead}, and the UN document services do not have it ({detail}): check the "
                f"symbol and --lang, or set RESDIFF_MIRRORS to a folder that holds it."
            )
        return FetchError(
            f"{lead}, and the UN document services did not deliver it ({detail}); nothing was "
            f"cached: try again later, or set RESDIFF_MIRRORS to a folder that holds it."
        )
