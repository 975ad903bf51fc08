"""The words that go with each figure: its caption and its alt text, from the same numbers.

Why apart from the plots: half of what a figure needs is prose, and prose has its own
rules (which groups to name, when "every" is true, how to say a bias). Each function
takes the numbers its plot shows and returns both texts, so the words on the page cannot
disagree with the picture, and a test can change the data and read the new words. The
nouns (what a row is, the target, the groups) and the comparison words come from the
study file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from penguin_site.analysis.eda import Slopes
from penguin_site.analysis.wording import a_or_an, amount, join_words, possessive
from penguin_site.config import (
    MEASUREMENTS,
    TARGET,
    TARGET_UNIT,
    measurement_name,
)
from penguin_site.study import current

__all__ = [
    "Words",
    "measurement_pairs",
    "predicted_vs_actual",
    "residuals",
    "target_by_group",
    "target_vs_x",
]

_STUDY = current()
#: What a row is: "344 <rows>", "individual <short rows>", "an A <row>".
_ROW, _ROWS = _STUDY.row_noun, _STUDY.row_plural
_SHORT, _SHORTS = _STUDY.row_short, _STUDY.row_short_plural
_T = _STUDY.target
_NOUN = _T.noun[:1].upper() + _T.noun[1:]
#: The colour groups (compared in every caption) and the two-level split of the boxes.
_GROUP = _STUDY.categories[_STUDY.colour_by]
_SPLIT = _STUDY.categories[_STUDY.split_by]
_X = _STUDY.scatter_x
#: Ordinals for ranks ("the second highest"); more groups get "<n>th".
_ORDINALS: tuple[str, ...] = ("", "", "second", "third", "fourth", "fifth")


def _unit_word(unit: str) -> str:
    """A unit spelled out (singular) for alt text, which screen readers read aloud."""
    return _STUDY.units[unit].word


@dataclass(frozen=True)
class Words:
    """A figure's caption (shown under it) and alt text (read aloud in its place)."""

    caption: str
    alt: str


def _lines(groups: list[str]) -> str:
    return f"the {join_words(groups)} line{'s' if len(groups) > 1 else ''}"


def _slope_list(slopes: Slopes) -> str:
    """'A 94, B 59, ...' with groups too small to fit named as such."""
    return ", ".join(
        f"{s} {v:.0f}" if math.isfinite(v) else f"{s} (too few {_SHORTS})"
        for s, v in slopes.by_group.items()
    )


def _pooled_vs_within(slopes: Slopes) -> str:
    """How the pooled slope compares with each group's slope, as the reader sees them.

    The comparison uses the rounded slopes the caption prints, so the words cannot
    contradict the numbers next to them. Steeper/flatter only reads right when every
    line rises; otherwise the slopes are compared as numbers.
    """
    pooled = round(slopes.overall)
    fitted = {s: round(v) for s, v in slopes.by_group.items() if math.isfinite(v)}
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
    return (
        join_words(parts)
        if parts
        else f"not compared: no {_GROUP.noun} has enough {_SHORTS} for a line"
    )


def _higher_rank(rank: int, count: int) -> str:
    """'the lowest' or 'the second highest' for a target rank (1 = highest) of count."""
    if rank == count:
        return f"the {_T.lowest}"
    return f"the {_ORDINALS[rank] if rank < len(_ORDINALS) else f'{rank}th'} {_T.highest}"


def _longest_x_vs_highest(rows: pd.DataFrame) -> str:
    """Which group has the largest x, where it ranks by the target, and which is highest.

    This is the between-group part the pooled line mixes in: a group with large x but no
    more of the target pulls the pooled line away from the lines inside groups.
    """
    longest_words = _STUDY.scatter_x_words.get("longest", f"largest {measurement_name(_X)}")
    means = rows.groupby(_STUDY.colour_by, observed=True)[[_X, TARGET]].mean()
    longest, highest = str(means[_X].idxmax()), str(means[TARGET].idxmax())
    x_value = amount(means.loc[longest, _X], MEASUREMENTS[_X])
    if longest == highest:
        value = amount(means.loc[highest, TARGET], TARGET_UNIT)
        return (
            f"{longest} {_ROWS} have both the {longest_words} ({x_value}) and the highest "
            f"{_T.short} ({value}) on average"
        )
    rank = int((means[TARGET] > means.loc[longest, TARGET]).sum()) + 1
    return (
        f"{longest} {_ROWS} have the {longest_words} on average ({x_value}) but are "
        f"{_higher_rank(rank, len(means))} of {len(means)} {_GROUP.plural} "
        f"({amount(means.loc[longest, TARGET], TARGET_UNIT)}); {highest} {_ROWS} are the "
        f"{_T.highest} ({amount(means.loc[highest, TARGET], TARGET_UNIT)})"
    )


