"""Shared fixtures: the committed snapshot, its clean rows, and one finished build.

In CI (``CI`` set, as GitHub Actions and ``.ci/run`` do) a skipped test fails: there every
tool a test needs is installed, so a skip can only mean a broken setup hiding a test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from rendered_site import Render, exclusive, given_render, links_of, shared_folder, shared_render
from suite_parts import EXAMPLE_MARK, outside_rehearsed_sample, selected, studies_the_example

from penguin_site.analysis import dataset, pipeline
from penguin_site.analysis.digest import is_current
from penguin_site.analysis.results import Results, load_results
from penguin_site.checks.browser import BrowserUnavailable, chromium_path
from penguin_site.config import DATA_FILE
from penguin_site.site import notebooks
from penguin_site.site.quarto import QuartoNotFound, find_quarto
from penguin_site.study import current


def skips_forbidden(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """True in CI: ``CI`` set to anything but an empty string, ``0`` or ``false``."""
    return env.get("CI", "").strip().lower() not in {"", "0", "false"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and not hasattr(report, "wasxfail") and skips_forbidden():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


#: The marker a test gets when it uses one of these fixtures, directly or through another
#: (``rendered`` and ``site`` need ``quarto``): a test that renders or drives Chromium is
#: marked whether or not its module says so, so ``run_tests.sh --fast`` (``-m "not quarto and
#: not browser and not whole_analysis"``) never starts a render or a browser.
MARKER_OF_FIXTURE = {"quarto": "quarto", "chromium": "browser"}


def pytest_itemcollected(item: pytest.Item) -> None:
    for fixture, marker in MARKER_OF_FIXTURE.items():
        if fixture in getattr(item, "fixturenames", ()) and not item.get_closest_marker(marker):
            item.add_marker(marker)


#: How many ``example`` tests this run left out (another study is in use); the summary says so.
EXAMPLE_LEFT_OUT = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    # Before any test module imports nbformat (directly, or through jupytext and nbclient):
    # as the pages do, without the IRI parser it never uses, 3-4 s of each worker's collection.
    notebooks.import_nbformat()
    config.addinivalue_line(
        "markers",
        f"{EXAMPLE_MARK}: holds the shipped example's numbers and prose; runs only while the "
        "study in use is the example",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # None, not False: False would collect a file that another rule ignores.
    return True if outside_rehearsed_sample(collection_path) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep = [item for item in items if selected(item)]
    if not studies_the_example(current()):
        engine = [item for item in keep if not item.get_closest_marker(EXAMPLE_MARK)]
        config.stash[EXAMPLE_LEFT_OUT] = len(keep) - len(engine)
        keep = engine
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    # The rehearsals first (a stable sort keeps the rest in order): they are the longest tests
    # (2-5 minutes each), and xdist deals tests out in this order, so collected last they would
    # start once the other workers had little left and run alone for most of their length.
    items[:] = sorted(keep, key=lambda item: item.get_closest_marker("rehearsal") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    left_out = terminalreporter.config.stash.get(EXAMPLE_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"{left_out} tests of the shipped example left out: the study in use "
            f"({current().path}) is another one"
        )


@pytest.fixture(scope="session")
def penguins() -> pd.DataFrame:
    return dataset.load_snapshot()


@pytest.fixture(scope="session")
def clean(penguins: pd.DataFrame) -> dataset.CleanData:
    return dataset.clean_for_modelling(penguins)


@pytest.fixture
def snapshot_text() -> str:
    return DATA_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full analysis per test run, shared by the xdist workers; tests never write to it.

    The first worker that needs it builds it under a file lock; the others wait and read.
    Tests that need to change a build copy it first.
    """
    shared = shared_folder(tmp_path_factory)
    out = shared / "build" / "analysis"
    with exclusive(shared / "build.lock"):
        if not is_current(out):
            pipeline.run_analysis(out)
    return out


@pytest.fixture(scope="session")
def results(build_dir: Path) -> Results:
    return load_results(build_dir)


@pytest.fixture(scope="session")
def quarto() -> str:
    """The pinned Quarto binary, found as README command (1) finds it, or a skip saying why."""
    try:
        return str(find_quarto())
    except QuartoNotFound as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def rendered(quarto: str, tmp_path_factory: pytest.TempPathFactory) -> Render:
    """The full render every site test reads: the workflow's own, else one made per test run
    and shared by the workers."""
    return given_render() or shared_render(quarto, tmp_path_factory, "quarto-render")


@pytest.fixture(scope="session")
def rendered_again(
    quarto: str, rendered: Render, tmp_path_factory: pytest.TempPathFactory
) -> Render:
    """A second full render of the same tree in another folder, with the first one's links:
    for reproducibility."""
    return shared_render(quarto, tmp_path_factory, "quarto-render-again", **links_of(rendered))


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium for the browser tests (CHROMIUM_PATH, else Debian's)."""
    try:
        return chromium_path()
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def site(rendered: Render) -> Path:
    """The shared render's site folder, once the render is known to have succeeded."""
    assert rendered.returncode == 0, rendered.log[-3000:]
    return rendered.site
