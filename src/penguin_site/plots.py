"""Figures: one ``plot_<what>()`` per figure, one theme, one palette.

Each function returns a ``Figure`` holding the plot together with its caption and
alt text, written from the same numbers the plot shows, so the words on the page
cannot disagree with the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotnine as p9

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
from penguin_site.eda import Slopes, mass_bill_slopes
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


def _join(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _lines(species: list[str]) -> str:
    return f"the {_join(species)} line{'s' if len(species) > 1 else ''}"


def _pooled_vs_within(slopes: Slopes) -> str:
    """How the pooled slope compares with each species' slope, from the numbers."""
    steeper = [s for s, v in slopes.by_species.items() if v > slopes.overall]
    flatter = [s for s, v in slopes.by_species.items() if v <= slopes.overall]
    parts = []
    if steeper:
        parts.append(f"flatter than {_lines(steeper)}")
    if flatter:
        parts.append(f"steeper than {_lines(flatter)}")
    return " and ".join(parts)


def _longest_bill_vs_heaviest(rows: pd.DataFrame) -> str:
    """Which species has the longest bills and which is heaviest, on average."""
    means = rows.groupby("species", observed=True)[["bill_length_mm", TARGET]].mean()
    longest, heaviest = means["bill_length_mm"].idxmax(), means[TARGET].idxmax()
    if longest == heaviest:
        return f"{longest} penguins have both the longest bills and the highest mass on average"
    return (
        f"{longest} penguins have the longest bills on average "
        f"({means.loc[longest, 'bill_length_mm']:.1f} mm) but {heaviest} penguins are the "
        f"heaviest ({means.loc[heaviest, TARGET]:.0f} g)"
    )


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
        + p9.labs(
            x=measurement_label("bill_length_mm"), y=measurement_label(TARGET), color="Species"
        )
        + theme("mass-vs-bill")
    )
    within = ", ".join(f"{s} {v:.0f}" for s, v in slopes.by_species.items())
    contrast = _longest_bill_vs_heaviest(rows)
    caption = (
        f"Body mass against bill length for {len(rows)} penguins. Coloured lines fit each "
        f"species (slopes in g per mm: {within}); the dashed line pools all species "
        f"({slopes.overall:.0f} g per mm) and is {_pooled_vs_within(slopes)}. Pooling mixes "
        f"the differences between species with the relation inside each: {contrast}."
    )
    alt = (
        f"Scatter plot of body mass in grams against bill length in millimetres for {len(rows)} "
        f"penguins, coloured by species, with one straight line per species and a dashed line "
        f"for all species together. {contrast[0].upper()}{contrast[1:]}. Slopes: {within} grams "
        f"per millimetre within species, {slopes.overall:.0f} pooled."
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
            position=p9.position_jitterdodge(jitter_width=0.15, dodge_width=0.7, random_state=SEED),
            alpha=0.35,
            size=0.9,
        )
        + p9.scale_fill_manual(values=SEX_COLOURS, limits=list(CATEGORIES["sex"]))
        + p9.labs(x="Species", y=measurement_label(TARGET), fill="Sex")
        + theme("mass-distribution")
    )
    by_sex = medians.unstack("sex")
    males_heavier = [
        str(s) for s in by_sex.index if by_sex.loc[s, "male"] > by_sex.loc[s, "female"]
    ]
    others = [str(s) for s in by_sex.index if str(s) not in males_heavier]
    if not others:
        sexes = "Males have a higher median mass than females in every species"
    elif males_heavier:
        sexes = (
            f"Males have a higher median mass than females in {_join(males_heavier)}, "
            f"but not in {_join(others)}"
        )
    else:
        sexes = "Males do not have a higher median mass than females in any species"
    overall = rows.groupby("species", observed=True)[TARGET].median()
    heaviest = str(overall.idxmax())
    described = "; ".join(f"{s} {x} {v:.0f} g" for (s, x), v in medians.items())
    caption = (
        f"Body mass by species and sex ({len(rows)} penguins with sex recorded). Boxes show "
        f"the middle half of each group with its median; points are individual birds. {sexes}; "
        f"{heaviest} penguins are the heaviest species (median {overall[heaviest]:.0f} g)."
    )
    alt = (
        "Box plots of body mass in grams for each species, split into female and male, with "
        f"individual birds as points. Median masses: {described}."
    )
    return Figure("mass-distribution", plot, caption, alt)


