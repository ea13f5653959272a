"""Walking back through the versions a resolution recalls.

The walking rules are tested on small SYNTHETIC documents built here in memory (labelled as
such; they are not UN text, and only their "Recalling" paragraphs matter), then on the real
chains of the corpus through the parser.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_un import un_settings

from pipeline.cli import main
from pipeline.config import Settings
from pipeline.errors import OfflineError, ResdiffError
from pipeline.lineage import MAX_DEPTH, Lineage, chain, predecessors, trace
from pipeline.models import Paragraph, Resolution, Section

SETTINGS = Settings()


def synthetic(symbol: str, title: str, *recalling: str) -> Resolution:
    """A SYNTHETIC resolution whose preamble holds the given paragraphs (not UN text)."""
    paragraphs = tuple(
        Paragraph(
            pid=f"PP{i}",
            section=Section.PREAMBLE,
            number=None,
            lead=" ".join(text.split()[:3]) if "in particular" in text else text.split()[0],
            text=text,
        )
        for i, text in enumerate(recalling, 1)
    ) + (
        Paragraph("OP1", Section.OPERATIVE, 1, "Decides", "Decides to remain seized (synthetic)."),
    )
    return Resolution(
        symbol=symbol,
        title=title,
        session=int(symbol.split("/")[2]) if symbol.startswith("A/RES/") else None,
        agenda_item=None,
        adopted=None,
        committee_report=None,
        plenary_meeting=None,
        kind="resolution",
        paragraphs=paragraphs,
    )


def loader_of(*documents: Resolution):  # type: ignore[no-untyped-def]
    """A loader over in-memory documents; anything else is not found, as offline."""
    by_symbol = {d.symbol: d for d in documents}

    def load(symbol: str) -> Resolution:
        if symbol not in by_symbol:
            raise OfflineError(f"{symbol} (en) is not in the cache or any mirror (synthetic)")
        return by_symbol[symbol]

    return load


SERIES = "Synthetic series on cooperation"


def test_recalling_in_particular_links_whatever_the_title() -> None:
    load = loader_of(
        synthetic("A/RES/78/10", SERIES, "Recalling in particular its resolution 76/20 of 1 May,"),
        synthetic("A/RES/76/20", "An older title", "Recalling in particular its resolution 74/30,"),
        synthetic("A/RES/74/30", "An even older title", "Recalling the Charter (synthetic),"),
    )
    found = trace("A/RES/78/10", SETTINGS, loader=load)
    assert found.symbols == ("A/RES/78/10", "A/RES/76/20", "A/RES/74/30")
    assert [link.rule for link in found.links] == ["start", "in particular", "in particular"]
    assert found.stopped_at is None
    assert found.reason.startswith("A/RES/74/30 recalls no earlier version")
    assert predecessors("A/RES/78/10", SETTINGS, loader=load) == ("A/RES/76/20", "A/RES/74/30")
    assert chain("A/RES/78/10", SETTINGS, loader=load) == (
        "A/RES/74/30",
        "A/RES/76/20",
        "A/RES/78/10",
    )


def test_recalling_its_resolution_links_only_the_same_title() -> None:
    load = loader_of(
        synthetic(
            "A/RES/80/6",
            f"80/6. {SERIES}",
            "Recalling its resolution 79/6 of 29 October 2024 and all its previous resolutions,",
        ),
        synthetic("A/RES/79/6", f"79/6.  {SERIES.upper()}", "Recalling its resolution 78/9,"),
        synthetic("A/RES/78/9", "A different subject", "Recalling the Charter (synthetic),"),
    )
    found = trace("A/RES/80/6", SETTINGS, loader=load)
    assert found.symbols == ("A/RES/80/6", "A/RES/79/6")
    assert found.links[1].rule == "same title"
    assert found.reason.startswith("A/RES/79/6 recalls no earlier version")


def test_the_newest_resolution_of_a_list_is_the_candidate_and_decisions_are_not() -> None:
    load = loader_of(
        synthetic(
            "A/RES/78/7",
            SERIES,
            "Recalling its resolutions 47/19 of 24 November 1992, 76/5 of 3 November 2021 and "
            "77/7 of 3 November 2022 and its decision 77/563 of 11 May 2023,",
        ),
        synthetic("A/RES/77/7", SERIES, "Recalling the Charter (synthetic),"),
    )
    assert predecessors("A/RES/78/7", SETTINGS, loader=load) == ("A/RES/77/7",)


def test_the_walk_stops_at_what_it_cannot_resolve_and_says_so() -> None:
    load = loader_of(
        synthetic("A/RES/78/10", SERIES, "Recalling in particular its resolution 76/20,"),
    )
    found = trace("A/RES/78/10", SETTINGS, loader=load)
    assert found.symbols == ("A/RES/78/10",)
    assert found.stopped_at == "A/RES/76/20"
    assert found.reason == (
        "A/RES/76/20 could not be resolved: A/RES/76/20 (en) is not in the cache or any "
        "mirror (synthetic)"
    )


def test_the_walk_never_loops() -> None:
    load = loader_of(
        synthetic("A/RES/78/10", SERIES, "Recalling in particular its resolution 76/20,"),
        synthetic("A/RES/76/20", SERIES, "Recalling in particular its resolution 78/10,"),
    )
    found = trace("A/RES/78/10", SETTINGS, loader=load)
    assert found.symbols == ("A/RES/78/10", "A/RES/76/20")
    assert found.reason == "A/RES/76/20 recalls A/RES/78/10, which is already in the lineage"


def test_a_long_chain_ends_at_max_depth() -> None:
    documents = [
        synthetic(f"A/RES/{n}/1", SERIES, f"Recalling in particular its resolution {n - 1}/1,")
        for n in range(2, MAX_DEPTH + 10)
    ]
    found = trace(f"A/RES/{MAX_DEPTH + 9}/1", SETTINGS, loader=loader_of(*documents))
    assert len(found.links) == MAX_DEPTH + 1
    assert found.reason == f"stopped after {MAX_DEPTH} versions"


def test_an_unreadable_start_is_an_error() -> None:
    with pytest.raises(ResdiffError):
        trace("A/RES/78/10", SETTINGS, loader=loader_of())


# --- the real chains, through the parser ---------------------------------------------------


@pytest.fixture
def offline_corpus(tmp_path: Path, corpus: Path) -> Settings:
    return un_settings(tmp_path, "http://127.0.0.1:9", mirrors=(corpus,), offline=True)


def test_the_projects_series_78_226_to_72_194(offline_corpus: Settings) -> None:
    found = trace("A/RES/78/226", offline_corpus)
    assert found.symbols == ("A/RES/78/226", "A/RES/74/175", "A/RES/72/194")
    assert chain("A/RES/78/226", offline_corpus) == ("A/RES/72/194", "A/RES/74/175", "A/RES/78/226")
    # 72/194 recalls 70/177 "in particular", which the corpus does not hold.
    assert found.stopped_at == "A/RES/70/177"
    assert found.reason.startswith("A/RES/70/177 could not be resolved: A/RES/70/177 (en)")


def test_a_yearly_series_by_title(offline_corpus: Settings) -> None:
    assert predecessors("A/RES/80/6", offline_corpus) == ("A/RES/79/6", "A/RES/78/6")
    assert predecessors("A/80/L.9", offline_corpus) == ("A/RES/79/6", "A/RES/78/6")


def test_cli_lineage(tmp_path: Path, corpus: Path) -> None:
    env = {"RESDIFF_CACHE": str(tmp_path / "cache"), "RESDIFF_MIRRORS": None}
    args = ["lineage", "A/RES/78/226", "--mirror", str(corpus), "--offline"]

    result = CliRunner().invoke(main, args, env=env)
    as_json = CliRunner().invoke(main, [*args, "--format", "json"], env=env)

    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "A/RES/78/226",
        "A/RES/74/175",
        "A/RES/72/194",
    ]
    assert result.stderr.startswith("Stopped: A/RES/70/177 could not be resolved: ")
    record = json.loads(as_json.stdout)
    assert [link["symbol"] for link in record["links"]] == [
        "A/RES/78/226",
        "A/RES/74/175",
        "A/RES/72/194",
    ]
    assert record["stopped_at"] == "A/RES/70/177"


def test_cli_lineage_of_a_document_that_cannot_be_had(tmp_path: Path) -> None:
    env = {"RESDIFF_CACHE": str(tmp_path / "cache"), "RESDIFF_MIRRORS": None}
    result = CliRunner().invoke(main, ["lineage", "A/RES/70/177", "--offline"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: A/RES/70/177 (en) is not in the cache or any mirror")


def test_lineage_is_a_value() -> None:
    assert Lineage((), None, "").symbols == ()
