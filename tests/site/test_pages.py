"""Every page runs top to bottom in a real Jupyter kernel, without Quarto.

Each ``.qmd`` is read as a notebook (jupytext's R Markdown reader understands ```{python}
chunks), its Python cells are executed by nbclient in a real ``ipykernel`` in a private
copy of the project, and then its inline ```{python} expr``` expressions are evaluated in
the same kernel. A cell error fails the test with the kernel's traceback. The outputs are
then checked for what the page must show: its tables (pipe tables), its figures (Quarto
figures with a caption, alt text, reserved sizes and files that exist), its downloads and the
in-browser predictor's inputs. Quarto itself is exercised in ``test_render.py``.
"""

from __future__ import annotations

import fnmatch
import html
import json
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from helpers import front_matter
from nbclient import NotebookClient

from penguin_site.analysis.digest import analysis_digest
from penguin_site.analysis.results import DIGEST_FILE, FigureRecord, Results
from penguin_site.config import CHOSEN_FEATURE_SET, DATA_FILE, FIGURES, PREDICTOR_SCRIPT, ROOT
from penguin_site.files import sha256_bytes
from penguin_site.site import facts, pages

PAGES = ("index.qmd", "eda.qmd", "model.qmd")
KERNEL = "penguin-site-test"
CELL_TIMEOUT_S = 300
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
FIGURE = re.compile(
    r"^::: \{#(?P<label>fig-[\w-]+)\}\n```\{=html\}\n(?P<html>.+?)\n```\n\n(?P<cap>.+?)\n:::$",
    re.M | re.S,
)
OPTION = re.compile(r"^#\|\s*([\w-]+):\s*(.*)$")


# --- reading a page ----------------------------------------------------------------------


def read_page(name: str) -> nbformat.NotebookNode:
    """The page as a notebook; its YAML header is the first (raw) cell."""
    return jupytext.reads((ROOT / name).read_text(encoding="utf-8"), fmt="Rmd")


def cell_options(cell: nbformat.NotebookNode) -> dict[str, str]:
    """Quarto's ``#| key: value`` cell options."""
    options = {}
    for line in cell.source.splitlines():
        match = OPTION.match(line)
        if not match:
            break
        options[match.group(1)] = match.group(2).strip().strip('"')
    return options


