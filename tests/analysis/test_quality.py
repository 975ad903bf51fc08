"""The model-quality gate stops a build whose model got worse than the committed baseline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from penguin_site.analysis import pipeline
from penguin_site.analysis.quality import ModelQualityError, check_quality, read_baseline
from penguin_site.config import BASELINE_FILE, CHOSEN_FEATURE_SET, DATA_FILE, R2_FLOOR, SEED
from penguin_site.files import read_json
from scripts import run_analysis


def scores(rmse: float, r2: float) -> dict[str, dict[str, float]]:
    return {"rmse": {"mean": rmse}, "r2": {"mean": r2}}


def baseline(tmp_path: Path, **fields: object) -> Path:
    path = tmp_path / "model_baseline.json"
    path.write_text(
        json.dumps({"candidate": CHOSEN_FEATURE_SET, "rmse": 300.0, "r2": 0.85, **fields})
    )
    return path


@pytest.mark.example
def test_the_committed_baseline_is_the_chosen_models_and_passes_today(
    results: object,
) -> None:
    recorded = read_baseline(BASELINE_FILE)
    metrics = read_json(results.path("metrics.json"))  # type: ignore[attr-defined]
    gate = metrics["quality_gate"]
    assert gate["rmse_baseline"] == recorded["rmse"] and gate["r2_baseline"] == recorded["r2"]
    assert gate["rmse"] <= gate["rmse_limit"] and gate["r2"] >= gate["r2_floor"] == R2_FLOOR


@pytest.mark.example
@pytest.mark.parametrize(
    ("rmse", "r2", "message"),
    [
        (300.0, 0.85, None),
        (314.9, 0.85, None),  # within 5 %
        (315.1, 0.85, "RMSE 315.1 g is above the limit 315.0 g (baseline 300.0 g + 5%)"),
        (300.0, 0.79, "R² 0.790 is below the floor 0.80"),
    ],
)
def test_gate_limits(tmp_path: Path, rmse: float, r2: float, message: str | None) -> None:
    path = baseline(tmp_path)
    if message is None:
        assert check_quality(scores(rmse, r2), path).rmse == rmse
    else:
        with pytest.raises(ModelQualityError) as caught:
            check_quality(scores(rmse, r2), path)
        assert str(caught.value).startswith(f"{path}: the model-quality gate failed: {message}")
        assert "--record-baseline" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no model baseline; record one with scripts/run_analysis.py --record-baseline"),
        ("{not json", "must hold candidate, rmse and r2"),
        ('{"candidate": "bill_species_sex", "rmse": 1}', "must hold candidate, rmse and r2"),
        ('{"candidate": "bill", "rmse": 1, "r2": 1}', "the baseline is for 'bill'"),
    ],
)
def test_a_bad_baseline_file_is_named(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "model_baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ModelQualityError, match=message) as caught:
        read_baseline(path)
    assert str(caught.value).startswith(str(path))


def degraded(tmp_path: Path) -> Path:
    """The snapshot with body masses shuffled: bill, species and sex no longer predict them."""
    frame = pd.read_csv(DATA_FILE, dtype=str, keep_default_na=False)
    rows = frame.index[frame["body_mass_g"] != "NA"]
    shuffled = np.random.default_rng(SEED).permutation(frame.loc[rows, "body_mass_g"].to_numpy())
    frame.loc[rows, "body_mass_g"] = shuffled
    path = tmp_path / "degraded.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


@pytest.mark.example
def test_a_degraded_model_stops_the_build_and_keeps_the_last_good_one(
    build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "analysis"
    shutil.copytree(build_dir, target)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    bad = degraded(tmp_path)
    code = run_analysis.main(["--build-dir", str(target), "--data-file", str(bad), "--no-checksum"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{BASELINE_FILE}: the model-quality gate failed: RMSE" in err
    assert "R² " in err and "is below the floor" in err
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis", "degraded.csv"]


@pytest.mark.whole_analysis
@pytest.mark.example
def test_record_baseline_accepts_a_changed_model_on_purpose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = tmp_path / "model_baseline.json"
    monkeypatch.setattr(
        run_analysis, "write_baseline", lambda chosen, **_: _write(chosen, recorded)
    )
    out = tmp_path / "analysis"
    bad = degraded(tmp_path)
    code = run_analysis.main(
        ["--build-dir", str(out), "--data-file", str(bad), "--no-checksum", "--record-baseline"]
    )
    assert code == 0
    metrics = read_json(out / "metrics.json")
    assert metrics["quality_gate"] is None
    chosen = metrics["candidates"][CHOSEN_FEATURE_SET]
    assert read_json(recorded)["rmse"] == round(chosen["rmse"]["mean"], 3)
    # Its RMSE is now the baseline; the R² floor is absolute and still refuses this model.
    with pytest.raises(ModelQualityError) as caught:
        pipeline.run_analysis(tmp_path / "again", bad, None, baseline=recorded)
    assert "is below the floor" in str(caught.value) and "RMSE" not in str(caught.value)


def _write(chosen: dict[str, dict[str, float]], path: Path) -> Path:
    from penguin_site.analysis.quality import write_baseline

    return write_baseline(chosen, path)
