"""The benchmark keeps working (its figures are read by people, not asserted here)."""

from __future__ import annotations

from pathlib import Path

from bench import bench_analysis
from penguin_site.site.notebooks import notebook_pages


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


def test_floor_site_is_our_configuration_with_trivial_pages(quarto: str, tmp_path: Path) -> None:
    """The floor the render benchmark prints: our _quarto.yml without hooks, our theme,
    pages of the same names; it renders, and executes exactly the pages that run code."""
    import yaml

    from bench import bench_render

    floor = bench_render.floor_site(bench_render.ROOT, tmp_path / "floor")
    ours = yaml.safe_load((bench_render.ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    config = yaml.safe_load((floor / "_quarto.yml").read_text(encoding="utf-8"))
    assert "pre-render" in ours["project"] and "post-render" in ours["project"]
    assert "pre-render" not in config["project"] and "post-render" not in config["project"]
    assert config["format"] == ours["format"] and config["website"] == ours["website"]
    seconds, log = bench_render.render(Path(quarto), floor)
    assert seconds > 0 and (floor / "_site" / "index.html").is_file()
    assert notebook_pages(floor) == notebook_pages(bench_render.ROOT) == ["eda", "model"]
    assert sorted(bench_render.EXECUTED.findall(log)) == ["eda", "model"]
