"""Benchmark: how the analysis grows with the row count (1x, 10x, 100x the study's rows).

Data teams have more rows than the example's 344. This makes the larger data sets from
the study's own rows (resampled with replacement, a fixed seed, and small noise on the
measurements so no two rows repeat exactly), writes each into a temporary study beside a
copy of the study file, its data package (with the new file's sha256) and its model
baseline, and runs ``scripts/run_analysis.py`` on it in a fresh process
(``PENGUIN_STUDY`` points at the copy), as a data team would. It prints the median wall
time and peak resident memory of ``--runs`` runs per size and the ratio per 10x rows:
linear growth is 10x per 10x rows; much less means fixed costs (imports, drawing axes)
still dominate.

    .venv/bin/python -m bench.bench_scale --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from penguin_site.config import BASELINE_FILE, ROOT
from penguin_site.files import sha256_bytes
from penguin_site.study import STUDY_ENV, Study, current
from tests.helpers import resample

FACTORS = (1, 10, 100)
SCRIPT = ROOT / "scripts" / "run_analysis.py"


def make_study(folder: Path, factor: int, study: Study | None = None) -> Path:
    """A copy of the study in ``folder`` whose data are ``factor`` times the rows."""
    study = study or current()
    data_dir = folder / "data"
    data_dir.mkdir(parents=True)
    package = json.loads(study.datapackage_file.read_text(encoding="utf-8"))
    resource = package["resources"][0]
    frame = pd.read_csv(study.data_file, keep_default_na=False, na_values=["NA"], dtype=str)
    numeric = [f["name"] for f in resource["schema"]["fields"] if f["type"] == "number"]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)
    data = data_dir / study.data_file.name
    resample(frame, factor, resource["schema"]).to_csv(data, index=False, na_rep="NA")
    raw = data.read_bytes()
    resource.update(hash=f"sha256:{sha256_bytes(raw)}", bytes=len(raw), rows=len(frame) * factor)
    (data_dir / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    shutil.copy(BASELINE_FILE, data_dir / BASELINE_FILE.name)
    spec = yaml.safe_load(study.path.read_text(encoding="utf-8"))
    spec["data"] = f"data/{data.name}"
    spec["datapackage"] = "data/datapackage.json"
    path = folder / "study.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def run_once(study_file: Path, build_dir: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MiB of one ``scripts/run_analysis.py``, fresh.

    CPU time (user + system, the script's and its workers') depends less than wall time on
    what else the machine runs, so it compares runs made at different times more fairly.

    ``os.wait4`` gives this one child's resource use; its ``ru_maxrss`` is the largest of
    the script and the workers it waited for (forked figure and model-file workers).
    """
    env = {**os.environ, STUDY_ENV: str(study_file)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--build-dir", str(build_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"run_analysis failed: {child.stderr.read().decode()}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per size")
    parser.add_argument("--factors", type=int, nargs="+", default=list(FACTORS))
    args = parser.parse_args(argv)
    study = current()
    rows = len(pd.read_csv(study.data_file))
    results: list[tuple[int, float, float, float]] = []
    print(
        f"{'rows':>8} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9}"
        f" {'x wall':>7} {'x CPU':>6} {'x memory':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.factors:
            study_file = make_study(Path(tmp) / f"x{factor}", factor, study)
            runs = [
                run_once(study_file, Path(tmp) / f"x{factor}" / f"build{i}")
                for i in range(args.runs)
            ]
            median = [statistics.median(r[i] for r in runs) for i in range(3)]
            ratio = ""
            if results:
                before_rows, *before = results[-1]
                per10 = np.log(10) / np.log(rows * factor / before_rows)
                wall, cpu, peak = ((m / b) ** per10 for m, b in zip(median, before, strict=True))
                ratio = f"{wall:7.2f} {cpu:6.2f} {peak:9.2f}"
            results.append((rows * factor, *median))
            wall, cpu, peak = median
            print(f"{rows * factor:>8} {wall:7.1f} {cpu:7.1f} {peak:9.0f} {ratio}", flush=True)
    print(f"medians of {args.runs} runs; x: growth per 10x rows from the size above (10 = linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
