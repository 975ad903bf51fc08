"""Figures come with words written from their numbers, and save byte-for-byte reproducibly."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import contrast
from PIL import Image

from penguin_site.analysis import captions, eda, plots
from penguin_site.analysis.results import FIGURES_DIR
from penguin_site.config import (
    FIGURE_DENSITIES,
    FIGURE_DPI,
    FIGURE_LAYOUTS,
    FIGURE_SCHEMES,
)


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


def _pixels(name: str, look: plots.Look, density: int) -> tuple[int, int]:
    """The pixel size config promises for one drawing: its size in inches at its density."""
    width, height = plots.figure_size(name, look)
    return round(width * FIGURE_DPI * density), round(height * FIGURE_DPI * density)


def _check_drawings(figure: plots.Figure, drawings: list) -> None:
    """One drawing per scheme and layout, each a PNG per density of the promised size."""
    assert [(d.scheme, d.layout) for d in drawings] == [
        (s, layout) for layout in FIGURE_LAYOUTS for s in FIGURE_SCHEMES
    ]
    for drawing in drawings:
        look = plots.Look(drawing.scheme, drawing.layout)
        assert len(drawing.files) == len(FIGURE_DENSITIES)
        for path, density in zip(drawing.files, FIGURE_DENSITIES, strict=True):
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert _png_size(path) == _pixels(figure.name, look, density)
        assert (drawing.width, drawing.height) == _pixels(figure.name, look, 1)
        assert drawing.min_text_pt > 0 and drawing.text_colours


@pytest.mark.example
def test_target_vs_x_words_carry_the_slopes(penguins: pd.DataFrame) -> None:
    figure = plots.plot_target_vs_x(penguins)
    slopes = eda.target_slopes(penguins)
    assert f"{slopes.overall:.0f} g per mm" in figure.caption
    for species, slope in slopes.by_group.items():
        assert f"{species} {slope:.0f}" in figure.caption
        assert f"{species} {slope:.0f}" in figure.alt
    assert "342 penguins" in figure.caption
    means = penguins.groupby("species")[["bill_length_mm", "body_mass_g"]].mean()
    longest, heaviest = means["bill_length_mm"].idxmax(), means["body_mass_g"].idxmax()
    bill = means.loc[longest, "bill_length_mm"]
    if longest != heaviest:
        assert f"{longest} penguins have the longest bills on average ({bill:.1f} mm) but" in (
            figure.alt
        )
        assert f"{heaviest} penguins are the heaviest" in figure.alt


@pytest.mark.example
def test_target_by_group_words_follow_the_group_medians(penguins: pd.DataFrame) -> None:
    figure = plots.plot_target_by_group(penguins)
    medians = penguins.groupby(["species", "sex"])["body_mass_g"].median().unstack("sex")
    for species, row in medians.iterrows():
        assert f"{species} male {row['male']:,.0f} g" in figure.alt
        assert f"{species} female {row['female']:,.0f} g" in figure.alt
    gaps = medians["male"] - medians["female"]
    if (gaps > 0).all():
        listed = ", ".join(f"{s} by {g:,.0f} g" for s, g in gaps.items())
        assert f"female in every species ({listed})" in figure.caption
    else:
        assert "but not in" in figure.caption
    heaviest = medians.idxmax()
    if heaviest["female"] == heaviest["male"]:
        assert f"{heaviest['male']} penguins are the heaviest: both their females" in figure.caption


@pytest.mark.example
def test_target_by_group_names_species_with_one_sex(penguins: pd.DataFrame) -> None:
    no_chinstrap_males = penguins[~((penguins.species == "Chinstrap") & (penguins.sex == "male"))]
    caption = plots.plot_target_by_group(no_chinstrap_males).caption
    assert "in every species with both sexes recorded (Adelie by" in caption
    assert "Chinstrap has one sex only" in caption


def _biased_oof(clean, offsets: dict[str, float]) -> pd.DataFrame:
    """Predictions off by +-300 g alternately (mean ~0) plus a fixed offset per species."""
    data = clean.data.reset_index(drop=True)
    swing = np.where(data.groupby("species").cumcount() % 2 == 0, 300.0, -300.0)
    offset = data["species"].map(offsets).fillna(0.0).to_numpy()
    return pd.DataFrame(
        {
            "row": range(len(data)),
            "species": data["species"].to_numpy(),
            "actual": data["body_mass_g"].to_numpy(),
            "predicted": data["body_mass_g"].to_numpy() + swing + offset,
        }
    )


@pytest.mark.example
def test_residual_words_follow_the_predictions(oof: pd.DataFrame) -> None:
    figure = plots.plot_residuals(oof)
    # Every prediction is 100 g too high: mean residual -100, spread 0.
    for species in ("Adelie", "Chinstrap", "Gentoo"):
        assert f"{species} mean -100 g, sd 0 g" in figure.alt
        assert f"{species} mean -100 g, sd 0 g" in figure.caption
    assert "predicts Adelie, Chinstrap and Gentoo too heavy" in figure.caption
    assert "largest miss is -100 g" in figure.caption
    assert f"for {len(oof)} penguins" in figure.caption


@pytest.mark.example
def test_residual_words_name_the_biased_species(clean) -> None:
    frame = _biased_oof(clean, {})
    unbiased = plots.plot_residuals(frame)
    assert "Every species' mean residual is within two standard errors of zero" in unbiased.alt
    residual = frame["actual"] - frame["predicted"]
    for species, sd in residual.groupby(frame["species"]).std().items():
        assert f"{species} mean" in unbiased.caption
        assert f"sd {sd:,.0f} g" in unbiased.caption
    lower = frame["predicted"] <= frame["predicted"].median()
    assert (
        f"sd is {residual[lower].std():,.0f} g for predictions up to their median and "
        f"{residual[~lower].std():,.0f} g above it"
    ) in unbiased.caption
    assert "The largest miss is -300 g (an Adelie penguin)" in unbiased.caption

    biased = plots.plot_residuals(_biased_oof(clean, {"Chinstrap": -200.0, "Gentoo": 150.0}))
    assert "predicts Chinstrap too light and Gentoo too heavy" in biased.caption
    assert "Adelie is within two standard errors of zero" in biased.caption
    assert "Chinstrap mean +200 g" in biased.alt


@pytest.mark.example
def test_predicted_vs_actual_words_carry_the_error(oof: pd.DataFrame) -> None:
    figure = plots.plot_predicted_vs_actual(oof)
    assert f"{len(oof)} penguins" in figure.caption
    assert "(root mean squared error) is 100 g" in figure.caption
    assert "distance from the line is 100 g" in figure.alt
    low, high = oof["actual"].min(), oof["actual"].max()
    assert f"Measured masses run from {low:,.0f} g to {high:,.0f} g" in figure.alt


@pytest.mark.example
def test_pairs_words_name_the_extremes(penguins: pd.DataFrame) -> None:
    figure = plots.plot_measurement_pairs(penguins)
    complete = penguins.dropna(subset=["bill_length_mm", "bill_depth_mm", "flipper_length_mm"])
    assert f"{len(complete)} penguins, 6 pairs" in figure.caption
    means = complete.groupby("species")[
        ["body_mass_g", "flipper_length_mm", "bill_depth_mm", "bill_length_mm"]
    ].mean()
    heaviest = means["body_mass_g"].idxmax()
    mass = means.loc[heaviest, "body_mass_g"]
    assert f"{heaviest} penguins are the heaviest ({mass:,.0f} g)" in figure.alt
    longest = means["flipper_length_mm"].idxmax()
    flipper = means.loc[longest, "flipper_length_mm"]
    assert f"have the longest flippers ({flipper:.1f} mm)" in figure.alt
    shallowest = means["bill_depth_mm"].idxmin()
    assert f"have the shallowest bills ({means.loc[shallowest, 'bill_depth_mm']:.1f} mm)" in (
        figure.caption
    )
    assert "bill length, bill depth, flipper length and body mass" in figure.alt


@pytest.mark.example
def test_words_change_when_the_data_do(penguins: pd.DataFrame) -> None:
    """Perturb the data so other statements are true; the captions must follow."""
    changed = penguins.copy()
    chinstrap = changed["species"] == "Chinstrap"
    changed.loc[chinstrap, "body_mass_g"] += 3000  # Chinstrap now the heaviest
    female_adelie = (changed["species"] == "Adelie") & (changed["sex"] == "female")
    changed.loc[female_adelie, "body_mass_g"] += 2000  # Adelie females now heavier than males

    original = plots.plot_target_by_group(penguins)
    distribution = plots.plot_target_by_group(changed)
    assert distribution.caption != original.caption
    assert "Chinstrap penguins are the heaviest: both their females" in distribution.caption
    assert "in Chinstrap and Gentoo (Chinstrap by 400 g, Gentoo by 800 g), but not in Adelie" in (
        distribution.caption
    )
    assert "(Adelie female 5,400 g, male 4,000 g)" in distribution.caption
    scatter = plots.plot_target_vs_x(changed)
    bill = changed.loc[chinstrap, "bill_length_mm"].mean()
    assert f"Chinstrap penguins have both the longest bills ({bill:.1f} mm) and the highest" in (
        scatter.alt
    )
    assert "Gentoo penguins are the heaviest" not in scatter.alt
    pairs = plots.plot_measurement_pairs(changed)
    assert "Chinstrap penguins are the heaviest" in pairs.alt
    assert "Gentoo penguins have the longest flippers" in pairs.alt


def _lines(lines: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Birds exactly on one line per species: {species: (slope g/mm, shift)}.

    Shifting a species moves its bills ``shift`` mm longer and its masses ``100 * shift``
    g heavier, so the species means rise 100 g per mm whatever the slope inside each.
    """
    bills = np.linspace(40.0, 46.0, 7)
    return pd.concat(
        pd.DataFrame(
            {
                "species": species,
                "bill_length_mm": bills + shift,
                "body_mass_g": 4000.0 + slope * (bills - 40.0) + 100.0 * shift,
            }
        )
        for species, (slope, shift) in lines.items()
    )


