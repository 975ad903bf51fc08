"""The digest of everything the analysis depends on, and whether a build is current.

Why: a page previewed on its own reuses the last analysis build when nothing it depends
on changed, and recomputes it when anything did. "Anything" is exactly the analysis's own
inputs: its code (this folder, ``config``, and the shared helpers it imports), the study
file, the data and its description, the model's quality baseline, the lock, and the date
stamped into the model file (``model_epoch``).
Editing the publisher or a page's helpers does not make the analysis stale. Standard
library only, so checking is cheap.

The model file's date is when the analysis's inputs last changed in git, clamped to
``SOURCE_DATE_EPOCH`` (the reproducible-builds rule: no timestamp later than it). So a
commit that changes only prose, while ``SOURCE_DATE_EPOCH`` moves to its time, leaves the
model's bytes, and the digest, as they were: nothing is recomputed that did not change.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from penguin_site.clock import commit_time, source_date_epoch
from penguin_site.config import BASELINE_FILE, DATA_FILE, DATAPACKAGE_FILE, LOCK_FILE, ROOT
from penguin_site.study import study_file

__all__ = [
    "DIGEST_FILE",
    "ZIP_EPOCH_MIN",
    "analysis_digest",
    "analysis_sources",
    "inputs_committed",
    "is_current",
    "model_epoch",
    "recorded_digest",
]

#: Earliest time a zip entry can carry (zip stores DOS dates from 1980).
ZIP_EPOCH_MIN = 315_532_800

#: The digest a build was made from, in its folder; written last, so it marks a finished
#: build (``results.load_results`` refuses a folder without it).
DIGEST_FILE = "digest.txt"

_PACKAGE = Path(__file__).resolve().parents[1]


def analysis_sources() -> list[Path]:
    """The code the analysis runs: this folder and the top-level modules it imports."""
    shared = [_PACKAGE / name for name in ("config.py", "files.py", "clock.py", "study.py")]
    return [*shared, *sorted(Path(__file__).resolve().parent.glob("*.py"))]


def inputs_committed(root: Path = ROOT) -> int | None:
    """Commit time of the last commit that changed an analysis input; None outside git."""
    inputs = [
        study_file(),
        DATA_FILE,
        DATAPACKAGE_FILE,
        BASELINE_FILE,
        LOCK_FILE,
        *analysis_sources(),
    ]
    # Only inputs inside the checkout have a commit time (a study elsewhere has none).
    inside = [
        p.resolve() for p in inputs if p.exists() and p.resolve().is_relative_to(root.resolve())
    ]
    paths = [str(p.relative_to(root.resolve())) for p in inside]
    return commit_time(root, *paths)


def model_epoch(env: Mapping[str, str] = os.environ) -> int:
    """The date stamped into the model file's zip entries (seconds since 1970, UTC).

    When the analysis's inputs last changed in git, clamped to ``SOURCE_DATE_EPOCH`` when
    that is set; outside git, ``SOURCE_DATE_EPOCH``; with neither, 1980-01-01. Never
    before 1980, which zip cannot store.
    """
    known = [t for t in (source_date_epoch(env), inputs_committed()) if t is not None]
    return max(min(known) if known else ZIP_EPOCH_MIN, ZIP_EPOCH_MIN)


def analysis_digest(
    data_file: Path = DATA_FILE, datapackage: Path | None = DATAPACKAGE_FILE
) -> str:
    """sha256 over the analysis's inputs (code, study, data, description, lock, build time)."""
    digest = hashlib.sha256()
    inputs = [
        study_file(),
        data_file,
        *(p for p in [datapackage] if p),
        BASELINE_FILE,
        *analysis_sources(),
    ]
    if LOCK_FILE.is_file():
        inputs.append(LOCK_FILE)
    digest.update(f"model_epoch={model_epoch()}\0".encode())
    for path in inputs:
        digest.update(_name(path).encode() + b"\0")
        digest.update(Path(path).read_bytes() if Path(path).is_file() else b"<missing>")
    return digest.hexdigest()


def _name(path: Path) -> str:
    """A path named the same wherever the checkout is (package-relative where it can be)."""
    resolved = Path(path).resolve()
    return (
        resolved.relative_to(_PACKAGE).as_posix()
        if resolved.is_relative_to(_PACKAGE)
        else Path(path).name
    )


def recorded_digest(build_dir: Path) -> str:
    """The digest a finished build in ``build_dir`` was made from; "" when there is none."""
    marker = Path(build_dir) / DIGEST_FILE
    return marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""


def is_current(
    build_dir: Path, data_file: Path = DATA_FILE, datapackage: Path | None = DATAPACKAGE_FILE
) -> bool:
    """True when ``build_dir`` holds a finished build of exactly today's inputs."""
    recorded = recorded_digest(build_dir)
    return bool(recorded) and recorded == analysis_digest(data_file, datapackage)
