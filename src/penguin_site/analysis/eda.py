"""Tidy summary tables of the snapshot (one row per observation unit, one column per variable).

Which columns describe the data, which are crossed and which split the groups come from
the study file; nothing here names a column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from penguin_site.analysis.contract import CATEGORIES, COLUMNS
from penguin_site.config import MEASUREMENTS, TARGET
from penguin_site.study import current

__all__ = [
    "GROUP_COLUMNS",
    "Slopes",
    "counts",
    "cross_tab",
    "measurement_summary",
    "missing_values",
    "target_slopes",
]


#: The categorical columns the counts table describes, in table order.
GROUP_COLUMNS: tuple[str, ...] = current().describe_by


def counts(df: pd.DataFrame) -> pd.DataFrame:
    """Rows per level of each describing column (missing counted as 'not recorded')."""
    parts = []
    for column in GROUP_COLUMNS:
        levels = df[column].astype("object").fillna("not recorded")
        order = [*CATEGORIES[column], "not recorded"]
        n = levels.value_counts().reindex(order, fill_value=0)
        if n.iloc[-1] == 0:
            n = n.iloc[:-1]  # no 'not recorded' row for a column that is never missing
        parts.append(pd.DataFrame({"variable": column, "level": n.index, "n": n.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["share"] = out["n"] / len(df)
    return out[["variable", "level", "n", "share"]]


def cross_tab(df: pd.DataFrame) -> pd.DataFrame:
    """Cross-tabulation of the study's two ``cross_tab`` columns: which levels go together."""
    rows, columns = current().cross_tab
    table = pd.crosstab(df[rows], df[columns])
    return table.reindex(
        index=list(CATEGORIES[rows]), columns=list(CATEGORIES[columns]), fill_value=0
    )


def measurement_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd of each measurement by colour group and split (rows with the split set)."""
    group, split = current().colour_by, current().split_by
    long = df.dropna(subset=[split]).melt(
        id_vars=[group, split], value_vars=list(MEASUREMENTS), var_name="measurement"
    )
    summary = (
        long.groupby(["measurement", group, split], sort=False)["value"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    summary["unit"] = summary["measurement"].map(MEASUREMENTS)
    summary["measurement"] = pd.Categorical(
        summary["measurement"], list(MEASUREMENTS), ordered=True
    )
    summary = summary.sort_values(["measurement", group, split], kind="stable")
    summary["measurement"] = summary["measurement"].astype(str)
    return summary.reset_index(drop=True)[["measurement", "unit", group, split, "n", "mean", "sd"]]


def missing_values(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values per column, in the snapshot's column order."""
    missing = df[list(COLUMNS)].isna().sum()
    return pd.DataFrame(
        {
            "column": list(COLUMNS),
            "missing": missing.to_numpy(),
            "share": (missing / len(df)).to_numpy(),
        }
    )


@dataclass(frozen=True)
class Slopes:
    """Least-squares slopes of the target on the study's ``scatter_x`` (target unit per unit).

    ``overall`` pools the groups; ``by_group`` fits each colour group on its own. The
    pooled slope mixes a between-group difference with the within-group relation, so the
    two can differ.
    """

    overall: float
    by_group: dict[str, float]


def target_slopes(df: pd.DataFrame) -> Slopes:
    """Slopes of the target on ``scatter_x``, pooled and per colour group."""
    x, group = current().scatter_x, current().colour_by
    rows = df.dropna(subset=[x, TARGET])

    def slope(part: pd.DataFrame) -> float:
        return float(np.polyfit(part[x], part[TARGET], deg=1)[0])

    by_group = {str(s): slope(rows[rows[group] == s]) for s in CATEGORIES[group]}
    return Slopes(overall=slope(rows), by_group=by_group)
