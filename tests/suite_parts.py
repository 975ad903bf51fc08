"""Which tests each job of the workflow runs: the suite split in two parts that run at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from penguin_site.study import Study

#: The workflow runs the suite in two parallel jobs (.github/workflows/site.yml):
#: ``render`` keeps the tests that only read the render (the build job's own, which it deploys);
#: ``rest`` keeps the others, those that make renders of their own among them, less the
#: workflow rehearsal (on GitHub the workflow is real).
TEST_PART_ENV = "PENGUIN_TEST_PART"
TEST_PARTS = ("render", "rest")
#: Set by the workflow rehearsal (tests/workflow) for the runs it makes, which run both
#: test steps' exact commands on a sample of their parts (``.ci/run`` runs the whole suite
#: itself, and a rehearsed run must not recurse into the rehearsal): ``render`` keeps the render
#: tests that need no browser (the browser sees the render in the check steps), ``rest`` the
#: checks of the project's files and workflows (every test in ``tests/`` itself would cost
#: each run about two minutes, most of it one analysis). A rehearsed run collects only these
#: files: collecting the whole suite is 3 s of each of a step's three processes.
REHEARSED_ENV = "PENGUIN_REHEARSED"
REHEARSED_FILES = {
    "render": ("site/test_render.py",),
    "rest": ("test_project_files.py", "test_workflows.py"),
}
TESTS_DIR = Path(__file__).resolve().parent


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
    if env.get(REHEARSED_ENV) and part:
        return not outside_rehearsed_sample(Path(str(item.path)), env) and "browser" not in marks
    return True


def outside_rehearsed_sample(
    path: Path, env: dict[str, str] | os._Environ[str] = os.environ
) -> bool:
    """Whether a rehearsed run of a part leaves this test file out (folders are walked)."""
    files = REHEARSED_FILES.get(env.get(TEST_PART_ENV, "")) if env.get(REHEARSED_ENV) else None
    if files is None or not path.name.startswith("test_") or path.suffix != ".py":
        return False
    return path.resolve().relative_to(TESTS_DIR).as_posix() not in files
