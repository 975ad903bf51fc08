"""Quarto pre-render hook: build provenance, and on a full render the analysis, once per build.

Quarto runs this before it renders any page (``project: pre-render`` in ``_quarto.yml``),
with the project folder as working directory. It always writes ``_variables.yml`` (the
footer's commit, build date and versions). On a full render (Quarto sets
``QUARTO_PROJECT_RENDER_ALL=1``) it also runs the analysis from scratch, once, so every
page of the build reads the same fresh artifacts, and clears Quarto's freezer
(``_freeze/``), so every page is executed against them: ``freeze: auto`` only serves
authors' previews. Rendering or previewing one page skips
that step: the page's ``ensure_results()`` reuses the artifacts or recomputes them when
the data or code changed.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
        from penguin_site.provenance import ProvenanceError, write_variables
    except ImportError as exc:
        print(
            f"pre_render: cannot import the analysis package ({exc}) with {sys.executable}.\n"
            "pre_render: run Quarto with the project's environment, e.g. "
            "QUARTO_PYTHON=.venv/bin/python quarto render (or use bash scripts/render_site.sh).",
            file=sys.stderr,
        )
        return 2

    # Provenance first: it checks SOURCE_DATE_EPOCH before numpy (imported by the analysis)
    # trips over a malformed one with a less helpful message.
    try:
        variables = write_variables(args.project_dir.resolve())
    except ProvenanceError as exc:
        print(f"pre_render: {exc}", file=sys.stderr)
        return 2
    print(f"pre_render: wrote {variables}")

    full_render = os.environ.get("QUARTO_PROJECT_RENDER_ALL") == "1"
    if args.analysis == "always" or (args.analysis == "auto" and full_render):
        from penguin_site.config import BUILD_DIR
        from penguin_site.pipeline import run_analysis

        freezer = args.project_dir / "_freeze"
        if freezer.is_dir():
            print(f"pre_render: full render: clearing {freezer} so every page executes")
            shutil.rmtree(freezer)
        print(f"pre_render: running the analysis into {BUILD_DIR}")
        try:
            run_analysis(BUILD_DIR)
        except ValueError as exc:  # the data contract names the file, column and rows
            print(f"pre_render: the analysis failed: {exc}", file=sys.stderr)
            return 1
    else:
        print("pre_render: not a full render; pages reuse or refresh the artifacts themselves")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
