"""What a reader does with the real render, in headless Chromium.

Every test here reads the one full render (``rendered`` in conftest.py), serves it on
127.0.0.1 with the content types the publisher sets, and drives Debian's Chromium through
Playwright as a reader would: load each page, use the predictor with the keyboard, search,
switch the theme, open folded code, follow the table of contents, download the files.
Any request to another host is aborted and reported, so a page that needs the internet
fails here. They need Quarto and Chromium and skip, saying why, without them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandas as pd
import pytest

from penguin_site.analysis import artifacts, modeling
from penguin_site.analysis.results import MODEL_FILE
from penguin_site.checks.browser import (
    PHONE,
    VIEWPORTS,
    Viewport,
    axe_violations,
    browse_site,
    switch_to_dark,
)
from penguin_site.config import CHOSEN_FEATURE_SET
from penguin_site.files import read_json
from penguin_site.publish.content_types import content_type_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.quarto, pytest.mark.browser]

PAGES = ("index.html", "eda.html", "model.html")
#: Every species and sex, short and long bills (mm), one far outside the data.
PREDICTOR_CASES: tuple[dict[str, object], ...] = (
    {"bill_length_mm": "36.2", "species": "Adelie", "sex": "female"},
    {"bill_length_mm": "41.1", "species": "Adelie", "sex": "male"},
    {"bill_length_mm": "46.5", "species": "Chinstrap", "sex": "female"},
    {"bill_length_mm": "52.8", "species": "Chinstrap", "sex": "male"},
    {"bill_length_mm": "43", "species": "Gentoo", "sex": "female"},
    {"bill_length_mm": "59.6", "species": "Gentoo", "sex": "male"},
    {"bill_length_mm": "75", "species": "Adelie", "sex": "male"},
)


# --- every page, clean and local ------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: v.name)
def test_every_page_loads_with_no_console_message_failure_or_foreign_request(
    site: Path, chromium: str, viewport: Viewport
) -> None:
    with browse_site(site, chromium) as session:
        problems = {page: session.visit(page, viewport=viewport).problems for page in PAGES}
    assert problems == {page: [] for page in PAGES}


# --- the predictor --------------------------------------------------------------------------


def _model_says(site: Path, inputs: dict[str, object]) -> str:
    """The saved Python model's prediction for ``inputs``, as the page formats it."""
    model = artifacts.load_model(site / "_build" / "analysis" / MODEL_FILE)
    row = {**inputs, "bill_length_mm": float(str(inputs["bill_length_mm"]))}
    frame = pd.DataFrame([row])[modeling.features(CHOSEN_FEATURE_SET)]
    grams = float(model.predict(frame)[0])
    return f"{math.floor(grams + 0.5):,} g"  # the page rounds half up (Math.round)


def _type_bill(page: Page, text: str) -> None:
    """Select the bill length box's text and type over it, key by key."""
    box = page.get_by_label("Bill length (mm)", exact=True)
    box.click()
    box.press("Control+A")
    if text:
        box.press_sequentially(text)
    else:
        box.press("Backspace")


@pytest.mark.example
def test_predictor_shows_the_python_models_prediction_for_inputs_typed_by_a_reader(
    site: Path, chromium: str
) -> None:
    shown: list[tuple[str, str, bool]] = []

    def use(page: Page) -> None:
        for case in PREDICTOR_CASES:
            _type_bill(page, str(case["bill_length_mm"]))
            page.get_by_label("Species", exact=True).select_option(str(case["species"]))
            page.get_by_label("Sex", exact=True).select_option(str(case["sex"]))
            result = page.locator("#predictor-result").inner_text().strip()
            form = page.locator("form.predictor").inner_text()
            warned = page.locator("[data-predictor-warning]").is_visible()
            shown.append((result, form, warned))

    with browse_site(site, chromium) as session:
        report = session.visit("model.html", use)
    assert report.problems == []
    for case, (result, form_text, warned) in zip(PREDICTOR_CASES, shown, strict=True):
        assert result == _model_says(site, case), case
        assert "NaN" not in form_text
        sex, species = case["sex"], case["species"]
        assert f"{str(sex).capitalize()} {species} penguins in the data" in form_text
        assert warned is (case["bill_length_mm"] == "75"), (case, form_text)


