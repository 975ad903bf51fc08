"""The words that go with each figure: its caption and its alt text, from the same numbers.

Why apart from the plots: half of what a figure needs is prose, and prose has its own
rules (which species to name, when "every" is true, how to say a bias). Each function
takes the numbers its plot shows and returns both texts, so the words on the page cannot
disagree with the picture, and a test can change the data and read the new words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from penguin_site.analysis.contract import CATEGORIES
from penguin_site.analysis.eda import Slopes
from penguin_site.analysis.wording import amount, join_words
from penguin_site.config import (
    MEASUREMENTS,
    TARGET,
    TARGET_UNIT,
    measurement_name,
)

__all__ = [
    "Words",
    "mass_distribution",
    "mass_vs_bill",
    "measurement_pairs",
    "predicted_vs_actual",
    "residuals",
]

#: Units spelled out (singular) for alt text, which screen readers read aloud.
_UNIT_WORDS: dict[str, str] = {"g": "gram", "mm": "millimetre"}
#: Ordinals for mass ranks ("the second heaviest"); the data have three species.
_ORDINALS: tuple[str, ...] = ("", "", "second", "third", "fourth", "fifth")


@dataclass(frozen=True)
class Words:
    """A figure's caption (shown under it) and alt text (read aloud in its place)."""

    caption: str
    alt: str


def _lines(species: list[str]) -> str:
    return f"the {join_words(species)} line{'s' if len(species) > 1 else ''}"


def _slope_list(slopes: Slopes) -> str:
    """'Adelie 94, Chinstrap 59, ...' with species too small to fit named as such."""
    return ", ".join(
        f"{s} {v:.0f}" if math.isfinite(v) else f"{s} (too few birds)"
        for s, v in slopes.by_species.items()
    )


def _pooled_vs_within(slopes: Slopes) -> str:
    """How the pooled slope compares with each species' slope, as the reader sees them.

    The comparison uses the rounded slopes the caption prints, so the words cannot
    contradict the numbers next to them. Steeper/flatter only reads right when every
    line rises; otherwise the slopes are compared as numbers.
    """
    pooled = round(slopes.overall)
    fitted = {s: round(v) for s, v in slopes.by_species.items() if math.isfinite(v)}
    rising = pooled > 0 and all(v > 0 for v in fitted.values())
    words = (
        ("flatter than", "steeper than", "as steep as")
        if rising
        else ("lower than", "higher than", "equal to")
    )
    groups = (
        [s for s, v in fitted.items() if v > pooled],
        [s for s, v in fitted.items() if v < pooled],
        [s for s, v in fitted.items() if v == pooled],
    )
    parts = [f"{word} {_lines(group)}" for word, group in zip(words, groups, strict=True) if group]
    return join_words(parts) if parts else "not compared: no species has enough birds for a line"


def _heavier_rank(rank: int, count: int) -> str:
    """'the lightest' or 'the second heaviest' for a mass rank (1 = heaviest) of count."""
    if rank == count:
        return "the lightest"
    return f"the {_ORDINALS[rank] if rank < len(_ORDINALS) else f'{rank}th'} heaviest"


def _longest_bill_vs_heaviest(rows: pd.DataFrame) -> str:
    """Which species has the longest bills, where it ranks by mass, and which is heaviest.

    This is the between-species part the pooled line mixes in: a species with long
    bills but no more mass pulls the pooled line away from the lines inside species.
    """
    means = rows.groupby("species", observed=True)[["bill_length_mm", TARGET]].mean()
    longest, heaviest = str(means["bill_length_mm"].idxmax()), str(means[TARGET].idxmax())
    bill = amount(means.loc[longest, "bill_length_mm"], MEASUREMENTS["bill_length_mm"])
    if longest == heaviest:
        mass = amount(means.loc[heaviest, TARGET], TARGET_UNIT)
        return (
            f"{longest} penguins have both the longest bills ({bill}) and the highest mass "
            f"({mass}) on average"
        )
    rank = int((means[TARGET] > means.loc[longest, TARGET]).sum()) + 1
    return (
        f"{longest} penguins have the longest bills on average ({bill}) but are "
        f"{_heavier_rank(rank, len(means))} of {len(means)} species "
        f"({amount(means.loc[longest, TARGET], TARGET_UNIT)}); {heaviest} penguins are the "
        f"heaviest ({amount(means.loc[heaviest, TARGET], TARGET_UNIT)})"
    )


