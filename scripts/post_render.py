"""Quarto post-render hook: a reproducible sitemap, then the build's identity (build.json).

A thin shim over ``penguin_site.site.postrender`` (its docstring says what the hook does).
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
        help="project folder (default: QUARTO_PROJECT_DIR, else .)",
    )
    parser.add_argument(
        "--site-dir",
        type=Path,
        default=Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", "_site")),
        help="rendered site folder (default: QUARTO_PROJECT_OUTPUT_DIR, else _site)",
    )
    args = parser.parse_args(argv)

    try:
        from penguin_site.site.postrender import post_render
    except ImportError as exc:
        print(
            f"post_render: cannot import the analysis package ({exc}) with {sys.executable}.\n"
            "post_render: run Quarto with the project's environment, e.g. "
            "QUARTO_PYTHON=.venv/bin/python quarto render (or use bash scripts/render_site.sh).",
            file=sys.stderr,
        )
        return 2
    return post_render(args.project_dir.resolve(), args.site_dir, os.environ)


if __name__ == "__main__":
    raise SystemExit(main())
