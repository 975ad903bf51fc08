"""Tidy summary tables of the snapshot (one row per observation unit, one column per variable)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from penguin_site.analysis.contract import CATEGORIES, COLUMNS
from penguin_site.config import MEASUREMENTS, TARGET

__all__ = [
    "Slopes",
    "counts",
    "mass_bill_slopes",
    "measurement_summary",
    "missing_values",
    "species_by_island",
]


GROUP_COLUMNS: tuple[str, ...] = ("species", "island", "sex")


def counts(df: pd.DataFrame) -> pd.DataFrame:
    """Birds per level of species, island and sex (missing sex counted as 'not recorded')."""
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


def species_by_island(df: pd.DataFrame) -> pd.DataFrame:
    """Cross-tabulation of species against island: which species live where."""
    table = pd.crosstab(df["species"], df["island"])
    return table.reindex(
        index=list(CATEGORIES["species"]), columns=list(CATEGORIES["island"]), fill_value=0
    )


def measurement_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd of each measurement by species and sex (rows with sex recorded)."""
    long = df.dropna(subset=["sex"]).melt(
        id_vars=["species", "sex"], value_vars=list(MEASUREMENTS), var_name="measurement"
    )
    summary = (
        long.groupby(["measurement", "species", "sex"], sort=False)["value"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    summary["unit"] = summary["measurement"].map(MEASUREMENTS)
    summary["measurement"] = pd.Categorical(
        summary["measurement"], list(MEASUREMENTS), ordered=True
    )
    summary = summary.sort_values(["measurement", "species", "sex"], kind="stable")
    summary["measurement"] = summary["measurement"].astype(str)
    return summary.reset_index(drop=True)[
        ["measurement", "unit", "species", "sex", "n", "mean", "sd"]
    ]


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
    """Least-squares slopes of body mass on bill length (g per mm).

    ``overall`` pools the species; ``by_species`` fits each species on its own. The
    pooled slope mixes a between-species difference (Gentoo are heavy, Chinstrap have
    long bills but are light) with the within-species relation, so the two differ.
    """

    overall: float
    by_species: dict[str, float]


def mass_bill_slopes(df: pd.DataFrame) -> Slopes:
    """Slopes of ``body_mass_g`` on ``bill_length_mm``, pooled and per species."""
    rows = df.dropna(subset=["bill_length_mm", TARGET])

    def slope(part: pd.DataFrame) -> float:
        return float(np.polyfit(part["bill_length_mm"], part[TARGET], deg=1)[0])

    by_species = {str(s): slope(rows[rows["species"] == s]) for s in CATEGORIES["species"]}
    return Slopes(overall=slope(rows), by_species=by_species)
