"""Every number the prose quotes, computed from one build's results and formatted once.

Why: a page never types a number; it writes `` `{python} facts.r2` ``. The words that
depend on the data (which species is heaviest, where each was sampled) are computed
here too, so they change when the data do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from penguin_site.analysis.contract import CATEGORIES, COLUMNS
from penguin_site.analysis.results import Results
from penguin_site.analysis.wording import amount, join_words
from penguin_site.config import TARGET, TARGET_UNIT

__all__ = ["Facts", "as_variables", "key_facts"]


@dataclass(frozen=True)
class Facts:
    """Every number the prose quotes, formatted once (use as ``{python} facts.x``)."""

    rows: str
    complete_rows: str
    dropped_rows: str
    columns: str
    species: str
    data_sha256: str
    folds: str
    repeats: str
    r2: str
    r2_share: str  # R² as the share of variation explained, "85%"
    r2_sd: str
    rmse: str
    mae: str
    baseline_r2: str
    baseline_r2_share: str
    baseline_rmse: str
    best_label: str
    best_r2: str
    best_rmse: str
    slope: str
    male: str  # "547 g heavier" (than a female with the same bill and species)
    gentoo: str  # "1,095 g heavier" (than an Adelie with the same bill and sex)
    chinstrap: str  # "299 g lighter"
    model_sha256: str
    islands: str  # "Adelie penguins were sampled on Biscoe, Dream and Torgersen; ..."
    dimorphism: str  # "males have the larger mean in every measurement of every species"
    heaviest: str  # "Gentoo" (highest mean body mass)
    quality_gate: str  # the chosen model's scores beside the committed baseline and limits


def _islands(table: pd.DataFrame) -> str:
    """Where each species was sampled, from the species-by-island counts."""
    parts = []
    for row in table.set_index("species").itertuples():
        found = [island for island, n in row._asdict().items() if island != "Index" and n > 0]
        only = "only " if len(found) == 1 else ""
        parts.append(f"{row.Index} penguins were sampled {only}on {join_words(found)}")
    return "; ".join(parts)


def _dimorphism(summary: pd.DataFrame) -> str:
    """How often males have the larger mean, over every species and measurement."""
    means = summary.pivot_table(index=["measurement", "species"], columns="sex", values="mean")
    larger = int((means["male"] > means["female"]).sum())
    if larger == len(means):
        return "males have the larger mean in every measurement of every species"
    return f"males have the larger mean in {larger} of {len(means)} species-measurement pairs"


def _heaviest(summary: pd.DataFrame) -> str:
    mass = summary[summary["measurement"] == TARGET]
    totals = (mass["mean"] * mass["n"]).groupby(mass["species"]).sum()
    return str((totals / mass.groupby("species")["n"].sum()).idxmax())


def _difference(grams: float) -> str:
    """A mass difference as prose reads it: ``"547 g heavier"`` / ``"299 g lighter"``."""
    return f"{amount(abs(grams), TARGET_UNIT)} {'heavier' if grams >= 0 else 'lighter'}"


def _quality_gate(gate: dict[str, float] | None) -> str:
    """The gate's figures as a sentence: current beside baseline, and where the build stops."""
    if not gate:
        return "not checked in this build (a new baseline was being recorded)"
    return (
        f"cross-validated RMSE {amount(gate['rmse'], TARGET_UNIT)} against a committed baseline "
        f"of {amount(gate['rmse_baseline'], TARGET_UNIT)} (the build stops above "
        f"{amount(gate['rmse_limit'], TARGET_UNIT)}), and R² {gate['r2']:.3f} against "
        f"{gate['r2_baseline']:.3f} (it stops below {gate['r2_floor']:.2f})"
    )


def key_facts(results: Results) -> Facts:
    """The numbers the pages quote, from metrics.json and coefficients.json."""
    metrics = results.metrics
    candidates = metrics["candidates"]
    chosen = candidates[metrics["chosen"]]
    baseline = next(iter(candidates.values()))
    best = max(candidates.values(), key=lambda c: c["r2"]["mean"])
    coef = results.coefficients_json
    slope = next(iter(coef["numeric"].values()))
    cv = metrics["cross_validation"]
    data = metrics["data"]
    return Facts(
        rows=f"{data['rows']:,}",
        complete_rows=f"{data['complete_rows']:,}",
        dropped_rows=f"{data['dropped_rows']:,}",
        columns=str(len(COLUMNS)),
        species=str(len(CATEGORIES["species"])),
        data_sha256=data["sha256"],
        folds=str(cv["folds"]),
        repeats=str(cv["repeats"]),
        r2=f"{chosen['r2']['mean']:.2f}",
        r2_share=f"{chosen['r2']['mean']:.0%}",
        r2_sd=f"{chosen['r2']['sd']:.2f}",
        rmse=amount(chosen["rmse"]["mean"], TARGET_UNIT),
        mae=amount(chosen["mae"]["mean"], TARGET_UNIT),
        baseline_r2=f"{baseline['r2']['mean']:.2f}",
        baseline_r2_share=f"{baseline['r2']['mean']:.0%}",
        baseline_rmse=amount(baseline["rmse"]["mean"], TARGET_UNIT),
        best_label=best["label"],
        best_r2=f"{best['r2']['mean']:.2f}",
        best_rmse=amount(best["rmse"]["mean"], TARGET_UNIT),
        slope=amount(slope, TARGET_UNIT),  # per mm of bill: the prose says so
        male=_difference(coef["categorical"]["sex"]["male"]),
        gentoo=_difference(coef["categorical"]["species"]["Gentoo"]),
        chinstrap=_difference(coef["categorical"]["species"]["Chinstrap"]),
        model_sha256=metrics["model"]["sha256"],
        islands=_islands(results.tables["species_by_island"]),
        dimorphism=_dimorphism(results.tables["measurement_summary"]),
        heaviest=_heaviest(results.tables["measurement_summary"]),
        quality_gate=_quality_gate(metrics.get("quality_gate")),
    )


def as_variables(facts: Facts) -> dict[str, str]:
    """The facts as Quarto variables, for a page with no kernel: ``{{< var facts.r2 >}}``."""
    return asdict(facts)
