"""Build provenance: commit, reproducible build date and tool versions for the footer.

The git cases run real git in a throwaway repository with a fixed commit date, so the
expected values come from git itself, not from the code under test.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from helpers import git, one_commit_repo

from penguin_site.config import ROOT
from penguin_site.site import provenance


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one commit made at ``COMMIT_DATE``."""
    return one_commit_repo(tmp_path / "project")


def test_commit_and_commit_date_come_from_git(repo: Path) -> None:
    found = provenance.collect(repo, env={})
    assert found.commit == git(repo, "rev-parse", "--short=7", "HEAD")
    assert found.commit_full == git(repo, "rev-parse", "HEAD")
    assert found.build_date == "2021-03-04"
    assert found.date_source == "commit date"
    assert found.dirty is False


def test_source_date_epoch_wins_over_commit_date(repo: Path) -> None:
    found = provenance.collect(repo, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert found.build_date == "2023-11-14"
    assert found.build_time.isoformat() == "2023-11-14T22:13:20+00:00"
    assert found.date_source == "SOURCE_DATE_EPOCH"


@pytest.mark.parametrize("bad", ["yesterday", "-5", "1.5", "17e8"])
def test_bad_source_date_epoch_is_a_clear_error(repo: Path, bad: str) -> None:
    with pytest.raises(provenance.ProvenanceError, match=r"SOURCE_DATE_EPOCH .* got '"):
        provenance.collect(repo, env={"SOURCE_DATE_EPOCH": bad})


def test_uncommitted_changes_are_stated(repo: Path) -> None:
    (repo / "index.qmd").write_text("---\ntitle: Changed\n---\n")
    variables = provenance.to_variables(provenance.collect(repo, env={}))
    assert variables["build"]["commit"].endswith("(with uncommitted changes)")


def test_outside_git_the_commit_is_unknown(tmp_path: Path) -> None:
    found = provenance.collect(tmp_path, env={})
    assert found.commit == "unknown"
    assert found.date_source.startswith("build clock")


def test_versions_are_the_installed_ones() -> None:
    versions = provenance.package_versions()
    assert versions == {
        "python": platform.python_version(),
        "pandas": metadata.version("pandas"),
        "scikit_learn": metadata.version("scikit-learn"),
        "plotnine": metadata.version("plotnine"),
    }


def test_write_variables_round_trips(repo: Path) -> None:
    path = provenance.write_variables(repo, env={"SOURCE_DATE_EPOCH": "0"})
    assert path == repo / "_variables.yml"
    data = yaml.safe_load(path.read_text())
    assert data["build"]["date"] == "1970-01-01"
    assert data["build"]["commit"] == git(repo, "rev-parse", "--short=7", "HEAD")
    assert data["versions"]["scikit_learn"] == metadata.version("scikit-learn")
    assert path.read_text().startswith("# Written by scripts/pre_render.py")


def test_every_variable_is_written_as_a_quoted_string(repo: Path) -> None:
    # Quarto's YAML 1.2 reader would turn a bare short sha like 12345e7 into a number.
    path = provenance.write_variables(repo, env={"SOURCE_DATE_EPOCH": "0"})
    values = [
        line.split(": ", 1)[1]
        for line in path.read_text().splitlines()
        if ": " in line and not line.startswith("#")
    ]
    assert values and all(v.startswith('"') and v.endswith('"') for v in values)


# --- the Quarto pre-render hook (scripts/pre_render.py), run as Quarto runs it -------------


def run_hook(project: Path, build: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "QUARTO_PROJECT_RENDER_ALL"},
        "PENGUIN_BUILD_DIR": str(build),
        "QUARTO_PROJECT_DIR": str(project),
        **env,
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pre_render.py")],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.whole_analysis
def test_hook_on_full_renders_runs_only_the_stale_work(repo: Path, tmp_path: Path) -> None:
    """First full render: analysis and a fresh freezer. The next, with the same inputs,
    reruns nothing and keeps what Quarto froze. (When a new build date is a new digest, and
    so a rerun, is test_artifacts' unit test of the digest.)"""
    build = tmp_path / "build" / "analysis"

    def full_render() -> subprocess.CompletedProcess[str]:
        done = run_hook(repo, build, QUARTO_PROJECT_RENDER_ALL="1", SOURCE_DATE_EPOCH="1700000000")
        assert done.returncode == 0, done.stderr
        return done

    (repo / "_freeze" / "eda").mkdir(parents=True)
    done = full_render()
    assert not (repo / "_freeze").exists(), "a freezer of unknown origin must go"
    variables = yaml.safe_load((repo / "_variables.yml").read_text())
    assert variables["build"]["date"] == "2023-11-14"
    assert (build / "digest.txt").is_file()
    assert "running it into" in done.stdout

    (repo / "_freeze" / "eda").mkdir(parents=True)  # what Quarto froze during that render
    model = (build / "model.skops").stat().st_mtime_ns
    again = full_render()
    assert "is current: not rerun" in again.stdout
    assert (repo / "_freeze" / "eda").is_dir(), "unchanged results keep the frozen pages"
    assert (build / "model.skops").stat().st_mtime_ns == model


def test_hook_stops_on_a_bad_source_date_epoch(repo: Path, tmp_path: Path) -> None:
    done = run_hook(repo, tmp_path / "build", SOURCE_DATE_EPOCH="tuesday")
    assert done.returncode == 2
    assert "SOURCE_DATE_EPOCH must be a whole number" in done.stderr
    assert not (repo / "_variables.yml").exists()


def test_write_variables_leaves_an_unchanged_file_alone(repo: Path) -> None:
    """quarto preview watches project files: an identical rewrite would re-trigger renders."""
    path = provenance.write_variables(repo, env={"SOURCE_DATE_EPOCH": "0"})
    os.utime(path, (1, 1))
    provenance.write_variables(repo, env={"SOURCE_DATE_EPOCH": "0"})
    assert path.stat().st_mtime == 1
    provenance.write_variables(repo, env={"SOURCE_DATE_EPOCH": "86400"})
    assert path.stat().st_mtime != 1
