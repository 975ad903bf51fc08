"""Content digests and JSON files, written one way for every room.

Why here, beside ``config``: the analysis records the sha256 of the data and the model,
the pages print the sha256 of each download and the publisher compares sha256s with
S3's copies. One helper each, with the standard library only, so the publisher can use
them without loading the analysis.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = ["read_json", "replace_dir", "sha256_bytes", "sha256_file", "write_json"]

#: Linux renameat2(2): resolve paths from the working directory; swap the two names.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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
    folder. On Linux the two names are exchanged in one atomic step (renameat2 with
    RENAME_EXCHANGE): ``target`` is always the old folder or the new one, never missing.
    Where that is unavailable (another OS, a filesystem without it), two renames, each
    atomic, with ``target`` absent only between them. ``new`` and ``target`` must be on
    one filesystem (siblings are).
    """
    new.chmod(0o755)  # mkdtemp makes folders private; a build folder is not
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now names the previous folder
        return
    old = new.with_name(f"{new.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return done == 0
