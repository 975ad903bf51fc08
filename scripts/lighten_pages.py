"""Quarto post-render script: pages that are lighter to load (see penguin_site.site.lighten).

A thin shim over ``penguin_site.site.lighten``. Quarto lists the pages it wrote in
``QUARTO_PROJECT_OUTPUT_FILES``; run by hand, it rewrites every page of SITE_DIR.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from penguin_site.site.lighten import lighten_pages, rendered_pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "site_dir",
        nargs="?",
        type=Path,
        default=Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", "_site")),
        help="rendered site, when Quarto lists no pages (default: _site)",
    )
    args = parser.parse_args(argv)
    project = Path(os.environ.get("QUARTO_PROJECT_DIR", "."))
    pages = rendered_pages(project, os.environ, args.site_dir)
    changed = lighten_pages(pages)
    print(f"lighten_pages: lightened {len(changed)} of {len(pages)} page(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
