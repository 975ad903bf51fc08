"""Quarto pre-render hook: build provenance, and on a full render the analysis, once per build.

A thin shim over ``penguin_site.site.prerender`` (its docstring says what the hook does).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=Path(os.environ.get("QUARTO_PROJECT_DIR", ".")),
        help="project folder that gets _variables.yml (default: QUARTO_PROJECT_DIR, else .)",
    )
    parser.add_argument(
        "--analysis",
        choices=("auto", "always", "never"),
        default="auto",
        help="run the analysis: 'auto' only on a full render (QUARTO_PROJECT_RENDER_ALL=1)",
    )
    args = parser.parse_args(argv)

    try:
        from penguin_site.site.prerender import pre_render
    except ImportError as exc:
        print(
            f"pre_render: cannot import the analysis package ({exc}) with {sys.executable}.\n"
            "pre_render: run Quarto with the project's environment, e.g. "
            "QUARTO_PYTHON=.venv/bin/python quarto render (or use bash scripts/render_site.sh).",
            file=sys.stderr,
        )
        return 2
    return pre_render(args.project_dir, args.analysis, os.environ)


if __name__ == "__main__":
    raise SystemExit(main())
