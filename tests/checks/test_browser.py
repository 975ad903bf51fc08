"""The browser harness (penguin_site.checks.browser) on hand-made pages with known defects.

The harness serves a folder from 127.0.0.1 (a free port) and opens pages in the real
headless Chromium. A clean page must pass; a console error, an uncaught exception, a
request to another host (``*.invalid`` names, which never resolve, and which the harness
aborts before they leave the machine) and a missing file must each be reported. The real
render is checked with the same functions in ``test_render.py``.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from penguin_site.checks.browser import (
    PageActionError,
    axe_violations,
    browse_site,
    check_pages,
    chromium_path,
    serve_directory,
    switch_to_dark,
)
from scripts import check_site

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
BROWSER_PAGES = SITES / "browser"
GOOD_BODY = (
    '<h1>Good</h1>\n<img src="figures/mass.png" alt="A dot">\n'
    '<script>document.body.dataset.ran = "yes";</script>'
)

#: Each runtime defect: a page that is good.html with its body replaced by this.
DEFECT_BODIES: dict[str, str] = {
    "console-error.html": '<script>console.error("predictor: coefficients missing");</script>',
    "uncaught-exception.html": '<script>throw new Error("widget exploded");</script>',
    "external-host.html": '<script src="http://example.invalid/cdn/lib.js"></script>',
    "external-fetch.html": (
        '<script>fetch("https://cdn.example.invalid/npm/inputs.js").catch(() => {});</script>'
    ),
    "missing-resource.html": '<img src="figures/not-there.png" alt="A dot that is not there">',
    # An OJS cell that fails shows its error in the page and logs nothing.
    "ojs-error.html": (
        '<div class="cell-output"><div class="observablehq observablehq--error">'
        '<div class="observablehq--inspect">RuntimeError: coefficients is not defined'
        "</div></div></div>"
    ),
}


@pytest.fixture
def browser_pages(tmp_path: Path) -> Path:
    """The good page and its assets, plus one page per runtime defect."""
    pages = tmp_path / "browser"
    shutil.copytree(BROWSER_PAGES, pages)
    good = (pages / "good.html").read_text(encoding="utf-8")
    assert GOOD_BODY in good
    for name, body in DEFECT_BODIES.items():
        (pages / name).write_text(good.replace(GOOD_BODY, body), encoding="utf-8")
    return pages


def test_static_server_is_on_loopback_and_stops() -> None:
    with serve_directory(BROWSER_PAGES) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base_url + "good.html", timeout=5) as response:
            assert b"<h1>Good</h1>" in response.read()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base_url + "good.html", timeout=5)


def test_static_server_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a folder"), serve_directory(tmp_path / "x"):
        pass


def test_chromium_path_prefers_the_environment(tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert chromium_path({"CHROMIUM_PATH": str(fake)}) == str(fake)


@pytest.mark.browser
def test_each_runtime_defect_is_reported(browser_pages: Path, chromium: str) -> None:
    report = check_pages(browser_pages, ["good.html", *DEFECT_BODIES], chromium)

    assert report["good.html"] == []
    assert "console error: predictor: coefficients missing" in report["console-error.html"]
    assert report["uncaught-exception.html"] == ["uncaught exception: widget exploded"]
    assert (
        "request to another host: http://example.invalid/cdn/lib.js"
        in (report["external-host.html"])
    )
    assert (
        "request to another host: https://cdn.example.invalid/npm/inputs.js"
        in (report["external-fetch.html"])
    )
    missing = report["missing-resource.html"]
    assert any(line.startswith("HTTP error: 404 ") and "not-there.png" in line for line in missing)
    # The OJS error logs nothing to the console: it is still reported.
    assert report["ojs-error.html"] == [
        "error shown on the page: RuntimeError: coefficients is not defined"
    ]


@pytest.mark.browser
def test_a_failing_action_reports_what_the_page_logged(browser_pages: Path, chromium: str) -> None:
    def click_missing_button(page: Page) -> None:
        page.click("#no-such-button", timeout=500)

    with (
        browse_site(browser_pages, chromium) as session,
        pytest.raises(
            PageActionError,
            match=r"(?s)no-such-button.*console error: predictor: coefficients missing",
        ),
    ):
        session.visit("console-error.html", click_missing_button)


@pytest.mark.browser
def test_visit_runs_an_action_on_the_loaded_page(chromium: str) -> None:
    seen: list[str] = []
    with browse_site(BROWSER_PAGES, chromium) as session:
        report = session.visit(
            "good.html", lambda page: seen.append(page.evaluate("document.body.dataset.ran"))
        )
    assert report.problems == []
    assert seen == ["yes"]


@pytest.mark.browser
def test_check_site_cli_browser_flag_reports_runtime_defects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chromium: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "good", site)
    good = (BROWSER_PAGES / "good.html").read_text(encoding="utf-8")
    (site / "console-error.html").write_text(
        good.replace(GOOD_BODY, DEFECT_BODIES["console-error.html"]), encoding="utf-8"
    )
    code = check_site.main([str(site), "--require", "index.html", "--browser"])
    out = capsys.readouterr().out
    assert code == 1
    assert "console-error.html: browser: console error: predictor: coefficients missing" in out
    assert "index.html: browser" not in out


@pytest.mark.browser
def test_axe_finds_the_known_defects_and_passes_the_good_page(chromium: str) -> None:
    found: dict[str, list[str]] = {}

    def audit(page: Page) -> None:
        found[Path(page.url).name] = axe_violations(page)

    with browse_site(BROWSER_PAGES, chromium) as session:
        for name in ("a11y-defects.html", "good.html"):
            assert session.visit(name, audit).problems == []
    assert [line.split()[0] for line in found["a11y-defects.html"]] == [
        "button-name",
        "color-contrast",
    ]
    assert found["a11y-defects.html"][0].endswith(": button")  # where to look
    assert found["good.html"] == []


@pytest.mark.browser
def test_switch_to_dark_returns_once_colours_have_stopped_changing(
    tmp_path: Path, chromium: str
) -> None:
    """A link whose colour fades (as Bootstrap's nav links do, here over 1 s) is read in
    its dark colour, not halfway: checks after the switch see what a reader sees."""
    (tmp_path / "fade.html").write_text(
        "<!doctype html><html lang='en'><head><title>Fade</title><style>"
        "a { color: rgb(0, 0, 0); transition: color 1s linear; }"
        "body.quarto-dark a { color: rgb(255, 255, 255); }"
        "</style></head><body><a href='#'>A link</a><script>"
        "window.quartoToggleColorScheme = () => document.body.classList.add('quarto-dark');"
        "</script></body></html>",
        encoding="utf-8",
    )
    colours: list[str] = []

    def switch(page: Page) -> None:
        assert switch_to_dark(page)
        colours.append(page.evaluate("getComputedStyle(document.querySelector('a')).color"))

    with browse_site(tmp_path, chromium) as session:
        report = session.visit("fade.html", switch)
    assert report.problems == []
    assert colours == ["rgb(255, 255, 255)"]