@pytest.mark.example
def test_predictor_starts_from_a_typical_bird_and_explains_a_missing_input(
    site: Path, chromium: str
) -> None:
    seen: dict[str, object] = {}

    def use(page: Page) -> None:
        seen["bill"] = page.get_by_label("Bill length (mm)", exact=True).input_value()
        seen["species"] = page.get_by_label("Species", exact=True).input_value()
        seen["sex"] = page.get_by_label("Sex", exact=True).input_value()
        seen["first"] = page.locator("#predictor-result").inner_text().strip()
        seen["first_warning"] = page.locator("[data-predictor-warning]").is_visible()
        _type_bill(page, "")
        seen["empty"] = page.locator("#predictor-result").inner_text().strip()
        seen["message"] = page.locator("[data-predictor-warning]").inner_text().strip()
        seen["form"] = page.locator("form.predictor").inner_text()

    with browse_site(site, chromium) as session:
        report = session.visit("model.html", use)
    assert report.problems == []
    coefficients = read_json(site / "_build" / "analysis" / "coefficients.json")
    typical = coefficients["inputs"]["bill_length_mm"]["groups"][0]
    assert (typical["species"], typical["sex"]) == (seen["species"], seen["sex"])
    assert float(str(seen["bill"])) == typical["median"]
    assert seen["first"] == _model_says(
        site, {"bill_length_mm": seen["bill"], "species": seen["species"], "sex": seen["sex"]}
    )
    assert seen["first_warning"] is False
    assert seen["empty"] == "\u2013"
    assert "Enter the bill length (mm) as a number" in str(seen["message"])
    assert "NaN" not in str(seen["form"])


# --- search, theme, folded code, contents ---------------------------------------------------


@pytest.mark.example
def test_search_finds_gentoo_and_its_result_opens_that_page_and_section(
    site: Path, chromium: str
) -> None:
    seen: dict[str, str] = {}

    def search(page: Page) -> None:
        page.locator("#quarto-search .aa-DetachedSearchButton").click()
        page.keyboard.type("Gentoo")
        # A section's result (a page's own result opens its top, not a section).
        first = page.locator(".aa-Item a.search-result-link[href*='#']").first
        first.wait_for()
        seen["href"] = first.get_attribute("href") or ""
        first.click()
        # The result may be on this page or another: wait for the address to name a section
        # (a "load" wait alone can return before the navigation starts).
        page.wait_for_url(re.compile(r"#.+"))
        seen["url"] = page.url
        section = page.evaluate("() => decodeURIComponent(location.hash.slice(1))")
        seen["section"] = section
        seen["text"] = page.locator(f"section#{section}").inner_text()

    with browse_site(site, chromium) as session:
        report = session.visit("index.html", search)
    assert report.problems == []
    target = urlsplit(seen["href"])
    opened = urlsplit(seen["url"])
    assert Path(opened.path).name == Path(target.path).name
    assert seen["section"] == target.fragment != ""
    assert "Gentoo" in seen["text"]


def test_dark_mode_switches_the_theme_and_holds_on_the_next_page(site: Path, chromium: str) -> None:
    seen: list[bool] = []

    def is_dark(page: Page) -> bool:
        return page.evaluate("() => document.body.classList.contains('quarto-dark')")

    def toggle(page: Page) -> None:
        seen.append(is_dark(page))
        page.locator(".quarto-color-scheme-toggle").first.click()
        seen.append(is_dark(page))
        page.get_by_role("link", name="Exploratory analysis").first.click()
        page.wait_for_load_state("load")
        seen.append(is_dark(page))

    with browse_site(site, chromium) as session:
        report = session.visit("index.html", toggle)
    assert report.problems == []
    assert seen == [False, True, True]


