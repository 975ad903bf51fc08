"""Full renders do only the work a change needs, and never show a stale result.

Each case changes one input of its own copy of the rendered project (the shared render,
with its build folder and freezer), as an author would, and renders it again for real. The
render log says what ran: the pre-render hook says whether it reran the analysis, and
Quarto prints ``Executing '<page>.quarto_ipynb'`` for each page it executed (a frozen
page is not executed). The rendered pages must show the new result.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import executed_pages
from rendered_site import Render, copy_rendered, render

from penguin_site.analysis.snapshot import write_snapshot
from penguin_site.config import DATA_FILE, ROOT
from penguin_site.files import sha256_file
from penguin_site.site.notebooks import notebook_pages
from penguin_site.study import current

# Renders copies of the shared render: the workflow's `test` job runs it (tests/conftest.py).
pytestmark = [pytest.mark.quarto, pytest.mark.renders]

#: The pages with code cells (the home page has none: its numbers are Quarto variables).
KERNEL_PAGES = notebook_pages(ROOT)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def new_data(project: Path) -> None:
    """An author's new data: one bird's bill measured again, recorded with its sha256."""
    data = project / "data" / "penguins.csv"
    text = data.read_text(encoding="utf-8").replace(",39.1,18.7,", ",39.3,18.7,", 1)
    write_snapshot(data, project / "data" / "datapackage.json", text.encode())


def lose_kept_notebooks(project: Path) -> None:
    """A build cache restored without the kept notebooks."""
    shutil.rmtree(project / "_build" / "notebooks")


#: Each case: how the input changes, does the analysis rerun, the pages executed, and
#: (page, text it then shows) or None. Inputs of the analysis digest render one case each
#: for the data and the code; that the lock is one of them is a unit test
#: (tests/analysis/test_artifacts.py). Every case starts from its own copy of the shared
#: render, so one failing says which input is wrong and none depends on another's state.
CHANGES = [
    pytest.param(lambda p: None, False, [], None, id="nothing"),
    pytest.param(
        lambda p: replace(p / "eda.qmd", "## Who is in the data", "## Who is in the sample"),
        False,
        ["eda"],
        ("eda.html", "Who is in the sample"),
        id="a-page-prose",
    ),
    pytest.param(
        lambda p: replace(p / "index.qmd", "## The question", "## The question asked"),
        False,
        [],
        ("index.html", "The question asked"),
        id="home-page-prose-no-code-nothing-executes",
    ),
    pytest.param(lose_kept_notebooks, False, KERNEL_PAGES, None, id="kept-notebooks-lost"),
    pytest.param(new_data, True, KERNEL_PAGES, None, id="a-data-value", marks=pytest.mark.example),
    pytest.param(
        lambda p: replace(
            p / "src/penguin_site/analysis/captions.py",
            'f"Cross-validated predictions against measured {_T.noun}',
            'f"Held-out predictions against measured {_T.noun}',
        ),
        True,
        KERNEL_PAGES,
        ("model.html", f"Held-out predictions against measured {current().target.noun}"),
        id="an-analysis-module",
    ),
    pytest.param(
        lambda p: replace(
            p / "src/penguin_site/site/markdown.py",
            'f"{mean:{spec}} ± {sd:{spec}}"',
            'f"{mean:{spec}} ±{sd:{spec}}"',
        ),
        False,
        KERNEL_PAGES,
        ("model.html", "±0."),
        id="a-page-helper",
    ),
]


@pytest.fixture
def project(rendered: Render, tmp_path: Path) -> Path:
    """A private copy of the shared render (site, build folder, freezer) to change."""
    assert rendered.returncode == 0, rendered.log[-3000:]
    return copy_rendered(rendered, tmp_path / "project")


@pytest.mark.parametrize(("change", "analysis", "pages", "shows"), CHANGES)
def test_an_input_reruns_exactly_the_work_it_affects(
    project: Path,
    quarto: str,
    change: Callable[[Path], None],
    analysis: bool,
    pages: list[str],
    shows: tuple[str, str] | None,
) -> None:
    change(project)
    outcome = render(quarto, project)
    assert outcome.returncode == 0, outcome.log[-3000:]
    assert ("running it into" in outcome.log) is analysis, outcome.log
    assert executed_pages(outcome.log) == pages, outcome.log
    for page in KERNEL_PAGES:  # frozen or not, each page's notebook is in the site
        notebook = json.loads((project / "_site" / f"{page}.ipynb").read_text(encoding="utf-8"))
        outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
        assert outputs, (page, "the notebook lost its outputs")
    if shows:
        page, text = shows
        assert text in (project / "_site" / page).read_text(encoding="utf-8")
    # Whatever changed, the home page names the data the render read.
    data_sha = sha256_file(project / DATA_FILE.relative_to(ROOT))
    assert data_sha in (project / "_site" / "index.html").read_text(encoding="utf-8")
