"""Figures: one ``plot_<what>()`` per figure, one theme, one palette per colour scheme.

Each function returns a ``Figure`` holding a drawing function together with its caption
and alt text, which ``captions`` writes from the same numbers the plot shows, so the
words on the page cannot disagree with the picture. The drawing function draws the plot
in one ``Look``: the site's light or dark scheme, wide (desktop) or narrow (phone), so
every screen gets a picture drawn for it (``save_figure`` writes them all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotnine as p9
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure as MplFigure
from matplotlib.text import Text
from mizani.breaks import breaks_extended
from PIL import Image

from penguin_site.analysis import captions
from penguin_site.analysis.contract import CATEGORIES
from penguin_site.analysis.eda import target_slopes
from penguin_site.analysis.results import DrawingRecord
from penguin_site.config import (
    FIGURE_DENSITIES,
    FIGURE_DPI,
    FIGURE_FONT_PT,
    FIGURE_LAYOUTS,
    FIGURE_NARROW_LEGEND_KEYS,
    FIGURE_NARROW_SIZE_IN,
    FIGURE_NARROW_SIZES_IN,
    FIGURE_PNG_COMPRESS_LEVEL,
    FIGURE_SCHEMES,
    FIGURE_SIZE_IN,
    FIGURE_SIZES_IN,
    MEASUREMENTS,
    SEED,
    TARGET,
    TARGET_UNIT,
    measurement_label,
    measurement_name,
)
from penguin_site.study import current

__all__ = [
    "LOOKS",
    "PALETTES",
    "Figure",
    "Look",
    "Palette",
    "drawing_stem",
    "figure_size",
    "plot_measurement_pairs",
    "plot_predicted_vs_actual",
    "plot_residuals",
    "plot_target_by_group",
    "plot_target_vs_x",
    "save_figure",
    "theme",
]


@dataclass(frozen=True)
class Palette:
    """The colours of one scheme, each chosen against that scheme's page background.

    Text passes WCAG's 4.5:1 on its background (cosmo's white, darkly's #222); the dark
    scheme's data colours are the lighter Okabe-Ito hues, at least 3:1 on #222.
    """

    background: str
    ink: str  # titles, legend and strip text
    muted: str  # tick labels
    grid: str
    reference: str  # reference lines: identity, zero, pooled fit
    outline: str  # box outlines and the points over them
    groups: dict[str, str]  # the study's colour_by levels
    split: dict[str, str]  # the study's split_by levels (box fills)


_STUDY = current()
_GROUP = _STUDY.categories[_STUDY.colour_by]
_SPLIT = _STUDY.categories[_STUDY.split_by]
_X = _STUDY.scatter_x

#: The page colours per scheme; the data colours per level come from the study file
#: (the example's are Okabe-Ito: distinguishable with the common colour-vision deficiencies).
PALETTES: dict[str, Palette] = {
    "light": Palette(
        background="#ffffff",
        ink="#212529",
        muted="#4d4d4d",
        grid="#e6e6e6",
        reference="#595959",
        outline="#212529",
        # The points and lines must stand 3:1 out of the white page (WCAG non-text contrast).
        groups=_GROUP.colours("light"),
        split=_SPLIT.colours("light"),
    ),
    "dark": Palette(
        background="#222222",
        ink="#f2f2f2",
        muted="#c8ced3",
        grid="#3d3d3d",
        reference="#b3b3b3",
        outline="#e6e6e6",
        groups=_GROUP.colours("dark"),
        split=_SPLIT.colours("dark"),
    ),
}


@dataclass(frozen=True)
class Look:
    """One way to draw a figure: a colour scheme and a layout (config.FIGURE_LAYOUTS)."""

    scheme: str
    layout: str

    @property
    def narrow(self) -> bool:
        return self.layout == "narrow"

    @property
    def palette(self) -> Palette:
        return PALETTES[self.scheme]


#: Every look each figure is drawn in, wide before narrow, light before dark.
LOOKS: tuple[Look, ...] = tuple(
    Look(scheme, layout) for layout in FIGURE_LAYOUTS for scheme in FIGURE_SCHEMES
)
LIGHT_WIDE = LOOKS[0]

#: Up to this many points a scatter figure draws them as the example does: its alpha, the
#: data's row order. Above it the alpha shrinks with the count (``point_alpha``) and the
#: rows are drawn in a shuffled order (fixed seed), so no group lies wholly under another.
ALPHA_FULL_ROWS = 1_000
#: The faintest a point gets: at any count a single point stays visible.
ALPHA_MIN = 0.08
#: Above this many points a scatter figure draws 2-D bins instead (``BIN_COUNT`` per axis,
#: one layer per group, the largest group first so the smaller ones lie on top), and a
#: box figure draws its boxes and outliers without every row: drawing time and file size
#: stop growing with the rows, and the picture stays readable.
BIN_ROWS = 5_000
BIN_COUNT = 60
#: A bin's alpha runs from the first (one row) to the second (its group's fullest bin).
BIN_ALPHA = (0.3, 0.9)


def point_alpha(rows: int, base: float) -> float:
    """The alpha of each of ``rows`` points whose figure uses ``base`` at small counts.

    Scaled by sqrt(ALPHA_FULL_ROWS / rows) above ALPHA_FULL_ROWS: ten times the points,
    each about a third as opaque, so dense regions keep some shade and sparse ones show.
    """
    if rows <= ALPHA_FULL_ROWS:
        return base
    return max(ALPHA_MIN, base * float(np.sqrt(ALPHA_FULL_ROWS / rows)))


def binned(rows: int) -> bool:
    """Whether a figure of ``rows`` points draws bins instead of points."""
    return rows > BIN_ROWS


def _drawing_order(rows: pd.DataFrame, count: int | None = None) -> pd.DataFrame:
    """The rows as drawn: as given up to ALPHA_FULL_ROWS points, else shuffled with the seed.

    ``count``: the points per panel, when a facetted frame holds several panels' rows.
    """
    if (len(rows) if count is None else count) <= ALPHA_FULL_ROWS:
        return rows
    return rows.sample(frac=1.0, random_state=SEED)


def bin_rows(
    rows: pd.DataFrame, x: str, y: str, group: str, panel: str | None = None
) -> pd.DataFrame:
    """Per panel and group, the occupied cells of a BIN_COUNT x BIN_COUNT grid over x, y.

    One row per cell: its centre (``x``, ``y``), size (``width``, ``height``), the group,
    the count and an ``alpha`` from BIN_ALPHA by the square root of the count over the
    group's fullest cell in that panel (so a sparse group is as visible as a dense one).
    """
    panels = rows.groupby(panel, observed=True) if panel else [(None, rows)]
    cells = []
    for key, part in panels:
        xs, ys = part[x].to_numpy(float), part[y].to_numpy(float)
        spans = []
        for values in (xs, ys):
            low, high = float(values.min()), float(values.max())
            spans.append((low, (high - low) / BIN_COUNT or 1.0))
        (x0, width), (y0, height) = spans
        ix = np.minimum(((xs - x0) / width).astype(int), BIN_COUNT - 1)
        iy = np.minimum(((ys - y0) / height).astype(int), BIN_COUNT - 1)
        counts = (
            pd.DataFrame({group: part[group].to_numpy(), "ix": ix, "iy": iy})
            .groupby([group, "ix", "iy"], observed=True)
            .size()
            .rename("count")
            .reset_index()
        )
        fullest = counts.groupby(group, observed=True)["count"].transform("max")
        low, high = BIN_ALPHA
        counts = counts.assign(
            **{
                x: x0 + (counts["ix"] + 0.5) * width,
                y: y0 + (counts["iy"] + 0.5) * height,
                "width": width,
                "height": height,
                "alpha": low
                + (high - low) * np.sqrt((counts["count"] - 1) / (fullest - 1).clip(1)),
            }
        ).drop(columns=["ix", "iy"])
        if panel:
            counts[panel] = key
        cells.append(counts)
    out = pd.concat(cells, ignore_index=True)
    out[group] = pd.Categorical(out[group], categories=list(CATEGORIES[group]))
    if panel:
        out[panel] = pd.Categorical(out[panel], categories=rows[panel].cat.categories)
    return out


def _scatter(
    rows: pd.DataFrame,
    x: str,
    y: str,
    alpha: float,
    size: float,
    panel: str | None = None,
    count: int | None = None,
) -> list[p9.geom | p9.guides]:
    """The point layers of a scatter coloured by the study's group, by the row count.

    Up to BIN_ROWS: points with ``point_alpha`` in ``_drawing_order``. Above: 2-D bins
    (``bin_rows``), one layer per group, the group with most rows first. ``count`` is the
    number of points per panel (default: every row is one point).
    """
    group = _STUDY.colour_by
    count = len(rows) if count is None else count
    if not binned(count):
        # The figure's own rows and mapping (the ggplot's) when the order is kept.
        shuffled = count > ALPHA_FULL_ROWS
        points = p9.geom_point(
            _drawing_order(rows, count) if shuffled else None,
            p9.aes(x, y, color=group) if shuffled else None,
            alpha=point_alpha(count, alpha),
            size=size,
        )
        # Faded points would fade the legend's keys too: those stay at the figure's alpha.
        keys = p9.guides(color=p9.guide_legend(override_aes={"alpha": alpha}))
        return [points, keys] if shuffled else [points]
    cells = bin_rows(rows, x, y, group, panel)
    largest_first = rows[group].value_counts(sort=True).index
    return [
        p9.geom_tile(
            cells[cells[group] == level],
            p9.aes(x, y, width="width", height="height", fill=group, alpha="alpha"),
            inherit_aes=False,
        )
        for level in largest_first
        if (cells[group] == level).any()
    ]


def _group_fill(look: Look) -> list[p9.scale_fill_manual | p9.scale_alpha_identity]:
    """The bins' group colours (the points' colours) and their alpha as given."""
    return [
        p9.scale_fill_manual(values=look.palette.groups, limits=list(CATEGORIES[_STUDY.colour_by])),
        p9.scale_alpha_identity(),
    ]


@dataclass(frozen=True)
class Figure:
    """A figure's drawing function with the words that go with it on the page."""

    name: str
    draw: Callable[[Look], p9.ggplot]
    caption: str
    alt: str


