"""Every number the prose quotes, computed from one build's results and formatted once.

Why: a page never types a number; it writes `` `{python} facts.r2` ``. The words that
depend on the data (which group is highest, where each level occurs) are computed here
too, so they change when the data do. Which columns those are, and the words for them,
come from the study file; no fact is named after one study's columns or levels.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from penguin_site.analysis.contract import CATEGORIES, COLUMNS
from penguin_site.analysis.results import Results
from penguin_site.analysis.wording import amount, join_words
from penguin_site.config import TARGET, TARGET_UNIT
from penguin_site.study import current

__all__ = ["Facts", "as_variables", "key_facts"]


@dataclass(frozen=True)
class Facts:
    """Every number the prose quotes, formatted once (use as ``{python} facts.x``)."""

    rows: str
    complete_rows: str
    dropped_rows: str
    columns: str
    groups: str  # how many levels the colour_by column has
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
    #: Each category's effect in the chosen model against its column's reference level,
    #: as prose reads it: effects[column][level] == "1,095 <unit> <higher>" (``_difference``).
    effects: dict[str, dict[str, str]]
    model_sha256: str
    cross_tab: str  # "A <rows> were sampled on X, Y and Z; B <rows> ... only on Y"
    split_gap: str  # "<second levels> have the larger mean in every measurement of every <group>"
    highest: str  # the colour_by level with the highest mean target
    quality_gate: str  # the chosen model's scores beside the committed baseline and limits


def _cross_tab(table: pd.DataFrame) -> str:
    """Where each row level occurs, from the cross-tabulation counts."""
    rows, _ = current().cross_tab
    parts = []
    for level, counts in table.set_index(rows).iterrows():
        found = [str(column) for column, n in counts.items() if n > 0]
        only = "only " if len(found) == 1 else ""
        words = current().cross_tab_words.format(only=only)
        parts.append(f"{level} {current().row_plural} {words} {join_words(found)}")
    return "; ".join(parts)


def _split_gap(summary: pd.DataFrame) -> str:
    """How often the split's second level has the larger mean, over every group and measurement."""
    study = current()
    group, split = study.colour_by, study.split_by
    first, second = study.categories[split].levels
    noun = study.categories[group].noun
    means = summary.pivot_table(index=["measurement", group], columns=split, values="mean")
    larger = int((means[second.name] > means[first.name]).sum())
    if larger == len(means):
        return f"{second.plural} have the larger mean in every measurement of every {noun}"
    return (
        f"{second.plural} have the larger mean in {larger} of {len(means)} {noun}-measurement pairs"
    )


def _highest(summary: pd.DataFrame) -> str:
    group = current().colour_by
    target = summary[summary["measurement"] == TARGET]
    totals = (target["mean"] * target["n"]).groupby(target[group]).sum()
    return str((totals / target.groupby(group)["n"].sum()).idxmax())


def _difference(value: float) -> str:
    """A difference in the target as prose reads it: the amount, then the study's word for
    higher or lower (``"547 <unit> heavier"`` in the example)."""
    words = current().target
    return f"{amount(abs(value), TARGET_UNIT)} {words.higher if value >= 0 else words.lower}"


def _effects(categorical: dict[str, dict[str, float]]) -> dict[str, dict[str, str]]:
    """Every non-reference level's offset in words, by column (the reference level is 0)."""
    return {
        column: {level: _difference(v) for level, v in levels.items() if level != first}
        for column, levels in categorical.items()
        for first in [CATEGORIES[column][0]]
    }


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
        groups=str(len(CATEGORIES[current().colour_by])),
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
        slope=amount(slope, TARGET_UNIT),  # per unit of the first numeric input
        effects=_effects(coef["categorical"]),
        model_sha256=metrics["model"]["sha256"],
        cross_tab=_cross_tab(results.tables["cross_tab"]),
        split_gap=_split_gap(results.tables["measurement_summary"]),
        highest=_highest(results.tables["measurement_summary"]),
        quality_gate=_quality_gate(metrics.get("quality_gate")),
    )


def as_variables(facts: Facts) -> dict[str, object]:
    """The facts as Quarto variables, for a page with no kernel: ``{{< var facts.r2 >}}``;
    effects nest: ``{{< var facts.effects.<column>.<level> >}}``."""
    return asdict(facts)
