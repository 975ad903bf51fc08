"""Candidate models, their cross-validation, and the final fit.

Every candidate is a scikit-learn ``Pipeline`` (one-hot encoding of the categorical
features, then ordinary least squares), so feature names come from the pipeline.
The one-hot categories are fixed by the data contract rather than learned from the
rows, so a fold that happens to miss a level still encodes like every other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import RepeatedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from penguin_site.analysis.contract import CATEGORIES
from penguin_site.analysis.wording import a_or_an
from penguin_site.config import (
    CHOSEN_FEATURE_SET,
    CV_FOLDS,
    CV_REPEATS,
    FEATURE_SET_LABELS,
    FEATURE_SETS,
    MEASUREMENTS,
    SEED,
    TARGET,
    TARGET_UNIT,
    measurement_label,
    measurement_name,
)
from penguin_site.study import LOWEST_RMSE, current

__all__ = [
    "METRICS",
    "CrossValidation",
    "Term",
    "chosen",
    "coefficients",
    "compare",
    "cross_validate_candidates",
    "export_coefficients",
    "features",
    "fit_final",
    "terms",
]


#: Metric name -> scikit-learn function. The order is the order of the comparison table.
METRICS = {
    "r2": r2_score,
    "rmse": root_mean_squared_error,
    "mae": mean_absolute_error,
}


def features(feature_set: str) -> list[str]:
    """Input columns of a candidate, numeric first."""
    numeric, categorical = FEATURE_SETS[feature_set]
    return [*numeric, *categorical]


def build_pipeline(feature_set: str) -> Pipeline:
    """Unfitted pipeline for one candidate: encode categoricals, then least squares.

    The first category of each factor is dropped so the intercept is the baseline row
    (every factor at its first level) and each coefficient is a difference from it, in the
    target's unit.
    """
    numeric, categorical = FEATURE_SETS[feature_set]
    transformers: list[tuple[str, object, list[str]]] = [("numeric", "passthrough", list(numeric))]
    if categorical:
        encoder = OneHotEncoder(
            categories=[list(CATEGORIES[c]) for c in categorical],
            drop="first",
            sparse_output=False,
            handle_unknown="error",
        )
        transformers.append(("categorical", encoder, list(categorical)))
    preprocess = ColumnTransformer(transformers, verbose_feature_names_out=False)
    return Pipeline([("preprocess", preprocess), ("regression", LinearRegression())])


def cv_splitter() -> RepeatedKFold:
    """Repeated shuffled K-fold with the project seed: the same splits for every candidate."""
    return RepeatedKFold(n_splits=CV_FOLDS, n_repeats=CV_REPEATS, random_state=SEED)


@dataclass(frozen=True)
class CrossValidation:
    """Per-split scores of every candidate and the out-of-fold predictions of each."""

    scores: pd.DataFrame  # candidate, repeat, fold, r2, rmse, mae
    predictions: pd.DataFrame  # candidate, row, repeat, fold, actual, predicted


def _splits(n_rows: int) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    for index, (train, test) in enumerate(cv_splitter().split(np.zeros(n_rows))):
        yield index // CV_FOLDS, index % CV_FOLDS, train, test


def cross_validate_candidates(data: pd.DataFrame) -> CrossValidation:
    """Score every candidate on the same repeated K-fold splits: least squares refitted on
    each training fold and scored on its held-out rows.

    The pipeline's encoding step is applied once per candidate rather than refitted per
    fold: it learns nothing from the rows (the numeric columns pass through; the categories
    are the contract's, not the fold's), so a fold's fitted encoder is that same encoder.
    Refitting it 100 times per candidate was three quarters of the cross-validation: 4.6 s
    against 1.2 s on the example, with the same scores to the last bit (tests/analysis/
    test_modeling.py compares them with the whole pipeline refitted per fold).
    """
    y = data[TARGET].to_numpy()
    score_rows: list[dict[str, object]] = []
    prediction_parts: list[pd.DataFrame] = []
    for name in FEATURE_SETS:
        pipeline = build_pipeline(name)
        X = pipeline[:-1].fit_transform(data[features(name)])
        for repeat, fold, train, test in _splits(len(data)):
            regression = clone(pipeline[-1]).fit(X[train], y[train])
            predicted = regression.predict(X[test])
            score_rows.append(_score(name, repeat, fold, y[test], predicted))
            prediction_parts.append(_oof(name, repeat, fold, test, y[test], predicted))
    return CrossValidation(
        scores=pd.DataFrame(score_rows),
        predictions=pd.concat(prediction_parts, ignore_index=True),
    )


def _score(
    name: str, repeat: int, fold: int, actual: np.ndarray, predicted: np.ndarray
) -> dict[str, object]:
    scores = {metric: float(fn(actual, predicted)) for metric, fn in METRICS.items()}
    return {"candidate": name, "repeat": repeat, "fold": fold, **scores}


def _oof(
    name: str, repeat: int, fold: int, test: np.ndarray, actual: np.ndarray, predicted: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "candidate": name,
            "row": test,
            "repeat": repeat,
            "fold": fold,
            "actual": actual,
            "predicted": predicted,
        }
    )


def compare(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd of each metric per candidate, in the configured order."""
    summary = scores.groupby("candidate", sort=False)[list(METRICS)].agg(["mean", "std"])
    summary.columns = [f"{metric}_{stat.replace('std', 'sd')}" for metric, stat in summary.columns]
    summary = summary.reindex(list(FEATURE_SETS)).reset_index()
    summary.insert(1, "label", summary["candidate"].map(FEATURE_SET_LABELS))
    summary.insert(2, "features", summary["candidate"].map(lambda c: ", ".join(features(c))))
    summary["chosen"] = summary["candidate"] == chosen(summary)
    return summary


