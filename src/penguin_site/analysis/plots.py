"""Figures: one ``plot_<what>()`` per figure, one theme, one palette.

Each function returns a ``Figure`` holding the plot together with its caption and alt
text, which ``captions`` writes from the same numbers the plot shows, so the words on
the page cannot disagree with the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotnine as p9

from penguin_site.analysis import captions
from penguin_site.analysis.contract import CATEGORIES
from penguin_site.analysis.eda import mass_bill_slopes
from penguin_site.config import (
    FIGURE_DPI,
    FIGURE_SIZE_IN,
    FIGURE_SIZES_IN,
    MEASUREMENTS,
    SEED,
    TARGET,
    TARGET_UNIT,
    measurement_label,
    measurement_name,
)

__all__ = [
    "Figure",
    "plot_mass_distribution",
    "plot_mass_vs_bill",
    "plot_measurement_pairs",
    "plot_predicted_vs_actual",
    "plot_residuals",
    "save_figure",
    "theme",
]


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


def theme(name: str = "") -> p9.theme:
    """The site's one theme: light background, readable text, a fixed size per figure."""
    return p9.theme_minimal(base_size=11) + p9.theme(
        figure_size=FIGURE_SIZES_IN.get(name, FIGURE_SIZE_IN),
        dpi=FIGURE_DPI,
        legend_position="right",
        panel_grid_minor=p9.element_blank(),
        plot_background=p9.element_rect(fill="white", color="white"),
    )


def _species_colour() -> p9.scale_color_manual:
    return p9.scale_color_manual(values=SPECIES_COLOURS, limits=list(CATEGORIES["species"]))


def plot_mass_vs_bill(df: pd.DataFrame) -> Figure:
    """Body mass against bill length, with per-species and pooled least-squares lines."""
    name = "mass-vs-bill"
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
        + p9.labs(
            x=measurement_label("bill_length_mm"), y=measurement_label(TARGET), color="Species"
        )
        + theme(name)
    )
    words = captions.mass_vs_bill(rows, slopes)
    return Figure(name, plot, words.caption, words.alt)


def plot_mass_distribution(df: pd.DataFrame) -> Figure:
    """Body mass by species and sex: the two factors the model adds to bill length."""
    name = "mass-distribution"
    rows = df.dropna(subset=[TARGET, "sex"])
    medians = rows.groupby(["species", "sex"], observed=True)[TARGET].median()
    plot = (
        p9.ggplot(rows, p9.aes("species", TARGET, fill="sex"))
        + p9.geom_boxplot(outlier_shape="", width=0.6, position=p9.position_dodge(0.7))
        + p9.geom_point(
            position=p9.position_jitterdodge(jitter_width=0.15, dodge_width=0.7, random_state=SEED),
            alpha=0.35,
            size=0.9,
        )
        + p9.scale_fill_manual(values=SEX_COLOURS, limits=list(CATEGORIES["sex"]))
        + p9.labs(x="Species", y=measurement_label(TARGET), fill="Sex")
        + theme(name)
    )
    words = captions.mass_distribution(rows, medians)
    return Figure(name, plot, words.caption, words.alt)


def _pair_label(x: str, y: str) -> str:
    return f"{measurement_label(y)} vs {measurement_label(x)}"


def plot_measurement_pairs(df: pd.DataFrame) -> Figure:
    """Every pair of the four measurements, one panel each, coloured by species."""
    name = "measurement-pairs"
    columns = list(MEASUREMENTS)
    pairs = [(x, y) for i, x in enumerate(columns) for y in columns[i + 1 :]]
    rows = df.dropna(subset=columns)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "pair": _pair_label(x, y),
                    "x": rows[x].to_numpy(),
                    "y": rows[y].to_numpy(),
                    "species": rows["species"].to_numpy(),
                }
            )
            for x, y in pairs
        ],
        ignore_index=True,
    )
    long["pair"] = pd.Categorical(long["pair"], [_pair_label(x, y) for x, y in pairs])
    plot = (
        p9.ggplot(long, p9.aes("x", "y", color="species"))
        + p9.geom_point(alpha=0.5, size=0.7)
        + p9.facet_wrap("pair", scales="free", ncol=3)
        + _species_colour()
        + p9.labs(x="", y="", color="Species")
        + theme(name)
        + p9.theme(strip_text=p9.element_text(size=8))
    )
    words = captions.measurement_pairs(rows, columns, pairs)
    return Figure(name, plot, words.caption, words.alt)


def plot_predicted_vs_actual(predictions: pd.DataFrame) -> Figure:
    """Out-of-fold prediction (mean over repeats) against the measured mass, per bird."""
    name = "predicted-vs-actual"
    low = float(min(predictions["actual"].min(), predictions["predicted"].min()))
    high = float(max(predictions["actual"].max(), predictions["predicted"].max()))
    errors = predictions["actual"] - predictions["predicted"]
    rmse = float(np.sqrt((errors**2).mean()))
    plot = (
        p9.ggplot(predictions, p9.aes("actual", "predicted", color="species"))
        + p9.geom_abline(intercept=0, slope=1, linetype="dashed", color="grey")
        + p9.geom_point(alpha=0.7, size=1.4)
        + _species_colour()
        + p9.coord_fixed(xlim=(low, high), ylim=(low, high))
        + p9.labs(
            x=f"Measured {measurement_name(TARGET)} ({TARGET_UNIT})",
            y=f"Predicted {measurement_name(TARGET)} ({TARGET_UNIT})",
            color="Species",
        )
        + theme(name)
    )
    words = captions.predicted_vs_actual(predictions, rmse)
    return Figure(name, plot, words.caption, words.alt)


def plot_residuals(predictions: pd.DataFrame) -> Figure:
    """Residuals against predictions: spread and bias the metrics summarise in one number."""
    name = "residuals"
    rows = predictions.assign(residual=predictions["actual"] - predictions["predicted"])
    by_species = rows.groupby("species", observed=True)["residual"].agg(["count", "mean", "std"])
    plot = (
        p9.ggplot(rows, p9.aes("predicted", "residual", color="species"))
        + p9.geom_hline(yintercept=0, linetype="dashed", color="grey")
        + p9.geom_point(alpha=0.7, size=1.4)
        + _species_colour()
        + p9.labs(
            x=f"Predicted {measurement_name(TARGET)} ({TARGET_UNIT})",
            y=f"Measured minus predicted ({TARGET_UNIT})",
            color="Species",
        )
        + theme(name)
    )
    words = captions.residuals(rows, by_species)
    return Figure(name, plot, words.caption, words.alt)


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
