"""Figures come with words written from their numbers, and save byte-for-byte reproducibly."""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd
import pytest

from penguin_site import eda, plots
from penguin_site.config import FIGURE_DPI, FIGURE_SIZE_IN


@pytest.fixture(scope="module")
def oof(clean) -> pd.DataFrame:
    """A small stand-in for out-of-fold predictions: measured mass plus a known offset."""
    data = clean.data
    return pd.DataFrame(
        {
            "row": range(len(data)),
            "species": data["species"].to_numpy(),
            "actual": data["body_mass_g"].to_numpy(),
            "predicted": data["body_mass_g"].to_numpy() + 100.0,
        }
    )


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[16:24]
    return struct.unpack(">II", header)


def test_mass_vs_bill_words_carry_the_slopes(penguins: pd.DataFrame) -> None:
    figure = plots.plot_mass_vs_bill(penguins)
    slopes = eda.mass_bill_slopes(penguins)
    assert f"{slopes.overall:.0f} g per mm" in figure.caption
    for species, slope in slopes.by_species.items():
        assert f"{species} {slope:.0f}" in figure.caption
        assert f"{species} {slope:.0f}" in figure.alt
    assert "342 penguins" in figure.caption


def test_mass_distribution_alt_lists_group_medians(penguins: pd.DataFrame) -> None:
    figure = plots.plot_mass_distribution(penguins)
    median = penguins[
        (penguins.species == "Gentoo") & (penguins.sex == "male")
    ].body_mass_g.median()
    assert f"Gentoo male {median:.0f} g" in figure.alt


def test_residual_words_follow_the_predictions(oof: pd.DataFrame) -> None:
    figure = plots.plot_residuals(oof)
    assert "Adelie 0 g" in figure.alt  # every residual is exactly -100, so sd is 0


@pytest.mark.parametrize(
    "make",
    [plots.plot_mass_vs_bill, plots.plot_mass_distribution, plots.plot_measurement_pairs],
    ids=lambda f: f.__name__,
)
def test_figures_save_reproducibly(
    make, penguins: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figure = make(penguins)
    assert figure.caption and figure.alt and figure.name
    first = plots.save_figure(figure, tmp_path / "a").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    second = plots.save_figure(make(penguins), tmp_path / "b").read_bytes()
    assert first == second
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"matplotlib" not in first  # no version stamp in the file


def test_figure_size_is_fixed(penguins: pd.DataFrame, tmp_path: Path) -> None:
    path = plots.save_figure(plots.plot_mass_vs_bill(penguins), tmp_path)
    width, height = FIGURE_SIZE_IN
    assert _png_size(path) == (round(width * FIGURE_DPI), round(height * FIGURE_DPI))


@pytest.mark.parametrize(
    "make", [plots.plot_predicted_vs_actual, plots.plot_residuals], ids=lambda f: f.__name__
)
def test_diagnostic_figures_render(make, oof: pd.DataFrame, tmp_path: Path) -> None:
    figure = make(oof)
    assert str(len(oof)) in figure.caption or "sd" in figure.caption
    assert plots.save_figure(figure, tmp_path).stat().st_size > 10_000