def chosen(comparison: pd.DataFrame) -> str:
    """The candidate the site is about: the study's named one, or the lowest mean CV RMSE."""
    if CHOSEN_FEATURE_SET != LOWEST_RMSE:
        return CHOSEN_FEATURE_SET
    return str(comparison.loc[comparison["rmse_mean"].idxmin(), "candidate"])


def fit_final(data: pd.DataFrame, feature_set: str = CHOSEN_FEATURE_SET) -> Pipeline:
    """Refit a candidate on every complete row: the model the site publishes."""
    return build_pipeline(feature_set).fit(data[features(feature_set)], data[TARGET])


@dataclass(frozen=True)
class Term:
    """One coefficient of a fitted pipeline and what it stands for."""

    name: str  # the pipeline's output feature name
    column: str  # the input column it comes from
    level: str | None  # the category it indicates (None for a numeric feature)
    estimate: float


def terms(model: Pipeline) -> list[Term]:
    """The fitted coefficients paired with their inputs, read from the fitted transformers.

    Names come from ``get_feature_names_out`` and levels from the encoder's
    ``categories_``/``drop_idx_``: nothing is parsed back out of a feature name, so a
    level or column name containing ``_`` cannot be misread.
    """
    preprocess, regression = model[0], model[-1]
    estimates = iter(float(c) for c in regression.coef_)
    out: list[Term] = []
    for name, transformer, columns in preprocess.transformers_:
        if name == "numeric":
            out += [Term(c, c, None, next(estimates)) for c in columns]
        elif name == "categorical":
            names = iter(transformer.get_feature_names_out(columns))
            for column, levels, dropped in zip(
                columns, transformer.categories_, transformer.drop_idx_, strict=True
            ):
                kept = [str(level) for i, level in enumerate(levels) if i != dropped]
                out += [Term(str(next(names)), column, level, next(estimates)) for level in kept]
    if next(estimates, None) is not None or [t.name for t in out] != list(
        preprocess.get_feature_names_out()
    ):
        raise AssertionError("coefficients and feature names do not line up")
    return out


def coefficients(model: Pipeline) -> pd.DataFrame:
    """Coefficient table with units and plain-language meaning, names from the pipeline."""
    baseline = _baseline_description(model)
    rows = [
        {
            "term": "(intercept)",
            "estimate": float(model[-1].intercept_),
            "unit": TARGET_UNIT,
            "meaning": f"Predicted {current().target.short} of {baseline} with every "
            f"measurement at 0 (an anchor for the line, not a real {current().row_short})",
        }
    ]
    rows += [{"term": t.name, "estimate": t.estimate, **_meaning(t)} for t in terms(model)]
    return pd.DataFrame(rows)


