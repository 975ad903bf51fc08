"""Figures: one ``plot_<what>()`` per figure, one theme, one palette.

Each function returns a ``Figure`` holding the plot together with its caption and
alt text, written from the same numbers the plot shows, so the words on the page
cannot disagree with the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotnine as p9

from penguin_site.config import FIGURE_DPI, FIGURE_SIZE_IN, MEASUREMENTS, TARGET
from penguin_site.eda import mass_bill_slopes
from penguin_site.schema import CATEGORIES

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
SPECIES_COLOURS: dict[str, str] = {"Adelie": "#E69F00", "Chinstrap": "#0072B2", "Gentoo": "#009E73"}
SEX_COLOURS: dict[str, str] = {"female": "#CC79A7", "male": "#56B4E9"}


@dataclass(frozen=True)
class Figure:
    """A plot with the words that go with it on the page."""

    name: str
    plot: p9.ggplot
    caption: str
    alt: str


def theme() -> p9.theme:
    """The site's one theme: light background, readable text at the fixed figure size."""
    width, height = FIGURE_SIZE_IN
    return p9.theme_minimal(base_size=11) + p9.theme(
        figure_size=(width, height),
        dpi=FIGURE_DPI,
        legend_position="right",
        panel_grid_minor=p9.element_blank(),
        plot_background=p9.element_rect(fill="white", color="white"),
    )


def _label(column: str) -> str:
    unit = MEASUREMENTS[column]
    return f"{column.removesuffix('_' + unit).replace('_', ' ').capitalize()} ({unit})"


def _species_colour() -> p9.scale_color_manual:
    return p9.scale_color_manual(values=SPECIES_COLOURS, limits=list(CATEGORIES["species"]))


def plot_mass_vs_bill(df: pd.DataFrame) -> Figure:
    """Body mass against bill length, with per-species and pooled least-squares lines."""
    rows = df.dropna(subset=["bill_length_mm", TARGET])
    slopes = mass_bill_slopes(rows)
    plot = (
        p9.ggplot(rows, p9.aes("bill_length_mm", TARGET, color="species"))
        + p9.geom_point(alpha=0.6, size=1.6)
        + p9.geom_smooth(method="lm", se=False, size=1)
        + p9.geom_smooth(
            p9.aes(group=1), method="lm", se=False, color="black", linetype="dashed", size=0.8
        )
        + _species_colour()
        + p9.labs(x=_label("bill_length_mm"), y=_label(TARGET), color="Species")
        + theme()
    )
    within = ", ".join(f"{s} {v:.0f}" for s, v in slopes.by_species.items())
    caption = (
        f"Body mass against bill length for {len(rows)} penguins. Coloured lines fit each "
        f"species (slopes in g per mm: {within}); the dashed line pools all species "
        f"({slopes.overall:.0f} g per mm). The pooled slope mixes differences between "
        "species with the relation inside each, so it tells a different story."
    )
    alt = (
        "Scatter plot of body mass in grams against bill length in millimetres, coloured by "
        "species. Gentoo penguins sit highest; Chinstrap penguins have long bills but lower "
        f"mass than Gentoo. Within-species slopes are {within} grams per millimetre; the "
        f"dashed pooled line has slope {slopes.overall:.0f}."
    )
    return Figure("mass-vs-bill", plot, caption, alt)


def plot_mass_distribution(df: pd.DataFrame) -> Figure:
    """Body mass by species and sex: the two factors the model adds to bill length."""
    rows = df.dropna(subset=[TARGET, "sex"])
    medians = rows.groupby(["species", "sex"], observed=True)[TARGET].median()
    plot = (
        p9.ggplot(rows, p9.aes("species", TARGET, fill="sex"))
        + p9.geom_boxplot(outlier_shape="", width=0.6, position=p9.position_dodge(0.7))
        + p9.geom_point(
            position=p9.position_jitterdodge(jitter_width=0.15, dodge_width=0.7, random_state=0),
            alpha=0.35,
            size=0.9,
        )
        + p9.scale_fill_manual(values=SEX_COLOURS, limits=list(CATEGORIES["sex"]))
        + p9.labs(x="Species", y=_label(TARGET), fill="Sex")
        + theme()
    )
    described = "; ".join(f"{s} {x} {v:.0f} g" for (s, x), v in medians.items())
    caption = (
        f"Body mass by species and sex ({len(rows)} penguins with sex recorded). Boxes show "
        "the middle half of each group with its median; points are individual birds. "
        "Males are heavier than females of the same species, and Gentoo are heaviest."
    )
    alt = (
        "Box plots of body mass in grams for each species, split into female and male, with "
        f"individual birds as points. Median masses: {described}."
    )
    return Figure("mass-distribution", plot, caption, alt)