def _split_and_group_medians(medians: pd.Series) -> tuple[str, str]:
    """Two sentences from the group x split medians the boxes show.

    The first says in which groups the median of the split's second level exceeds that
    of its first ("every group" only when that holds for all, otherwise naming the
    exceptions with their medians); the second names the groups with the highest medians.
    """
    first, second = _SPLIT.levels
    a, b = first.name, second.name
    by_split = medians.unstack(_STUDY.split_by).reindex(columns=[a, b])
    both = by_split.dropna()
    one_level = [str(s) for s in by_split.index if s not in both.index]
    higher = [str(s) for s in both.index if both.loc[s, b] > both.loc[s, a]]
    others = [str(s) for s in both.index if str(s) not in higher]
    group, _groups = _GROUP.noun, _GROUP.plural

    def gaps(names: list[str]) -> str:
        return ", ".join(
            f"{s} by {amount(both.loc[s, b] - both.loc[s, a], TARGET_UNIT)}" for s in names
        )

    def pairs(names: list[str]) -> str:
        return "; ".join(
            f"{s} {a} {amount(both.loc[s, a], TARGET_UNIT)}, "
            f"{b} {amount(both.loc[s, b], TARGET_UNIT)}"
            for s in names
        )

    if both.empty:
        splits = _SPLIT.plural
        words = f"No {group} has both {splits} recorded, so the {splits} cannot be compared"
    elif not others:
        every = (
            f"every {group}"
            if not one_level
            else f"every {group} with both {_SPLIT.plural} recorded"
        )
        words = f"The median {b} is {_T.higher} than the median {a} in {every} ({gaps(higher)})"
    elif higher:
        words = (
            f"The median {b} is {_T.higher} than the median {a} in {join_words(higher)} "
            f"({gaps(higher)}), but not in {join_words(others)} ({pairs(others)})"
        )
    else:
        words = (
            f"The median {b} is not {_T.higher} than the median {a} in any {group} "
            f"({pairs(others)})"
        )
    if one_level:
        verb = "has" if len(one_level) == 1 else "have"
        words += f"; {join_words(one_level)} {verb} one {_SPLIT.noun} only"

    top = by_split.idxmax()  # per split level: the group with the highest median
    if top.nunique() == 1 and top.notna().all():
        name = str(top.iloc[0])
        highest = (
            f"{name} {_ROWS} are the {_T.highest}: both their {first.plural} "
            f"({amount(by_split.loc[name, a], TARGET_UNIT)}) and their {second.plural} "
            f"({amount(by_split.loc[name, b], TARGET_UNIT)}) have the highest medians"
        )
    else:
        plurals = {lv.name: lv.plural for lv in _SPLIT.levels}
        highest = "; ".join(
            f"the {_T.highest} {plurals[level]} are {who} "
            f"({amount(by_split.loc[who, level], TARGET_UNIT)})"
            for level, who in top.dropna().items()
        )
        highest = highest[0].upper() + highest[1:]
    return words, highest


def _group_extremes(means: pd.DataFrame) -> str:
    """'on average, C rows are the highest (5076 kg), ...' from group means (study traits)."""
    found: dict[str, list[str]] = {}
    for column, largest, words in _STUDY.traits:
        who = str(means[column].idxmax() if largest else means[column].idxmin())
        value = amount(means.loc[who, column], MEASUREMENTS[column])
        found.setdefault(who, []).append(f"{words} ({value})")
    return "on average, " + "; ".join(
        f"{name} {_ROWS} {join_words(traits)}" for name, traits in found.items()
    )