def test_folded_code_opens(site: Path, chromium: str) -> None:
    seen: list[bool] = []

    def unfold(page: Page) -> None:
        fold = page.locator("details.code-fold").first
        seen.append(fold.evaluate("el => el.open"))
        fold.locator("summary").click()
        seen.append(fold.evaluate("el => el.open"))
        seen.append(fold.locator("pre code").is_visible())

    with browse_site(site, chromium) as session:
        assert session.visit("eda.html", unfold).problems == []
    assert seen == [False, True, True]


@pytest.mark.parametrize("page_name", PAGES)
def test_every_table_of_contents_link_lands_on_its_section(
    site: Path, chromium: str, page_name: str
) -> None:
    landed: list[str] = []

    def follow(page: Page) -> None:
        links = page.locator("#TOC a.nav-link[data-scroll-target]")
        for index in range(links.count()):
            link = links.nth(index)
            target = (link.get_attribute("data-scroll-target") or "").lstrip("#")
            link.click()
            # Landed: the address names the section and its top is in the upper half of the
            # window; a section in the page's last screenful (a short home page's last one),
            # which no scroll can lift that far, has its top in view.
            page.wait_for_function(
                """id => {
                    const el = document.getElementById(id);
                    const top = el ? el.getBoundingClientRect().top : NaN;
                    const end = document.documentElement.scrollHeight;
                    const last = scrollY + top > end - innerHeight;
                    const low = last ? innerHeight - 40 : innerHeight / 2;
                    return location.hash === "#" + id && top > -2 && top < low;
                }""",
                arg=target,
            )
            assert page.locator(f"[id='{target}']").count() == 1, f"id {target} is not unique"
            landed.append(target)

    with browse_site(site, chromium) as session:
        assert session.visit(page_name, follow).problems == []
    assert len(landed) >= 3


# --- downloads ------------------------------------------------------------------------------


def test_every_download_answers_200_with_the_right_content_type(site: Path, chromium: str) -> None:
    answers: list[tuple[str, int, str]] = []

    def download(page: Page) -> None:
        for link in page.locator("section#downloads li > a").all():
            url = link.evaluate("a => a.href")  # resolved, as the browser follows it
            response = page.request.get(url)
            path = urlsplit(url).path
            answers.append((path, response.status, response.headers.get("content-type", "")))

    with browse_site(site, chromium) as session:
        assert session.visit("model.html", download).problems == []
    assert len(answers) == 7
    for path, status, content_type in answers:
        assert status == 200, path
        assert content_type == content_type_for(path), path


def test_no_page_is_wider_than_a_phone(site: Path, chromium: str) -> None:
    """At 390 CSS px nothing widens the page: long strings wrap, wide tables scroll inside."""
    widths: dict[str, int] = {}

    def measure(page: Page) -> None:
        widths[Path(page.url).name] = page.evaluate("document.documentElement.scrollWidth")

    with browse_site(site, chromium) as session:
        for page in PAGES:
            assert session.visit(page, measure, PHONE).problems == []
    assert widths == dict.fromkeys(PAGES, PHONE.width)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violation_on_any_page(site: Path, chromium: str, scheme: str) -> None:
    """WCAG 2.1 A/AA, every page, in each colour scheme (Quarto's own search box included)."""
    found: dict[str, list[str]] = {}

    def audit(page: Page) -> None:
        if scheme == "dark":
            assert switch_to_dark(page), "Quarto's colour-scheme toggle"
        found[Path(page.url).name] = axe_violations(page)

    with browse_site(site, chromium) as session:
        for page in PAGES:
            assert session.visit(page, audit).problems == []
    assert found == {page: [] for page in PAGES}
