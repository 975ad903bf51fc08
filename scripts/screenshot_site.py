"""Write a desktop and a mobile screenshot of every page of a rendered site.

Usage: ``.venv/bin/python scripts/screenshot_site.py _site --out _build/screenshots``.
Serves the folder on 127.0.0.1 and drives headless Chromium (``CHROMIUM_PATH`` or
Debian's ``/usr/bin/chromium``); nothing is fetched from another host.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from penguin_site.checks.browser import screenshot_pages
from penguin_site.checks.static import html_pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="rendered site folder, e.g. _site")
    parser.add_argument(
        "--out", type=Path, default=Path("_build/screenshots"), help="folder for the PNG files"
    )
    args = parser.parse_args(argv)
    pages = [page.relative_to(args.site).as_posix() for page in html_pages(args.site)]
    for path in screenshot_pages(args.site, pages, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