def _baseline_description(model: Pipeline) -> str:
    """Which row the intercept describes: the dropped first level of every factor."""
    categorical = _categorical_features(model)
    words = [*(CATEGORIES[c][0] for c in reversed(categorical)), current().row_noun]
    return f"{a_or_an(words[0])} {' '.join(words)}"


def _categorical_features(model: Pipeline) -> list[str]:
    for name, _, columns in model[0].transformers_:
        if name == "categorical":
            return list(columns)
    return []


def _meaning(term: Term) -> dict[str, str]:
    if term.level is None:
        unit = MEASUREMENTS[term.column]
        return {
            "unit": f"{TARGET_UNIT} per {unit}",
            "meaning": f"Change in predicted {current().target.short} for each extra {unit} of "
            f"{measurement_name(term.column)}, other features held fixed",
        }
    return {
        "unit": TARGET_UNIT,
        "meaning": f"Difference in predicted {current().target.short} for {term.column} = "
        f"{term.level}, compared "
        f"with {CATEGORIES[term.column][0]} (the baseline), other features held fixed",
    }


def export_coefficients(model: Pipeline, data: pd.DataFrame) -> dict[str, object]:
    """Everything the in-browser predictor needs, read from the fitted pipeline.

    prediction = intercept + sum(numeric[k] * x[k]) + sum(categorical[c][value]);
    baseline levels carry 0 so the browser never needs to know which was dropped.
    """
    fitted = terms(model)
    numeric = [t for t in fitted if t.level is None]
    categorical = _categorical_features(model)
    first_group = {c: CATEGORIES[c][0] for c in categorical}
    inputs: dict[str, dict[str, object]] = {}
    for term in numeric:
        values = data[term.column]
        groups = _typical_values(data, term.column, categorical)
        first = next(x for x in groups if all(x[c] == v for c, v in first_group.items()))
        inputs[term.column] = {
            "min": float(np.floor(values.min())),
            "max": float(np.ceil(values.max())),
            "step": 0.1,
            # A typical row for the form's first choices, not the pooled median, which
            # can be far from typical for the first group.
            "default": first["median"],
            "label": measurement_label(term.column),
            "groups": groups,
        }
    effects: dict[str, dict[str, float]] = {
        c: dict.fromkeys(CATEGORIES[c], 0.0) for c in categorical
    }
    for term in fitted:
        if term.level is not None:
            effects[term.column][term.level] = term.estimate
    for column in categorical:
        inputs[column] = {"levels": list(CATEGORIES[column]), "label": _label(column)}
    study = current()
    return {
        "target": TARGET,
        "unit": TARGET_UNIT,
        # How the predictor names a group ("<level> <level> <rows>") and counts rows:
        # the factors' levels in this order, then the row noun.
        "rows": {"plural": study.row_plural, "short_plural": study.row_short_plural},
        "group_order": list(reversed(categorical)),
        "intercept": float(model[-1].intercept_),
        "numeric": {t.column: t.estimate for t in numeric},
        "categorical": effects,
        "inputs": inputs,
    }


def _typical_values(data: pd.DataFrame, column: str, by: Sequence[str]) -> list[dict[str, object]]:
    """Range and median of ``column`` in each group of the training data (one decimal).

    The in-browser predictor starts from a typical value for the chosen group and says
    when an input lies outside what the model was fitted on for that group.
    """
    whole = [((), data[column])]
    groups = data.groupby(list(by), observed=True, sort=True)[column] if by else whole
    rows = []
    for keys, values in groups:
        levels = keys if isinstance(keys, tuple) else (keys,)
        rows.append(
            {
                **{name: str(level) for name, level in zip(by, levels, strict=True)},
                "n": int(values.size),
                "min": round(float(values.min()), 1),
                "median": round(float(values.median()), 1),
                "max": round(float(values.max()), 1),
            }
        )
    return rows


def _label(column: str) -> str:
    """A categorical input's label: the study's label for it, else the name capitalised."""
    category = current().categories.get(column)
    return category.label if category else column.capitalize()
