"""Stand-ins for the UN document services on localhost, for the tests of fetching.

`FakeUN` drives a real HTTP server (pytest-httpserver, threaded) that answers like the Official
Document System (`/api/symbol/access?s=…` redirecting to the PDF) and the UN Digital Library
(`/search?…&of=xm` answering MARC XML whose 856 $u links point back at this server), serving the
real PDFs of the corpus read in place. `RawServer` writes scripted bytes on a socket, for the
broken answers a well-behaved HTTP server will not send (a body cut short); `blackhole` accepts
connections and never answers; `closed_port_url` refuses them.

Nothing here reaches beyond 127.0.0.1, and every wait is bounded.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.config import Settings
from pipeline.symbols import file_name

#: How long a stalled handler holds its answer at most (the test ends it sooner).
STALL_SECONDS = 3.0


def un_settings(
    tmp_path: Path, url: str, undl_url: str | None = None, **overrides: object
) -> Settings:
    """Settings for a test: a fresh cache, no bundled sample or mirrors, tiny timeouts."""
    values: dict[str, object] = {
        "sources_dir": tmp_path / "no-sources",
        "cache_dir": tmp_path / "cache",
        "mirrors": (),
        "ods_url": url,
        "undl_url": url if undl_url is None else undl_url,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "retries": 2,
        "backoff": 0.001,
        "concurrency": 4,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def cache_files(settings: Settings) -> list[str]:
    """Every name in the cache folder, hidden temporary files included."""
    if not settings.cache_dir.exists():
        return []
    return sorted(p.name for p in settings.cache_dir.iterdir())


def marc_xml(symbol: str, links: Sequence[str], record_id: int = 4031839) -> bytes:
    """A MARC XML search answer with one record, shaped like the Digital Library's."""
    fields = "".join(
        f'<datafield tag="856" ind1="4" ind2=" "><subfield code="u">{escape(u)}</subfield>'
        f"</datafield>"
        for u in links
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>'
        f'<controlfield tag="001">{record_id}</controlfield>'
        f'<datafield tag="191" ind1=" " ind2=" "><subfield code="a">{escape(symbol)}</subfield>'
        f"</datafield>{fields}</record></collection>"
    ).encode()


class FakeUN:
    """The ODS and the Digital Library on one local server, serving corpus PDFs."""

    def __init__(self, server: HTTPServer, corpus: Path) -> None:
        self.server = server
        self.corpus = corpus
        self.release = threading.Event()  # lets stalled handlers go when the test ends
        server.clear()

    @property
    def url(self) -> str:
        """The base address, as RESDIFF_ODS_URL / RESDIFF_UNDL_URL."""
        return self.server.url_for("/").rstrip("/")

    def pdf(self, symbol: str) -> bytes:
        """The corpus PDF of `symbol` (English: the corpus holds English PDFs only)."""
        return (self.corpus / file_name(symbol, "en", ".pdf")).read_bytes()

    def file_path(self, symbol: str, lang: str = "en", record_id: int = 4031839) -> str:
        """Where the fake Digital Library keeps a file: /record/ID/files/A_RES_…-EN.pdf."""
        return f"/record/{record_id}/files/{file_name(symbol, lang, '.pdf')}"

    # --- ODS ------------------------------------------------------------------------------

    def ods_query(self, symbol: str, lang: str = "en") -> dict[str, str]:
        """The query string of an ODS request for `symbol`."""
        return {"s": symbol, "l": lang, "t": "pdf"}

    def serve_ods(self, symbol: str, lang: str = "en", data: bytes | None = None) -> None:
        """ODS answers `symbol` with a redirect to the PDF, as documents.un.org does."""
        target = f"/ods-files/{file_name(symbol, lang, '.pdf')}"
        self.server.expect_request(
            "/api/symbol/access", query_string=self.ods_query(symbol, lang)
        ).respond_with_response(Response(status=302, headers={"Location": self.url + target}))
        self.server.expect_request(target).respond_with_data(
            self.pdf(symbol) if data is None else data, content_type="application/pdf"
        )

    def ods_answer(
        self, symbol: str, response: Response, *, once: bool = False, lang: str = "en"
    ) -> None:
        """ODS answers `symbol` with `response` (once, then whatever comes next)."""
        expect = self.server.expect_oneshot_request if once else self.server.expect_request
        expect(
            "/api/symbol/access", query_string=self.ods_query(symbol, lang)
        ).respond_with_response(response)

    def ods_handler(self, symbol: str, handler: Callable[[Request], Response]) -> None:
        """ODS answers `symbol` through `handler`."""
        self.server.expect_request(
            "/api/symbol/access", query_string=self.ods_query(symbol)
        ).respond_with_handler(handler)

    def stall(self, _request: Request) -> Response:
        """A handler that answers nothing until the test ends (a stalled server)."""
        self.release.wait(STALL_SECONDS)
        return Response(b"", status=204)

    # --- Digital Library ----------------------------------------------------------------------

    def serve_undl(
        self, symbol: str, langs: Sequence[str] = ("en",), data: bytes | None = None
    ) -> None:
        """The Digital Library finds `symbol` and links one PDF per language in `langs`."""
        links = [self.url + self.file_path(symbol, lang) for lang in langs]
        self.server.expect_request(
            "/search", query_string={"p": f'191__a:"{symbol}"', "f": "symbol", "of": "xm"}
        ).respond_with_data(marc_xml(symbol, links), content_type="application/marcxml+xml")
        for lang in langs:
            self.server.expect_request(self.file_path(symbol, lang)).respond_with_data(
                self.pdf(symbol) if data is None else data, content_type="application/pdf"
            )

    # --- what happened ----------------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[Request]:
        """The requests received (to `path` only, if given), in order."""
        return [r for r, _ in self.server.log if path is None or r.path == path]

    def close(self) -> None:
        """Release stalled handlers and forget handlers and log."""
        self.release.set()
        self.server.clear()


class RawServer:
    """A TCP server on 127.0.0.1 that answers connection n with the bytes `script(n)`, then closes.

    For the answers a proper HTTP server refuses to send: a Content-Length larger than the body.
    """

    def __init__(self, script: Callable[[int], bytes]) -> None:
        self.script = script
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)  # so the accept loop notices `close` promptly
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The server's base address."""
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                request = b""
                try:
                    while b"\r\n\r\n" not in request and len(request) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        request += chunk
                    number, self.connections = self.connections, self.connections + 1
                    conn.sendall(self.script(number))
                except OSError:
                    pass

    def close(self) -> None:
        """Stop accepting and wait for the serving thread."""
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2.0)


def http_response(body: bytes, *, content_length: int | None = None) -> bytes:
    """A raw HTTP/1.1 200 answer carrying `body` (with a false Content-Length, if given)."""
    length = len(body) if content_length is None else content_length
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


@contextmanager
def blackhole() -> Iterator[str]:
    """An address that accepts connections (the kernel does) and never answers."""
    sock = socket.create_server(("127.0.0.1", 0), backlog=16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