def figure_size(name: str, look: Look) -> tuple[float, float]:
    """Width and height in inches of a figure drawn in ``look``."""
    if look.narrow:
        return FIGURE_NARROW_SIZES_IN.get(name, FIGURE_NARROW_SIZE_IN)
    return FIGURE_SIZES_IN.get(name, FIGURE_SIZE_IN)


def theme(name: str = "", look: Look = LIGHT_WIDE) -> p9.theme:
    """The site's one theme: transparent background, the scheme's text, a size per look.

    Transparent so the page's own background shows through in either scheme; narrow
    drawings put the legend below the panel, where a phone has room for it: side by side,
    or one key per line when the group has more levels than fit across a phone.
    """
    colours = look.palette
    stacked = look.narrow and len(_GROUP.levels) > FIGURE_NARROW_LEGEND_KEYS
    legend = {"legend_direction": "vertical"} if stacked else {}
    return p9.theme_minimal(base_size=FIGURE_FONT_PT[look.layout]) + p9.theme(
        figure_size=figure_size(name, look),
        dpi=FIGURE_DPI,
        legend_position="bottom" if look.narrow else "right",
        **legend,
        panel_grid_minor=p9.element_blank(),
        panel_grid_major=p9.element_line(color=colours.grid),
        text=p9.element_text(color=colours.ink),
        axis_text=p9.element_text(color=colours.muted),
        strip_text=p9.element_text(color=colours.ink),
        plot_background=p9.element_rect(fill="none", color="none"),
        legend_background=p9.element_rect(fill="none", color="none"),
    )


