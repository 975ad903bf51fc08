"""The single entry point: run the whole analysis once and write every artifact.

The site calls this once per build (Quarto's pre-render hook); pages then only
read the build folder. The work happens in a staging folder that replaces the
build folder at the end, so a failed run never leaves half-written artifacts
that a page could mistake for results.
"""

from __future__ import annotations

import platform
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import pandas as pd

from penguin_site.analysis import artifacts, eda, modeling, results
from penguin_site.analysis.dataset import (
    CleanData,
    clean_for_modelling,
    expected_sha256,
    load_data,
)
from penguin_site.analysis.digest import analysis_digest
from penguin_site.analysis.quality import Gate, check_quality
from penguin_site.analysis.results import FigureRecord
from penguin_site.config import (
    BASELINE_FILE,
    BUILD_DIR,
    CV_FOLDS,
    CV_REPEATS,
    DATA_FILE,
    DATAPACKAGE_FILE,
    FEATURE_SET_LABELS,
    FEATURE_SETS,
    FIGURES,
    RECORDED_PACKAGES,
    SEED,
    TARGET,
    TARGET_UNIT,
)
from penguin_site.files import read_json, replace_dir, sha256_bytes, sha256_file, write_json
from penguin_site.study import current

__all__ = ["Timings", "run_analysis"]

Timings = dict[str, float]
#: A figure to draw: the name of its function in ``plots`` and the table it draws from.
#: Named, not passed, so that plotnine is imported only once drawing starts.
FigureJob = tuple[str, pd.DataFrame]


