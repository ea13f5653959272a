"""The `resdiff` command: a thin skin over the library in `pipeline.api`.

Each command parses its options, makes one library call and prints. The project's own errors
(`ResdiffError`) become a one-line `Error: ...` and a non-zero exit; anything else is a bug
and shows its traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pipeline import api
from pipeline.config import Settings
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for programs.",
)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