def _group_colour(look: Look) -> p9.scale_color_manual:
    return p9.scale_color_manual(
        values=look.palette.groups, limits=list(CATEGORIES[_STUDY.colour_by])
    )


def plot_target_vs_x(df: pd.DataFrame) -> Figure:
    """The target against ``scatter_x``, with per-group and pooled least-squares lines."""
    name = "target-vs-x"
    group = _STUDY.colour_by
    rows = df.dropna(subset=[_X, TARGET])
    slopes = target_slopes(rows)
    per_group = pd.concat(
        _fitted_line(rows[rows[group] == level]).assign(**{group: level})
        for level in CATEGORIES[group]
    ).astype({group: rows[group].dtype})
    pooled = _fitted_line(rows)

    def draw(look: Look) -> p9.ggplot:
        return (
            p9.ggplot(rows, p9.aes(_X, TARGET, color=group))
            + _scatter(rows, _X, TARGET, alpha=0.6, size=1.6)
            + p9.geom_line(per_group, size=1)
            + p9.geom_line(
                pooled,
                p9.aes(group=1),
                color=look.palette.reference,
                linetype="dashed",
                size=0.8,
            )
            + _group_colour(look)
            + (_group_fill(look) if binned(len(rows)) else [])
            + p9.labs(
                x=measurement_label(_X),
                y=measurement_label(TARGET),
                color=_GROUP.label,
                fill=_GROUP.label,
            )
            + theme(name, look)
        )

    words = _with_bins(captions.target_vs_x(rows, slopes), len(rows))
    return Figure(name, draw, words.caption, words.alt)


def _with_bins(words: captions.Words, rows: int) -> captions.Words:
    """The words of a scatter figure, saying so when it draws bins (``binned``)."""
    return captions.binned(words, rows, BIN_COUNT) if binned(rows) else words


