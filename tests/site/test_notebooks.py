"""Each analysis page is offered as its executed Jupyter notebook, with its outputs.

The cleaning rules are checked on a small hand-made notebook shaped like Quarto's
(``keep-ipynb``); the notebooks of the real render are opened with nbformat, validated, and
compared with the page's source and the build's results.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from rendered_site import Render

from penguin_site.analysis.results import load_results
from penguin_site.config import FIGURES, ROOT
from penguin_site.site import notebooks, pages

FIGURE_PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def quarto_style_notebook(figure: str) -> nbformat.NotebookNode:
    """What Quarto leaves with keep-ipynb: front matter cell, user_expressions, asis prints."""
    v4 = nbformat.v4
    prose = v4.new_markdown_cell("R² is `{python} facts.r2` and `{python} unknown`.")
    prose.metadata["user_expressions"] = [
        {"expression": "facts.r2", "result": {"data": {"text/plain": "'0.85'"}, "status": "ok"}}
    ]
    asis = v4.new_code_cell("#| label: fig\n#| output: asis\nprint(...)", execution_count=1)
    asis.outputs = [
        v4.new_output(
            "stream",
            name="stdout",
            text=(
                "::: {#fig-a}\n```{=html}\n"
                f'<picture class="light-content"><img class="img-fluid" src="{figure}" '
                'width="1" height="1" alt="Alt &quot;q&quot;" loading="lazy"></picture>\n'
                "```\n\nA caption\n:::\n"
            ),
        )
    ]
    form = v4.new_code_cell("print(form)", execution_count=2)
    form.outputs = [v4.new_output("stream", name="stdout", text="```{=html}\n<form></form>\n```")]
    notebook = v4.new_notebook(
        cells=[
            v4.new_markdown_cell('---\ntitle: "Model"\nsubtitle: "Sub"\njupyter: python3\n---'),
            prose,
            asis,
            form,
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "path": "/home/me/k"},
            "language_info": {"name": "python", "version": "3.11.7", "codemirror_mode": {}},
        },
    )
    return notebook


def test_cleaning_gives_values_figures_and_reproducible_ids(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.png").write_bytes(FIGURE_PNG)
    clean = notebooks.clean_notebook(quarto_style_notebook("figures/a.png"), "model", tmp_path)
    nbformat.validate(clean)
    sources = [cell.source for cell in clean.cells]
    assert sources[0] == "# Model\n\n*Sub*"
    assert "scripts/render_site.sh" in sources[1], "says how to run it"
    assert sources[2] == "R² is 0.85 and `{python} unknown`."
    figure = clean.cells[3].outputs[0]
    assert base64.b64decode(figure.data["image/png"]) == FIGURE_PNG
    assert figure.data["text/plain"] == 'Alt "q"'
    assert "model.html" in clean.cells[4].outputs[0].data["text/markdown"]
    assert [cell.id for cell in clean.cells] == [f"cell-{n}" for n in range(1, 6)]
    assert "path" not in clean.metadata.kernelspec, "no machine path in a download"
    again = notebooks.clean_notebook(quarto_style_notebook("figures/a.png"), "model", tmp_path)
    assert nbformat.writes(again) == nbformat.writes(clean)


def test_a_missing_figure_is_named(tmp_path: Path) -> None:
    with pytest.raises(notebooks.NotebookError, match=r"figures/gone\.png"):
        notebooks.clean_notebook(quarto_style_notebook("figures/gone.png"), "model", tmp_path)


def test_a_frozen_page_without_its_notebook_is_executed_again(tmp_path: Path) -> None:
    for page in ("index", "eda", "model"):
        (tmp_path / f"{page}.qmd").write_text((ROOT / f"{page}.qmd").read_text())
    freezer, kept = tmp_path / "_freeze", tmp_path / "kept"
    for page in ("eda", "model"):
        (freezer / page).mkdir(parents=True)
    kept.mkdir()
    (kept / "eda.ipynb").write_text("{}")
    assert notebooks.stale_frozen_pages(tmp_path, freezer, kept) == ["model"]
    assert (freezer / "eda").is_dir() and not (freezer / "model").exists()


def test_publishing_without_a_kept_notebook_says_how_to_mend_it(tmp_path: Path) -> None:
    for page in ("index", "eda", "model"):
        (tmp_path / f"{page}.qmd").write_text((ROOT / f"{page}.qmd").read_text())
    with pytest.raises(notebooks.NotebookError, match=r"eda\.qmd.*full render"):
        notebooks.publish_notebooks(tmp_path, tmp_path / "_site", ["eda"], tmp_path / "kept")


@pytest.mark.quarto
@pytest.mark.parametrize("page", notebooks.notebook_pages(ROOT))
def test_each_analysis_page_offers_its_notebook_with_outputs(rendered: Render, page: str) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    html = (rendered.site / f"{page}.html").read_text(encoding="utf-8")
    assert f'href="{page}.ipynb"' in html, "the page links its notebook"
    notebook = nbformat.read(rendered.site / f"{page}.ipynb", as_version=4)
    nbformat.validate(notebook)

    source = (ROOT / f"{page}.qmd").read_text(encoding="utf-8")
    page_code = [_code(block) for block in re.findall(r"```\{python\}\n(.*?)```", source, re.S)]
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [_code(cell.source) for cell in code_cells] == page_code, "the page's code, in order"
    assert all(cell.outputs for cell in code_cells[1:]), "every cell after setup shows output"

    results = load_results(Path(rendered.project) / "_build" / "analysis")
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "{python}" not in prose, "inline expressions are replaced by their values"
    facts = pages.key_facts(results)
    quoted = re.findall(r"`\{python\} facts\.(\w+)`", source)
    assert quoted, f"{page}.qmd quotes facts"
    for name in quoted:
        assert getattr(facts, name) in prose, f"the value of facts.{name} is in the prose"
    shown = [
        output.data["text/plain"]
        for cell in code_cells
        for output in cell.outputs
        if "image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {})
    ]

    alts = [" ".join(results.figures[name].alt.split()) for name in FIGURES[page]]
    assert shown == alts, "each figure, with its alt text"


def _code(text: str) -> list[str]:
    """A cell's code lines, without Quarto's ``#|`` options (Quarto rewrites their quoting)."""
    return [line for line in text.strip().splitlines() if not line.startswith("#|")]


