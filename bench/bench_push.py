"""Benchmark: from a prose-only push to the live site, estimated for a 4-core GitHub runner.

Runs, in a copy of the project, the commands the workflow's jobs run (.github/workflows/site.yml)
for a push that edits only ``index.qmd``, after a first build whose ``_build`` and ``_freeze``
the build cache restores:

- ``build``: README command (1), the render part of the suite on that render, the site check
  with the browser, and the budget step (Lighthouse and axe, the gate's own median of runs);
- ``test``, beside it: the rest of the suite.

How the 4-core figure is made from the 2-core times measured here:

- a test step's pytest time is its per-test durations (``--durations=0``) scheduled longest
  first on 4 workers instead of 2 (what ``pytest -n auto`` gets there), plus what the step
  spent outside the tests here (collection, workers starting, tool setup), unscaled;
- the budget step runs here as it runs there: ``LIGHTHOUSE_AT_ONCE`` is one per two cores,
  so two runs at a time (on these 2 cores, a harsher load than there);
- the render and the site check are mostly one process each: taken as measured;
- what cannot run here (checkout, setup-python, the cache, Quarto's download, the Pages
  deploy, the smoke job's setup) are typical GitHub figures, named as such in the output.

Run from the repository root (about 12 minutes on 2 cores):

    .venv/bin/python -m bench.bench_push
"""

from __future__ import annotations

import heapq
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from penguin_site.checks import budget
from penguin_site.config import ROOT
from penguin_site.site.quarto import find_quarto
from tests.helpers import copy_tree

#: Seconds that cannot be measured here: typical figures for GitHub-hosted runners.
GITHUB_SETUP_S = 45  # checkout (full history), setup-python, .venv and build caches, Quarto
PAGES_DEPLOY_S = 30  # deploy-pages: the artifact handed to Pages and the deployment live
SMOKE_SETUP_S = 30  # the smoke job: checkout, setup-python, .venv restored, artifact download
RUNNER_CORES = 4
TARGET_S = 6 * 60
#: What GitHub Actions sets and the workflow's site-URL step works out, for the render's links.
WORKFLOW_ENV = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "data-team/penguins",
    "SITE_URL": "https://data-team.github.io/penguins/",
}
#: The prose-only edit of the push: a paragraph at the end of the home page.
EDIT = ("index.qmd", "\nOne more sentence of prose.\n")
FAILED = re.compile(r"^FAILED (\S+)", re.M)
DURATION = re.compile(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S+)", re.M)


def run(
    command: list[str], cwd: Path, env: dict[str, str], *, failing_tests: bool = False
) -> tuple[float, str]:
    """Seconds ``command`` took, and its output; stops the benchmark if it fails, except
    for failing tests when ``failing_tests`` (their step took its whole time: say which)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    log = done.stdout + done.stderr
    if done.returncode == 1 and failing_tests:
        print("failing tests (the step's time still counts):", *FAILED.findall(log), sep="\n  ")
    elif done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{log[-4000:]}")
    return seconds, log


def makespan(durations: list[float], workers: int) -> float:
    """When the last of ``workers`` finishes, each taking the longest test left."""
    finish = [0.0] * workers
    for seconds in sorted(durations, reverse=True):
        heapq.heapreplace(finish, finish[0] + seconds)
    return max(finish)


def test_step(project: Path, env: dict[str, str], part: str) -> tuple[float, float]:
    """A test step (``PENGUIN_TEST_PART=part``): seconds measured here, and for 4 cores."""
    seconds, log = run(
        ["bash", "scripts/run_tests.sh", "--durations=0", "-p", "no:cacheprovider"],
        project,
        {**env, "PENGUIN_TEST_PART": part},
        failing_tests=True,
    )
    per_test: dict[str, float] = defaultdict(float)
    for value, test in DURATION.findall(log):
        per_test[test] += float(value)
    tests = list(per_test.values())
    here_workers = len(os.sched_getaffinity(0))
    outside = max(0.0, seconds - makespan(tests, here_workers))
    return seconds, outside + makespan(tests, RUNNER_CORES)


def main() -> int:
    quarto = find_quarto()
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_tree(ROOT, Path(tmp) / "project")
        (project / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
        env = {
            **os.environ,
            "QUARTO_PATH": str(quarto),
            "PYTHONPATH": str(project / "src"),
            "CHROMIUM_PATH": os.environ.get("CHROMIUM_PATH", ""),
            **WORKFLOW_ENV,
        }
        for name in ("CI", "QUARTO_PROJECT_RENDER_ALL", "PENGUIN_TEST_PART"):
            env.pop(name, None)
        if not env["CHROMIUM_PATH"]:
            env.pop("CHROMIUM_PATH")
        print("first build (what the build cache holds) ...", flush=True)
        first, _ = run(["bash", "scripts/render_site.sh"], project, env)
        page, paragraph = EDIT
        with (project / page).open("a", encoding="utf-8") as source:
            source.write(paragraph)

        rows: list[tuple[str, str, float, float]] = []
        seconds, log = run(["bash", "scripts/render_site.sh"], project, env)
        (project / "render.log").write_text(log, encoding="utf-8")
        rows.append(("build", "render (README command 1)", seconds, seconds))
        rendered = {
            "PENGUIN_RENDERED_PROJECT": str(project),
            "PENGUIN_RENDER_LOG": str(project / "render.log"),
        }
        rows.append(
            (
                "build",
                "render part of the tests",
                *test_step(project, {**env, **rendered}, "render"),
            )
        )
        seconds, _ = run(
            [sys.executable, "scripts/check_site.py", "_site", "--browser"], project, env
        )
        rows.append(("build", "check the rendered site", seconds, seconds))
        budget.LIGHTHOUSE_AT_ONCE = max(1, RUNNER_CORES // 2)
        start = time.perf_counter()
        problems = [
            line
            for page_budget in budget.check_budget(project / "_site")
            for line in page_budget.problems
        ]
        seconds = time.perf_counter() - start
        rows.append(
            (
                "build",
                f"budget ({budget.LIGHTHOUSE_AT_ONCE} Lighthouse runs at once)",
                seconds,
                seconds,
            )
        )
        rows.append(("test", "rest of the tests", *test_step(project, env, "rest")))

    jobs: dict[str, float] = defaultdict(lambda: float(GITHUB_SETUP_S))
    for job, _, _, estimate in rows:
        jobs[job] += estimate
    deploy = PAGES_DEPLOY_S + SMOKE_SETUP_S
    path = max(jobs.values()) + deploy
    print(f"first build (cold, not on the path): {first:.0f} s")
    print(f"{'job':6} {'step':44} {'here (2 cores)':>15} {'4 cores':>8}")
    for job, step, here, estimate in rows:
        print(f"{job:6} {step:44} {here:>13.0f} s {estimate:>6.0f} s")
    print(
        f"setup per job (GitHub, typical): {GITHUB_SETUP_S} s; deploy-pages {PAGES_DEPLOY_S} s "
        f"and the smoke job's setup {SMOKE_SETUP_S} s (GitHub, typical)"
    )
    for job, seconds in sorted(jobs.items()):
        print(f"job {job}: {seconds:.0f} s")
    print(
        f"push to live, prose-only, 4 cores: {path:.0f} s ({path / 60:.1f} min); "
        f"target <= {TARGET_S} s: {'met' if path <= TARGET_S else 'NOT met'}"
    )
    if problems:
        print("budget problems (the gate would stop this push):", *problems, sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
