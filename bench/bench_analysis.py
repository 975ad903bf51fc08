"""Benchmark: the whole analysis in a fresh process, split by stage, with peak memory.

A breakdown, not a target: what a user feels of the analysis is the cold first build,
which ``bench_render`` measures against the bare site; this says where that build's
analysis time goes. Prints medians over ``--runs`` fresh processes.

    .venv/bin/python -m bench.bench_analysis --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence

# Runs in a fresh interpreter so import time is real, not warmed by this process.
CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
from penguin_site.analysis import pipeline
imported = time.perf_counter()
timings = {"imports": imported - start}
pipeline.run_analysis(sys.argv[1], timings=timings)
timings["total"] = time.perf_counter() - start
timings["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(timings))
"""


def _run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes to time")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(_run(CHILD, f"{tmp}/analysis"))
    print(f"full analysis, fresh process, median of {args.runs} runs:")
    for stage in runs[0]:
        values = [r[stage] for r in runs]
        unit = "MiB" if stage == "peak_mib" else "s"
        print(
            f"  {stage:<18} {statistics.median(values):8.2f} {unit}"
            f"   (min {min(values):.2f}, max {max(values):.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
