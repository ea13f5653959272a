"""Fixtures shared by the test modules, and the `--update-golden` flag."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_un import FakeUN
from pytest_httpserver import HTTPServer

from pipeline.models import Resolution
from pipeline.reader import read_document

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected files of tests/cases/ from the current output",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files instead of checking them."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The folder of real UN documents: RESDIFF_CORPUS, or ../shared/corpus beside the repo."""
    folder = Path(os.environ.get("RESDIFF_CORPUS") or ROOT.parent / "shared" / "corpus")
    if not folder.is_dir():
        pytest.skip(f"no corpus at {folder} (set RESDIFF_CORPUS)")
    return folder


@pytest.fixture(scope="session")
def un_server() -> Iterator[HTTPServer]:
    """A threaded local HTTP server for the fake UN services (a stalled answer blocks no other)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def fake_un(un_server: HTTPServer, corpus: Path) -> Iterator[FakeUN]:
    """The ODS and the Digital Library on localhost, serving corpus PDFs (see tests/fake_un.py)."""
    fake = FakeUN(un_server, corpus)
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def read() -> Callable[[Path], Resolution]:
    """`read_document`, cached for the session: each corpus file is parsed once per run."""
    return functools.lru_cache(maxsize=None)(read_document)