def _sex_and_species_medians(medians: pd.Series) -> tuple[str, str]:
    """Two sentences from the species x sex medians the boxes show.

    The first says in which species the median male outweighs the median female
    ("every species" only when that holds for all, otherwise naming the exceptions with
    their medians); the second names the species with the heaviest females and males.
    """
    female, male = CATEGORIES["sex"]
    by_sex = medians.unstack("sex").reindex(columns=[female, male])
    both = by_sex.dropna()
    one_sex = [str(s) for s in by_sex.index if s not in both.index]
    heavier = [str(s) for s in both.index if both.loc[s, male] > both.loc[s, female]]
    others = [str(s) for s in both.index if str(s) not in heavier]

    def gaps(species: list[str]) -> str:
        return ", ".join(
            f"{s} by {amount(both.loc[s, male] - both.loc[s, female], TARGET_UNIT)}"
            for s in species
        )

    def pairs(species: list[str]) -> str:
        return "; ".join(
            f"{s} {female} {amount(both.loc[s, female], TARGET_UNIT)}, "
            f"{male} {amount(both.loc[s, male], TARGET_UNIT)}"
            for s in species
        )

    if both.empty:
        sexes = "No species has both sexes recorded, so the sexes cannot be compared"
    elif not others:
        every = "every species" if not one_sex else "every species with both sexes recorded"
        sexes = f"The median male is heavier than the median female in {every} ({gaps(heavier)})"
    elif heavier:
        sexes = (
            f"The median male is heavier than the median female in {join_words(heavier)} "
            f"({gaps(heavier)}), but not in {join_words(others)} ({pairs(others)})"
        )
    else:
        sexes = (
            "The median male is not heavier than the median female in any species "
            f"({pairs(others)})"
        )
    if one_sex:
        sexes += f"; {join_words(one_sex)} {'has' if len(one_sex) == 1 else 'have'} one sex only"

    top = by_sex.idxmax()  # per sex: the species with the highest median
    if top.nunique() == 1 and top.notna().all():
        species = str(top.iloc[0])
        heaviest = (
            f"{species} penguins are the heaviest: both their females "
            f"({amount(by_sex.loc[species, female], TARGET_UNIT)}) and their males "
            f"({amount(by_sex.loc[species, male], TARGET_UNIT)}) have the highest medians"
        )
    else:
        heaviest = "; ".join(
            f"the heaviest {sex}s are {who} ({amount(by_sex.loc[who, sex], TARGET_UNIT)})"
            for sex, who in top.dropna().items()
        )
        heaviest = heaviest[0].upper() + heaviest[1:]
    return sexes, heaviest


#: What the pairs figure says about species means: (column, largest?, words). Which
#: extremes to mention is a choice; which species holds each is computed.
_PAIR_TRAITS: tuple[tuple[str, bool, str], ...] = (
    (TARGET, True, "are the heaviest"),
    ("flipper_length_mm", True, "have the longest flippers"),
    ("bill_depth_mm", False, "have the shallowest bills"),
    ("bill_length_mm", True, "have the longest bills"),
)


def _species_extremes(means: pd.DataFrame) -> str:
    """'on average, Gentoo penguins are the heaviest (5076 g), ...' from species means."""
    found: dict[str, list[str]] = {}
    for column, largest, words in _PAIR_TRAITS:
        who = str(means[column].idxmax() if largest else means[column].idxmin())
        value = amount(means.loc[who, column], MEASUREMENTS[column])
        found.setdefault(who, []).append(f"{words} ({value})")
    return "on average, " + "; ".join(
        f"{species} penguins {join_words(traits)}" for species, traits in found.items()
    )


def _residual_bias(by_species: pd.DataFrame) -> str:
    """Whether each species' mean residual is near zero, judged against its standard error.

    A mean more than two standard errors (sd / sqrt(n)) from zero is called a bias: the
    model predicts that species too light (mean above zero) or too heavy (below).
    """
    se = by_species["std"] / np.sqrt(by_species["count"])
    judged = by_species["count"] >= 2
    near = [str(s) for s in by_species.index[judged & (by_species["mean"].abs() <= 2 * se)]]
    low = [str(s) for s in by_species.index[judged & (by_species["mean"] > 2 * se)]]
    high = [str(s) for s in by_species.index[judged & (by_species["mean"] < -2 * se)]]
    unjudged = [str(s) for s in by_species.index[~judged]]
    if not low and not high:
        if len(near) == 1:
            lead = f"{near[0]}'s mean residual is"
        elif not unjudged:
            lead = "Every species' mean residual is"
        else:
            lead = f"The mean residuals of {join_words(near)} are"
        words = (
            [
                f"{lead} within two standard errors of zero: none is predicted systematically "
                "too light or too heavy"
            ]
            if near
            else []
        )
    else:
        biased = [f"{join_words(low)} too light"] if low else []
        biased += [f"{join_words(high)} too heavy"] if high else []
        words = [
            f"On average the model predicts {join_words(biased)} (mean residual more than two "
            "standard errors from zero)"
        ]
        if near:
            verb = "is" if len(near) == 1 else "are"
            words.append(f"{join_words(near)} {verb} within two standard errors of zero")
    if unjudged:
        words.append(f"{join_words(unjudged)}: too few birds to judge")
    return "; ".join(words)