def _fitted_line(rows: pd.DataFrame) -> pd.DataFrame:
    """The least-squares line of the target on ``scatter_x`` across the rows' x range.

    What ``geom_smooth(method="lm", se=False)`` draws, computed here: plotnine's smoother
    imports statsmodels (about 2 s) in every process that draws it.
    """
    x = rows[_X].to_numpy()
    slope, intercept = np.polyfit(x, rows[TARGET].to_numpy(), deg=1)
    ends = np.array([x.min(), x.max()])
    return pd.DataFrame({_X: ends, TARGET: intercept + slope * ends})


def plot_target_by_group(df: pd.DataFrame) -> Figure:
    """The target by colour group and split: the factors the example model adds."""
    name = "target-by-group"
    group, split = _STUDY.colour_by, _STUDY.split_by
    rows = df.dropna(subset=[TARGET, split])
    medians = rows.groupby([group, split], observed=True)[TARGET].median()

    every_row = not binned(len(rows))

    def draw(look: Look) -> p9.ggplot:
        outline = look.palette.outline
        # Every row as a point over its box; above BIN_ROWS the boxes with their outliers.
        points = p9.geom_point(
            _drawing_order(rows),
            position=p9.position_jitterdodge(jitter_width=0.15, dodge_width=0.7, random_state=SEED),
            alpha=point_alpha(len(rows), 0.35),
            size=0.9,
            color=outline,
        )
        return (
            p9.ggplot(rows, p9.aes(group, TARGET, fill=split))
            + p9.geom_boxplot(
                outlier_shape="" if every_row else "o",
                outlier_size=0.9,
                outlier_alpha=0.35,
                width=0.6,
                color=outline,
                position=p9.position_dodge(0.7),
            )
            + ([points] if every_row else [])
            + p9.scale_fill_manual(values=look.palette.split, limits=list(CATEGORIES[split]))
            + p9.labs(x=_GROUP.label, y=measurement_label(TARGET), fill=_SPLIT.label)
            + theme(name, look)
        )

    words = captions.target_by_group(rows, medians, every_row)
    return Figure(name, draw, words.caption, words.alt)


def _pair_label(x: str, y: str) -> str:
    """A panel's title, on two lines: one line is wider than a panel at a legible size."""
    return f"{measurement_label(y)}\nvs {measurement_label(x)}"


def plot_measurement_pairs(df: pd.DataFrame) -> Figure:
    """Every pair of the measurements, one panel each, coloured by group."""
    name = "measurement-pairs"
    columns = list(MEASUREMENTS)
    pairs = [(x, y) for i, x in enumerate(columns) for y in columns[i + 1 :]]
    rows = df.dropna(subset=columns)
    labels = [_pair_label(x, y) for x, y in pairs]
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "pair": label,
                    "x": rows[x].to_numpy(),
                    "y": rows[y].to_numpy(),
                    _STUDY.colour_by: rows[_STUDY.colour_by].to_numpy(),
                }
            )
            for (x, y), label in zip(pairs, labels, strict=True)
        ],
        ignore_index=True,
    )
    long["pair"] = pd.Categorical(long["pair"], labels)

    def draw(look: Look) -> p9.ggplot:
        return (
            p9.ggplot(long, p9.aes("x", "y", color=_STUDY.colour_by))
            + _scatter(long, "x", "y", alpha=0.5, size=0.7, panel="pair", count=len(rows))
            + p9.facet_wrap("pair", scales="free", ncol=2 if look.narrow else 3)
            # Four x ticks at most, so three-digit values do not run together.
            + p9.scale_x_continuous(breaks=breaks_extended(n=4))
            + _group_colour(look)
            + (_group_fill(look) if binned(len(rows)) else [])
            + p9.labs(x="", y="", color=_GROUP.label, fill=_GROUP.label)
            + theme(name, look)
            # Room between rows for a panel's two-line title under the ticks above it.
            + p9.theme(panel_spacing_y=0.04)
        )

    words = _with_bins(captions.measurement_pairs(rows, columns, pairs), len(rows))
    return Figure(name, draw, words.caption, words.alt)