@pytest.mark.example
@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (
            {"Adelie": (50.0, 0.0), "Chinstrap": (50.0, 0.0), "Gentoo": (50.0, 0.0)},
            "(50 g per mm) and is as steep as the Adelie, Chinstrap and Gentoo lines",
        ),
        (  # each species falls, but longer-billed species are heavier: the pooled line rises
            {"Adelie": (-20.0, 0.0), "Chinstrap": (-20.0, 10.0), "Gentoo": (-20.0, 20.0)},
            "is higher than the Adelie, Chinstrap and Gentoo lines",
        ),
    ],
    ids=["parallel", "simpson"],
)
def test_pooled_slope_words_follow_synthetic_lines(
    lines: dict[str, tuple[float, float]], said: str
) -> None:
    caption = plots.plot_target_vs_x(_lines(lines)).caption
    assert said in caption


@pytest.mark.example
def test_species_without_a_slope_is_named_not_printed_as_nan() -> None:
    slopes = eda.Slopes(overall=80.0, by_group={"Adelie": 90.0, "Chinstrap": float("nan")})
    assert captions._slope_list(slopes) == "Adelie 90, Chinstrap (too few birds)"
    assert captions._pooled_vs_within(slopes) == "flatter than the Adelie line"


@pytest.mark.parametrize(
    "make",
    [plots.plot_target_vs_x, plots.plot_target_by_group, plots.plot_measurement_pairs],
    ids=lambda f: f.__name__,
)
def test_figures_save_reproducibly(
    make, penguins: pd.DataFrame, build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawn again here, under another SOURCE_DATE_EPOCH: the shared build's bytes exactly."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    figure = make(penguins)
    assert figure.caption and figure.alt and figure.name
    drawings = plots.save_figure(figure, tmp_path)
    _check_drawings(figure, drawings)
    for drawing in drawings:
        for path in drawing.files:
            built = build_dir / FIGURES_DIR / path.name
            assert path.read_bytes() == built.read_bytes(), path.name
            assert b"matplotlib" not in path.read_bytes()  # no version stamp in the file


@pytest.mark.example
@pytest.mark.parametrize(
    "make", [plots.plot_predicted_vs_actual, plots.plot_residuals], ids=lambda f: f.__name__
)
def test_diagnostic_figures_render(make, oof: pd.DataFrame, tmp_path: Path) -> None:
    figure = make(oof)
    drawings = plots.save_figure(figure, tmp_path)
    _check_drawings(figure, drawings)
    assert all(path.stat().st_size > 5_000 for d in drawings for path in d.files)


@pytest.mark.parametrize("scheme", FIGURE_SCHEMES)
def test_each_scheme_draws_text_and_lines_that_stand_out_from_its_page(scheme: str) -> None:
    """WCAG: text 4.5:1 on the page background; data marks (points, lines) 3:1 in both
    schemes; box fills 3:1 in the dark one (in the light one their outline stands out)."""
    palette = plots.PALETTES[scheme]
    for text in (palette.ink, palette.muted):
        assert contrast(text, palette.background) >= 4.5, text
    for line in (palette.reference, palette.outline):
        assert contrast(line, palette.background) >= 3.0, line
    for colour in palette.groups.values():
        assert contrast(colour, palette.background) >= 3.0, colour
    if scheme == "dark":
        for colour in palette.split.values():
            assert contrast(colour, palette.background) >= 3.0, colour


def test_dark_drawing_is_the_light_one_in_dark_colours(
    penguins: pd.DataFrame, tmp_path: Path
) -> None:
    """Same layout and text sizes; text in the dark palette; transparent, not white."""
    drawings = plots.save_figure(plots.plot_target_vs_x(penguins), tmp_path)
    light, dark = (
        next(d for d in drawings if (d.scheme, d.layout) == (s, "wide")) for s in FIGURE_SCHEMES
    )
    assert (light.width, light.height, light.min_text_pt) == (
        dark.width,
        dark.height,
        dark.min_text_pt,
    )
    assert set(dark.text_colours) == {plots.PALETTES["dark"].ink, plots.PALETTES["dark"].muted}
    with Image.open(dark.files[0]) as image:
        assert image.convert("RGBA").getpixel((0, 0))[3] == 0
