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
    # Every prediction is 100 g too high: mean residual -100, spread 0.
    for species in ("Adelie", "Chinstrap", "Gentoo"):
        assert f"{species} mean -100 g, sd 0 g" in figure.alt
        assert f"{species} mean -100 g, sd 0 g" in figure.caption
    assert "largest miss is -100 g" in figure.caption


def test_predicted_vs_actual_words_carry_the_error(oof: pd.DataFrame) -> None:
    figure = plots.plot_predicted_vs_actual(oof)
    assert f"{len(oof)} penguins" in figure.caption
    assert "(root mean squared error) is 100 g" in figure.caption
    assert "distance from the line is 100 g" in figure.alt


def test_pairs_words_name_the_extremes(penguins: pd.DataFrame) -> None:
    figure = plots.plot_measurement_pairs(penguins)
    assert "342 penguins, 6 pairs" in figure.caption
    assert "Gentoo penguins are the heaviest, have the longest flippers" in figure.alt


def test_words_change_when_the_data_do(penguins: pd.DataFrame) -> None:
    """Perturb the data so other statements are true; the captions must follow."""
    changed = penguins.copy()
    chinstrap = changed["species"] == "Chinstrap"
    changed.loc[chinstrap, "body_mass_g"] += 3000  # Chinstrap now the heaviest
    female_adelie = (changed["species"] == "Adelie") & (changed["sex"] == "female")
    changed.loc[female_adelie, "body_mass_g"] += 2000  # Adelie females now heavier than males

    distribution = plots.plot_mass_distribution(changed)
    assert "Chinstrap penguins are the heaviest species" in distribution.caption
    assert "in Chinstrap and Gentoo, but not in Adelie" in distribution.caption
    scatter = plots.plot_mass_vs_bill(changed)
    assert "Chinstrap penguins have both the longest bills and the highest mass" in scatter.caption
    pairs = plots.plot_measurement_pairs(changed)
    assert "Chinstrap penguins are the heaviest" in pairs.alt
    assert "Gentoo penguins have the longest flippers" in pairs.alt


def test_pooled_slope_is_compared_with_each_species(penguins: pd.DataFrame) -> None:
    caption = plots.plot_mass_vs_bill(penguins).caption
    slopes = eda.mass_bill_slopes(penguins)
    steeper = [s for s, v in slopes.by_species.items() if v > slopes.overall]
    assert steeper == ["Adelie", "Gentoo"]
    assert "flatter than the Adelie and Gentoo lines and steeper than the Chinstrap line" in caption


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
    assert plots.save_figure(make(oof), tmp_path).stat().st_size > 10_000