def _residual_bias(by_group: pd.DataFrame) -> str:
    """Whether each group's mean residual is near zero, judged against its standard error.

    A mean more than two standard errors (sd / sqrt(n)) from zero is called a bias: the
    model predicts that group too low (mean above zero) or too high (below).
    """
    se = by_group["std"] / np.sqrt(by_group["count"])
    judged = by_group["count"] >= 2
    near = [str(s) for s in by_group.index[judged & (by_group["mean"].abs() <= 2 * se)]]
    low = [str(s) for s in by_group.index[judged & (by_group["mean"] > 2 * se)]]
    high = [str(s) for s in by_group.index[judged & (by_group["mean"] < -2 * se)]]
    unjudged = [str(s) for s in by_group.index[~judged]]
    if not low and not high:
        if len(near) == 1:
            lead = f"{possessive(near[0])} mean residual is"
        elif not unjudged:
            lead = f"Every {possessive(_GROUP.noun)} mean residual is"
        else:
            lead = f"The mean residuals of {join_words(near)} are"
        words = (
            [
                f"{lead} within two standard errors of zero: none is predicted systematically "
                f"too {_T.low} or too {_T.high}"
            ]
            if near
            else []
        )
    else:
        biased = [f"{join_words(low)} too {_T.low}"] if low else []
        biased += [f"{join_words(high)} too {_T.high}"] if high else []
        words = [
            f"On average the model predicts {join_words(biased)} (mean residual more than two "
            "standard errors from zero)"
        ]
        if near:
            verb = "is" if len(near) == 1 else "are"
            words.append(f"{join_words(near)} {verb} within two standard errors of zero")
    if unjudged:
        words.append(f"{join_words(unjudged)}: too few {_SHORTS} to judge")
    return "; ".join(words)


def target_vs_x(rows: pd.DataFrame, slopes: Slopes) -> Words:
    """The target against ``scatter_x``: per-group slopes against the pooled one."""
    within = _slope_list(slopes)
    contrast = _longest_x_vs_highest(rows)
    x_unit, y_unit = MEASUREMENTS[_X], TARGET_UNIT
    x_name, group, groups = measurement_name(_X), _GROUP.noun, _GROUP.plural
    caption = (
        f"{_NOUN} against {x_name} for {len(rows)} {_ROWS}. Coloured lines fit each "
        f"{group} (slopes in {y_unit} per {x_unit}: {within}); the dashed line pools all "
        f"{groups} ({slopes.overall:.0f} {y_unit} per {x_unit}) and is "
        f"{_pooled_vs_within(slopes)}. Pooling mixes the differences between {groups} with "
        f"the relation inside each: {contrast}."
    )
    alt = (
        f"Scatter plot of {_T.noun} in {_unit_word(y_unit)}s against {x_name} in "
        f"{_unit_word(x_unit)}s for {len(rows)} {_ROWS}, coloured by {group}, with one "
        f"straight line per {group} and a dashed line for all {groups} together. "
        f"{contrast[0].upper()}{contrast[1:]}. Slopes: {within} {_unit_word(y_unit)}s per "
        f"{_unit_word(x_unit)} within {groups}, {slopes.overall:.0f} pooled."
    )
    return Words(caption, alt)


def target_by_group(rows: pd.DataFrame, medians: pd.Series, every_row: bool = True) -> Words:
    """The target by group and split: where one split level exceeds the other, the highest.

    ``every_row``: the boxes carry every row as a point; else (many rows) only outliers.
    """
    splits, highest = _split_and_group_medians(medians)
    described = "; ".join(f"{s} {x} {amount(v, TARGET_UNIT)}" for (s, x), v in medians.items())
    group, split = _GROUP.noun, _SPLIT.noun
    first, second = (lv.name for lv in _SPLIT.levels)
    caption = (
        f"{_NOUN} by {group} and {split} ({len(rows)} {_ROWS} with {split} recorded). Boxes "
        f"show the middle half of each group with its median; "
        + (
            f"points are individual {_SHORTS}"
            if every_row
            else f"with {len(rows)} {_ROWS} only the outliers (more than 1.5 box heights "
            "beyond the box) are drawn as points"
        )
        + f". {splits}. {highest}."
    )
    alt = (
        f"Box plots of {_T.noun} in {_unit_word(TARGET_UNIT)}s for each {group}, split into "
        f"{first} and {second}, with "
        + (f"individual {_SHORTS}" if every_row else "the outliers")
        + " as points. Median "
        f"{_T.short_plural}: {described}. {splits}."
    )
    return Words(caption, alt)


