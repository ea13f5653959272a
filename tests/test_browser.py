"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright.

The report for A/RES/72/194 → A/RES/74/175 (real documents from the corpus) is opened from disk
through a file:// URL and checked as a reader would use it: no console error and no request
but the file itself, the counts on the page against `Comparison.summary()`, the filters, links
to a paragraph, keyboard navigation, the print and phone layouts. Screenshots for the record
go to tests/_artifacts/ (not committed).

Without /usr/bin/chromium these tests are skipped, except in CI (CI=true), where they fail:
`make browser` installs it.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import report
from pipeline.models import AlignKind, AlignmentEntry

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
CHROMIUM = Path(os.environ.get("RESDIFF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PAIR = ("A_RES_72_194.txt", "A_RES_74_175.txt")

Real = tuple[Any, Path]  # the comparison and its report on disk

#: What a synthetic paragraph slips into the page; each must show as text and run nothing.
HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (make browser installs Chromium)")
    pytest.skip(f"{reason}; install it with `make browser` (apt-get install chromium)")


def unchanged(entry: AlignmentEntry) -> bool:
    """A row the "only changes" filter hides: matched, same wording, same place."""
    return entry.kind is AlignKind.MATCH and not entry.changed and not entry.moved


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclasses.dataclass
class Visit:
    """One page open in the browser, with everything it logged and requested."""

    page: Any
    url: str
    requests: list[str]
    errors: list[str]
    dialogs: list[str]


@pytest.fixture()
def open_report(browser: Any) -> Iterator[Any]:
    """Open an HTML file from disk; every request is recorded, and any but file:// refused."""
    contexts: list[Any] = []

    def visit(path: Path, *, width: int = 1280, height: int = 900, fragment: str = "") -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        context.route("**/*", lambda route: route.abort()
                      if not route.request.url.startswith("file:") else route.continue_())
        page = context.new_page()
        seen = Visit(page, path.resolve().as_uri(), [], [], [])
        page.on("request", lambda r: seen.requests.append(r.url))
        page.on("console", lambda m: seen.errors.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: seen.errors.append(f"page error: {e}"))

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(seen.url + fragment)
        page.wait_for_load_state("load")
        return seen

    yield visit
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Real:
    """The comparison of A/RES/72/194 → A/RES/74/175 and its report on disk."""
    import pipeline

    comparison = pipeline.compare(corpus / PAIR[0], corpus / PAIR[1])
    path = report.write_report(comparison, tmp_path_factory.mktemp("report") / "report.html")
    return comparison, path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """A SYNTHETIC new version: A/RES/74/175 with markup and a template expression pasted into
    two paragraphs (and its symbol and title marked as synthetic), compared with the real one."""
    import pipeline

    real_new = pipeline.load(corpus / PAIR[1])
    paras = list(real_new.paragraphs)
    for k, i in enumerate((1, len(paras) - 1)):
        p = paras[i]
        extra = " ".join(HOSTILE) if k == 0 else HOSTILE[2]
        paras[i] = dataclasses.replace(p, text=f"{p.text} {extra}")
    synthetic = dataclasses.replace(
        real_new, paragraphs=tuple(paras), symbol="SYNTHETIC-A/RES/74/175",
        title="SYNTHETIC TEST DOCUMENT, not UN text: " + HOSTILE[0] + real_new.title)
    comparison = pipeline.compare(real_new, synthetic)
    return report.write_report(comparison, tmp_path_factory.mktemp("hostile") / "report.html")


def _artifact(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)


def _visible_rows(page: Any) -> list[bool]:
    return list(page.eval_on_selector_all(".row",
                                          "rows => rows.map(r => r.offsetParent !== null)"))


def _in_view(page: Any, selector: str) -> bool:
    """The element's top is on screen, below the sticky toolbar."""
    return bool(page.eval_on_selector(selector, """el => {
        const r = el.getBoundingClientRect();
        const bar = document.querySelector('.controls');
        const under = bar && getComputedStyle(bar).position === 'sticky'
            ? bar.getBoundingClientRect().bottom : 0;
        return r.top >= under - 1 && r.top < window.innerHeight && r.bottom > 0;
    }"""))


# --- the real report -------------------------------------------------------------------------------


def test_opens_from_disk_with_no_error_and_no_request(open_report: Any, real: Real) -> None:
    comparison, path = real
    v = open_report(path)
    v.page.screenshot(path=_artifact("report.png"))
    v.page.screenshot(path=_artifact("report-full.png"), full_page=True)
    assert v.errors == []
    assert v.dialogs == []
    assert [u.split("#")[0] for u in v.requests] == [v.url]
    assert v.page.title() == "A/RES/72/194 → A/RES/74/175 · resdiff"
    assert v.page.locator(".controls").is_visible()  # the script ran
    assert v.page.locator(".row").count() == len(comparison.entries)


def test_counts_shown_equal_the_summary(open_report: Any, real: Real) -> None:
    import pandas as pd

    comparison, path = real
    v = open_report(path)
    shown = v.page.eval_on_selector_all(
        "[data-chart-cell]",
        "cells => cells.map(c => [c.dataset.change, c.dataset.actor, +c.dataset.count])")
    summary = comparison.summary()
    expected: Counter[tuple[str, str]] = Counter()
    for row in summary.itertuples(index=False):
        actor = report.NO_ACTOR if pd.isna(row.actor) else str(row.actor)
        expected[(str(row.change), actor)] += int(row.count)
    assert {(c, a): n for c, a, n in shown if n} == dict(expected)
    assert sum(expected.values()) > 0
    totals = v.page.eval_on_selector_all(
        "[data-chart-total]", "cells => cells.map(c => [c.dataset.change, +c.dataset.count])")
    by_change = summary.groupby("change", observed=True)["count"].sum()
    assert {c: n for c, n in totals if n} == {str(k): int(n) for k, n in by_change.items() if n}
    # the paragraph counts beside the chart agree with the alignment
    kinds = dict(v.page.eval_on_selector_all(
        ".kind-count", "els => els.map(e => [e.dataset.kind, +e.dataset.count])"))
    assert kinds["added"] == sum(e.kind is AlignKind.ADDED for e in comparison.entries)
    assert kinds["removed"] == sum(e.kind is AlignKind.REMOVED for e in comparison.entries)
    assert kinds["kept"] == sum(unchanged(e) for e in comparison.entries)


def test_only_changes_hides_exactly_the_unchanged_rows(open_report: Any, real: Real) -> None:
    comparison, path = real
    v = open_report(path)
    assert all(_visible_rows(v.page))
    v.page.check("#f-only")
    visible = _visible_rows(v.page)
    assert visible == [not unchanged(e) for e in comparison.entries]
    assert 0 < sum(visible) < len(visible)
    status = v.page.text_content("#f-status")
    assert status == f"{sum(visible)} of {len(visible)} shown"
    v.page.uncheck("#f-only")
    assert all(_visible_rows(v.page))


def test_section_change_and_actor_filters(open_report: Any, real: Real) -> None:
    comparison, path = real
    v = open_report(path)
    page = v.page
    page.select_option("#f-section", "preamble")
    sections = page.eval_on_selector_all(
        ".row", "rs => rs.map(r => [r.dataset.section, r.offsetParent !== null])")
    assert all(shown == (section == "preamble") for section, shown in sections)
    assert not page.locator('h2.section-head[data-section="operative"]').is_visible()
    page.select_option("#f-section", "")
    page.select_option("#f-change", "p:added")
    added = [e.kind is AlignKind.ADDED for e in comparison.entries]
    assert _visible_rows(page) == added
    page.select_option("#f-change", "")
    actors = page.eval_on_selector_all("#f-actor option", "os => os.map(o => o.value)")[1:]
    assert actors, "the real pair has mandates with actors"
    page.select_option("#f-actor", actors[0])
    rows = page.eval_on_selector_all(
        ".row", "rs => rs.map(r => [r.dataset.actors.split('|'), r.offsetParent !== null])")
    assert all(shown == (actors[0] in names) for names, shown in rows)
    assert any(shown for _, shown in rows)


def test_link_to_a_paragraph_scrolls_to_it(open_report: Any, real: Real) -> None:
    _, path = real
    v = open_report(path, fragment="#new-OP12")
    assert v.page.locator("#new-OP12").count() == 1
    assert _in_view(v.page, "#new-OP12")
    assert v.page.evaluate("window.scrollY") > 500
    v.page.screenshot(path=_artifact("report-anchor-OP12.png"))


def test_link_to_a_hidden_paragraph_clears_the_filters(open_report: Any, real: Real) -> None:
    comparison, path = real
    kept = next(e for e in comparison.entries if unchanged(e) and e.new)
    v = open_report(path)
    v.page.check("#f-only")
    anchor = f"#new-{kept.new[0]}"
    assert not v.page.locator(anchor).is_visible()
    v.page.evaluate(f"location.hash = '{anchor}'")
    v.page.wait_for_function(f"document.querySelector('{anchor}').offsetParent !== null")
    assert not v.page.is_checked("#f-only")
    assert _in_view(v.page, anchor)


def test_keyboard_moves_to_the_next_and_previous_change(open_report: Any, real: Real) -> None:
    comparison, path = real
    changed = [i for i, e in enumerate(comparison.entries) if not unchanged(e)]
    assert len(changed) >= 3
    v = open_report(path)
    page = v.page
    focused = "() => [...document.querySelectorAll('.row')].indexOf(document.activeElement)"
    for key, expected in (("j", changed[0]), ("n", changed[1]), ("j", changed[2]),
                          ("k", changed[1]), ("p", changed[0])):
        page.keyboard.press(key)
        assert page.evaluate(focused) == expected, key
        assert _in_view(page, ".row:focus")
    # the buttons do the same for readers without a keyboard
    page.click("#next-change")
    assert page.evaluate(focused) == changed[1]
    # keys typed into a filter are the filter's, not navigation
    page.focus("#f-actor")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "f-actor"


def test_redline_view_and_print_stylesheet(open_report: Any, real: Real) -> None:
    _, path = real
    v = open_report(path)
    page = v.page
    first_changed = ".row[data-changed='1']"
    assert page.locator(f"{first_changed} .sides").first.is_visible()
    assert not page.locator(f"{first_changed} .redline").first.is_visible()
    page.check("input[name=view][value=redline]")
    assert page.locator(f"{first_changed} .redline").first.is_visible()
    assert not page.locator(f"{first_changed} .sides").first.is_visible()
    page.check("input[name=view][value=sbs]")
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible()
    assert page.locator(f"{first_changed} .redline").first.is_visible()
    assert not page.locator(f"{first_changed} .sides").first.is_visible()
    deco = page.eval_on_selector(f"{first_changed} .redline ins, {first_changed} .redline del",
                                 "el => getComputedStyle(el).textDecorationLine")
    assert deco in ("underline", "line-through")
    page.screenshot(path=_artifact("report-print.png"))
    page.pdf(path=_artifact("report-print.pdf"), format="A4")
    page.emulate_media(media="screen")


def test_phone_width_stacks_the_columns(open_report: Any, real: Real) -> None:
    _, path = real
    v = open_report(path, width=390, height=844)
    page = v.page
    assert v.errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    columns = page.eval_on_selector(".row[data-changed='1'] .sides",
                                    "el => getComputedStyle(el).gridTemplateColumns")
    assert len(columns.split()) == 1
    page.screenshot(path=_artifact("report-phone.png"))
    page.locator(".row.is-reworded").first.scroll_into_view_if_needed()
    page.screenshot(path=_artifact("report-phone-row.png"))


# --- a synthetic document with markup in it -----------------------------------------------------


def test_markup_in_a_paragraph_is_shown_as_text_and_never_runs(open_report: Any,
                                                              hostile: Path) -> None:
    v = open_report(hostile)
    page = v.page
    page.wait_for_timeout(200)  # time for an onerror handler to fire, if one got through
    assert v.dialogs == [], "a dialog opened: markup from the document ran"
    assert v.errors == []
    assert [u.split("#")[0] for u in v.requests] == [v.url]  # not even the <img src=x>
    assert page.locator("script").count() == 1
    assert page.locator(".row img, .masthead img").count() == 0
    body = page.inner_text("body")
    for piece in HOSTILE:
        assert piece in body
    rows = page.locator(".row", has_text=HOSTILE[2])
    assert rows.count() == 2
    for k in range(rows.count()):
        assert rows.nth(k).is_visible()
        assert "49" not in rows.nth(k).inner_text()  # {{ 7*7 }} was not evaluated
    assert HOSTILE[0] in page.inner_text("h1") + page.inner_text(".masthead")
    v.page.screenshot(path=_artifact("report-hostile.png"))

