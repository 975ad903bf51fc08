"""Full renders do only the work a change needs, and never show a stale result.

One copy of the rendered project (the shared render, with its build folder and freezer)
is changed one input at a time, as an author would, and rendered again for real. The
render log says what ran: the pre-render hook says whether it reran the analysis, and
Quarto prints ``Executing '<page>.quarto_ipynb'`` for each page it executed (a frozen
page is not executed). The rendered pages must show the new result.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rendered_site import Render, copy_rendered, render

from penguin_site.config import PAGES, ROOT

# Renders copies of the shared render: the workflow's `test` job runs it (tests/conftest.py).
pytestmark = [pytest.mark.quarto, pytest.mark.renders]

EXECUTED = re.compile(r"Executing '(\w+)\.quarto_ipynb'")
#: The pages with code cells (the home page has none: its numbers are Quarto variables).
KERNEL_PAGES = sorted(p for p in PAGES if "```{python}" in (ROOT / f"{p}.qmd").read_text())


def executed(log: str) -> list[str]:
    return sorted(EXECUTED.findall(log))


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def new_data(project: Path) -> None:
    """An author's new data: one bird's bill measured again, recorded with its sha256."""
    from penguin_site.analysis.snapshot import write_snapshot

    data = project / "data" / "penguins.csv"
    text = data.read_text(encoding="utf-8").replace(",39.1,18.7,", ",39.3,18.7,", 1)
    write_snapshot(data, project / "data" / "datapackage.json", text.encode())


#: (what changes, how, does the analysis rerun, pages executed, (page, text it then shows))
CHANGES: list[tuple[str, Callable[[Path], None], bool, list[str], tuple[str, str] | None]] = [
    ("nothing", lambda p: None, False, [], None),
    (
        "a page's prose",
        lambda p: replace(p / "eda.qmd", "## Who is in the data", "## Who is in the sample"),
        False,
        ["eda"],
        ("eda.html", "Who is in the sample"),
    ),
    (
        "the home page's prose (no code: nothing executes)",
        lambda p: replace(p / "index.qmd", "## The question", "## The question asked"),
        False,
        [],
        ("index.html", "The question asked"),
    ),
    (
        "the kept notebooks lost (a cache restored without them)",
        lambda p: shutil.rmtree(p / "_build" / "notebooks"),
        False,
        KERNEL_PAGES,
        None,
    ),
    ("a data value", new_data, True, KERNEL_PAGES, None),
    (
        "an analysis module",
        lambda p: replace(
            p / "src/penguin_site/analysis/captions.py",
            '"Cross-validated predictions against measured body mass',
            '"Held-out predictions against measured body mass',
        ),
        True,
        KERNEL_PAGES,
        ("model.html", "Held-out predictions against measured body mass"),
    ),
    (
        "the lock",
        lambda p: (p / "requirements.lock").write_text(
            (p / "requirements.lock").read_text() + "# touched\n"
        ),
        True,
        KERNEL_PAGES,
        None,
    ),
    (
        "a page helper",
        lambda p: replace(
            p / "src/penguin_site/site/markdown.py",
            'f"{mean:{spec}} ± {sd:{spec}}"',
            'f"{mean:{spec}} ±{sd:{spec}}"',
        ),
        False,
        KERNEL_PAGES,
        ("model.html", "±0."),
    ),
]


def test_each_input_reruns_exactly_the_work_it_affects(
    rendered: Render, quarto: str, tmp_path: Path
) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    project = tmp_path / "project"
    copy_rendered(rendered, project)
    for what, change, analysis, pages, shows in CHANGES:
        before = (project / "data" / "penguins.csv").read_bytes()
        change(project)
        outcome = render(quarto, project)
        assert outcome.returncode == 0, (what, outcome.log[-3000:])
        assert ("running it into" in outcome.log) is analysis, (what, outcome.log)
        assert executed(outcome.log) == pages, (what, outcome.log)
        for page in KERNEL_PAGES:  # frozen or not, each page's notebook is in the site
            notebook = json.loads((project / "_site" / f"{page}.ipynb").read_text())
            outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
            assert outputs, (what, page, "the notebook lost its outputs")
        if shows:
            page, text = shows
            assert text in (project / "_site" / page).read_text(encoding="utf-8"), what
        if what == "a data value":
            assert before != (project / "data" / "penguins.csv").read_bytes()
            from penguin_site.files import sha256_file

            new_sha = sha256_file(project / "data" / "penguins.csv")
            assert new_sha in (project / "_site" / "index.html").read_text(encoding="utf-8")


def test_a_new_build_time_rebuilds_the_model_file_and_every_page(
    rendered: Render, quarto: str, tmp_path: Path
) -> None:
    """SOURCE_DATE_EPOCH is stamped into the model file: its sha256 on the page changes."""
    project = tmp_path / "project"
    copy_rendered(rendered, project)
    old = (project / "_site" / "model.html").read_text(encoding="utf-8")
    outcome = render(quarto, project, SOURCE_DATE_EPOCH="1700000000")
    assert outcome.returncode == 0, outcome.log[-3000:]
    assert "running it into" in outcome.log
    assert executed(outcome.log) == KERNEL_PAGES
    sha = re.search(r"the sha256 of the model is ([0-9a-f]{64})", old)
    assert sha, "the model page states the model's sha256"
    assert sha.group(1) not in (project / "_site" / "model.html").read_text(encoding="utf-8")
