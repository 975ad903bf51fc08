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
from penguin_site.analysis.quality import ModelQualityError, write_baseline
from penguin_site.analysis.results import METRICS_FILE
from penguin_site.clock import EpochError
from penguin_site.config import BASELINE_FILE, BUILD_DIR, DATA_FILE, DATAPACKAGE_FILE, ROOT
from penguin_site.files import read_json


def _shown(path: Path) -> Path:
    """``path`` relative to the project when inside it: a study elsewhere (PENGUIN_STUDY) has
    its baseline outside the project, which must not stop ``--help`` being built."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=BUILD_DIR, help="folder for artifacts")
    parser.add_argument("--data-file", type=Path, default=DATA_FILE, help="data CSV to analyse")
    parser.add_argument(
        "--datapackage",
        type=Path,
        default=DATAPACKAGE_FILE,
        help="descriptor holding the data file's sha256",
    )
    parser.add_argument(
        "--no-checksum", action="store_true", help="analyse a data file that has no recorded sha256"
    )
    parser.add_argument(
        "--record-baseline",
        action="store_true",
        help=f"skip the model-quality gate and record this run's scores as the new baseline "
        f"({_shown(BASELINE_FILE)}); commit it to accept a changed model",
    )
    args = parser.parse_args(argv)
    try:
        out = run_analysis(
            args.build_dir,
            args.data_file,
            None if args.no_checksum else args.datapackage,
            baseline=None if args.record_baseline else BASELINE_FILE,
        )
    except DataValidationError as exc:
        print(f"error: the data failed validation; nothing was written\n{exc}", file=sys.stderr)
        return 1
    except EpochError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    except ModelQualityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"analysis written to {out}")
    if args.record_baseline:
        metrics = read_json(out / METRICS_FILE)
        path = write_baseline(metrics["candidates"][metrics["chosen"]], name=metrics["chosen"])
        print(f"recorded the model's scores as the new baseline in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