def test_an_unexecuted_notebook_from_the_freezer_never_replaces_the_kept_one(
    tmp_path: Path,
) -> None:
    """With keep-ipynb Quarto leaves a frozen page's notebook too, without outputs."""
    for page in ("index", "eda", "model"):
        (tmp_path / f"{page}.qmd").write_text((ROOT / f"{page}.qmd").read_text())
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "eda.ipynb").write_text("the executed one")
    unexecuted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(unexecuted, tmp_path / f"eda{notebooks.EXECUTED_SUFFIX}")
    assert notebooks.keep_executed(tmp_path, kept) == []
    assert (kept / "eda.ipynb").read_text() == "the executed one"
    assert not (tmp_path / f"eda{notebooks.EXECUTED_SUFFIX}").exists()


def test_nbformat_is_imported_without_the_iri_parser_and_still_validates() -> None:
    """In a fresh interpreter (the post-render hook's situation): nbformat loads without
    rfc3987_syntax, validates a notebook, and the module is importable afterwards."""
    script = (
        "import sys\n"
        "from penguin_site.site import notebooks\n"
        "nbformat = notebooks.import_nbformat()\n"
        "assert 'rfc3987_syntax' not in sys.modules, 'the iri parser was loaded'\n"
        "notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# A')])\n"
        "nbformat.validate(notebook)\n"
        "bad = nbformat.v4.new_notebook()\n"
        "bad.cells.append({'cell_type': 'nonsense'})\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
        "import rfc3987_syntax\n"
        "print('importable')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused", "importable"]
