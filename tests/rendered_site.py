"""A real ``quarto render`` of the project in a private copy, shared by every test that reads it.

Why a copy: the working tree is never touched by the tests. Why shared: a full render
takes about half a minute, so the first xdist worker that needs one renders it, under a
file lock, and the others read the same folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ENVIRONMENTS, copy_tree

from penguin_site.config import BUILD_RECORD, ROOT

RENDER_TIMEOUT_S = 1200
#: Set by the workflow: the project README command (1) just rendered, and its log. The
#: tests then read that very render (the one that is checked, uploaded and deployed)
#: instead of making their own.
RENDERED_PROJECT_ENV = "PENGUIN_RENDERED_PROJECT"
RENDER_LOG_ENV = "PENGUIN_RENDER_LOG"

#: The one warning a render may print: ipykernel 7 says so for every kernel Quarto starts,
#: because Quarto's own kernel manager connects over TCP without CurveZMQ keys (not ours).
ALLOWED_LOG_LINES = ("Kernel is running over TCP without encryption",)
#: How Quarto, Pandoc, Deno and Python loggers mark a warning or an error.
PROBLEM_WORD = re.compile(r"\b(WARN|WARNING|ERROR|Error|Warning)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: A repository and a public URL for test renders, as GitHub Actions and the workflow set
#: them (a variable already set, as in CI, wins): the pages get their repository links,
#: sitemap and canonical links, which the tests then check.
LINK_ENV = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "palmer-lab/penguin-site",
    "SITE_URL": "https://palmer-lab.github.io/penguin-site/",
}


@dataclass(frozen=True)
class Render:
    """What one ``quarto render`` did: where, its exit code, its log and how long it took."""

    project: str
    returncode: int
    log: str
    seconds: float

    @property
    def site(self) -> Path:
        return Path(self.project) / "_site"


def copy_project(dest: Path) -> Path:
    """Copy the working tree (tracked and new files, .git for provenance) into ``dest``."""
    return copy_tree(ROOT, dest)


def commit_epoch(project: Path) -> str:
    """The commit time, as README command (1) sets ``SOURCE_DATE_EPOCH``."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%ct"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout.strip() or "0"


def render(quarto: str, project: Path, *args: str, **extra_env: str) -> Render:
    """``quarto render`` in ``project`` with the test environment's Python for the pages."""
    env = {
        **os.environ,
        "QUARTO_PYTHON": sys.executable,
        # The copy's own package, data and build folder, not the working tree's.
        "PYTHONPATH": str(project / "src"),
        "PENGUIN_BUILD_DIR": str(project / "_build" / "analysis"),
        "SOURCE_DATE_EPOCH": commit_epoch(project),
        **{name: value for name, value in LINK_ENV.items() if not os.environ.get(name)},
        **extra_env,
    }
    env.pop("QUARTO_PROJECT_RENDER_ALL", None)
    start = time.monotonic()
    done = subprocess.run(
        [quarto, "render", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=RENDER_TIMEOUT_S,
        check=False,
    )
    return Render(
        str(project), done.returncode, done.stdout + done.stderr, time.monotonic() - start
    )


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every xdist worker of this test run sees (its own without xdist)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def given_render(env: dict[str, str] | os._Environ[str] = os.environ) -> Render | None:
    """The render the workflow made before the tests (``PENGUIN_RENDERED_PROJECT``), if any."""
    project = env.get(RENDERED_PROJECT_ENV)
    if not project:
        return None
    log_file = env.get(RENDER_LOG_ENV, "")
    log = Path(log_file).read_text(encoding="utf-8") if log_file else ""
    # README command (1) stops on a failed render, so a given render succeeded.
    return Render(str(Path(project).resolve()), 0, log, 0.0)


def copy_rendered(render: Render, dest: Path) -> Path:
    """A copy of a rendered project with its outputs (site, build, freezer), for changing."""
    shutil.copytree(
        render.project, dest, symlinks=True, ignore=shutil.ignore_patterns(*ENVIRONMENTS)
    )
    return dest


def links_of(render: Render) -> dict[str, str]:
    """The repository and site URL a render was made with (its build.json), as the env that
    makes another render link the same way: a comparison render must share its context,
    whichever repository and URL the workflow (or LINK_ENV) gave the first one."""
    record = json.loads((render.site / BUILD_RECORD).read_text(encoding="utf-8"))
    env = {"SITE_URL": record.get("site_url") or ""}
    if record.get("repo_url"):
        server, _, repository = record["repo_url"].rpartition("/")
        server, _, owner = server.rpartition("/")
        env |= {"GITHUB_SERVER_URL": server, "GITHUB_REPOSITORY": f"{owner}/{repository}"}
    return env


def shared_render(
    quarto: str, factory: pytest.TempPathFactory, name: str, **extra_env: str
) -> Render:
    """The full render called ``name``: made once per test run, shared by xdist workers."""
    shared = shared_folder(factory)
    result = shared / f"{name}.json"
    with exclusive(shared / f"{name}.lock"):
        if not result.exists():
            project = copy_project(shared / name)
            outcome = render(quarto, project, **extra_env)
            result.write_text(json.dumps(outcome.__dict__), encoding="utf-8")
    return Render(**json.loads(result.read_text(encoding="utf-8")))


def log_text(log: str) -> str:
    """A render log without its colour codes."""
    return ANSI.sub("", log)


def log_problems(log: str) -> list[str]:
    """Lines of a render log that warn or report an error, except the allowed ones."""
    plain = log_text(log)
    return [
        line
        for line in plain.splitlines()
        if PROBLEM_WORD.search(line) and not any(ok in line for ok in ALLOWED_LOG_LINES)
    ]
