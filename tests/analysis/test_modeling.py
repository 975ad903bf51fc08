"""Candidate pipelines, cross-validation and the final fit."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from penguin_site.analysis import modeling
from penguin_site.analysis.dataset import CleanData
from penguin_site.config import CHOSEN_FEATURE_SET, CV_FOLDS, CV_REPEATS, FEATURE_SETS, TARGET


@pytest.fixture(scope="module")
def cv(clean: CleanData) -> modeling.CrossValidation:
    return modeling.cross_validate_candidates(clean.data)


@pytest.fixture(scope="module")
def comparison(cv: modeling.CrossValidation) -> pd.DataFrame:
    return modeling.compare(cv.scores).set_index("candidate")


@pytest.mark.example
def test_every_candidate_is_scored_on_every_split(cv: modeling.CrossValidation) -> None:
    counts = cv.scores.groupby("candidate").size()
    assert counts.to_dict() == {name: CV_FOLDS * CV_REPEATS for name in FEATURE_SETS}
    # Each repeat holds every bird out exactly once.
    chosen = cv.predictions[cv.predictions["candidate"] == CHOSEN_FEATURE_SET]
    assert (chosen.groupby("repeat")["row"].nunique() == 333).all()
    assert len(chosen) == 333 * CV_REPEATS


# Sensible bands, not exact values (orientation: 0.32 and 0.85 R^2, ~310 g RMSE).
BANDS = {
    "bill": {"r2_mean": (0.2, 0.45), "rmse_mean": (580, 720)},
    "bill_species_sex": {"r2_mean": (0.80, 0.90), "rmse_mean": (270, 350)},
}


@pytest.mark.example
@pytest.mark.parametrize(("candidate", "metric"), [(c, m) for c in BANDS for m in BANDS[c]])
def test_scores_fall_in_sensible_bands(comparison: pd.DataFrame, candidate: str, metric: str):
    low, high = BANDS[candidate][metric]
    assert low < comparison.loc[candidate, metric] < high


@pytest.mark.example
def test_more_information_does_not_hurt(comparison: pd.DataFrame) -> None:
    rmse = comparison["rmse_mean"]
    assert rmse["bill"] > rmse["bill_species_sex"] > rmse["bill_flipper_species_sex"]
    assert (comparison["r2_sd"] > 0).all()
    assert comparison["chosen"].sum() == 1 and comparison.loc[CHOSEN_FEATURE_SET, "chosen"]


@pytest.mark.example
def test_feature_names_come_from_the_pipeline(clean: CleanData) -> None:
    model = modeling.fit_final(clean.data)
    names = list(model[:-1].get_feature_names_out())
    assert names == [
        "bill_length_mm",
        "species_Chinstrap",
        "species_Gentoo",
        "sex_male",
    ]
    table = modeling.coefficients(model)
    assert list(table["term"]) == ["(intercept)", *names]
    assert table.set_index("term").loc["bill_length_mm", "unit"] == "g per mm"
    assert "female Adelie" in table.iloc[0]["meaning"]
    assert table["meaning"].str.len().gt(20).all()


@pytest.mark.example
def test_baseline_model_has_no_categorical_terms(clean: CleanData) -> None:
    table = modeling.coefficients(modeling.fit_final(clean.data, "bill"))
    assert list(table["term"]) == ["(intercept)", "bill_length_mm"]
    assert "a penguin" in table.iloc[0]["meaning"]


@pytest.mark.example
def test_exported_coefficients_reproduce_the_model(clean: CleanData) -> None:
    model = modeling.fit_final(clean.data)
    exported = modeling.export_coefficients(model, clean.data)
    grid = pd.DataFrame(
        [
            {"bill_length_mm": bill, "species": species, "sex": sex}
            for bill, species, sex in itertools.product(
                [32.1, 44.5, 59.6], ["Adelie", "Chinstrap", "Gentoo"], ["female", "male"]
            )
        ]
    )
    by_hand = [
        exported["intercept"]
        + exported["numeric"]["bill_length_mm"] * row.bill_length_mm
        + exported["categorical"]["species"][row.species]
        + exported["categorical"]["sex"][row.sex]
        for row in grid.itertuples()
    ]
    np.testing.assert_allclose(by_hand, model.predict(grid), rtol=0, atol=1e-9)
    bill = exported["inputs"]["bill_length_mm"]
    assert bill["min"] <= clean.data["bill_length_mm"].min() <= bill["default"]
    assert bill["default"] <= clean.data["bill_length_mm"].max() <= bill["max"]


@pytest.mark.example
def test_unknown_category_is_refused(clean: CleanData) -> None:
    model = modeling.fit_final(clean.data)
    bird = pd.DataFrame([{"bill_length_mm": 45.0, "species": "Emperor", "sex": "male"}])
    with pytest.raises(ValueError, match="unknown categor"):
        model.predict(bird)


@pytest.mark.parametrize("feature_set", list(FEATURE_SETS))
def test_terms_pair_every_coefficient_with_its_input(clean: CleanData, feature_set: str) -> None:
    model = modeling.fit_final(clean.data, feature_set)
    found = modeling.terms(model)
    assert [t.name for t in found] == list(model[:-1].get_feature_names_out())
    assert [t.estimate for t in found] == list(model[-1].coef_)
    numeric, categorical = FEATURE_SETS[feature_set]
    assert [t.column for t in found if t.level is None] == list(numeric)
    for column in categorical:
        levels = [t.level for t in found if t.column == column]
        assert levels == list(modeling.CATEGORIES[column][1:])  # the first level is the baseline


@pytest.mark.example
def test_cross_validation_equals_the_whole_pipeline_refitted_on_every_fold(
    clean: CleanData, cv: modeling.CrossValidation
) -> None:
    """The encoding is applied once per candidate: that is only right while it learns
    nothing from a fold's rows, which refitting the whole pipeline per fold checks (on the
    first repeat's folds: the others are the same code on other rows)."""
    data, y = clean.data, clean.data[TARGET].to_numpy()
    oof = cv.predictions
    for name in FEATURE_SETS:
        X = data[modeling.features(name)]
        splits = itertools.islice(modeling.cv_splitter().split(X), CV_FOLDS)
        for fold, (train, test) in enumerate(splits):
            whole = modeling.build_pipeline(name).fit(X.iloc[train], y[train])
            mine = oof[(oof["candidate"] == name) & (oof["repeat"] == 0) & (oof["fold"] == fold)]
            assert np.array_equal(mine["predicted"], whole.predict(X.iloc[test])), (name, fold)
