"""Figures stay readable at any row count: alpha by count, bins above a threshold, no group hidden.

Why: at 100 times the example's rows every point drawn opaque made the scatters solid
blocks, one group's points covering another's. These draw the figures for resampled
frames (helpers.resample, the benchmark's data too) and read the plotnine layers and
the rendered pixels.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import plotnine as p9
import pytest
from helpers import resample
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from penguin_site.analysis import plots
from penguin_site.config import DATAPACKAGE_FILE
from penguin_site.study import current

GROUP = current().colour_by


def _resampled(penguins: pd.DataFrame, factor: int) -> pd.DataFrame:
    schema = json.loads(DATAPACKAGE_FILE.read_text(encoding="utf-8"))["resources"][0]["schema"]
    return resample(penguins, factor, schema)


@pytest.fixture(scope="module")
def large(penguins: pd.DataFrame) -> pd.DataFrame:
    return _resampled(penguins, 100)


def _layers(figure: plots.Figure) -> list[p9.layer.layer]:
    return list(figure.draw(plots.LIGHT_WIDE).layers)


def test_alpha_is_the_figures_own_up_to_the_threshold_then_falls_with_the_count() -> None:
    base = 0.6
    small = [1, 344, plots.ALPHA_FULL_ROWS]
    assert [plots.point_alpha(n, base) for n in small] == [base] * len(small)
    counts = [plots.ALPHA_FULL_ROWS + 1, 3_440, 34_400, 10**6, 10**9]
    alphas = [plots.point_alpha(n, base) for n in counts]
    assert all(a > b or b == plots.ALPHA_MIN for a, b in itertools.pairwise(alphas))
    assert base > alphas[0] and min(alphas) == plots.ALPHA_MIN
    # Ten times the points: each about a third (1/sqrt(10)) as opaque, above the floor.
    assert plots.point_alpha(3_000, base) / plots.point_alpha(30_000, base) == pytest.approx(
        np.sqrt(10)
    )
    assert not plots.binned(344) and not plots.binned(plots.BIN_ROWS)
    assert plots.binned(plots.BIN_ROWS + 1)


@pytest.mark.example
def test_the_example_draws_points_in_its_own_order_and_alpha(penguins: pd.DataFrame) -> None:
    (points,) = [lay for lay in _layers(plots.plot_target_vs_x(penguins)) if _is(lay, "point")]
    assert points.geom.data is None  # the ggplot's own rows, in their order
    assert points.geom.aes_params["alpha"] == 0.6


@pytest.mark.example
def test_between_thresholds_points_fade_and_are_shuffled(penguins: pd.DataFrame) -> None:
    rows = _resampled(penguins, 10)
    assert plots.ALPHA_FULL_ROWS < len(rows) <= plots.BIN_ROWS
    (points,) = [lay for lay in _layers(plots.plot_target_vs_x(rows)) if _is(lay, "point")]
    drawn = points.geom.data
    assert points.geom.aes_params["alpha"] == pytest.approx(plots.point_alpha(len(drawn), 0.6))
    assert points.geom.aes_params["alpha"] < 0.6
    # Shuffled: the last tenth drawn holds every group, not only the last one in the file.
    assert set(drawn[GROUP].iloc[-len(drawn) // 10 :]) == set(drawn[GROUP].dropna())


def _is(layer: p9.layer.layer, kind: str) -> bool:
    return type(layer.geom).__name__ == f"geom_{kind}"


def test_above_the_threshold_scatters_draw_bins_largest_group_first(large: pd.DataFrame) -> None:
    figure = plots.plot_target_vs_x(large)
    layers = _layers(figure)
    tiles = [lay for lay in layers if _is(lay, "tile")]
    assert not [lay for lay in layers if _is(lay, "point")]
    groups = [str(t.geom.data[GROUP].iloc[0]) for t in tiles]
    sizes = large.dropna(subset=[current().scatter_x, current().target.column])[GROUP]
    assert groups == [str(g) for g in sizes.value_counts().index]  # largest first
    for tile in tiles:
        alpha, (low, high) = tile.geom.data["alpha"], plots.BIN_ALPHA
        assert alpha.between(low - 1e-9, high + 1e-9).all()
        assert alpha.max() == pytest.approx(high)  # each group's fullest bin is its darkest
        assert len(tile.geom.data) <= plots.BIN_COUNT**2
    assert "binned" in figure.caption and "Binned scatter plot" in figure.alt


def test_bins_count_every_row_once_inside_the_data_range(large: pd.DataFrame) -> None:
    x, y = current().scatter_x, current().target.column
    rows = large.dropna(subset=[x, y])
    cells = plots.bin_rows(rows, x, y, GROUP)
    assert cells["count"].sum() == len(rows)
    assert cells.groupby(GROUP, observed=True)["count"].sum().to_dict() == (
        rows[GROUP].value_counts().to_dict()
    )
    assert cells[x].between(rows[x].min(), rows[x].max()).all()
    assert len(cells.drop_duplicates([GROUP, x, y])) == len(cells)


def test_box_figure_above_the_threshold_draws_boxes_and_outliers_only(large: pd.DataFrame) -> None:
    figure = plots.plot_target_by_group(large)
    assert not [lay for lay in _layers(figure) if _is(lay, "point")]
    assert "only the outliers" in figure.caption and "the outliers as points" in figure.alt


def _pixels(figure: plots.Figure) -> np.ndarray:
    """The figure as drawn for the light page, on white, as an RGB array of floats 0-1."""
    fig = figure.draw(plots.LIGHT_WIDE).draw()
    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3] / 255.0


def _share_of(pixels: np.ndarray, colour: str, opacity: tuple[float, float]) -> float:
    """Share of the pixels that are ``colour`` laid over white, at an opacity in the range."""
    ink = 1.0 - np.asarray(to_rgb(colour))
    shade = 1.0 - pixels.reshape(-1, 3)
    strength = shade @ ink / (ink @ ink)  # the opacity that best explains each pixel
    off = np.linalg.norm(shade - strength[:, None] * ink, axis=1)
    low, high = opacity
    return float(((strength >= low) & (strength < high) & (off < 0.04)).mean())


@pytest.mark.parametrize("name", ["plot_target_vs_x", "plot_measurement_pairs"])
def test_every_group_shows_in_the_large_figure(large: pd.DataFrame, name: str) -> None:
    pixels = _pixels(getattr(plots, name)(large))
    for group, colour in plots.PALETTES["light"].groups.items():
        seen = _share_of(pixels, colour, (0.2, 2.0))
        solid = _share_of(pixels, colour, (0.95, 2.0))
        # Each group covers an area of its own: far more than its legend key.
        assert seen > 0.005, (group, seen)
        # Not a solid block: most of a group's pixels let what is beneath show through.
        assert solid < 0.5 * seen, (group, solid, seen)
