"""penguin_site.site.lighten, run by the post-render hook (scripts/post_render.py): no icon
font, dark CSS on demand, scripts deferred.

On a page shaped like Quarto's (the lines below are copied from a real render), on tags
spelled otherwise (attribute order, quoting) or only looking like tags (in a comment or a
script's text), where a regular expression goes wrong, and on the real render, where the
reader tests then check that the dark toggle, search and folded code still work with the
rewritten pages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rendered_site import Render

from penguin_site.config import PAGE_FILES, ROOT
from penguin_site.site.lighten import (
    DARK_CHOICE_SCRIPT,
    lighten_page,
    lighten_pages,
    rendered_pages,
)

QUARTO_HEAD = """<head>
<script src="site_libs/quarto-search/fuse.min.js"></script>
<link href="site_libs/bootstrap/bootstrap-icons.css" rel="stylesheet">
<script src="site_libs/quarto-html/quarto.js" type="module"></script>
<link href="site_libs/quarto-html/quarto-syntax-highlighting-dark-1.css" rel="stylesheet" class="quarto-color-scheme quarto-color-alternate" id="quarto-text-highlighting-styles">
<link href="site_libs/bootstrap/bootstrap-2.min.css" rel="stylesheet" append-hash="true" class="quarto-color-scheme" id="quarto-bootstrap" data-mode="light">
<link href="site_libs/bootstrap/bootstrap-dark-3.min.css" rel="stylesheet" append-hash="true" class="quarto-color-scheme quarto-color-alternate" id="quarto-bootstrap" data-mode="dark">
</head>
<body>
<button class="navbar-toggler" type="button" aria-controls="navbarCollapse" role="menu" aria-expanded="false">
<script src="later.js"></script>
</body>"""  # noqa: E501


def test_dark_sheets_wait_for_the_toggle_and_head_scripts_are_deferred() -> None:
    page = lighten_page(QUARTO_HEAD)
    assert 'bootstrap-dark-3.min.css" rel="disabled-stylesheet"' in page
    assert 'highlighting-dark-1.css" rel="disabled-stylesheet"' in page
    assert 'bootstrap-2.min.css" rel="stylesheet"' in page, "the light theme still renders"
    assert '<script src="site_libs/quarto-search/fuse.min.js" defer></script>' in page
    assert 'quarto.js" type="module"></script>' in page, "modules are deferred already"
    assert '<script src="later.js"></script>' in page, "only the head is touched"
    assert 'role="menu"' not in page
    assert "bootstrap-icons.css" not in page
    # A reader who chose dark gets the dark sheets back before the first paint.
    assert page.count(DARK_CHOICE_SCRIPT + "</head>") == 1
    assert lighten_page(page) == page, "a second run changes nothing"


def test_a_page_without_a_head_is_left_alone() -> None:
    assert lighten_page("<p>fragment</p>") == "<p>fragment</p>"


#: Each tag Quarto could write differently, and what it must become; nothing else changes.
REORDERED = {
    "<link rel='stylesheet' id=dark class='quarto-color-alternate x' href='d.css' />": (
        '<link rel="disabled-stylesheet" id="dark" class="quarto-color-alternate x" href="d.css" />'
    ),
    '<link rel="stylesheet" href="libs/bootstrap-icons.css?v=1" />': "",
    '<script data-x="a&amp;b" src="s.js"></script>': (
        '<script data-x="a&amp;b" src="s.js" defer></script>'
    ),
    '<script type="text/javascript" src="t.js"></script>': (
        '<script type="text/javascript" src="t.js" defer></script>'
    ),
    '<button role="menu" type="button" class="collapsed navbar-toggler">': (
        '<button type="button" class="collapsed navbar-toggler">'
    ),
}
#: Tags a regular expression could take for the ones above, that must stay as they are.
KEPT = [
    "<!-- </head> is where the dark choice goes -->",
    '<!-- <script src="old.js"></script> -->',
    '<script async src="a.js"></script>',
    "<script src='m.js' type='module'></script>",
    '<script>const icons = \'<link href="x/bootstrap-icons.css" rel="stylesheet">\';</script>',
]


def test_tags_are_found_by_their_attributes_not_their_spelling() -> None:
    head = "\n".join([KEPT[0], *REORDERED, *KEPT[1:]])
    body = f"{KEPT[1]}\n<script src=b.js></script>"
    page = f"<html><head>\n{head}\n</head>\n<body>\n{body}\n</body>"
    expected = page.replace("\n</head>\n<body>", f"\n{DARK_CHOICE_SCRIPT}</head>\n<body>")
    for tag, lighter in REORDERED.items():
        expected = expected.replace(tag + "\n", lighter + "\n" if lighter else "")
    assert lighten_page(page) == expected, "only the listed tags change, and each as listed"
    assert lighten_page(expected) == expected, "a second run changes nothing"


def test_offsets_hold_on_lines_that_end_in_crlf() -> None:
    page = (
        "<head>\r\n<script src=a.js></script>\r\n</head>\r\n<button class=navbar-toggler role=menu>"
    )
    assert lighten_page(page) == page.replace("src=a.js>", 'src="a.js" defer>').replace(
        "<button class=navbar-toggler role=menu>", '<button class="navbar-toggler">'
    )


def test_the_hook_rewrites_the_pages_quarto_lists(tmp_path: Path) -> None:
    site = tmp_path / "_site"
    site.mkdir()
    (site / "index.html").write_text(QUARTO_HEAD, encoding="utf-8")
    (site / "other.html").write_text(QUARTO_HEAD, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "QUARTO_PROJECT_DIR": str(tmp_path),
        "QUARTO_PROJECT_OUTPUT_FILES": "_site/index.html\n_site/search.json",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "post_render.py")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "lightened 1 page(s)" in done.stdout
    assert "disabled-stylesheet" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "other.html").read_text(encoding="utf-8") == QUARTO_HEAD
    assert rendered_pages(tmp_path, {}, site) == [site / "index.html", site / "other.html"]
    assert lighten_pages([site / "index.html"]) == [], "already light"


@pytest.mark.quarto
def test_the_real_render_is_already_lightened(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    for name in PAGE_FILES:
        html = (rendered.site / name).read_text(encoding="utf-8")
        assert lighten_page(html) == html, f"{name}: the post-render hook did not lighten it"
        assert "disabled-stylesheet" in html
