"""The `resdiff` command: a thin skin over the library in `pipeline.api`.

Each command parses its options, makes one library call and prints. The project's own errors
(`ResdiffError`) become a one-line `Error: ...` and a non-zero exit; anything else is a bug
and shows its traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from pipeline import api, lineage, sources
from pipeline.config import LANGUAGES, Settings
from pipeline.errors import ResdiffError

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Turn a `ResdiffError` into click's one-line `Error: ...` with exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ResdiffError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def settings_from(ctx: click.Context) -> Settings:
    """The run's Settings, built once from the environment by the group."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


def document_options(func: F) -> F:
    """Add --lang, --mirror and --offline to a command that reads documents by symbol.

    Shared by every such command (parse, compare, series, ...). The options are applied to the
    run's Settings before the command body runs, so it reads them with `settings_from(ctx)`.
    """

    @click.option(
        "--lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        default=None,
        help="Language of documents given by symbol.  [default: en]",
    )
    @click.option(
        "--mirror",
        "mirrors",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Folder of documents named by symbol (A_RES_72_194-EN.pdf, A_RES_72_194.txt), "
        "searched before the network; repeatable, searched before RESDIFF_MIRRORS.",
    )
    @click.option(
        "--offline",
        is_flag=True,
        help="Never use the network: only the cache, the bundled sample and the mirrors.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any, lang: str | None, mirrors: tuple[Path, ...], offline: bool, **kwargs: Any
    ) -> Any:
        root = click.get_current_context().find_root()
        settings = settings_from(root)
        root.obj = dataclasses.replace(
            settings,
            lang=(lang or settings.lang).lower(),
            mirrors=(*mirrors, *settings.mirrors),
            offline=settings.offline or offline,
        )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def format_option(help: str = "table for people, json for programs.") -> Callable[[F], F]:
    """The `--format table|json` option every reporting command shares (as `fmt`)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=help,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="resdiff")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Show how a UN General Assembly resolution changed from one version to the next.

    Documents are given as file paths (ODS PDF, its text layer, markdown-like text, saved HTML)
    or as symbols such as A/RES/78/226, which are looked up in the cache, then in the folders
    named by RESDIFF_MIRRORS, then fetched from the UN's official services.

    \b
    Examples:
      resdiff parse sources/A_RES_74_175-EN.seed.md
      resdiff parse A/RES/72/194 --format json
    """
    ctx.obj = Settings.from_env()


@main.command()
@click.argument("document")
@format_option()
@document_options
@click.pass_context
@reports_errors
def parse(ctx: click.Context, document: str, fmt: str) -> None:
    """Print the structure of one resolution: metadata, paragraphs, footnotes, citations.

    DOCUMENT is a file path or a document symbol (A/RES/74/175).

    \b
    Examples:
      resdiff parse sources/A_RES_74_175-EN.seed.md
      resdiff parse A/RES/78/226 --format json | jq '.paragraphs[0]'
    """
    from pipeline.render_text import resolution_json, resolution_table

    res = api.load(document, settings=settings_from(ctx))
    if fmt == "json":
        click.echo(json.dumps(resolution_json(res), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(resolution_table(res))


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@main.command("fetch")
@click.argument("symbols", nargs=-1)
@click.option(
    "--from-file",
    type=click.File("r", encoding="utf-8"),
    help="Also fetch the symbols in this file, one a line (# starts a comment; - is stdin).",
)
@click.option("--refresh", is_flag=True, help="Download again, even what is cached or mirrored.")
@document_options
@click.pass_context
@reports_errors
def fetch_command(
    ctx: click.Context, symbols: tuple[str, ...], from_file: TextIO | None, refresh: bool
) -> None:
    """Fetch documents by symbol and print where each one is and where it came from.

    Looks in the cache (sources/cache, or RESDIFF_CACHE), the bundled sample and the mirrors,
    then downloads from the UN Official Document System, or else the UN Digital Library, into
    the cache. Prints one line per symbol: symbol, language, source (cache, bundled, mirror,
    ods, undl) and file, separated by tabs.

    \b
    Examples:
      resdiff fetch A/RES/78/226
      resdiff fetch A/RES/72/194 A/RES/74/175 --lang fr
      resdiff fetch --from-file symbols.txt
      resdiff fetch A/RES/72/194 --mirror ../shared/corpus --offline
      resdiff fetch A/RES/72/194 --refresh    # repair a cached file that changed
    """
    refs = list(symbols)
    if from_file is not None:
        lines = (line.strip() for line in from_file)
        refs += [line for line in lines if line and not line.startswith("#")]
    if not refs:
        raise click.UsageError("Give at least one SYMBOL, or --from-file FILE.")
    settings = dataclasses.replace(settings_from(ctx), refresh=refresh)
    live = len(refs) > 1 and sys.stderr.isatty()

    def progress(outcome: sources.Outcome, done: int, total: int) -> None:
        if live:
            what = outcome.located.origin if outcome.located else "failed"
            click.echo(f"[{done}/{total}] {outcome.ref}: {what}", err=True)

    outcomes = sources.fetch_many(refs, settings, on_result=progress)
    failed = [o for o in outcomes if o.error is not None]
    if len(refs) == 1 and failed:
        raise failed[0].error  # type: ignore[misc]
    for o in outcomes:
        if o.located is not None:
            found = o.located
            click.echo(f"{found.symbol}\t{found.lang}\t{found.origin}\t{_shown(found.path)}")
        else:
            click.echo(f"Error: {o.error}", err=True)
    if len(refs) > 1:
        origins = [str(o.located.origin) for o in outcomes if o.located is not None]
        counts = ", ".join(f"{origins.count(k)} {k}" for k in sorted(set(origins)))
        click.echo(
            f"{len(origins)} of {len(refs)} documents ready"
            + (f" ({counts})" if counts else "")
            + (f", {len(failed)} failed" if failed else ""),
            err=True,
        )
    if failed:
        ctx.exit(1)


@main.command("sources")
@format_option()
@click.pass_context
@reports_errors
def sources_command(ctx: click.Context, fmt: str) -> None:
    """List the cached and bundled documents, and whether each still matches its manifest.

    Status is ok, modified (the file changed since it was stored: it will not be used until
    `resdiff fetch SYMBOL --refresh`) or missing.

    \b
    Examples:
      resdiff sources
      resdiff sources --format json | jq '.[] | select(.status != "ok")'
    """
    rows = sources.list_sources(settings_from(ctx))
    if fmt == "json":
        records = [dataclasses.asdict(r) for r in rows]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True))
        return
    if not rows:
        click.echo("Nothing cached yet: resdiff fetch SYMBOL downloads a document.")
        return
    width = max(len(r.symbol) for r in rows)
    for r in rows:
        click.echo(
            f"{r.symbol:<{width}}  {r.language}  {r.source:<7}  {r.status:<8}  "
            f"{r.bytes:>9,}  {_shown(Path(r.path))}"
        )


