"""The benchmark keeps working (its figures are read by people, not asserted here)."""

from __future__ import annotations

from pathlib import Path

from bench import bench_analysis


def test_benchmark_child_reports_every_stage(tmp_path: Path) -> None:
    figures = bench_analysis._run(bench_analysis.CHILD, str(tmp_path / "analysis"))
    stages = {"imports", "validation", "tables", "cross_validation", "artifacts", "figures"}
    assert stages | {"total", "peak_mib"} == set(figures)
    assert all(figures[s] >= 0 for s in stages)
    assert figures["total"] >= sum(figures[s] for s in stages) * 0.99
    assert (tmp_path / "analysis" / "metrics.json").is_file()
