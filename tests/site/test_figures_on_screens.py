"""Every figure, as a reader sees it on the real render: legible, in the right theme, stable.

In headless Chromium on the shared render (``rendered``): on a 390 px phone, a tablet and a
desktop, each figure shows the drawing made for that screen, and its smallest text, from
the size it was drawn at and the size it is displayed at, is at least
``config.MIN_FIGURE_TEXT_PX`` CSS px tall. In the light and the dark theme each figure
shows that theme's drawing, whose text contrasts with the page background at least
4.5:1 (WCAG AA), on a transparent background; the other theme's files are not fetched.
Reserved width and height keep the page from shifting while figures load.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers import contrast
from PIL import Image
from rendered_site import Render

from penguin_site.analysis.results import DrawingRecord, Results, load_results
from penguin_site.checks.browser import (
    DESKTOP,
    PHONE,
    Viewport,
    browse_site,
)
from penguin_site.config import FIGURE_DENSITIES, FIGURES, MIN_FIGURE_TEXT_PX

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.quarto, pytest.mark.browser]

TABLET = Viewport("tablet", 768, 1024, scale=2.0)
#: Screen -> the layout its figures must be drawn in.
SCREENS: tuple[tuple[Viewport, str], ...] = ((PHONE, "narrow"), (TABLET, "wide"), (DESKTOP, "wide"))
FIGURE_PAGES = {f"{page}.html": names for page, names in FIGURES.items()}
#: WCAG 2.x AA contrast for text.
MIN_TEXT_CONTRAST = 4.5

#: Scroll each figure into view, wait for its shown image, and report what is on screen.
SHOWN_FIGURES_JS = """async () => {
  const out = [];
  for (const fig of document.querySelectorAll("main div.quarto-figure[id^='fig-']")) {
    fig.scrollIntoView({block: "center"});
    const imgs = [...fig.querySelectorAll("img")];
    const shown = imgs.filter((img) => img.getClientRects().length > 0);
    for (const img of shown) { if (!img.complete) await img.decode().catch(() => null); }
    out.push({
      id: fig.id,
      shown: shown.map((img) => ({
        src: new URL(img.currentSrc).pathname, width: img.clientWidth,
        height: img.clientHeight, natural: img.naturalWidth, complete: img.complete,
        alt: img.alt})),
      hidden: imgs.length - shown.length});
  }
  return {figures: out,
          background: getComputedStyle(document.body).backgroundColor,
          fetched: performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname)};
}"""


@pytest.fixture(scope="module")
def drawings(rendered: Render) -> dict[str, tuple[str, DrawingRecord, int]]:
    """Every drawing file the render's pages may show -> (figure, drawing, density)."""
    results: Results = load_results(Path(rendered.project) / "_build" / "analysis")
    return {
        path.name: (name, drawing, density)
        for name, figure in results.figures.items()
        for drawing in figure.drawings
        for path, density in zip(drawing.files, FIGURE_DENSITIES, strict=True)
    }


def _look_at(session, page_name: str, viewport: Viewport, dark: bool = False) -> dict:
    seen: dict = {}

    def look(page: Page) -> None:
        if dark:
            page.locator(".quarto-color-scheme-toggle").first.click()
            page.wait_for_function("() => document.body.classList.contains('quarto-dark')")
        seen.update(page.evaluate(SHOWN_FIGURES_JS))

    report = session.visit(page_name, look, viewport=viewport)
    assert report.problems == [], report.problems
    return seen


def text_px(drawing: DrawingRecord, shown_width: float) -> float:
    """CSS px height of the drawing's smallest text when the drawing is shown this wide.

    Text of S pt in a drawing W inches wide spans S/72 of its W inches; shown w CSS px
    wide, an inch of the drawing is w / W CSS px.
    """
    return drawing.min_text_pt / 72 * shown_width / drawing.width_in


@pytest.mark.parametrize(("viewport", "layout"), SCREENS, ids=lambda v: getattr(v, "name", v))
def test_every_figure_shows_the_drawing_for_the_screen_with_legible_text(
    site: Path, chromium: str, drawings: dict, viewport: Viewport, layout: str
) -> None:
    density = max(d for d in FIGURE_DENSITIES if d <= max(viewport.scale, 1))
    heights: dict[str, float] = {}
    with browse_site(site, chromium) as session:
        for page_name, names in FIGURE_PAGES.items():
            seen = _look_at(session, page_name, viewport)
            assert [f["id"] for f in seen["figures"]] == [f"fig-{n}" for n in names]
            for figure in seen["figures"]:
                assert len(figure["shown"]) == 1 and figure["hidden"] == 1, figure
                image = figure["shown"][0]
                name, drawing, drawn_density = drawings[Path(image["src"]).name]
                assert f"fig-{name}" == figure["id"]
                assert (drawing.layout, drawing.scheme, drawn_density) == (layout, "light", density)
                assert image["complete"] and image["natural"] > 0 and len(image["alt"]) > 20
                # Shown in proportion: the reserved box has the drawing's aspect ratio.
                assert image["height"] == pytest.approx(
                    image["width"] * drawing.height / drawing.width, abs=1.5
                )
                heights[name] = text_px(drawing, image["width"])
    print(f"{viewport.name}: smallest figure text in CSS px", heights)
    assert min(heights.values()) >= MIN_FIGURE_TEXT_PX, heights


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_theme_shows_its_own_drawings_with_contrasting_text(
    site: Path, chromium: str, drawings: dict, scheme: str
) -> None:
    with browse_site(site, chromium) as session:
        for page_name in FIGURE_PAGES:
            seen = _look_at(session, page_name, DESKTOP, dark=scheme == "dark")
            for figure in seen["figures"]:
                (image,) = figure["shown"]
                _, drawing, _ = drawings[Path(image["src"]).name]
                assert drawing.scheme == scheme, (figure["id"], image["src"])
                ratios = {c: contrast(c, seen["background"]) for c in drawing.text_colours}
                assert min(ratios.values()) >= MIN_TEXT_CONTRAST, (figure["id"], ratios)
                with Image.open(drawing.files[0]) as picture:
                    corner = picture.convert("RGBA").getpixel((0, 0))
                assert corner[3] == 0, f"{image['src']}: opaque background {corner}"
            other = "dark" if scheme == "light" else "light"
            fetched = [p for p in seen["fetched"] if p.endswith(f"-{other}.png")]
            assert fetched == [], f"{page_name} in {scheme} fetched the {other} drawings"


def test_figures_load_without_shifting_the_page(site: Path, chromium: str) -> None:
    """Cumulative layout shift while every figure is scrolled to and loaded: none."""
    shifts: list[float] = []

    def scroll(page: Page) -> None:
        page.evaluate(
            """() => { window.__shifts = [];
              new PerformanceObserver((list) => { for (const e of list.getEntries())
                window.__shifts.push(e.value); }).observe({type: "layout-shift", buffered: true});
            }"""
        )
        page.evaluate(SHOWN_FIGURES_JS)
        page.wait_for_timeout(200)
        shifts.extend(page.evaluate("() => window.__shifts"))

    with browse_site(site, chromium) as session:
        for page_name in FIGURE_PAGES:
            for viewport in (PHONE, DESKTOP):
                assert session.visit(page_name, scroll, viewport=viewport).problems == []
    assert sum(shifts) < 0.01, shifts
