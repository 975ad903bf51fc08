"""The suite's workers: a module marked ``xdist_group`` runs on one worker.

Why: the costly module fixtures (the second study's whole README flow and render, about a
minute) are made once per worker that runs a test of the module. run_tests.sh passes
``--dist loadgroup`` so that this is one worker; with pytest 9.2 and pytest-xdist 3.8 the
group silently spread over every worker (pytest-dev/pytest-xdist#1386), and the flow ran
three times. This runs the real scheduler on a module of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("one")


@pytest.mark.parametrize("case", range(6))
def test_case(case):
    print("worker", os.environ["PYTEST_XDIST_WORKER"])
"""


def test_a_groups_tests_share_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-v",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            "/dev/null",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {line.split()[0] for line in done.stdout.splitlines() if " PASSED " in line}
    assert len(workers) == 1, done.stdout
    assert done.stdout.count(" PASSED ") == 6, done.stdout
