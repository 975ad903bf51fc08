"""Benchmark: the data diff of scripts/accept_data.py on the snapshot reordered, 1x to 100x.

Why: the diff must stay fast when a data team sends a bigger file. For each scale the
snapshot is copied that many times (every row distinct, as the contract requires), and the
same rows in another order are accepted against it with ``--dry-run`` semantics. Prints the
median seconds of ``--runs`` runs of the whole acceptance (load and validate both files,
diff) and of the diff alone (``intake.diff_rows`` on the loaded tables).

    .venv/bin/python -m bench.bench_intake --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from penguin_site.analysis import intake
from penguin_site.analysis.dataset import load_data
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from tests.helpers import reordered, scaled

SCALES: tuple[int, ...] = (1, 10, 100)


def measure(times: int, runs: int, folder: Path) -> tuple[float, float, intake.DataDiff]:
    """Median seconds of the acceptance (dry run) and of the diff alone, and the diff."""
    current, package = folder / f"current-{times}x.csv", folder / DATAPACKAGE_FILE.name
    new = folder / f"reordered-{times}x.csv"
    current.write_text(scaled(DATA_FILE.read_text(encoding="utf-8"), times), encoding="utf-8")
    new.write_text(reordered(current.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.copy(DATAPACKAGE_FILE, package)
    whole, alone = [], []
    old_table, new_table = load_data(current), load_data(new)
    for _ in range(runs):
        start = time.perf_counter()
        intake.accept(new, current, package, dry_run=True)
        whole.append(time.perf_counter() - start)
        start = time.perf_counter()
        diff = intake.diff_rows(old_table, new_table)
        alone.append(time.perf_counter() - start)
    return statistics.median(whole), statistics.median(alone), diff


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scale (the median counts)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for times in SCALES:
            whole, alone, diff = measure(times, max(args.runs, 1), Path(tmp))
            print(
                f"{times:>4}x {diff.after:>6} rows: accept --dry-run {whole:6.3f} s, "
                f"diff {alone:6.3f} s (median of {args.runs}); {diff.summary()}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
