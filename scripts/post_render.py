"""Quarto post-render hook: put each page's executed notebook into the site beside it.

A thin shim over ``penguin_site.site.notebooks`` (its docstring says why and how). Quarto
runs it after the pages are rendered, with the project folder as working directory and
``QUARTO_PROJECT_OUTPUT_DIR`` / ``QUARTO_PROJECT_OUTPUT_FILES`` naming what it wrote.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    from penguin_site.site.notebooks import NotebookError, keep_executed, publish_notebooks

    project = Path(os.environ.get("QUARTO_PROJECT_DIR", "."))
    output = project / os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", "_site")
    rendered = [
        Path(line).stem for line in os.environ.get("QUARTO_PROJECT_OUTPUT_FILES", "").splitlines()
    ]
    try:
        fresh = keep_executed(project)
        copied = publish_notebooks(project, output, rendered)
    except NotebookError as exc:
        print(f"post_render: {exc}", file=sys.stderr)
        return 1
    print(f"post_render: kept the notebooks of {fresh or 'no page (all frozen)'}")
    print(f"post_render: copied {[p.name for p in copied]} into {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
