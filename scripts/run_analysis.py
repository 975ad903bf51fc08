"""Run the whole analysis once and write every artifact into the build folder.

Quarto's pre-render hook and the tests call this; pages only read its output.
Exit status 1 with one line per problem when the data breaks its contract.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.analysis.dataset import DataValidationError
from penguin_site.analysis.pipeline import run_analysis
from penguin_site.clock import EpochError
from penguin_site.config import BUILD_DIR, DATA_FILE, DATAPACKAGE_FILE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=BUILD_DIR, help="folder for artifacts")
    parser.add_argument("--data-file", type=Path, default=DATA_FILE, help="penguins CSV to analyse")
    parser.add_argument(
        "--datapackage",
        type=Path,
        default=DATAPACKAGE_FILE,
        help="descriptor holding the data file's sha256",
    )
    parser.add_argument(
        "--no-checksum", action="store_true", help="analyse a data file that has no recorded sha256"
    )
    args = parser.parse_args(argv)
    try:
        out = run_analysis(
            args.build_dir, args.data_file, None if args.no_checksum else args.datapackage
        )
    except DataValidationError as exc:
        print(f"error: the data failed validation; nothing was written\n{exc}", file=sys.stderr)
        return 1
    except EpochError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    print(f"analysis written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