def mass_vs_bill(rows: pd.DataFrame, slopes: Slopes) -> Words:
    """Body mass against bill length: per-species slopes against the pooled one."""
    within = _slope_list(slopes)
    contrast = _longest_bill_vs_heaviest(rows)
    x_unit, y_unit = MEASUREMENTS["bill_length_mm"], TARGET_UNIT
    caption = (
        f"Body mass against bill length for {len(rows)} penguins. Coloured lines fit each "
        f"species (slopes in {y_unit} per {x_unit}: {within}); the dashed line pools all "
        f"species ({slopes.overall:.0f} {y_unit} per {x_unit}) and is "
        f"{_pooled_vs_within(slopes)}. Pooling mixes the differences between species with "
        f"the relation inside each: {contrast}."
    )
    alt = (
        f"Scatter plot of body mass in {_UNIT_WORDS[y_unit]}s against bill length in "
        f"{_UNIT_WORDS[x_unit]}s for {len(rows)} penguins, coloured by species, with one "
        f"straight line per species and a dashed line for all species together. "
        f"{contrast[0].upper()}{contrast[1:]}. Slopes: {within} {_UNIT_WORDS[y_unit]}s per "
        f"{_UNIT_WORDS[x_unit]} within species, {slopes.overall:.0f} pooled."
    )
    return Words(caption, alt)


def mass_distribution(rows: pd.DataFrame, medians: pd.Series) -> Words:
    """Body mass by species and sex: where males outweigh females, the heaviest species."""
    sexes, heaviest = _sex_and_species_medians(medians)
    described = "; ".join(f"{s} {x} {amount(v, TARGET_UNIT)}" for (s, x), v in medians.items())
    caption = (
        f"Body mass by species and sex ({len(rows)} penguins with sex recorded). Boxes show "
        f"the middle half of each group with its median; points are individual birds. "
        f"{sexes}. {heaviest}."
    )
    alt = (
        f"Box plots of body mass in {_UNIT_WORDS[TARGET_UNIT]}s for each species, split into "
        f"female and male, with individual birds as points. Median masses: {described}. "
        f"{sexes}."
    )
    return Words(caption, alt)


def measurement_pairs(
    rows: pd.DataFrame, columns: list[str], pairs: list[tuple[str, str]]
) -> Words:
    """The pairs grid: which species holds each extreme of the species means."""
    means = rows.groupby("species", observed=True)[columns].mean()
    extremes = _species_extremes(means)
    caption = (
        f"Pairwise view of the {len(columns)} measurements ({len(rows)} penguins, "
        f"{len(pairs)} pairs). Each panel plots one measurement against another, coloured by "
        f"species: {extremes}."
    )
    alt = (
        f"Grid of {len(pairs)} scatter plots, one for each pair of "
        f"{join_words([measurement_name(c) for c in columns])}, coloured by species. "
        f"{extremes[0].upper()}{extremes[1:]}."
    )
    return Words(caption, alt)


def predicted_vs_actual(predictions: pd.DataFrame, rmse: float) -> Words:
    """Held-out predictions against measurements: the ranges and the RMSE."""
    caption = (
        f"Cross-validated predictions against measured body mass for {len(predictions)} penguins "
        "(each bird's prediction is the mean over the repeats in which it was held out). "
        f"Points on the dashed line are predicted exactly; the typical distance from it "
        f"(root mean squared error) is {amount(rmse, TARGET_UNIT)}."
    )
    alt = (
        f"Scatter plot of predicted against measured body mass in {_UNIT_WORDS[TARGET_UNIT]}s "
        f"for {len(predictions)} penguins, coloured by species, with a dashed line where "
        f"prediction equals measurement. Measured masses run from "
        f"{amount(predictions['actual'].min(), TARGET_UNIT)} to "
        f"{amount(predictions['actual'].max(), TARGET_UNIT)}, predictions from "
        f"{amount(predictions['predicted'].min(), TARGET_UNIT)} to "
        f"{amount(predictions['predicted'].max(), TARGET_UNIT)}; the root mean squared "
        f"distance from the line is {amount(rmse, TARGET_UNIT)}."
    )
    return Words(caption, alt)


def residuals(rows: pd.DataFrame, by_species: pd.DataFrame) -> Words:
    """Residuals: bias and spread by species, spread by size, the largest miss."""
    described = "; ".join(
        f"{s} mean {amount(row['mean'], TARGET_UNIT, signed=True)}, "
        f"sd {amount(row['std'], TARGET_UNIT)}"
        for s, row in by_species.iterrows()
    )
    bias = _residual_bias(by_species)
    below = rows["predicted"] <= rows["predicted"].median()
    halves = rows.groupby(below)["residual"].std()
    largest = rows.loc[rows["residual"].abs().idxmax()]
    caption = (
        f"Residuals (measured minus cross-validated prediction) against the prediction for "
        f"{len(rows)} penguins. By species: {described}. {bias}."
    )
    if len(halves) == 2 and halves.notna().all():
        caption += (
            f" The sd is {amount(halves[True], TARGET_UNIT)} for predictions up to their "
            f"median and {amount(halves[False], TARGET_UNIT)} above it (errors that grow with "
            "mass would make the second clearly larger)."
        )
    caption += (
        f" The largest miss is {amount(largest['residual'], TARGET_UNIT, signed=True)} "
        f"({'an' if largest['species'][0] in 'AEIOU' else 'a'} {largest['species']} penguin)."
    )
    alt = (
        f"Scatter plot of residuals in {_UNIT_WORDS[TARGET_UNIT]}s against predicted body mass, "
        f"coloured by species, around a dashed zero line. By species: {described}. {bias}."
    )
    return Words(caption, alt)