@main.command("lineage")
@click.argument("symbol")
@format_option()
@document_options
@click.pass_context
@reports_errors
def lineage_command(ctx: click.Context, symbol: str, fmt: str) -> None:
    """List the earlier versions of a resolution, newest first, from what each recalls.

    Follows "Recalling in particular its resolution 74/175 ..." and "Recalling its resolution
    79/6 ..." (when the recalled resolution has the same title) back until a version recalls
    none or cannot be found; why the walk stopped is printed last, on stderr.

    \b
    Examples:
      resdiff lineage A/RES/78/226 --mirror ../shared/corpus
      resdiff lineage A/RES/80/6 --offline --format json
    """
    found = lineage.trace(symbol, settings_from(ctx))
    if fmt == "json":
        record = {
            "links": [dataclasses.asdict(link) for link in found.links],
            "stopped_at": found.stopped_at,
            "reason": found.reason,
        }
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True))
        return
    width = max(len(link.symbol) for link in found.links)
    for link in found.links:
        click.echo(f"{link.symbol:<{width}}  {link.rule:<13}  {link.title}")
    click.echo(f"Stopped: {found.reason}", err=True)


@main.command("compare")
@click.argument("old")
@click.argument("new")
@format_option(help="table: a summary for people; json: the whole comparison as one object.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write every table (CSV and Parquet) and comparison.json into this folder.",
)
@click.option(
    "--html",
    "html",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report as one HTML file that opens from disk (--out writes "
    "report.html too).",
)
@document_options
@click.pass_context
@reports_errors
def compare_command(
    ctx: click.Context, old: str, new: str, fmt: str, out: Path | None, html: Path | None
) -> None:
    """Show what changed from OLD to NEW: paragraphs, mandates and citations.

    OLD and NEW are file paths or document symbols. The summary gives the counts, then each
    changed paragraph on one line (old ids → new ids, how, similarity), then the mandates that
    were strengthened or weakened, with the reasons.

    \b
    Examples:
      resdiff compare A/RES/72/194 A/RES/74/175 --mirror ../shared/corpus
      resdiff compare A/C.6/80/L.22 A/RES/80/171 --format json | jq '.mandates'
      resdiff compare old.pdf new.pdf --out outputs/compare
      resdiff compare A/RES/74/175 A/RES/78/226 --html report.html
    """
    from pipeline.comparison import summary_text
    from pipeline.report import write_report
    from pipeline.writers import dumps, write_comparison

    comparison = api.compare(old, new, settings=settings_from(ctx))
    if out is not None:
        write_comparison(comparison, out)
        write_report(comparison, out / "report.html")
    if html is not None:
        write_report(comparison, html)
    if fmt == "json":
        click.echo(dumps(comparison.to_json()), nl=False)
    else:
        click.echo(summary_text(comparison))
        if out is not None:
            click.echo(f"\nTables written to {out}/", err=True)
        if html is not None:
            click.echo(f"Report written to {html}", err=True)


@main.command("series")
@click.argument("versions", nargs=-1)
@click.option(
    "--from",
    "back_from",
    metavar="SYMBOL",
    default=None,
    help="Walk back from this (newest) version through what each version recalls, instead "
    "of listing the versions.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write lineage, timeline and stories (CSV, Parquet), series.json, one folder per step "
    "with its tables and report.html, and index.html into this folder.",
)
@format_option(help="table: a summary for people; json: versions, steps, timeline and stories.")
@document_options
@click.pass_context
@reports_errors
def series_command(
    ctx: click.Context, versions: tuple[str, ...], back_from: str | None, out: Path | None,
    fmt: str,
) -> None:
    """Compare each version of a series with the next and trace every paragraph through them.

    VERSIONS are symbols or file paths, oldest first; or give --from SYMBOL to find the
    earlier versions from what each one recalls. Prints each step, the mandate timeline by
    actor, and the history of the paragraphs whose mandates moved or that were split or merged.

    \b
    Examples:
      resdiff series A/RES/72/194 A/RES/74/175 A/RES/78/226 --mirror ../shared/corpus
      resdiff series --from A/RES/78/226 --out outputs/unodc --offline
      resdiff series A/RES/79/7 A/80/L.6 A/RES/80/4 --format json | jq '.stories'
    """
    from pipeline.series import series, series_json, series_text, write_series
    from pipeline.writers import dumps

    if bool(versions) == bool(back_from):
        raise click.UsageError("Give the versions oldest first, or --from SYMBOL (not both).")
    if versions and len(versions) < 2:
        raise click.UsageError("Give at least two versions, oldest first (or --from SYMBOL).")
    found = series(list(versions) or None, back_from=back_from, settings=settings_from(ctx))
    if out is not None:
        write_series(found, out)
    if fmt == "json":
        click.echo(dumps(series_json(found)), nl=False)
    else:
        click.echo(series_text(found))
    if out is not None:
        click.echo(f"\nSeries written to {out}/ (open {out / 'index.html'})", err=True)


@main.command("batch")
@click.argument("plan", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (instead of the plan's out).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local worker processes (1 runs in this process).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine (--workers); dask: a Dask cluster (--scheduler).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Address of the Dask scheduler, such as tcp://10.0.0.5:8786 (with --executor dask).",
)
@click.option(
    "--force", is_flag=True, help="Run every item, even those whose inputs are unchanged."
)
@document_options
@click.pass_context
@reports_errors
def batch_command(
    ctx: click.Context, plan: Path, out: Path | None, workers: int, executor: str,
    scheduler: str | None, force: bool,
) -> None:
    """Run many comparisons from a PLAN file (TOML or CSV): pairs and whole series.

    Keeps going past a failing item (one line each: FAILED <item>: <message>), writes
    runs.csv (status ok/failed/skipped, counts, timings, error) and exits with status 1 if any
    item failed. A rerun skips the items whose input files, settings and resdiff version are
    unchanged; each item is written to a temporary folder and renamed into place.

    \b
    A plan (TOML; paths relative to the plan file):
      out = "../outputs/corpus"
      formats = ["csv", "parquet", "json", "html"]
      mirrors = ["${RESDIFF_CORPUS:-../../shared/corpus}"]
      offline = true
      [[pair]]
      old = "A/C.6/80/L.22"
      new = "A/RES/80/171"
      [[series]]
      name = "unodc"
      versions = ["A/RES/72/194", "A/RES/74/175", "A/RES/78/226"]
      [[series]]
      from = "A/RES/80/6"
    A CSV plan: header name,old,new,versions,from; versions separated by ";".

    \b
    Examples:
      resdiff batch plans/corpus.toml
      resdiff batch plans/corpus.toml --workers 4 --out /tmp/corpus
      resdiff batch plans/corpus.toml --executor dask --scheduler tcp://10.0.0.5:8786
    """
    from click.core import ParameterSource

    from pipeline.batch import Progress, read_plan, run_plan

    progress = Progress()
    result = run_plan(
        read_plan(plan), settings_from(ctx), out=out, workers=workers, executor=executor,
        scheduler=scheduler, force=force,
        keep_lang=ctx.get_parameter_source("lang") is ParameterSource.COMMANDLINE,
        on_item=progress.item,
    )
    progress.finish(result)
    if result.failed:
        ctx.exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
