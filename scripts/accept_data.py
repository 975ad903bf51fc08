"""Accept a new data file: validate it, print what changed, record it in data/ (see README).

A thin shim over ``penguin_site.analysis.intake``: the file must meet the data contract
(the build's own messages); the rows added, removed and changed against the current
``data/penguins.csv`` are printed by group (the same rows in another order are no change);
then the file becomes ``data/penguins.csv`` and ``data/datapackage.json`` records its rows,
bytes, sha256 and that it was accepted from a file. ``--dry-run`` prints the diff and
writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.analysis.dataset import DataValidationError
from penguin_site.analysis.intake import accept
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("new_file", type=Path, metavar="NEW_FILE", help="the CSV to accept")
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    parser.add_argument("--data-file", type=Path, default=DATA_FILE, help="CSV to replace")
    parser.add_argument(
        "--datapackage", type=Path, default=DATAPACKAGE_FILE, help="descriptor to update"
    )
    args = parser.parse_args(argv)
    try:
        intake = accept(args.new_file, args.data_file, args.datapackage, dry_run=args.dry_run)
    except DataValidationError as exc:
        print(
            f"error: {args.new_file} breaks the data contract; nothing was written\n{exc}",
            file=sys.stderr,
        )
        return 1
    diff = intake.diff
    print(f"{args.new_file}: {intake.rows} rows, {intake.bytes} bytes, sha256 {intake.sha256}")
    print(f"against {intake.compared_with}: {diff.summary()}")
    for line in diff.lines():
        print(line)
    if not intake.written:
        print("dry run: nothing was written")
        return 0
    print(
        f"accepted: wrote {args.data_file} and {args.datapackage}. Render the site "
        "(bash scripts/render_site.sh) and commit both files; if the model-quality gate "
        "stops the build, see README (Model-quality gate)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
