"""Content digests and JSON files, written one way for every room.

Why here, beside ``config``: the analysis records the sha256 of the data and the model,
the pages print the sha256 of each download and the publisher compares sha256s with
S3's copies. One helper each, with the standard library only, so the publisher can use
them without loading the analysis.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

__all__ = ["read_json", "replace_dir", "sha256_bytes", "sha256_file", "write_json"]


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes in memory (a file already read, a model before it is written)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (site files can be large)."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_json(path: Path, payload: object) -> None:
    """Write JSON with a fixed layout (indent 2, key order kept, UTF-8, final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    """Read a JSON file (UTF-8)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` at ``target`` and delete what was there.

    Why: a build is made aside and swapped in whole, so nobody ever reads a half-written
    folder. Two renames, each atomic: ``target`` is absent only between them (a few
    microseconds), and a process killed exactly there leaves the previous folder whole
    beside it, at ``<new>.old``. ``new`` and ``target`` must be on one filesystem
    (siblings are).
    """
    new.chmod(0o755)  # mkdtemp makes folders private; a build folder is not
    old = new.with_name(f"{new.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
