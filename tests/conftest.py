"""Shared fixtures: the committed snapshot, its clean rows, and one finished build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from penguin_site import artifacts, dataset, pipeline
from penguin_site.config import DATA_FILE


@pytest.fixture(scope="session")
def penguins() -> pd.DataFrame:
    return dataset.load_snapshot()


@pytest.fixture(scope="session")
def clean(penguins: pd.DataFrame) -> dataset.CleanData:
    return dataset.clean_for_modelling(penguins)


@pytest.fixture
def snapshot_text() -> str:
    return DATA_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full analysis run per test session (per xdist worker), in a private folder."""
    out = tmp_path_factory.mktemp("build") / "analysis"
    pipeline.run_analysis(out)
    return out


@pytest.fixture(scope="session")
def results(build_dir: Path) -> artifacts.Results:
    return artifacts.load_results(build_dir)
