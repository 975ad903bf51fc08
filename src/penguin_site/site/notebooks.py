"""Each analysis page as a Jupyter notebook with its outputs, for readers to download.

Quarto executes a page with code as a notebook (``<page>.quarto_ipynb``) and, with
``keep-ipynb: true`` (``_quarto.yml``), leaves that executed notebook in the project
folder. Rendering ``format: ipynb`` instead would execute every page a second time and,
for ``.qmd`` sources, write no outputs; so the site reuses the one execution. After the
render (``scripts/post_render.py``) each fresh notebook is made fit to share and
reproducible, kept in ``_build/notebooks/`` and copied into the site beside its page:

- the YAML header becomes a title cell, with a note on how to run the notebook;
- inline expressions (`` `{python} facts.r2` ``) are replaced by the values the page
  shows (Quarto records them in each markdown cell's ``user_expressions``);
- printed figure markdown becomes the figure itself (an image output, with its alt text),
  and other printed markdown is shown as markdown;
- cell ids are numbered, and machine paths and timings are dropped, so two builds write
  the same bytes.

A page served from Quarto's freezer is not executed (Quarto still leaves its notebook,
unexecuted, which is thrown away), so its kept notebook must outlive the render: the
pre-render hook re-executes a frozen page whose notebook is missing
(``stale_frozen_pages``), and CI caches ``_build/notebooks`` with ``_freeze``.
"""

from __future__ import annotations

import ast
import base64
import html
import json
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import yaml

from penguin_site.config import BUILD_DIR, PAGES

if TYPE_CHECKING:  # nbformat is slow to import (see import_nbformat): only where it is used
    import nbformat

__all__ = [
    "NOTEBOOKS_DIR",
    "NotebookError",
    "clean_notebook",
    "clear_leftovers",
    "keep_executed",
    "notebook_pages",
    "publish_notebooks",
    "stale_frozen_pages",
]

#: Where the shareable notebooks are kept between renders (beside the analysis build).
NOTEBOOKS_DIR: Path = BUILD_DIR.parent / "notebooks"
#: What Quarto calls the executed notebook it keeps (``keep-ipynb``).
EXECUTED_SUFFIX = ".quarto_ipynb"
NB_VERSION = 4
_INLINE = re.compile(r"`\{python\}\s+([^`]+?)\s*`")
#: A printed figure (``pages.figure_markdown``): a div figure whose first <img> is the
#: light, wide drawing at 1x.
_FIGURE = re.compile(
    r'^::: \{#fig-[\w-]+\}.*?<img [^>]*?src="(?P<path>[^"]+)"[^>]*?alt="(?P<alt>[^"]*)"', re.S
)
_RAW_HTML = "```{=html}"
_LIVE_ONLY = (
    "*On the web page this output is interactive (HTML with a script): "
    "open [{0}.html]({0}.html) to use it.*"
)
_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}


class NotebookError(RuntimeError):
    """A page's notebook cannot be made (a missing figure file, a missing notebook)."""


def notebook_pages(project_dir: Path) -> list[str]:
    """The pages that run code, and so have a notebook: the ones with Python cells."""
    sources = [(page, project_dir / f"{page}.qmd") for page in PAGES]
    return [
        page
        for page, source in sources
        if source.is_file() and "```{python}" in source.read_text(encoding="utf-8")
    ]


def clear_leftovers(project_dir: Path) -> list[Path]:
    """Remove executed notebooks an earlier, failed render left behind, so the post-render
    hook only ever reads this render's (Quarto numbers a new one ``_1`` beside an old one)."""
    leftovers = sorted(project_dir.glob(f"*{EXECUTED_SUFFIX}*"))
    for leftover in leftovers:
        leftover.unlink()
    return leftovers


def stale_frozen_pages(project_dir: Path, freezer: Path, kept: Path = NOTEBOOKS_DIR) -> list[str]:
    """Clear the freezer of each page whose notebook is not kept, so Quarto executes it."""
    cleared = []
    for page in notebook_pages(project_dir):
        frozen = freezer / page
        if frozen.is_dir() and not (kept / f"{page}.ipynb").is_file():
            shutil.rmtree(frozen)
            cleared.append(page)
    return cleared


def keep_executed(project_dir: Path, kept: Path = NOTEBOOKS_DIR) -> list[str]:
    """Clean each notebook Quarto just executed into ``kept``; the pages it found."""
    done = []
    for page in notebook_pages(project_dir):
        executed = project_dir / f"{page}{EXECUTED_SUFFIX}"
        if not executed.is_file():
            continue
        if not _was_executed(executed):
            executed.unlink()  # served from the freezer: the kept notebook still holds
            continue
        nbformat = import_nbformat()
        notebook = nbformat.read(executed, as_version=NB_VERSION)
        cleaned = clean_notebook(notebook, page, project_dir)
        kept.mkdir(parents=True, exist_ok=True)
        (kept / f"{page}.ipynb").write_text(
            nbformat.writes(cleaned) + "\n", encoding="utf-8", newline="\n"
        )
        executed.unlink()
        done.append(page)
    return done


