"""The build's time: ``SOURCE_DATE_EPOCH`` and commit times, read and checked in one place.

Why: the footer's build date (``site.provenance``) and the dates inside the model file
(``analysis.digest.model_epoch``) must come from the same values and reject a malformed one
with the same message. Standard library only; git is asked read-only, and its absence is
an answer (None), not an error.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

__all__ = ["EpochError", "commit_time", "git_output", "source_date_epoch"]

GIT_TIMEOUT_S = 10


class EpochError(ValueError):
    """``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds."""


def source_date_epoch(env: Mapping[str, str]) -> int | None:
    """Seconds since 1970-01-01 UTC from ``SOURCE_DATE_EPOCH``, or None when it is unset."""
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise EpochError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got {raw!r}"
        )
    return int(raw)


def git_output(root: Path, *args: str) -> str | None:
    """Output of a read-only git command in ``root``; None when git or the repository is absent."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit_time(root: Path, *paths: str) -> int | None:
    """Time of the last commit (that changed one of ``paths``, when given); None outside git."""
    stamp = git_output(
        root, "log", "-1", "--format=%ct", "HEAD", *(["--", *paths] if paths else [])
    )
    return int(stamp) if stamp and stamp.isdigit() else None
