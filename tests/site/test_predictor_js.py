"""The in-browser predictor gives the Python model's predictions, checked in a real JS engine.

``src/penguin_site/site/predictor.js`` is the file the model page imports. Here Node.js runs
that same file on a grid of inputs (every species and sex, bill lengths across the
slider's range) with the ``coefficients.json`` the pipeline exported, and the results are
compared with the fitted scikit-learn model loaded from ``model.skops``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from penguin_site.analysis import artifacts, modeling
from penguin_site.analysis.results import MODEL_FILE, Results
from penguin_site.config import CHOSEN_FEATURE_SET, PREDICTOR_SCRIPT

PREDICTOR = PREDICTOR_SCRIPT
NODE_TIMEOUT_S = 60

RUNNER = """
import { readFileSync } from "node:fs";
import * as predictor from "./predictor.mjs";
const payload = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { coefficients, grid, calls, describe = [] } = payload;
const out = { predictions: [], formatted: [], errors: [], defaults: null, levels: {} };
out.described = [];
for (const inputs of describe) out.described.push(predictor.describeInputs(coefficients, inputs));
for (const inputs of grid) {
  const value = predictor.predict(coefficients, inputs);
  out.predictions.push(value);
  out.formatted.push(predictor.formatPrediction(value, coefficients.unit));
}
for (const inputs of calls) {
  try { predictor.predict(coefficients, inputs); out.errors.push(null); }
  catch (error) { out.errors.push(String(error.message)); }
}
out.defaults = predictor.defaultInputs(coefficients);
for (const name of Object.keys(coefficients.categorical)) {
  out.levels[name] = predictor.levelsOf(coefficients, name);
}
console.log(JSON.stringify(out));
"""


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.skip("Node.js is not installed (the predictor test runs its JavaScript in Node)")
    return path


def run_predictor(tmp_path: Path, payload: dict[str, object]) -> dict[str, object]:
    """Run predictor.js (as an ES module) in Node on ``payload``; returns its JSON answer."""
    shutil.copy(PREDICTOR, tmp_path / "predictor.mjs")  # .mjs: Node loads it as an ES module
    (tmp_path / "run.mjs").write_text(RUNNER, encoding="utf-8")
    (tmp_path / "payload.json").write_text(json.dumps(payload), encoding="utf-8")
    done = subprocess.run(
        [node(), "run.mjs", "payload.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def grid(results: Results) -> pd.DataFrame:
    spec = results.coefficients_json["inputs"]["bill_length_mm"]
    bills = [*np.round(np.linspace(spec["min"], spec["max"], 9), 1).tolist(), spec["default"], 47.3]
    levels = {name: list(v) for name, v in results.coefficients_json["categorical"].items()}
    rows = [
        {"bill_length_mm": bill, "species": species, "sex": sex}
        for bill in bills
        for species in levels["species"]
        for sex in levels["sex"]
    ]
    return pd.DataFrame(rows)


def python_predictions(results: Results, inputs: pd.DataFrame) -> np.ndarray:
    model = artifacts.load_model(results.path(MODEL_FILE))
    return model.predict(inputs[modeling.features(CHOSEN_FEATURE_SET)])


@pytest.mark.example
def test_javascript_matches_the_python_model_on_a_grid(tmp_path: Path, results: Results) -> None:
    inputs = grid(results)
    expected = python_predictions(results, inputs)
    answer = run_predictor(
        tmp_path,
        {
            "coefficients": results.coefficients_json,
            "grid": inputs.to_dict("records"),
            "calls": [],
        },
    )
    got = np.array(answer["predictions"])
    assert len(got) == len(inputs) == 66
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    # What the page shows: whole grams, within rounding of the model's value.
    shown = [int(text.removesuffix(" g").replace(",", "")) for text in answer["formatted"]]
    assert np.all(np.abs(np.array(shown) - expected) <= 0.5)
    assert all(text.endswith(" g") for text in answer["formatted"])


def test_defaults_and_levels_come_from_the_coefficients(tmp_path: Path, results: Results) -> None:
    coefficients = results.coefficients_json
    answer = run_predictor(tmp_path, {"coefficients": coefficients, "grid": [], "calls": []})
    assert answer["levels"] == {k: list(v) for k, v in coefficients["categorical"].items()}
    for name, spec in coefficients["inputs"].items():
        expected = spec.get("default", spec.get("levels", [None])[0])
        assert answer["defaults"][name] == expected, name


@pytest.mark.example
@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"bill_length_mm": 45, "species": "Emperor", "sex": "male"},
            "input species must be one of",
        ),
        ({"bill_length_mm": 45, "species": "Adelie", "sex": "unknown"}, "input sex must be one of"),
        ({"species": "Adelie", "sex": "male"}, "input bill_length_mm must be a number"),
        ({"bill_length_mm": "", "species": "Adelie", "sex": "male"}, "must be a number"),
        ({"bill_length_mm": "long", "species": "Adelie", "sex": "male"}, "must be a number"),
    ],
)
def test_bad_inputs_are_named_not_silent_nan(
    tmp_path: Path, results: Results, inputs: dict[str, object], message: str
) -> None:
    answer = run_predictor(
        tmp_path, {"coefficients": results.coefficients_json, "grid": [], "calls": [inputs]}
    )
    assert answer["errors"][0] is not None and message in answer["errors"][0]


@pytest.mark.parametrize(
    ("value", "text"),
    [(4207.3, "4,207 g"), (4207.5, "4,208 g"), (999.4, "999 g"), (12345.6, "12,346 g")],
)
def test_format_prediction(tmp_path: Path, results: Results, value: float, text: str) -> None:
    coefficients = {
        "intercept": value,
        "numeric": {},
        "categorical": {},
        "inputs": {},
        "unit": "g",
    }
    answer = run_predictor(tmp_path, {"coefficients": coefficients, "grid": [{}], "calls": []})
    assert answer["formatted"] == [text]


@pytest.mark.example
def test_each_bird_gets_its_typical_range_and_a_warning_only_outside_it(
    tmp_path: Path, results: Results
) -> None:
    coefficients = results.coefficients_json
    groups = coefficients["inputs"]["bill_length_mm"]["groups"]
    inputs = [
        {"bill_length_mm": bill, "species": g["species"], "sex": g["sex"]}
        for g in groups
        for bill in (g["median"], g["min"], g["max"], g["min"] - 0.1, g["max"] + 0.1)
    ]
    answer = run_predictor(
        tmp_path, {"coefficients": coefficients, "grid": [], "calls": [], "describe": inputs}
    )
    for given, said in zip(inputs, answer["described"], strict=True):
        group = next(
            g for g in groups if (g["species"], g["sex"]) == (given["species"], given["sex"])
        )
        who = f"{given['sex'].capitalize()} {given['species']} penguins in the data"
        assert said["typical"].startswith(f"{who} ({group['n']} birds)"), said
        assert f"{group['min']:.1f}\u2013{group['max']:.1f} mm" in said["typical"]
        outside = not group["min"] <= given["bill_length_mm"] <= group["max"]
        assert ("extrapolates" in said["warning"]) is outside, (given, said)


@pytest.mark.example
def test_default_bill_is_typical_for_the_default_bird(results: Results) -> None:
    """Not the pooled median (44.5 mm, long for a female Adelie): the first group's."""
    spec = results.coefficients_json["inputs"]["bill_length_mm"]
    first = spec["groups"][0]
    levels = results.coefficients_json["inputs"]
    assert (first["species"], first["sex"]) == (levels["species"]["levels"][0], "female")
    assert spec["default"] == first["median"]
    assert first["min"] <= spec["default"] <= first["max"]
