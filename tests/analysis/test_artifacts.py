"""One run writes every artifact; they load back, reproduce, and stay put when a run fails."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from penguin_site.analysis import artifacts, digest, modeling, pipeline, plots
from penguin_site.analysis.dataset import CleanData
from penguin_site.analysis.digest import analysis_digest
from penguin_site.analysis.modeling import features, fit_final
from penguin_site.analysis.results import MODEL_FILE, Results, load_results
from penguin_site.config import (
    CHOSEN_FEATURE_SET,
    DATA_FILE,
    FEATURE_SETS,
    FIGURE_DENSITIES,
    FIGURES,
    ROOT,
)
from scripts import run_analysis

EXPECTED_FILES = {
    "model.skops",
    "metrics.json",
    "predictions.csv",
    "model_card.json",
    "coefficients.json",
    "figures.json",
    "digest.txt",
    "tables/counts.csv",
    "tables/cross_tab.csv",
    "tables/measurement_summary.csv",
    "tables/missing_values.csv",
    "tables/dropped_rows.csv",
    "tables/comparison.csv",
    "tables/coefficients.csv",
    "tables/cv_scores.csv",
} | {
    f"figures/{plots.drawing_stem(name, look, density)}.png"
    for names in FIGURES.values()
    for name in names
    for look in plots.LOOKS
    for density in FIGURE_DENSITIES
}


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_run_writes_every_artifact(build_dir: Path) -> None:
    assert set(_files(build_dir)) == EXPECTED_FILES


@pytest.mark.example
def test_saved_model_reproduces_in_memory_predictions(results: Results, clean: CleanData) -> None:
    loaded = artifacts.load_model(results.path(MODEL_FILE))
    in_memory = fit_final(clean.data)
    X = clean.data[features(CHOSEN_FEATURE_SET)]
    assert np.array_equal(loaded.predict(X), in_memory.predict(X))


@pytest.mark.example
def test_metrics_record_hashes_of_what_they_describe(results: Results) -> None:
    metrics = results.metrics
    model_bytes = results.path(MODEL_FILE).read_bytes()
    assert metrics["model"]["sha256"] == hashlib.sha256(model_bytes).hexdigest()
    assert metrics["data"]["sha256"] == hashlib.sha256(DATA_FILE.read_bytes()).hexdigest()
    assert metrics["data"]["complete_rows"] == 333
    assert list(metrics["candidates"]) == list(FEATURE_SETS)
    assert metrics["chosen"] == CHOSEN_FEATURE_SET
    assert results.model_card["training_data"]["sha256"] == metrics["data"]["sha256"]
    assert results.model_card["evaluation"]["r2"] == metrics["candidates"][CHOSEN_FEATURE_SET]["r2"]
    assert results.model_card["limitations"] and results.model_card["intended_use"]


@pytest.mark.example
def test_predictions_are_out_of_fold_for_the_chosen_model(results: Results) -> None:
    oof = results.predictions
    assert len(oof) == 333 * 20
    residual = oof["body_mass_g"] - oof["predicted_body_mass_g"]
    assert np.allclose(residual, oof["residual_g"])
    rmse = oof.groupby(["repeat", "fold"]).apply(
        lambda g: np.sqrt((g["residual_g"] ** 2).mean()), include_groups=False
    )
    chosen = results.metrics["candidates"][CHOSEN_FEATURE_SET]["rmse"]["mean"]
    assert np.isclose(rmse.mean(), chosen)


def test_figures_are_listed_with_words(results: Results) -> None:
    assert len(results.figures) == 5
    for record in results.figures.values():
        assert record.path.is_file() and record.caption and record.alt


@pytest.mark.example
def test_tables_load_back(results: Results) -> None:
    assert {"counts", "comparison", "coefficients", "measurement_summary"} <= set(results.tables)
    comparison = results.tables["comparison"]
    assert comparison.loc[comparison["chosen"], "candidate"].tolist() == [CHOSEN_FEATURE_SET]


@pytest.mark.whole_analysis
def test_a_build_in_another_process_writes_the_same_bytes(build_dir: Path, tmp_path: Path) -> None:
    """The CLI in a fresh interpreter (another hash seed, other object addresses) against
    the shared build, made in this run's workers: every file byte-identical."""
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    out = tmp_path / "analysis"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run_analysis.py"), "--build-dir", str(out)],
        env={**os.environ, "PYTHONHASHSEED": seed},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert f"analysis written to {out}" in done.stdout  # the CLI's own report
    first, second = _files(build_dir), _files(out)
    assert first.keys() == second.keys() == EXPECTED_FILES
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.example
def test_model_file_depends_on_source_date_epoch_only(
    clean: CleanData, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fit_final(clean.data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a = artifacts.model_bytes(model)
    assert artifacts.model_bytes(model) == a
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    assert artifacts.model_bytes(model) != a


def test_load_model_refuses_untrusted_types(tmp_path: Path) -> None:
    import skops.io as sio

    path = tmp_path / "evil.skops"
    path.write_bytes(sio.dumps({"f": pd.Timestamp}))  # a type outside the default trust list
    with pytest.raises(ValueError, match="untrusted"):
        artifacts.load_model(path)


def test_load_results_needs_a_finished_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"run scripts/run_analysis\.py"):
        load_results(tmp_path)


@pytest.mark.example
def test_bad_data_stops_the_build_and_keeps_the_old_artifacts(
    build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "analysis"
    shutil.copytree(build_dir, target)  # a finished build, without running another
    before = _files(target)
    bad = tmp_path / "bad.csv"
    bad.write_text(DATA_FILE.read_text().replace("Adelie,Dream", "Emperor,Dream", 1))
    code = run_analysis.main(["--build-dir", str(target), "--data-file", str(bad), "--no-checksum"])
    err = capsys.readouterr().err
    assert code == 1
    assert "nothing was written" in err and "column 'species'" in err and "bad.csv" in err
    assert _files(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis", "bad.csv"]  # no staging


@pytest.mark.parametrize("epoch", ["abc", "1.7e9", "-5"])
def test_malformed_source_date_epoch_stops_before_any_work(
    epoch: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    code = run_analysis.main(["--build-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "SOURCE_DATE_EPOCH must be a whole number" in err and repr(epoch) in err
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_leaves_no_staging_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cross-validation fails: the tables are already in the staging folder."""

    def broken(*_: object) -> None:
        raise RuntimeError("cross-validation failed")

    monkeypatch.setattr(modeling, "cross_validate_candidates", broken)
    with pytest.raises(RuntimeError, match="cross-validation failed"):
        pipeline.run_analysis(tmp_path / "analysis")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.whole_analysis
def test_metrics_name_the_file_that_was_analysed(tmp_path: Path) -> None:
    other = tmp_path / "season.csv"
    other.write_text(DATA_FILE.read_text().replace("3750", "3760", 1))
    out = pipeline.run_analysis(tmp_path / "analysis", other, datapackage=None)
    data = json.loads((out / "metrics.json").read_text())["data"]
    assert data["file"] == "season.csv"
    assert data["sha256"] == hashlib.sha256(other.read_bytes()).hexdigest()
    assert data["source"].startswith("not recorded")


@pytest.mark.example
def test_tampered_snapshot_fails_its_checksum(tmp_path: Path, capsys) -> None:
    copy = tmp_path / "penguins.csv"
    copy.write_text(DATA_FILE.read_text().replace("3750", "3751", 1))
    code = run_analysis.main(["--build-dir", str(tmp_path / "out"), "--data-file", str(copy)])
    assert code == 1
    assert "checksum mismatch" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _inputs_commit_time() -> int:
    """What git says: the last commit that touched the study, the data, the lock or the
    analysis code."""
    paths = ["study.yml", "data", "requirements.lock", "src/penguin_site/analysis"]
    shared = ("config.py", "files.py", "clock.py", "study.py")
    paths += [f"src/penguin_site/{name}" for name in shared]
    done = subprocess.run(
        ["git", "log", "-1", "--format=%ct", "--", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (None, "inputs"),  # no SOURCE_DATE_EPOCH: when the inputs last changed
        ("1700000000", 1_700_000_000),  # earlier than that: clamped to it
        ("4102444800", "inputs"),  # later (a prose-only commit): the model stays as it was
        ("0", 315_532_800),  # before 1980: the earliest date zip can store
    ],
)
def test_model_date_is_when_the_inputs_changed_clamped_to_source_date_epoch(
    env: str | None, expected: int | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if env is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", env)
    want = _inputs_commit_time() if expected == "inputs" else expected
    assert artifacts.zip_epoch() == want


def test_outside_git_the_model_date_is_source_date_epoch_or_1980(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(digest, "inputs_committed", lambda: None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert artifacts.zip_epoch() == 1_700_000_000
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert artifacts.zip_epoch() == digest.ZIP_EPOCH_MIN


def test_digest_follows_the_data(tmp_path: Path) -> None:
    copy = tmp_path / "penguins.csv"
    copy.write_bytes(DATA_FILE.read_bytes())
    same = analysis_digest(copy)
    assert same == analysis_digest(copy)
    copy.write_bytes(DATA_FILE.read_bytes() + b"\n")
    assert analysis_digest(copy) != same


def test_digest_follows_the_build_date_until_it_passes_the_inputs_last_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The model file is stamped with its date (model_epoch), so a new build date is a new
    analysis until that date is past the inputs' last commit: then a prose-only commit,
    built at its own time, reuses the analysis."""
    changed = _inputs_commit_time()
    digests = {}
    for epoch in (changed - 86_400, changed - 1, changed, changed + 86_400):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        digests[epoch] = analysis_digest()
    assert digests[changed - 86_400] != digests[changed - 1] != digests[changed]
    assert digests[changed + 86_400] == digests[changed]


def test_digest_follows_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new pin can change every number: the analysis must run again (tests/site/
    test_incremental renders the case of a changed analysis module end to end)."""
    lock = tmp_path / "requirements.lock"
    lock.write_bytes(digest.LOCK_FILE.read_bytes())
    monkeypatch.setattr(digest, "LOCK_FILE", lock)
    same = analysis_digest()
    lock.write_bytes(lock.read_bytes() + b"# touched\n")
    assert analysis_digest() != same
