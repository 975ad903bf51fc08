"""Summary tables agree with direct computations on the snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from penguin_site.analysis import eda
from penguin_site.analysis.contract import CATEGORIES, COLUMNS
from penguin_site.config import MEASUREMENTS

#: Every table here is checked against the example's own columns and levels.
pytestmark = pytest.mark.example


def test_counts_cover_every_bird_once_per_variable(penguins: pd.DataFrame) -> None:
    table = eda.counts(penguins)
    assert table.groupby("variable")["n"].sum().to_dict() == {
        "species": 344,
        "island": 344,
        "sex": 344,
    }
    species = table[table["variable"] == "species"].set_index("level")["n"]
    assert species.to_dict() == penguins["species"].value_counts().to_dict()
    sex = table[table["variable"] == "sex"].set_index("level")["n"]
    assert sex["not recorded"] == penguins["sex"].isna().sum() == 11
    assert "not recorded" not in set(table.loc[table["variable"] == "island", "level"])
    assert np.isclose(table.groupby("variable")["share"].sum(), 1).all()


def test_species_by_island_shows_where_each_species_lives(penguins: pd.DataFrame) -> None:
    table = eda.cross_tab(penguins)
    assert list(table.index) == list(CATEGORIES["species"])
    assert list(table.columns) == list(CATEGORIES["island"])
    assert table.to_numpy().sum() == len(penguins)
    assert table.loc["Gentoo", "Dream"] == 0  # Gentoo only on Biscoe


def test_measurement_summary_matches_groupby(penguins: pd.DataFrame) -> None:
    table = eda.measurement_summary(penguins)
    assert len(table) == len(MEASUREMENTS) * 3 * 2
    row = table[
        (table["measurement"] == "body_mass_g")
        & (table["species"] == "Gentoo")
        & (table["sex"] == "male")
    ].iloc[0]
    birds = penguins[(penguins["species"] == "Gentoo") & (penguins["sex"] == "male")]
    assert row["n"] == birds["body_mass_g"].count()
    assert np.isclose(row["mean"], birds["body_mass_g"].mean())
    assert np.isclose(row["sd"], birds["body_mass_g"].std(ddof=1))
    assert row["unit"] == "g"


def test_missing_values_per_column(penguins: pd.DataFrame) -> None:
    table = eda.missing_values(penguins).set_index("column")
    assert list(table.index) == list(COLUMNS)
    assert table.loc["sex", "missing"] == 11
    assert table.loc["body_mass_g", "missing"] == 2
    assert table.loc["species", "missing"] == 0


def test_slopes_match_least_squares_and_tell_different_stories(penguins: pd.DataFrame) -> None:
    slopes = eda.target_slopes(penguins)
    rows = penguins.dropna(subset=["bill_length_mm", "body_mass_g"])
    pooled = LinearRegression().fit(rows[["bill_length_mm"]], rows["body_mass_g"]).coef_[0]
    assert np.isclose(slopes.overall, pooled)
    assert set(slopes.by_group) == set(CATEGORIES["species"])
    # Chinstrap's within-species slope is well below the pooled one: Simpson-style mixing.
    assert slopes.by_group["Chinstrap"] < slopes.overall - 15