@contextmanager
def _stage(timings: Timings, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def run_analysis(
    build_dir: Path = BUILD_DIR,
    data_file: Path = DATA_FILE,
    datapackage: Path | None = DATAPACKAGE_FILE,
    timings: Timings | None = None,
    baseline: Path | None = BASELINE_FILE,
) -> Path:
    """Validate the data, summarise it, cross-validate the candidates, fit and save everything.

    ``datapackage`` supplies the sha256 the data file must have; pass ``None`` to
    analyse another file without a recorded checksum. ``baseline`` holds the scores the
    chosen model may not fall below (``quality``); ``None`` skips the gate (to record a
    new baseline on purpose). ``timings`` (optional) is filled
    with seconds per stage for the benchmark.
    """
    timings = {} if timings is None else timings
    build_dir = Path(build_dir)
    with _stage(timings, "validation"):
        artifacts.zip_epoch()  # a malformed SOURCE_DATE_EPOCH stops us before any work
        checksum = expected_sha256(datapackage) if datapackage else None
        table = load_data(data_file, checksum)
        clean = clean_for_modelling(table, data_file)
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{build_dir.name}.staging-", dir=build_dir.parent))
    try:
        _build(staging, table, clean, data_file, datapackage, baseline, timings)
        with _stage(timings, "artifacts"):
            replace_dir(staging, build_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # only left over when the build failed
    return build_dir


def _build(
    staging: Path,
    table: pd.DataFrame,
    clean: CleanData,
    data_file: Path,
    datapackage: Path | None,
    baseline: Path | None,
    timings: Timings,
) -> None:
    """Write every artifact into ``staging`` (a private folder nobody reads yet)."""
    with _stage(timings, "tables"):
        _write_tables(staging, table, clean)
    with _stage(timings, "cross_validation"):
        cv = modeling.cross_validate_candidates(clean.data)
        comparison = modeling.compare(cv.scores)
        chosen = modeling.chosen(comparison)
        model = modeling.fit_final(clean.data, chosen)
    # Before anything of the model is written: a worse model stops the build here.
    scores = _chosen_scores(comparison)
    gate = check_quality(scores, baseline, chosen) if baseline else None
    with _stage(timings, "artifacts"):
        oof = _chosen_predictions(cv.predictions, clean.data, chosen)
        per_bird = _mean_oof(oof)
        _write_model_outputs(
            staging, model, clean, cv, comparison, oof, data_file, datapackage, gate
        )
    with _stage(timings, "figures"):
        model_jobs = [(f, per_bird) for f in ("plot_predicted_vs_actual", "plot_residuals")]
        figures = _placed(_save_figures(staging, [*_eda_jobs(table), *model_jobs]))
    with _stage(timings, "artifacts"):
        write_json(
            staging / results.FIGURES_FILE,
            {
                f.name: {
                    "file": f"{results.FIGURES_DIR}/{f.path.name}",
                    "caption": f.caption,
                    "alt": f.alt,
                    "drawings": [d.as_json(staging) for d in f.drawings],
                }
                for f in figures
            },
        )
        (staging / results.DIGEST_FILE).write_text(
            analysis_digest(data_file, datapackage) + "\n", encoding="utf-8"
        )


def _write_tables(staging: Path, table: pd.DataFrame, clean: CleanData) -> None:
    tables = staging / results.TABLES_DIR
    artifacts.write_table(tables, "counts", eda.counts(table))
    artifacts.write_table(tables, "cross_tab", eda.cross_tab(table).reset_index())
    artifacts.write_table(tables, "measurement_summary", eda.measurement_summary(table))
    artifacts.write_table(tables, "missing_values", eda.missing_values(table))
    artifacts.write_table(tables, "dropped_rows", clean.dropped)


def _chosen_predictions(predictions: pd.DataFrame, data: pd.DataFrame, name: str) -> pd.DataFrame:
    """Out-of-fold predictions of the chosen model, one row per data row and repeat.

    Each row carries its describing columns and the model's numeric inputs, so a reader of
    the CSV can group the errors without joining the data.
    """
    chosen = predictions[predictions["candidate"] == name].drop(columns="candidate")
    numeric, _ = FEATURE_SETS[name]
    described = list(dict.fromkeys([*current().describe_by, *numeric]))
    rows = data[described].reset_index(names="row")
    out = chosen.merge(rows, on="row", how="left").sort_values(["row", "repeat"], kind="stable")
    out = out.rename(columns={"actual": f"{TARGET}", "predicted": f"predicted_{TARGET}"})
    residual = f"residual_{TARGET_UNIT}"
    out[residual] = out[TARGET] - out[f"predicted_{TARGET}"]
    columns = ["row", *described, "repeat", "fold", TARGET, f"predicted_{TARGET}", residual]
    return out[columns].reset_index(drop=True)


def _mean_oof(oof: pd.DataFrame) -> pd.DataFrame:
    """One point per data row for the diagnostic figures: its mean held-out prediction."""
    return (
        oof.groupby(["row", current().colour_by], sort=True, observed=True)
        .agg(actual=(TARGET, "first"), predicted=(f"predicted_{TARGET}", "mean"))
        .reset_index()
    )


def _write_model_outputs(
    staging: Path,
    model: modeling.Pipeline,
    clean: CleanData,
    cv: modeling.CrossValidation,
    comparison: pd.DataFrame,
    oof: pd.DataFrame,
    data_file: Path,
    datapackage: Path | None,
    gate: Gate | None,
) -> None:
    tables = staging / results.TABLES_DIR
    artifacts.write_table(tables, "comparison", comparison)
    artifacts.write_table(tables, "coefficients", modeling.coefficients(model))
    artifacts.write_table(tables, "cv_scores", cv.scores)
    oof.to_csv(staging / results.PREDICTIONS_FILE, index=False, lineterminator="\n")

    model_data = artifacts.model_bytes(model)
    (staging / results.MODEL_FILE).write_bytes(model_data)
    model_sha = sha256_bytes(model_data)
    metrics = _metrics(comparison, clean, model_sha, Path(data_file), datapackage)
    metrics["quality_gate"] = gate.as_json() if gate else None
    write_json(staging / results.METRICS_FILE, metrics)
    write_json(staging / results.COEFFICIENTS_FILE, modeling.export_coefficients(model, clean.data))
    write_json(staging / results.MODEL_CARD_FILE, _model_card(metrics, clean))


def _scores(row: pd.Series) -> dict[str, dict[str, float]]:
    """One candidate's cross-validated scores as metrics.json holds them: mean and sd."""
    return {
        metric: {"mean": row[f"{metric}_mean"], "sd": row[f"{metric}_sd"]}
        for metric in modeling.METRICS
    }


def _chosen_scores(comparison: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The chosen model's scores, for the quality gate before anything is written."""
    return _scores(comparison[comparison["chosen"]].iloc[0])


def _metrics(
    comparison: pd.DataFrame,
    clean: CleanData,
    model_sha: str,
    data_file: Path,
    datapackage: Path | None,
) -> dict[str, object]:
    candidates = {
        row["candidate"]: {
            "label": row["label"],
            "features": row["features"].split(", "),
            **_scores(row),
        }
        for _, row in comparison.iterrows()
    }
    return {
        "target": TARGET,
        "chosen": modeling.chosen(comparison),
        "cross_validation": {
            "method": "repeated shuffled K-fold",
            "folds": CV_FOLDS,
            "repeats": CV_REPEATS,
            "seed": SEED,
        },
        "candidates": candidates,
        "data": {
            "file": data_file.name,
            "sha256": sha256_file(data_file),
            "source": _data_source(datapackage),
            "rows": len(clean.data) + len(clean.dropped),
            "complete_rows": len(clean.data),
            "dropped_rows": len(clean.dropped),
        },
        "model": {"file": results.MODEL_FILE, "sha256": model_sha, "format": "skops"},
        "versions": {
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in RECORDED_PACKAGES},
        },
    }


def _model_card(metrics: dict[str, object], clean: CleanData) -> dict[str, object]:
    name = str(metrics["chosen"])
    chosen = metrics["candidates"][name]  # type: ignore[index]
    reasons = clean.dropped["reason"].value_counts().to_dict()
    card = current().model_card
    return {
        "model": FEATURE_SET_LABELS[name],
        "type": "Ordinary least squares linear regression (scikit-learn Pipeline)",
        "target": f"{TARGET} ({current().units[TARGET_UNIT].word}s)",
        "features": chosen["features"],
        "intended_use": card["intended_use"],
        "not_intended_for": list(card["not_intended_for"]),
        "training_data": {
            **metrics["data"],  # type: ignore[dict-item]
            "dropped_reasons": {str(k): int(v) for k, v in reasons.items()},
        },
        "evaluation": {
            "method": metrics["cross_validation"],
            **{metric: chosen[metric] for metric in modeling.METRICS},
        },
        "limitations": list(card["limitations"]),
        "versions": metrics["versions"],
    }


def _data_source(datapackage: Path | None) -> str:
    """Where the data come from, as its datapackage.json records it."""
    if datapackage is None:
        return "not recorded (no datapackage.json given)"
    descriptor = read_json(datapackage)
    return "; ".join(source["title"] for source in descriptor.get("sources", [])) or "not recorded"


def _save_figures(directory: Path, jobs: list[FigureJob]) -> list[FigureRecord]:
    """Draw and save ``jobs``; the one place that imports plotnine."""
    from penguin_site.analysis import plots

    records = []
    for function, data in jobs:
        figure = getattr(plots, function)(data)
        drawings = plots.save_figure(figure, directory / results.FIGURES_DIR)
        records.append(
            FigureRecord(
                figure.name, drawings[0].files[0], figure.caption, figure.alt, tuple(drawings)
            )
        )
    return records


def _eda_jobs(table: pd.DataFrame) -> list[FigureJob]:
    """The exploratory figures: they need only the data, not the model."""
    return [
        ("plot_measurement_pairs", table),
        ("plot_target_vs_x", table),
        ("plot_target_by_group", table),
    ]


def _placed(records: list[FigureRecord]) -> list[FigureRecord]:
    """``records`` in page order, checked to be exactly the figures config.FIGURES places."""
    order = [name for names in FIGURES.values() for name in names]
    by_name = {r.name: r for r in records}
    if sorted(by_name) != sorted(order):
        made = ", ".join(sorted(by_name))
        raise ValueError(f"figures made ({made}) are not the ones config.FIGURES places on pages")
    return [by_name[name] for name in order]