def executable(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Python cells only, plus one cell per inline expression (in page order, at the end)."""
    cells = [c for c in nb.cells if c.cell_type == "code"]
    inline = [
        expr.strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for expr in INLINE.findall(c.source)
    ]
    for expr in inline:
        cell = nbformat.v4.new_code_cell(expr)
        cell.metadata["inline_expression"] = expr
        cells.append(cell)
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    return out


# --- running it --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernelspec that runs this interpreter, so the kernel imports this checkout's package."""
    share = tmp_path_factory.mktemp("jupyter")
    spec = share / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    return share


@pytest.fixture
def project(tmp_path: Path, build_dir: Path) -> Path:
    """A private copy of the site project with a finished build inside it (as Quarto sees it)."""
    root = tmp_path / "site"
    root.mkdir()
    for name in (*PAGES, "_quarto.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(DATA_FILE.parent, root / DATA_FILE.parent.relative_to(ROOT))
    shutil.copytree(build_dir, root / "_build" / "analysis")
    return root


def run_page(
    name: str, project: Path, kernel_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> nbformat.NotebookNode:
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv("PENGUIN_BUILD_DIR", str(project / "_build" / "analysis"))
    nb = executable(read_page(name))
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        startup_timeout=120,
        resources={"metadata": {"path": str(project)}},
    )
    client.execute()  # raises CellExecutionError (with the traceback) on any cell error
    return nb


def stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(
        o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"
    )


def markdown_output(cell: nbformat.NotebookNode) -> str:
    return "".join(
        o["data"].get("text/markdown", "")
        for o in cell.outputs
        if o.output_type in {"display_data", "execute_result"}
    )


def stderr(nb: nbformat.NotebookNode) -> list[str]:
    return [
        o.get("text", "")
        for c in nb.cells
        for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr"
    ]


def figures(nb: nbformat.NotebookNode) -> list[re.Match[str]]:
    found = []
    for cell in nb.cells:
        if cell_options(cell).get("output") == "asis":
            found.extend(FIGURE.finditer(stdout(cell).strip()))
    return found


def check_tables(nb: nbformat.NotebookNode, page: str) -> list[str]:
    labels = []
    for cell in nb.cells:
        label = cell_options(cell).get("label", "")
        if label.startswith("tbl-"):
            table = markdown_output(cell)
            lines = table.splitlines()
            assert len(lines) >= 3, f"{page} {label}: no table rows in {table!r}"
            assert all(line.startswith("|") for line in lines), f"{page} {label}: not a pipe table"
            assert re.match(r"^\|(:?-+:?\|)+$", lines[1]), f"{page} {label}: no header rule"
            assert cell_options(cell).get("tbl-cap"), f"{page} {label}: no tbl-cap"
            labels.append(label)
    return labels


def check_figures(nb: nbformat.NotebookNode, project: Path, page: str) -> list[str]:
    """Each figure: a caption, one picture per scheme, files that exist and ship, sizes set."""
    resources = front_matter(page).get("resources", [])
    labels = []
    for match in figures(nb):
        figure = match["html"]
        assert match["cap"].strip(), f"{page}: empty caption"
        schemes = re.findall(r'<picture class="[^"]*\b(light|dark)-content\b', figure)
        assert schemes == ["light", "dark"], f"{page} {match['label']}: {schemes}"
        alts = re.findall(r'<img [^>]*\balt="([^"]*)"', figure)
        assert len(alts) == 2 and all(a.strip() for a in alts), f"{page}: empty alt text"
        for tag in re.findall(r"<(?:img|source) [^>]*>", figure):
            assert re.search(r'\bwidth="\d+" height="\d+"', tag), f"{page}: no size on {tag}"
        paths = re.findall(r'(?:src|srcset)="([^" ]+)', figure)
        paths += re.findall(r", ([^ ]+) \d+x", figure)
        assert len(set(paths)) == 8, f"{page} {match['label']}: {sorted(set(paths))}"
        for path in paths:
            assert (project / path).is_file(), f"{page}: {path} does not exist"
            assert not Path(path).is_absolute() and ".." not in Path(path).parts
            # Quarto copies srcset files only when the page's resources name them.
            assert any(fnmatch.fnmatch(f"/{path}", r) for r in resources), f"{page}: {path}"
        labels.append(match["label"])
    return labels


def check_cross_references(nb: nbformat.NotebookNode, page: str, labels: list[str]) -> None:
    text = "\n".join(c.source for c in read_page(page).cells if c.cell_type == "markdown")
    for ref in re.findall(r"@((?:fig|tbl)-[\w-]+)", text):
        assert ref in labels, f"{page} refers to @{ref}, which no cell defines"


def check_inline(nb: nbformat.NotebookNode, page: str) -> int:
    count = 0
    for cell in nb.cells:
        expr = cell.metadata.get("inline_expression")
        if expr is None:
            continue
        values = [
            o["data"].get("text/plain", "")
            for o in cell.outputs
            if o.output_type == "execute_result"
        ]
        assert values and values[0].strip() not in {"", "None", "''"}, f"{page}: {expr} is empty"
        count += 1
    return count


# --- the pages ---------------------------------------------------------------------------


def test_index_page_quotes_every_number_from_the_facts_without_running_code(
    results: Results,
) -> None:
    """The home page has no kernel (it renders in a fraction of the time): each number is a
    ``{{< var facts.NAME >}}`` that the pre-render hook fills from ``key_facts``."""
    text = (ROOT / "index.qmd").read_text(encoding="utf-8")
    assert "```{python}" not in text  # (and so no kernel: test_quarto_config's front matter)
    names = re.findall(r"\{\{< var facts\.(\w+) >\}\}", text)
    assert len(names) >= 10
    assert set(names) <= set(facts.Facts.__dataclass_fields__), "every name is a fact"
    # The key numbers are never typed into the prose: no R² or gram figure appears literally.
    quoted = pages.key_facts(results)
    typed = (quoted.r2, quoted.r2_share, quoted.rmse, quoted.baseline_r2, quoted.slope, quoted.rows)
    for value in typed:
        assert value not in text, f"index.qmd types {value!r} instead of quoting a fact"


@pytest.mark.example
def test_eda_page_shows_contract_tables_and_every_eda_figure(
    project: Path, kernel_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = run_page("eda.qmd", project, kernel_dir, monkeypatch)
    tables = check_tables(nb, "eda.qmd")
    assert {"tbl-contract", "tbl-missing", "tbl-counts", "tbl-islands", "tbl-summary"} <= set(
        tables
    )
    figs = check_figures(nb, project, "eda.qmd")
    assert figs == [pages.figure_label(name) for name in FIGURES["eda"]]
    check_cross_references(nb, "eda.qmd", tables + figs)
    assert check_inline(nb, "eda.qmd") >= 4
    assert stderr(nb) == []


def test_model_page_shows_comparison_coefficients_diagnostics_card_and_downloads(
    project: Path, kernel_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = run_page("model.qmd", project, kernel_dir, monkeypatch)
    tables = check_tables(nb, "model.qmd")
    assert {"tbl-comparison", "tbl-coefficients"} <= set(tables)
    figs = check_figures(nb, project, "model.qmd")
    assert figs == [pages.figure_label(name) for name in FIGURES["model"]]
    check_cross_references(nb, "model.qmd", tables + figs)
    assert check_inline(nb, "model.qmd") >= 8
    assert stderr(nb) == []

    printed = "\n".join(stdout(c) for c in nb.cells)
    links = re.findall(r"^- \[[^\]]+\]\(([^)]+)\): .*sha256 `([0-9a-f]{64})`$", printed, re.M)
    assert len(links) == 2 + len(pages.DOWNLOADS)
    for href, sha in links:
        assert (project / href).is_file(), f"download {href} does not exist"
        assert sha256_bytes((project / href).read_bytes()) == sha
    # Quarto copies exactly these into the site: the page's resources list must name them all.
    resources = front_matter("model.qmd")["resources"]
    assert all(r.startswith("/") for r in resources), "anchor resources at the project root"
    shipped = [href for href, _ in links] + [pages.snapshot_path(PREDICTOR_SCRIPT)]
    files = [r for r in resources if "*" not in r]  # the figures' glob is checked per figure
    assert sorted(r.removeprefix("/") for r in files) == sorted(shipped)
    for section in ("Intended use", "Not intended for", "Limitations", "Metrics", "Data"):
        assert f"**{section}" in (ROOT / "model.qmd").read_text(encoding="utf-8")


def test_every_package_figure_is_on_a_page(results: Results) -> None:
    assert set(FIGURES["eda"]) | set(FIGURES["model"]) == set(results.figures)


@pytest.mark.example
def test_model_page_predictor_is_a_labelled_form_over_the_exported_coefficients(
    results: Results,
) -> None:
    block = pages.predictor_html(results)
    assert block.startswith("```{=html}\n") and block.endswith("\n```")
    # The page loads the file the Node test runs, and Quarto copies it into the site.
    script = re.search(r'<script type="module" src="([^"]+)"></script>', block)
    assert script and ROOT / script.group(1) == PREDICTOR_SCRIPT
    assert f"/{script.group(1)}" in front_matter("model.qmd")["resources"]
    # The coefficients travel in the form, exactly as exported.
    payload = re.search(r'data-coefficients="([^"]+)"', block)
    assert payload and json.loads(html.unescape(payload.group(1))) == results.coefficients_json
    # Every control has a <label for=...> naming its id; categories are the model's levels.
    controls = re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', block)
    labelled = re.findall(r'<label\b[^>]*\bfor="([^"]+)"', block)
    assert controls and sorted(controls) == sorted(labelled)
    for name, levels in results.coefficients_json["categorical"].items():
        assert re.findall(rf'<select[^>]*name="{name}">(.*?)</select>', block) == [
            "".join(f'<option value="{level}">{level}</option>' for level in levels)
        ]
    # A typical bird to start from: the default bill length is its group's median.
    bill = results.coefficients_json["inputs"]["bill_length_mm"]
    assert f'value="{bill["groups"][0]["median"]}"' in block
    assert "print(pages.predictor_html(results))" in (ROOT / "model.qmd").read_text()


@pytest.mark.parametrize("page", ["index.qmd", "eda.qmd", "model.qmd"])
def test_pages_use_no_observable_cells(page: str) -> None:
    """OJS's runtime loads ``marked`` from a CDN for an import cell: the pages have none."""
    assert "```{ojs}" not in (ROOT / page).read_text(encoding="utf-8")


def test_no_cell_allows_errors() -> None:
    """(No page's front matter may either: test_quarto_config.py.)"""
    for name in PAGES:
        for cell in read_page(name).cells:
            assert cell_options(cell).get("error") != "true", f"{name}: a cell sets error: true"


# --- the page helpers on their own ---------------------------------------------------------


def test_files_outside_the_project_cannot_be_linked(tmp_path: Path) -> None:
    with pytest.raises(pages.PageError, match=r"outside the project folder.*PENGUIN_BUILD_DIR"):
        pages.project_path(tmp_path / "elsewhere.png", project_dir=tmp_path / "site")


def test_unknown_figure_names_the_ones_there_are(results: Results) -> None:
    with pytest.raises(pages.PageError, match=r"no figure named 'nope'.*target-vs-x"):
        pages.figure_markdown(results, "nope", project_dir=results.build_dir.parent)


def test_figure_markdown_keeps_caption_and_alt_literal(results: Results, tmp_path: Path) -> None:
    figure = results.figures["residuals"]
    odd = FigureRecord(
        "residuals",
        figure.path,
        "Caption with [brackets], @ref and *stars*",
        'Alt "quoted"',
        figure.drawings,
    )
    changed = Results(**{**results.__dict__, "figures": {"residuals": odd}})
    text = pages.figure_markdown(changed, "residuals", project_dir=results.build_dir.parent)
    assert text.startswith("::: {#fig-residuals}\n```{=html}\n")
    assert text.endswith("\n```\n\n" + r"Caption with \[brackets\], \@ref and \*stars\*" + "\n:::")
    assert text.count('alt="Alt &quot;quoted&quot;"') == 2


@pytest.mark.example
@pytest.mark.parametrize(
    ("grams", "text"),
    [(547.37, "547 g heavier"), (-298.8, "299 g lighter"), (1094.9, "1,095 g heavier")],
)
def test_differences_read_as_prose(grams: float, text: str) -> None:
    assert facts._difference(grams) == text


@pytest.mark.example
def test_prose_facts_about_the_data_are_computed(results: Results) -> None:
    facts = pages.key_facts(results)
    assert facts.cross_tab.startswith("Adelie penguins were sampled on Biscoe, Dream and Torgersen")
    assert "Gentoo penguins were sampled only on Biscoe" in facts.cross_tab
    assert facts.split_gap == "males have the larger mean in every measurement of every species"
    assert facts.highest == "Gentoo"
    assert facts.effects == {
        "species": {"Chinstrap": "299 g lighter", "Gentoo": "1,095 g heavier"},
        "sex": {"male": "547 g heavier"},
    }


@pytest.mark.example
def test_split_gap_fact_follows_the_table(results: Results) -> None:
    summary = results.tables["measurement_summary"].copy()
    rows = (summary["species"] == "Adelie") & (summary["sex"] == "female")
    summary.loc[rows & (summary["measurement"] == "bill_depth_mm"), "mean"] = 99.0
    assert facts._split_gap(summary) == (
        "males have the larger mean in 11 of 12 species-measurement pairs"
    )


@pytest.mark.parametrize("page", ["eda.qmd", "model.qmd"])
def test_every_cell_is_labelled(page: str) -> None:
    """Quarto's log names a cell by its label: a failing cell must be findable."""
    cells = [c for c in read_page(page).cells if c.cell_type == "code"]
    assert cells
    unlabelled = [c.source[:60] for c in cells if not cell_options(c).get("label")]
    assert unlabelled == []


@pytest.mark.example
def test_ensure_results_reuses_fresh_and_recomputes_stale(
    build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is under test is the decision; the analysis it runs is tested on its own (and
    run for real through this path by test_provenance's single-page hook test). So a stale
    build is "rebuilt" by copying the shared build, which is what the analysis makes of
    today's inputs, and every call is recorded."""
    from penguin_site.analysis import pipeline

    runs: list[Path] = []

    def analysis(out: Path) -> Path:
        runs.append(out)
        shutil.rmtree(out)
        return shutil.copytree(build_dir, out)

    monkeypatch.setattr(pipeline, "run_analysis", analysis)
    target = tmp_path / "analysis"
    shutil.copytree(build_dir, target)
    pages.ensure_results(target)
    assert runs == []  # fresh: nothing recomputed

    (target / DIGEST_FILE).write_text("stale\n", encoding="utf-8")
    rebuilt = pages.ensure_results(target)
    assert runs == [target]
    assert (target / DIGEST_FILE).read_text().strip() == analysis_digest()
    assert rebuilt.metrics["chosen"] == CHOSEN_FEATURE_SET
