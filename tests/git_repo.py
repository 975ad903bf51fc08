"""A small git repository with one commit at a known time, for tests of provenance."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: When the one commit is made (author and committer).
COMMIT_DATE = "2021-03-04T05:06:07+00:00"


def one_commit_repo(root: Path) -> Path:
    """``root`` as a git repository holding ``index.qmd`` in one commit made at COMMIT_DATE."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root.mkdir()
    (root / "index.qmd").write_text("---\ntitle: Home\n---\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_DATE": COMMIT_DATE,
    }
    for args in (["init", "-q"], ["add", "index.qmd"], ["commit", "-q", "-m", "first"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, timeout=30)
    return root
