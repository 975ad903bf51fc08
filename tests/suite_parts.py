"""Which tests each job of the workflow runs: the suite split in two parts that run at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rendered_site import RENDERED_PROJECT_ENV

from penguin_site.study import Study

#: The workflow runs the suite in two parallel jobs (.github/workflows/site.yml):
#: ``render`` keeps the tests that only read the render (the build job's own, which it deploys);
#: ``rest`` keeps the others, those that make renders of their own among them, less the
#: workflow rehearsal (on GitHub the workflow is real).
TEST_PART_ENV = "PENGUIN_TEST_PART"
TEST_PARTS = ("render", "rest")
#: Set by the workflow rehearsal (tests/workflow) for the three runs it makes, which run both
#: test steps' exact commands on a sample of their parts (``.ci/run`` runs the whole suite
#: itself, and a rehearsed run must not recurse into the rehearsal): ``render`` keeps the tests
#: that read the render without a browser (the browser sees it in the check steps), ``rest``
#: the checks of the project's files and workflows (every test in ``tests/`` itself would cost
#: each run about two minutes, most of it one analysis).
REHEARSED_ENV = "PENGUIN_REHEARSED"
REHEARSED_REST = ("test_project_files.py", "test_workflows.py")
TESTS_DIR = Path(__file__).resolve().parent


#: Fixtures whose checks a later workflow step makes on the workflow's own render: there the
#: tests using them are left out, so Lighthouse runs once on the deploy path (the budget step,
#: median of BUDGET_RUNS, enforces all that these tests assert and the performance scores too).
CHECKED_BY_THE_WORKFLOW = ("real_budget",)


#: The shipped example's study, by its data file and target. Tests marked ``example`` hold the
#: example's own numbers and prose (the predictor's penguins, the home page's sentences), so they
#: run only while the study in use is this one; a team whose study.yml names its own CSV keeps
#: every other test, which holds the engine and the site on any study.
EXAMPLE_DATA = "data/penguins.csv"
EXAMPLE_TARGET = "body_mass_g"
EXAMPLE_MARK = "example"


def studies_the_example(study: Study) -> bool:
    """Whether ``study`` is the shipped example (its data file and its target)."""
    data = study.data_file.resolve() == (study.path.parent / EXAMPLE_DATA).resolve()
    return data and study.target.column == EXAMPLE_TARGET


def selected(item: pytest.Item, env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether this test runs in the part of the suite the environment asks for."""
    fixtures = getattr(item, "fixturenames", ())
    part = env.get(TEST_PART_ENV, "")
    if part and part not in TEST_PARTS:
        raise pytest.UsageError(f"{TEST_PART_ENV}={part!r}: use one of {', '.join(TEST_PARTS)}")
    marks = {mark.name for mark in item.iter_markers()}
    renders = "renders" in marks or "rendered_again" in fixtures
    reads_render = "rendered" in fixtures and not renders
    if part == "render" and not reads_render:
        return False
    if part == "rest" and (reads_render or "rehearsal" in marks):
        return False
    if env.get(REHEARSED_ENV) and not _in_rehearsed_sample(item, part, marks):
        return False
    checked_later = any(name in fixtures for name in CHECKED_BY_THE_WORKFLOW)
    return not (env.get(RENDERED_PROJECT_ENV) and checked_later)


def _in_rehearsed_sample(item: pytest.Item, part: str, marks: set[str]) -> bool:
    if part == "render":
        return "browser" not in marks
    if part == "rest":
        path = Path(str(item.path))
        return path.parent == TESTS_DIR and path.name in REHEARSED_REST
    return True
