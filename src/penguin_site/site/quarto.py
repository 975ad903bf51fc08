"""Find the Quarto binary the site is built with, the same way for the build and the tests.

Why one place: README command (1) and the tests must agree on which Quarto they use, or a
user whose Quarto lives in ``.venv`` (the PyPI package ``quarto-cli``, which command (1)
installs) would render the site while the tests skip, saying Quarto is missing.

Looked for in order: ``QUARTO_PATH``, ``quarto`` on ``PATH``, then the ``quarto-cli``
package in this Python environment. Only the pinned release counts. The PyPI package's
``bin/quarto`` is a Python wrapper that drops Quarto's exit status, so the real binary
inside the package is used instead.

Run as ``python -m penguin_site.site.quarto``: prints the binary's path, or says what it looked
at and exits 1.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from penguin_site.config import QUARTO_VERSION

__all__ = ["QuartoNotFound", "find_quarto", "quarto_version"]

VERSION_TIMEOUT_S = 120


class QuartoNotFound(LookupError):
    """No Quarto of the pinned version: the message lists every place looked at."""


def package_binary() -> Path | None:
    """The real binary inside the ``quarto-cli`` package of this environment, if installed.

    ``quarto_cli`` is a namespace package (no ``__init__.py``, so no ``__file__``): its
    folder comes from the import spec.
    """
    spec = importlib.util.find_spec("quarto_cli")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "quarto"


def _unwrap(candidate: Path) -> Path:
    """The binary a ``quarto-cli`` Python wrapper script stands for, else ``candidate``."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        with candidate.open(encoding="utf-8") as handle:
            first = handle.readline()
        if first.startswith("#!") and "python" in first:
            return package_binary() or candidate
    return candidate


def quarto_version(binary: Path) -> str:
    """What ``binary --version`` prints (stripped), or ``""`` when it does not run."""
    try:
        done = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def candidates(env: Mapping[str, str]) -> list[tuple[str, Path]]:
    """(where it came from, path) for each place Quarto may be, in the order they count."""
    found: list[tuple[str, Path]] = []
    if env.get("QUARTO_PATH"):
        found.append(("QUARTO_PATH", Path(env["QUARTO_PATH"])))
    on_path = shutil.which("quarto", path=env.get("PATH", ""))
    if on_path:
        found.append(("PATH", Path(on_path)))
    package = package_binary()
    if package is not None:
        found.append((f"the quarto-cli package of {sys.prefix}", package))
    return found


def find_quarto(env: Mapping[str, str] | None = None, version: str = QUARTO_VERSION) -> Path:
    """The first Quarto binary of ``version``; ``QuartoNotFound`` says what was looked at."""
    env = os.environ if env is None else env
    seen: list[str] = []
    for origin, path in candidates(env):
        if not path.is_file():
            seen.append(f"{origin}: {path} does not exist")
            continue
        binary = _unwrap(path)
        have = quarto_version(binary)
        if have == version:
            return binary
        seen.append(f"{origin}: {binary} is Quarto {have or '(does not run)'}")
    looked = "; ".join(seen) or "no QUARTO_PATH, no quarto on PATH, no quarto-cli package"
    raise QuartoNotFound(
        f"Quarto {version} not found ({looked}). Install it (bash scripts/render_site.sh "
        f"does, into .venv), or put its bin/ on PATH, or set QUARTO_PATH to its binary."
    )


def main() -> int:
    try:
        print(find_quarto())
    except QuartoNotFound as exc:
        print(f"quarto: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