def plot_measurement_pairs(df: pd.DataFrame) -> Figure:
    """Every pair of the four measurements, one panel each, coloured by species."""
    columns = list(MEASUREMENTS)
    pairs = [(x, y) for i, x in enumerate(columns) for y in columns[i + 1 :]]
    rows = df.dropna(subset=columns)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "pair": f"{_label(y)} vs {_label(x)}",
                    "x": rows[x].to_numpy(),
                    "y": rows[y].to_numpy(),
                    "species": rows["species"].to_numpy(),
                }
            )
            for x, y in pairs
        ],
        ignore_index=True,
    )
    long["pair"] = pd.Categorical(long["pair"], [f"{_label(y)} vs {_label(x)}" for x, y in pairs])
    width, _ = FIGURE_SIZE_IN
    plot = (
        p9.ggplot(long, p9.aes("x", "y", color="species"))
        + p9.geom_point(alpha=0.5, size=0.7)
        + p9.facet_wrap("pair", scales="free", ncol=3)
        + _species_colour()
        + p9.labs(x="", y="", color="Species")
        + theme()
        + p9.theme(figure_size=(width * 1.3, width * 0.75), strip_text=p9.element_text(size=8))
    )
    caption = (
        f"Pairwise view of the four measurements ({len(rows)} penguins, {len(pairs)} pairs). "
        "Each panel plots one measurement against another; the species form separate clusters, "
        "which is why species carries so much information about mass."
    )
    alt = (
        f"Grid of {len(pairs)} scatter plots, one for each pair of bill length, bill depth, "
        "flipper length and body mass, coloured by species. Gentoo penguins form a separate "
        "cluster of heavy, long-flippered but shallow-billed birds."
    )
    return Figure("measurement-pairs", plot, caption, alt)


def plot_predicted_vs_actual(predictions: pd.DataFrame) -> Figure:
    """Out-of-fold prediction (mean over repeats) against the measured mass, per bird."""
    width, _ = FIGURE_SIZE_IN
    low = float(min(predictions["actual"].min(), predictions["predicted"].min()))
    high = float(max(predictions["actual"].max(), predictions["predicted"].max()))
    plot = (
        p9.ggplot(predictions, p9.aes("actual", "predicted", color="species"))
        + p9.geom_abline(intercept=0, slope=1, linetype="dashed", color="grey")
        + p9.geom_point(alpha=0.7, size=1.4)
        + _species_colour()
        + p9.coord_fixed(xlim=(low, high), ylim=(low, high))
        + p9.labs(x="Measured body mass (g)", y="Predicted body mass (g)", color="Species")
        + theme()
        + p9.theme(figure_size=(width * 0.8, width * 0.7))
    )
    caption = (
        f"Cross-validated predictions against measured body mass for {len(predictions)} penguins "
        "(each bird's prediction is the mean over the repeats in which it was held out). "
        "Points on the dashed line are predicted exactly."
    )
    alt = (
        "Scatter plot of predicted against measured body mass in grams, coloured by species, "
        "with a dashed identity line; the points follow the line with scatter of a few hundred "
        "grams."
    )
    return Figure("predicted-vs-actual", plot, caption, alt)


def plot_residuals(predictions: pd.DataFrame) -> Figure:
    """Residuals against predictions: spread and bias the metrics summarise in one number."""
    rows = predictions.assign(residual=predictions["actual"] - predictions["predicted"])
    spread = rows.groupby("species", observed=True)["residual"].std()
    plot = (
        p9.ggplot(rows, p9.aes("predicted", "residual", color="species"))
        + p9.geom_hline(yintercept=0, linetype="dashed", color="grey")
        + p9.geom_point(alpha=0.7, size=1.4)
        + _species_colour()
        + p9.labs(x="Predicted body mass (g)", y="Measured minus predicted (g)", color="Species")
        + theme()
    )
    described = ", ".join(f"{s} {v:.0f} g" for s, v in spread.items())
    caption = (
        "Residuals (measured minus cross-validated prediction) against the prediction. "
        f"Their spread by species (sd): {described}. No trend means the straight-line model "
        "fits; a funnel would mean errors grow with mass."
    )
    alt = (
        "Scatter plot of residuals in grams against predicted body mass, coloured by species, "
        f"around a dashed zero line. Residual standard deviations: {described}."
    )
    return Figure("residuals", plot, caption, alt)


def save_figure(figure: Figure, directory: Path) -> Path:
    """Write ``<name>.png`` byte-for-byte reproducibly and return its path.

    Matplotlib's PNG writer stores no timestamp; ``Software`` would record the
    matplotlib version, which the lock pins, but we drop it so a version bump alone
    does not change every figure's bytes. SOURCE_DATE_EPOCH is honoured by matplotlib
    for the formats that carry a date (SVG/PDF), should a figure ever be saved as one.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{figure.name}.png"
    figure.plot.save(path, verbose=False, metadata={"Software": None})
    return path