def _pair_label(x: str, y: str) -> str:
    return f"{measurement_label(y)} vs {measurement_label(x)}"


def plot_measurement_pairs(df: pd.DataFrame) -> Figure:
    """Every pair of the four measurements, one panel each, coloured by species."""
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
        + theme("measurement-pairs")
        + p9.theme(strip_text=p9.element_text(size=8))
    )
    means = rows.groupby("species", observed=True)[columns].mean()
    traits = {
        "are the heaviest": means[TARGET].idxmax(),
        "have the longest flippers": means["flipper_length_mm"].idxmax(),
        "have the shallowest bills": means["bill_depth_mm"].idxmin(),
    }
    by_species = {
        s: [t for t, who in traits.items() if who == s] for s in dict.fromkeys(traits.values())
    }
    extremes = "on average, " + "; ".join(
        f"{species} penguins {_join(found)}" for species, found in by_species.items()
    )
    caption = (
        f"Pairwise view of the four measurements ({len(rows)} penguins, {len(pairs)} pairs). "
        f"Each panel plots one measurement against another, coloured by species: {extremes}."
    )
    alt = (
        f"Grid of {len(pairs)} scatter plots, one for each pair of bill length, bill depth, "
        f"flipper length and body mass, coloured by species. {extremes[0].upper()}{extremes[1:]}."
    )
    return Figure("measurement-pairs", plot, caption, alt)


def plot_predicted_vs_actual(predictions: pd.DataFrame) -> Figure:
    """Out-of-fold prediction (mean over repeats) against the measured mass, per bird."""
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
        + theme("predicted-vs-actual")
    )
    caption = (
        f"Cross-validated predictions against measured body mass for {len(predictions)} penguins "
        "(each bird's prediction is the mean over the repeats in which it was held out). "
        f"Points on the dashed line are predicted exactly; the typical distance from it "
        f"(root mean squared error) is {rmse:.0f} {TARGET_UNIT}."
    )
    alt = (
        f"Scatter plot of predicted against measured body mass in grams for {len(predictions)} "
        "penguins, coloured by species, with a dashed line where prediction equals measurement. "
        f"Measured masses run from {predictions['actual'].min():.0f} to "
        f"{predictions['actual'].max():.0f} g, predictions from "
        f"{predictions['predicted'].min():.0f} to {predictions['predicted'].max():.0f} g; the "
        f"root mean squared distance from the line is {rmse:.0f} g."
    )
    return Figure("predicted-vs-actual", plot, caption, alt)


def plot_residuals(predictions: pd.DataFrame) -> Figure:
    """Residuals against predictions: spread and bias the metrics summarise in one number."""
    rows = predictions.assign(residual=predictions["actual"] - predictions["predicted"])
    by_species = rows.groupby("species", observed=True)["residual"].agg(["mean", "std"])
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
        + theme("residuals")
    )
    described = "; ".join(
        f"{s} mean {row['mean']:+.0f} g, sd {row['std']:.0f} g" for s, row in by_species.iterrows()
    )
    largest = rows.loc[rows["residual"].abs().idxmax()]
    caption = (
        "Residuals (measured minus cross-validated prediction) against the prediction, by "
        f"species: {described}. The largest miss is {largest['residual']:+.0f} g "
        f"(a {largest['species']} penguin). A trend would mean a straight line does not fit; "
        "a funnel would mean errors grow with mass."
    )
    alt = (
        "Scatter plot of residuals in grams against predicted body mass, coloured by species, "
        f"around a dashed zero line. By species: {described}."
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