def import_nbformat() -> ModuleType:
    """nbformat, imported without the one slow module it never uses (1.0 s -> 0.3 s).

    nbformat validates with jsonschema, which at import also loads ``rfc3987_syntax``
    (installed for jupyter-events) for its optional "iri" format checker; that module
    builds a parser as it is imported, 0.7 s of every render that executed a page.
    nbformat's validation checks no formats, so the module is marked absent while
    nbformat and jsonschema load (``sys.modules[name] = None``, importlib's documented
    way), and unmarked after: jsonschema leaves that one checker out, and anything that
    imports the module itself later still gets it.
    """
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import nbformat
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return nbformat


def _was_executed(notebook: Path) -> bool:
    """Whether Quarto executed this notebook in this render.

    With ``keep-ipynb`` Quarto also leaves the notebook of a page it served from the
    freezer, unexecuted: no code cell has an execution count. Read as plain JSON, so a
    render with nothing executed does not pay for importing nbformat.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    return any(c.get("cell_type") == "code" and c.get("execution_count") for c in cells)


def publish_notebooks(
    project_dir: Path, output_dir: Path, pages: Iterable[str], kept: Path = NOTEBOOKS_DIR
) -> list[Path]:
    """Copy the kept notebook of each rendered page into the site, beside its page."""
    copied = []
    for page in pages:
        if page not in notebook_pages(project_dir):
            continue
        source = kept / f"{page}.ipynb"
        if not source.is_file():
            raise NotebookError(
                f"{page}.qmd: no executed notebook in {kept}; its page came from _freeze/ "
                f"without one. Run a full render (bash scripts/render_site.sh), which "
                f"executes such pages again."
            )
        target = output_dir / f"{page}.ipynb"
        shutil.copyfile(source, target)
        copied.append(target)
    return copied


def clean_notebook(
    notebook: nbformat.NotebookNode, page: str, project_dir: Path
) -> nbformat.NotebookNode:
    """The executed ``notebook`` as readers get it (see the module docstring)."""
    import nbformat

    cells = []
    for index, cell in enumerate(notebook.cells):
        if index == 0 and cell.cell_type == "markdown" and cell.source.startswith("---"):
            cells.extend(_title_cells(cell.source, page))
        elif cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(_with_values(cell)))
        elif cell.cell_type == "code":
            cells.append(_code_cell(cell, page, project_dir))
        else:
            cells.append(cell)
    for number, cell in enumerate(cells, start=1):
        cell.id = f"cell-{number}"
    kernel = notebook.metadata.get("kernelspec", {})
    clean = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {
                "name": kernel.get("name", "python3"),
                "display_name": kernel.get("display_name", "Python 3"),
                "language": "python",
            },
            "language_info": {
                "name": "python",
                "version": notebook.metadata.get("language_info", {}).get("version", ""),
            },
        },
    )
    nbformat.validate(clean)
    return clean


def _title_cells(front_matter: str, page: str) -> list[nbformat.NotebookNode]:
    from nbformat import v4

    meta = yaml.safe_load(front_matter.strip().strip("-")) or {}
    title = f"# {meta.get('title', page)}"
    if meta.get("subtitle"):
        title += f"\n\n*{meta['subtitle']}*"
    note = (
        f"This notebook is the page `{page}.html` of the site as it was built, with every "
        "output. To run it yourself, clone the site's repository, run "
        "`bash scripts/render_site.sh` once (it sets up `.venv` and builds the results the "
        "cells read), and open the notebook from the repository's root with the `.venv` "
        "kernel."
    )
    return [v4.new_markdown_cell(title), v4.new_markdown_cell(note)]


def _with_values(cell: nbformat.NotebookNode) -> str:
    """The markdown with each inline expression replaced by the value the page shows."""
    values = {}
    for entry in cell.metadata.get("user_expressions", []):
        plain = entry.get("result", {}).get("data", {}).get("text/plain")
        if plain is not None:
            values[entry["expression"].strip()] = _plain(plain)

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        return values.get(expression, match.group(0))

    return _INLINE.sub(value, cell.source)


def _plain(text: str) -> str:
    """A ``text/plain`` repr as the page prints it (a str's repr loses its quotes)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def _code_cell(cell: nbformat.NotebookNode, page: str, project_dir: Path) -> nbformat.NotebookNode:
    from nbformat import v4

    out = v4.new_code_cell(cell.source, execution_count=cell.execution_count)
    out.outputs = [_output(output, page, project_dir) for output in cell.outputs]
    return out


def _output(output: nbformat.NotebookNode, page: str, project_dir: Path) -> nbformat.NotebookNode:
    """A printed figure becomes its image; other printed markdown is shown as markdown;
    printed raw HTML (the predictor's form, which needs the page's script) points to the page."""
    from nbformat import v4

    if output.output_type != "stream" or output.name != "stdout":
        return output
    text = output.text.strip()
    figure = _FIGURE.match(text)
    if figure is None and text.startswith(_RAW_HTML):
        return v4.new_output("display_data", data={"text/markdown": _LIVE_ONLY.format(page)})
    if figure is None:
        return v4.new_output("display_data", data={"text/markdown": output.text})
    path = project_dir / figure["path"]
    mime = _IMAGE_TYPES.get(path.suffix)
    if mime is None or not path.is_file():
        raise NotebookError(f"figure {figure['path']} is missing or of an unknown type")
    data = path.read_bytes()
    image = data.decode("utf-8") if mime == "image/svg+xml" else base64.b64encode(data).decode()
    return v4.new_output(
        "display_data",
        data={mime: image, "text/plain": html.unescape(figure["alt"])},
    )
