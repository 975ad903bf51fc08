"""The digest of everything the analysis depends on, and whether a build is current.

Why: a page previewed on its own reuses the last analysis build when nothing it depends
on changed, and recomputes it when anything did. "Anything" is exactly the analysis's own
inputs: its code (this folder, ``config``, and the shared helpers it imports), the data and
its description, the lock, and ``SOURCE_DATE_EPOCH`` (it is stamped into the model file).
Editing the publisher or a page's helpers does not make the analysis stale. Standard
library only, so checking is cheap.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from penguin_site.clock import source_date_epoch
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE, LOCK_FILE

__all__ = ["DIGEST_FILE", "analysis_digest", "analysis_sources", "is_current"]

#: The digest a build was made from, in its folder; written last, so it marks a finished
#: build (``results.load_results`` refuses a folder without it).
DIGEST_FILE = "digest.txt"

_PACKAGE = Path(__file__).resolve().parents[1]


def analysis_sources() -> list[Path]:
    """The code the analysis runs: this folder and the top-level modules it imports."""
    shared = [_PACKAGE / name for name in ("config.py", "files.py", "clock.py")]
    return [*shared, *sorted(Path(__file__).resolve().parent.glob("*.py"))]


def analysis_digest(
    data_file: Path = DATA_FILE, datapackage: Path | None = DATAPACKAGE_FILE
) -> str:
    """sha256 over the analysis's inputs (code, data, description, lock, build time)."""
    digest = hashlib.sha256()
    inputs = [data_file, *(p for p in [datapackage] if p), *analysis_sources()]
    if LOCK_FILE.is_file():
        inputs.append(LOCK_FILE)
    digest.update(f"SOURCE_DATE_EPOCH={source_date_epoch(os.environ)}\0".encode())
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


def is_current(
    build_dir: Path, data_file: Path = DATA_FILE, datapackage: Path | None = DATAPACKAGE_FILE
) -> bool:
    """True when ``build_dir`` holds a finished build of exactly today's inputs."""
    marker = Path(build_dir) / DIGEST_FILE
    if not marker.is_file():
        return False
    return marker.read_text(encoding="utf-8").strip() == analysis_digest(data_file, datapackage)
