"""Make each rendered page cheaper to load, without changing what it shows (after a render).

Why: Quarto 1.7 has no option for these, and each costs a phone reader about a second
before the first paint (Lighthouse, simulated slow 4G; ``scripts/check_budget.py``):

- The dark theme's stylesheets (Bootstrap and syntax highlighting) are plain
  ``rel="stylesheet"`` links that a script disables once the page runs, so every reader
  downloads both themes before anything is drawn (about 65 KiB gzipped each). Written
  as ``rel="disabled-stylesheet"`` (the value Quarto's own toggle uses for "off"), they are
  fetched only when the reader switches to dark, by the same toggle code, unchanged.
  A reader who chose dark earlier (Quarto keeps the choice in ``localStorage``) has them
  switched on by a one-line script at the end of ``<head>``; a link the parser made blocks
  the first paint once it is a stylesheet, so that reader never sees a flash of light.
- ``bootstrap-icons.css`` (98 KB of CSS, render-blocking) maps about 2,000 class names to
  glyphs of a 172 KiB font whose ``font-display: block`` hides text until it arrives. No
  page draws a glyph from it: Quarto's own icons are SVG backgrounds and the GitHub mark is
  an SVG mask in ``theme/site.scss``, which also holds the few base rules ``.bi`` needs.
- Quarto's classic scripts in ``<head>`` (Bootstrap, search, tooltips, clipboard...) block
  parsing. Their inline companions wait for ``DOMContentLoaded``, and deferred scripts run,
  in order, just before it: ``defer`` keeps their order and their effect.
- The navbar's collapse button carries ``role="menu"``, a role a button may not have (the
  ARIA in HTML rules; Lighthouse's ``aria-allowed-role``): a plain button is what it is.

Each rewrite is a fixed string substitution, so a page rewritten twice is unchanged and two
builds of one commit stay byte-identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from penguin_site.config import PROJECT_NAME

__all__ = ["DARK_CHOICE_SCRIPT", "lighten_page", "lighten_pages", "rendered_pages"]

#: Quarto marks the dark theme's links with this class (and its toggle looks them up by it).
_ALTERNATE_LINK = re.compile(r'<link\b[^>]*\bclass="[^"]*\bquarto-color-alternate\b[^"]*"[^>]*>')
#: The icon font's stylesheet (and the line it sits on).
_ICON_FONT_LINK = re.compile(r'<link href="[^"]*/bootstrap-icons\.css" rel="stylesheet">\n?')
#: A classic external script (no type, no defer or async) in the head.
_BLOCKING_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
#: Switches the dark stylesheets on before the first paint for a reader who chose dark.
DARK_CHOICE_SCRIPT = (
    f"<script>/* {PROJECT_NAME}: the reader's dark choice, before the first paint */ try {{"
    ' if (window.localStorage.getItem("quarto-color-scheme") === "alternate")'
    ' document.querySelectorAll("link.quarto-color-alternate")'
    '.forEach((link) => { link.rel = "stylesheet"; }); } catch (e) {}</script>\n'
)
_TOGGLER_ROLE = re.compile(r'(<button class="navbar-toggler"[^>]*?) role="menu"')


def lighten_page(html: str) -> str:
    """The page without the icon font, dark stylesheets off until asked for, scripts deferred."""
    head, sep, body = html.partition("</head>")
    if not sep:
        return html
    head = _ALTERNATE_LINK.sub(
        lambda match: match.group(0).replace('rel="stylesheet"', 'rel="disabled-stylesheet"'),
        head,
    )
    if "disabled-stylesheet" in head and DARK_CHOICE_SCRIPT not in head:
        head += DARK_CHOICE_SCRIPT
    head = _ICON_FONT_LINK.sub("", head)
    head = _BLOCKING_SCRIPT.sub(r'<script src="\1" defer></script>', head)
    body = _TOGGLER_ROLE.sub(r"\1", body)
    return head + sep + body


def rendered_pages(project_dir: Path, env: Mapping[str, str], site_dir: Path) -> list[Path]:
    """The HTML pages this render wrote: Quarto lists them in ``QUARTO_PROJECT_OUTPUT_FILES``.

    Without the variable (the hook run by hand) every page of ``site_dir``.
    """
    listed = env.get("QUARTO_PROJECT_OUTPUT_FILES", "").splitlines()
    if not listed:
        return sorted(site_dir.rglob("*.html"))
    return [project_dir / name for name in listed if name.endswith(".html")]


def lighten_pages(pages: Iterable[Path]) -> list[Path]:
    """Rewrite each page in place; returns the pages that changed."""
    changed = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        lighter = lighten_page(html)
        if lighter != html:
            page.write_text(lighter, encoding="utf-8")
            changed.append(page)
    return changed