def measurement_pairs(
    rows: pd.DataFrame, columns: list[str], pairs: list[tuple[str, str]]
) -> Words:
    """The pairs grid: which group holds each extreme of the group means."""
    means = rows.groupby(_STUDY.colour_by, observed=True)[columns].mean()
    extremes = _group_extremes(means)
    caption = (
        f"Pairwise view of the {len(columns)} measurements ({len(rows)} {_ROWS}, "
        f"{len(pairs)} pairs). Each panel plots one measurement against another, coloured by "
        f"{_GROUP.noun}: {extremes}."
    )
    alt = (
        f"Grid of {len(pairs)} scatter plots, one for each pair of "
        f"{join_words([measurement_name(c) for c in columns])}, coloured by {_GROUP.noun}. "
        f"{extremes[0].upper()}{extremes[1:]}."
    )
    return Words(caption, alt)


def predicted_vs_actual(predictions: pd.DataFrame, rmse: float) -> Words:
    """Held-out predictions against measurements: the ranges and the RMSE."""
    caption = (
        f"Cross-validated predictions against measured {_T.noun} for {len(predictions)} "
        f"{_ROWS} (each {possessive(_SHORT)} prediction is the mean over the repeats in which "
        f"it was held out). Points on the dashed line are predicted exactly; the typical "
        f"distance from it (root mean squared error) is {amount(rmse, TARGET_UNIT)}."
    )
    alt = (
        f"Scatter plot of predicted against measured {_T.noun} in "
        f"{_unit_word(TARGET_UNIT)}s for {len(predictions)} {_ROWS}, coloured by "
        f"{_GROUP.noun}, with a dashed line where prediction equals measurement. Measured "
        f"{_T.short_plural} run from "
        f"{amount(predictions['actual'].min(), TARGET_UNIT)} to "
        f"{amount(predictions['actual'].max(), TARGET_UNIT)}, predictions from "
        f"{amount(predictions['predicted'].min(), TARGET_UNIT)} to "
        f"{amount(predictions['predicted'].max(), TARGET_UNIT)}; the root mean squared "
        f"distance from the line is {amount(rmse, TARGET_UNIT)}."
    )
    return Words(caption, alt)


def residuals(rows: pd.DataFrame, by_group: pd.DataFrame) -> Words:
    """Residuals: bias and spread by group, spread by size, the largest miss."""
    described = "; ".join(
        f"{s} mean {amount(row['mean'], TARGET_UNIT, signed=True)}, "
        f"sd {amount(row['std'], TARGET_UNIT)}"
        for s, row in by_group.iterrows()
    )
    bias = _residual_bias(by_group)
    below = rows["predicted"] <= rows["predicted"].median()
    halves = rows.groupby(below)["residual"].std()
    largest = rows.loc[rows["residual"].abs().idxmax()]
    caption = (
        f"Residuals (measured minus cross-validated prediction) against the prediction for "
        f"{len(rows)} {_ROWS}. By {_GROUP.noun}: {described}. {bias}."
    )
    if len(halves) == 2 and halves.notna().all():
        caption += (
            f" The sd is {amount(halves[True], TARGET_UNIT)} for predictions up to their "
            f"median and {amount(halves[False], TARGET_UNIT)} above it (errors that grow with "
            f"{_T.short} would make the second clearly larger)."
        )
    who = str(largest[_STUDY.colour_by])
    caption += (
        f" The largest miss is {amount(largest['residual'], TARGET_UNIT, signed=True)} "
        f"({a_or_an(who)} {who} {_ROW})."
    )
    alt = (
        f"Scatter plot of residuals in {_unit_word(TARGET_UNIT)}s against predicted "
        f"{_T.noun}, coloured by {_GROUP.noun}, around a dashed zero line. By "
        f"{_GROUP.noun}: {described}. {bias}."
    )
    return Words(caption, alt)


def binned(words: Words, rows: int, bins: int) -> Words:
    """A scatter figure's words when it draws 2-D bins instead of its ``rows`` points."""
    group = _GROUP.noun
    caption = (
        f"{words.caption} With {rows} {_ROWS} the points are binned: each square is a cell of "
        f"a {bins} by {bins} grid in its {possessive(group)} colour, stronger the more {_ROWS} "
        f"of that {group} it holds; the largest {group} is drawn first, so the smaller ones "
        "lie on top."
    )
    alt = words.alt.replace("Scatter plot", "Binned scatter plot", 1).replace(
        "scatter plots", "binned scatter plots", 1
    )
    alt += (
        f" With {rows} {_ROWS}, squares of a {bins} by {bins} grid stand for the points, "
        f"shaded by how many {_ROWS} of each {group} they hold."
    )
    return Words(caption, alt)