def plot_predicted_vs_actual(predictions: pd.DataFrame) -> Figure:
    """Out-of-fold prediction (mean over repeats) against the measured target, per row."""
    name = "predicted-vs-actual"
    low = float(min(predictions["actual"].min(), predictions["predicted"].min()))
    high = float(max(predictions["actual"].max(), predictions["predicted"].max()))
    errors = predictions["actual"] - predictions["predicted"]
    rmse = float(np.sqrt((errors**2).mean()))

    def draw(look: Look) -> p9.ggplot:
        return (
            p9.ggplot(predictions, p9.aes("actual", "predicted", color=_STUDY.colour_by))
            + p9.geom_abline(intercept=0, slope=1, linetype="dashed", color=look.palette.reference)
            + _scatter(predictions, "actual", "predicted", alpha=0.7, size=1.4)
            + _group_colour(look)
            + (_group_fill(look) if binned(len(predictions)) else [])
            + p9.coord_fixed(xlim=(low, high), ylim=(low, high))
            + p9.labs(
                x=f"Measured {measurement_name(TARGET)} ({TARGET_UNIT})",
                y=f"Predicted {measurement_name(TARGET)} ({TARGET_UNIT})",
                color=_GROUP.label,
                fill=_GROUP.label,
            )
            + theme(name, look)
        )

    words = _with_bins(captions.predicted_vs_actual(predictions, rmse), len(predictions))
    return Figure(name, draw, words.caption, words.alt)


def plot_residuals(predictions: pd.DataFrame) -> Figure:
    """Residuals against predictions: spread and bias the metrics summarise in one number."""
    name = "residuals"
    rows = predictions.assign(residual=predictions["actual"] - predictions["predicted"])
    by_group = rows.groupby(_STUDY.colour_by, observed=True)["residual"].agg(
        ["count", "mean", "std"]
    )

    def draw(look: Look) -> p9.ggplot:
        return (
            p9.ggplot(rows, p9.aes("predicted", "residual", color=_STUDY.colour_by))
            + p9.geom_hline(yintercept=0, linetype="dashed", color=look.palette.reference)
            + _scatter(rows, "predicted", "residual", alpha=0.7, size=1.4)
            + _group_colour(look)
            + (_group_fill(look) if binned(len(rows)) else [])
            + p9.labs(
                x=f"Predicted {measurement_name(TARGET)} ({TARGET_UNIT})",
                y=f"Measured minus predicted ({TARGET_UNIT})",
                color=_GROUP.label,
                fill=_GROUP.label,
            )
            + theme(name, look)
        )

    words = _with_bins(captions.residuals(rows, by_group), len(rows))
    return Figure(name, draw, words.caption, words.alt)


def drawing_stem(name: str, look: Look, density: int = 1) -> str:
    """File name, without suffix, of one look of a figure at one pixel density."""
    return f"{name}-{look.layout}-{look.scheme}" + (f"@{density}x" if density > 1 else "")


def save_figure(figure: Figure, directory: Path) -> list[DrawingRecord]:
    """Draw ``figure`` in every look and write each at every density; byte-for-byte reproducibly.

    Each look is drawn once, rasterised at the highest density and reduced for the lower
    ones, then stored as a 256-colour palette PNG: for these scatter plots it is a quarter
    of the bytes of a full-colour PNG, and smaller than matplotlib's SVG even gzipped
    (measured per figure; see the figures commit). Pillow writes no timestamp or
    software name, so a version bump alone does not change a figure's bytes.
    """
    directory.mkdir(parents=True, exist_ok=True)
    return [_save_look(figure, look, directory) for look in LOOKS]


def _save_look(figure: Figure, look: Look, directory: Path) -> DrawingRecord:
    fig = figure.draw(look).draw()
    fig.patch.set_facecolor("none")  # matplotlib's white figure, under the theme's none
    width_in, height_in = (float(v) for v in fig.get_size_inches())
    texts = _drawn_texts(fig)
    top = max(FIGURE_DENSITIES)
    fig.set_dpi(FIGURE_DPI * top)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    sharpest = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    files = []
    for density in FIGURE_DENSITIES:
        image = sharpest if density == top else sharpest.reduce(top // density)
        path = directory / f"{drawing_stem(figure.name, look, density)}.png"
        image.quantize(256, method=Image.Quantize.FASTOCTREE).save(
            path, compress_level=FIGURE_PNG_COMPRESS_LEVEL
        )
        files.append(path)
    return DrawingRecord(
        scheme=look.scheme,
        layout=look.layout,
        files=tuple(files),
        width=round(width_in * FIGURE_DPI),
        height=round(height_in * FIGURE_DPI),
        width_in=width_in,
        min_text_pt=min(text.get_fontsize() for text in texts),
        text_colours=tuple(sorted({to_hex(text.get_color()) for text in texts})),
    )


def _drawn_texts(fig: MplFigure) -> list[Text]:
    """Every piece of text the figure shows (visible, not empty)."""
    return [
        text
        for text in fig.findobj(Text)
        if text.get_visible() and text.get_text().strip() and text.get_alpha() != 0
    ]
