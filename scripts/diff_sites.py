"""List the files that differ between two rendered sites (exit 1 when any does).

Usage: ``.venv/bin/python scripts/diff_sites.py _site /tmp/other/_site``. Two renders of one
commit with the same ``SOURCE_DATE_EPOCH`` must give byte-identical folders.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from penguin_site.checks.static import differing_files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="a rendered site folder")
    parser.add_argument("second", type=Path, help="another rendered site folder")
    args = parser.parse_args(argv)
    for folder in (args.first, args.second):
        if not folder.is_dir():
            parser.error(f"{folder} is not a folder")
    lines = differing_files(args.first, args.second)
    for line in lines:
        print(line)
    print(f"{len(lines)} file(s) differ")
    return 1 if lines else 0


if __name__ == "__main__":
    raise SystemExit(main())
