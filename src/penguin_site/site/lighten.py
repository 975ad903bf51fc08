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

An HTML parser (the standard library's) finds each of these tags by its name and parsed
attributes, not by their order or quoting, and skips what only looks like a tag (in a
comment, or in a script's text); only those tags' characters are rewritten, every other
byte of the page is kept. A rewritten tag no longer matches, so a page rewritten twice is
unchanged and two builds of one commit stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path

from penguin_site.config import PROJECT_NAME

__all__ = ["DARK_CHOICE_SCRIPT", "lighten_page", "lighten_pages", "rendered_pages"]

#: Quarto marks the dark theme's links with this class (and its toggle looks them up by it).
_ALTERNATE_CLASS = "quarto-color-alternate"
#: The ``rel`` Quarto's toggle gives a stylesheet that is off.
_OFF = "disabled-stylesheet"
#: The icon font's stylesheet, by file name.
_ICON_FONT_CSS = "bootstrap-icons.css"
#: ``type`` values of a classic script (the ones ``defer`` applies to).
_CLASSIC_TYPES = {"", "text/javascript", "application/javascript"}
#: Switches the dark stylesheets on before the first paint for a reader who chose dark.
DARK_CHOICE_SCRIPT = (
    f"<script>/* {PROJECT_NAME}: the reader's dark choice, before the first paint */ try {{"
    ' if (window.localStorage.getItem("quarto-color-scheme") === "alternate")'
    ' document.querySelectorAll("link.quarto-color-alternate")'
    '.forEach((link) => { link.rel = "stylesheet"; }); } catch (e) {}</script>\n'
)

_Attrs = list[tuple[str, str | None]]


def _value(attrs: _Attrs, name: str) -> str | None:
    """The attribute's value ("" when it has none), the first one as browsers read a repeat."""
    return next((value or "" for key, value in attrs if key == name), None)


def _tokens(attrs: _Attrs, name: str) -> list[str]:
    """A space-separated attribute (``class``, ``rel``) as its words."""
    return (_value(attrs, name) or "").split()


def _quoted(value: str) -> str:
    """An attribute value as it goes between double quotes."""
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _start_tag(tag: str, attrs: _Attrs, self_closing: bool) -> str:
    """The start tag written back from its attributes, in their order, double-quoted."""
    parts = [tag] + [
        name if value is None else f'{name}="{_quoted(value)}"' for name, value in attrs
    ]
    return "<" + " ".join(parts) + (" />" if self_closing else ">")


def _blocks_parsing(attrs: _Attrs) -> bool:
    """A classic external script that is neither deferred nor async (a module defers)."""
    kind = (_value(attrs, "type") or "").strip().lower()
    waits = {"defer", "async"} & {name for name, _ in attrs}
    return _value(attrs, "src") is not None and not waits and kind in _CLASSIC_TYPES


class _Finder(HTMLParser):
    """Reads a page once and lists what to change: ``(start, end, new text)`` per tag."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html
        # getpos() gives (line, column); a tag's offset is its line's start plus the column.
        self._line_starts = [0] + [i + 1 for i, char in enumerate(html) if char == "\n"]
        self.edits: list[tuple[int, int, str]] = []
        self.head_end: int | None = None  #: where ``</head>`` starts
        self.dark_off = False  #: a dark stylesheet in the head is (or will be) off

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_endtag(self, tag: str) -> None:
        if tag == "head" and self.head_end is None:
            self.head_end = self._offset()

    def handle_starttag(self, tag: str, attrs: _Attrs) -> None:
        classes = _tokens(attrs, "class")
        if tag == "button" and "navbar-toggler" in classes and _tokens(attrs, "role") == ["menu"]:
            self._replace(tag, [(name, value) for name, value in attrs if name != "role"])
        if self.head_end is not None:
            return  # the other rewrites are the head's
        rel = [word.lower() for word in _tokens(attrs, "rel")]
        file_name = (_value(attrs, "href") or "").split("?")[0].rsplit("/", 1)[-1]
        if tag == "link" and _ALTERNATE_CLASS in classes and rel in (["stylesheet"], [_OFF]):
            self.dark_off = True
            if rel == ["stylesheet"]:
                off = [(name, _OFF if name == "rel" else value) for name, value in attrs]
                self._replace(tag, off)
        elif tag == "link" and file_name == _ICON_FONT_CSS:
            self._replace(tag, None)
        elif tag == "script" and _blocks_parsing(attrs):
            self._replace(tag, [*attrs, ("defer", None)])

    def _replace(self, tag: str, attrs: _Attrs | None) -> None:
        """The tag just read becomes one with these attributes; None drops it and its line end."""
        text = self.get_starttag_text() or ""
        start = self._offset()
        end = start + len(text)
        if attrs is not None:
            self.edits.append((start, end, _start_tag(tag, attrs, text.endswith("/>"))))
        elif self.html.startswith("\n", end):
            self.edits.append((start, end + 1, ""))  # the line it sat on goes with it
        else:
            self.edits.append((start, end, ""))


def lighten_page(html: str) -> str:
    """The page without the icon font, dark stylesheets off until asked for, scripts deferred."""
    finder = _Finder(html)
    finder.feed(html)
    finder.close()
    if finder.head_end is None:
        return html
    edits = finder.edits
    if finder.dark_off and DARK_CHOICE_SCRIPT not in html[: finder.head_end]:
        edits.append((finder.head_end, finder.head_end, DARK_CHOICE_SCRIPT))
    parts: list[str] = []
    done = 0
    for start, end, text in sorted(edits):
        parts += [html[done:start], text]
        done = end
    return "".join([*parts, html[done:]])


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
