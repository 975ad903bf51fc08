"""Regenerate data/penguins.csv and data/datapackage.json from the palmerpenguins package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.analysis.dataset import DataValidationError
from penguin_site.analysis.snapshot import write_snapshot
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-file", type=Path, default=DATA_FILE, help="CSV to write")
    parser.add_argument(
        "--datapackage", type=Path, default=DATAPACKAGE_FILE, help="descriptor to write"
    )
    args = parser.parse_args(argv)
    try:
        digest = write_snapshot(args.data_file, args.datapackage)
    except DataValidationError as exc:
        print(
            f"error: the source data break the contract; nothing was written\n{exc}",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {args.data_file} (sha256 {digest}) and {args.datapackage}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
