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


def test_render_benchmark_copies_both_sites_and_reads_what_quarto_executed(tmp_path: Path) -> None:
    from bench import bench_render

    reference = bench_render.copy_tree(bench_render.REFERENCE_SITE, tmp_path / "reference")
    assert sorted(p.name for p in reference.iterdir()) == ["_quarto.yml", "about.qmd", "index.qmd"]
    ours = bench_render.copy_tree(bench_render.ROOT, tmp_path / "ours")
    page, old, _ = bench_render.EDIT
    assert old in (ours / page).read_text(encoding="utf-8"), "the benchmark's edit must apply"
    assert not (ours / ".venv").exists() and (ours / ".git").is_dir()
    log = "Executing 'eda.quarto_ipynb'\n  Cell 1/9: 'setup'...Done\nExecuting 'model.quarto_ipynb'"
    assert bench_render.EXECUTED.findall(log) == ["eda", "model"]
