"""The model-quality gate: the chosen model may not get worse than its committed baseline.

Why: a change to the data, the features or a library can quietly make the model worse
while every test of the code still passes. The baseline (``data/model_baseline.json``,
committed) records the chosen model's cross-validated RMSE and R²; a build whose RMSE
rises more than ``config.RMSE_TOLERANCE`` above it, or whose R² falls below
``config.R2_FLOOR``, stops before anything is written, so nothing is published. To accept
a new level on purpose, record it: ``scripts/run_analysis.py --record-baseline``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from penguin_site.config import (
    BASELINE_FILE,
    CHOSEN_FEATURE_SET,
    R2_FLOOR,
    RMSE_TOLERANCE,
    TARGET_UNIT,
)
from penguin_site.files import read_json, write_json

__all__ = ["Gate", "ModelQualityError", "check_quality", "read_baseline", "write_baseline"]


class ModelQualityError(ValueError):
    """The chosen model is worse than its baseline allows; the message says by how much."""


@dataclass(frozen=True)
class Gate:
    """The chosen model's scores beside the baseline and the limits derived from it."""

    rmse: float
    rmse_baseline: float
    rmse_limit: float
    r2: float
    r2_baseline: float
    r2_floor: float

    @property
    def problems(self) -> list[str]:
        found = []
        if self.rmse > self.rmse_limit:
            found.append(
                f"RMSE {self.rmse:.1f} {TARGET_UNIT} is above the limit "
                f"{self.rmse_limit:.1f} {TARGET_UNIT} "
                f"(baseline {self.rmse_baseline:.1f} {TARGET_UNIT} + {RMSE_TOLERANCE:.0%})"
            )
        if self.r2 < self.r2_floor:
            found.append(f"R² {self.r2:.3f} is below the floor {self.r2_floor:.2f}")
        return found

    def as_json(self) -> dict[str, float]:
        return asdict(self)


def read_baseline(path: Path = BASELINE_FILE, name: str = CHOSEN_FEATURE_SET) -> dict[str, float]:
    """The recorded scores, or a ``ModelQualityError`` naming the file and what is wrong."""
    try:
        recorded = read_json(path)
        scores = {"rmse": float(recorded["rmse"]), "r2": float(recorded["r2"])}
        candidate = recorded["candidate"]
    except FileNotFoundError:
        raise ModelQualityError(
            f"{path}: no model baseline; record one with scripts/run_analysis.py --record-baseline"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelQualityError(
            f"{path}: must hold candidate, rmse and r2 (cannot read it: {type(exc).__name__}: "
            f"{exc})"
        ) from None
    if candidate != name:
        raise ModelQualityError(
            f"{path}: the baseline is for {candidate!r} but the site's model is "
            f"{name!r}; record a baseline for it"
        )
    return scores


def check_quality(
    chosen: Mapping[str, Any], path: Path = BASELINE_FILE, name: str = CHOSEN_FEATURE_SET
) -> Gate:
    """Compare the chosen model's metrics (``metrics.json`` shape) with the baseline.

    ``name`` is the chosen candidate (the study's, or the one cross-validation picked).
    Returns the gate when it passes; raises ``ModelQualityError`` when it does not.
    """
    baseline = read_baseline(path, name)
    gate = Gate(
        rmse=float(chosen["rmse"]["mean"]),
        rmse_baseline=baseline["rmse"],
        rmse_limit=baseline["rmse"] * (1 + RMSE_TOLERANCE),
        r2=float(chosen["r2"]["mean"]),
        r2_baseline=baseline["r2"],
        r2_floor=R2_FLOOR,
    )
    if gate.problems:
        raise ModelQualityError(
            f"{path}: the model-quality gate failed: {'; '.join(gate.problems)}. Nothing was "
            "written. If the model is meant to change, record a new baseline with "
            "scripts/run_analysis.py --record-baseline and commit it."
        )
    return gate


def write_baseline(
    chosen: Mapping[str, Any], path: Path = BASELINE_FILE, name: str = CHOSEN_FEATURE_SET
) -> Path:
    """Record the chosen model's (candidate ``name``) cross-validated scores as the baseline."""
    write_json(
        path,
        {
            "candidate": name,
            "rmse": round(float(chosen["rmse"]["mean"]), 3),
            "r2": round(float(chosen["r2"]["mean"]), 5),
        },
    )
    return path
