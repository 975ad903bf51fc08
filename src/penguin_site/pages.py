"""Page helpers: turn one build's ``Results`` into the markdown the Quarto pages show.

Why: the pages hold prose and one call per cell. How a figure becomes a cross-referenceable
Quarto figure that carries the package's own caption and alt text, how a table becomes a
readable pipe table, how a download states its sha256: those rules live here, once, and
are tested without Quarto. Numbers in prose come from ``key_facts`` as preformatted
strings, so a page never types a number.

Paths: Quarto executes a page with the page's folder (the project root) as working
directory and copies only files inside the project into the site, so every file a page
links to is written as a project-relative path and must lie inside the project.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from penguin_site import artifacts
from penguin_site.artifacts import Results
from penguin_site.config import (
    DATA_FILE,
    DATAPACKAGE_FILE,
    MEASUREMENTS,
    PREDICTOR_SCRIPT,
    ROOT,
    TARGET,
    TARGET_UNIT,
    measurement_label,
    measurement_name,
)
from penguin_site.dataset import sha256_file
from penguin_site.schema import CATEGORIES, COLUMNS, DESCRIPTIONS, NULLABLE
from penguin_site.wording import amount, join_words

#: Characters that mean something in Pandoc markdown text (escaped in captions and cells).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$@~^])")

#: Build artifacts offered for download on the model page, with what each one is.
DOWNLOADS: tuple[tuple[str, str], ...] = (
    (artifacts.MODEL_FILE, "the fitted model (skops format: loads without running code)"),
    (artifacts.METRICS_FILE, "cross-validated metrics of every candidate, data and model sha256"),
    (artifacts.PREDICTIONS_FILE, "held-out predictions of the chosen model, per bird and repeat"),
    (artifacts.COEFFICIENTS_FILE, "the coefficients the in-browser predictor evaluates"),
    (artifacts.MODEL_CARD_FILE, "the model card as data"),
)

#: Figure names the pages show, in page order (names as the analysis package writes them).
EDA_FIGURES: tuple[str, ...] = ("mass-vs-bill", "mass-distribution", "measurement-pairs")
MODEL_FIGURES: tuple[str, ...] = ("predicted-vs-actual", "residuals")


class PageError(RuntimeError):
    """A page cannot show what it needs (a file outside the project, a missing artifact)."""


def escape_markdown(text: str) -> str:
    """Text that Pandoc shows literally (a caption with ``[`` or ``@`` stays a caption)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _escape_attribute(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def project_path(path: Path, project_dir: Path | None = None) -> str:
    """``path`` relative to the project being rendered (POSIX), or a clear ``PageError``."""
    project = (project_dir or Path.cwd()).resolve()
    try:
        return Path(path).resolve().relative_to(project).as_posix()
    except ValueError:
        raise PageError(
            f"{path} is outside the project folder {project}; Quarto can only publish files "
            "inside it (is PENGUIN_BUILD_DIR pointing elsewhere?)"
        ) from None


def snapshot_path(path: Path = DATA_FILE) -> str:
    """Project-relative path of a file that ships with the repository (e.g. the data)."""
    return Path(path).resolve().relative_to(ROOT).as_posix()


# --- figures --------------------------------------------------------------------------


def figure_markdown(results: Results, name: str, project_dir: Path | None = None) -> str:
    """A Quarto figure for one saved figure: ``![caption](path){#fig-name fig-alt="alt"}``.

    Print it from a cell with ``#| output: asis``; Quarto then treats it as a written
    figure, so it gets a number, a cross-reference target and the package's alt text.
    """
    if name not in results.figures:
        known = ", ".join(sorted(results.figures))
        raise PageError(f"no figure named {name!r} in {results.build_dir} (have: {known})")
    figure = results.figures[name]
    if not figure.path.is_file():
        raise PageError(f"figure file {figure.path} is missing; re-run the analysis")
    path = project_path(figure.path, project_dir)
    return (
        f"![{escape_markdown(figure.caption)}]({path})"
        f'{{#{figure_label(name)} fig-alt="{_escape_attribute(figure.alt)}"}}'
    )


def figure_label(name: str) -> str:
    """Cross-reference label of a figure (``@fig-mass-vs-bill`` in prose)."""
    return "fig-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a displayed table: source column, header, formatter, alignment."""

    source: str
    header: str
    format: Callable[[object], str] = str
    align: str = "left"


def _fmt(spec: str) -> Callable[[object], str]:
    return lambda value: "n/a" if pd.isna(value) else format(value, spec)  # type: ignore[arg-type]


def pipe_table(df: pd.DataFrame, columns: Sequence[Column]) -> str:
    """A Pandoc pipe table (accessible HTML table, styled by the theme, found by search)."""
    rule = {"left": ":---", "right": "---:", "center": ":---:"}
    lines = [
        "| " + " | ".join(escape_markdown(c.header) for c in columns) + " |",
        "|" + "|".join(rule[c.align] for c in columns) + "|",
    ]
    for row in df.to_dict("records"):
        cells = [escape_markdown(c.format(row[c.source])) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _percent(value: object) -> str:
    return f"{float(value):.0%}"  # type: ignore[arg-type]


def data_contract_table() -> Markdown:
    """The columns of the snapshot: type, unit or allowed values, whether they may be missing."""
    rows = []
    for name in COLUMNS:
        if name in CATEGORIES:
            kind, values = "category", ", ".join(CATEGORIES[name])
        elif name in MEASUREMENTS:
            kind, values = "number", MEASUREMENTS[name]
        else:
            kind, values = "integer", ""
        rows.append(
            {
                "column": name,
                "type": kind,
                "values": values,
                "missing": "allowed" if name in NULLABLE else "not allowed",
                "description": DESCRIPTIONS[name],
            }
        )
    columns = [
        Column("column", "Column"),
        Column("type", "Type"),
        Column("values", "Unit or allowed values"),
        Column("missing", "Missing values"),
        Column("description", "Description"),
    ]
    return Markdown(pipe_table(pd.DataFrame(rows), columns))


def missing_values_table(results: Results) -> Markdown:
    table = _table(results, "missing_values")
    columns = [
        Column("column", "Column"),
        Column("missing", "Missing", str, "right"),
        Column("share", "Share of rows", _percent, "right"),
    ]
    return Markdown(pipe_table(table, columns))


def counts_table(results: Results) -> Markdown:
    table = _table(results, "counts")
    columns = [
        Column("variable", "Variable"),
        Column("level", "Level"),
        Column("n", "Birds", str, "right"),
        Column("share", "Share", _percent, "right"),
    ]
    return Markdown(pipe_table(table, columns))


def species_by_island_table(results: Results) -> Markdown:
    table = _table(results, "species_by_island")
    columns = [Column("species", "Species")]
    columns += [Column(island, island, str, "right") for island in CATEGORIES["island"]]
    return Markdown(pipe_table(table, columns))


def measurement_summary_table(results: Results) -> Markdown:
    """Mean ± sd of each measurement, one row per species and sex (wide, for reading)."""
    long = _table(results, "measurement_summary")
    long["cell"] = [f"{m:.1f} ± {s:.1f}" for m, s in zip(long["mean"], long["sd"], strict=True)]
    wide = long.pivot(index=["species", "sex"], columns="measurement", values="cell")
    counts = long.groupby(["species", "sex"])["n"].max()
    wide = wide.join(counts).reset_index()
    columns = [
        Column("species", "Species"),
        Column("sex", "Sex"),
        Column("n", "Birds", str, "right"),
    ]
    columns += [Column(m, measurement_label(m), str, "right") for m in MEASUREMENTS]
    return Markdown(pipe_table(wide, columns))


def comparison_table(results: Results) -> Markdown:
    """Cross-validated R², RMSE and MAE (mean ± sd over folds) of every candidate."""
    table = _table(results, "comparison")
    table["model"] = [
        f"{label} (chosen)" if chosen else label
        for label, chosen in zip(table["label"], table["chosen"].astype(bool), strict=True)
    ]
    for metric, spec in (("r2", ".3f"), ("rmse", ".0f"), ("mae", ".0f")):
        table[metric] = [
            f"{m:{spec}} ± {s:{spec}}"
            for m, s in zip(table[f"{metric}_mean"], table[f"{metric}_sd"], strict=True)
        ]
    columns = [
        Column("model", "Model"),
        Column("features", "Features"),
        Column("r2", "R²", str, "right"),
        Column("rmse", f"RMSE ({TARGET_UNIT})", str, "right"),
        Column("mae", f"MAE ({TARGET_UNIT})", str, "right"),
    ]
    return Markdown(pipe_table(table, columns))


def coefficients_table(results: Results) -> Markdown:
    table = _table(results, "coefficients")
    columns = [
        Column("term", "Term"),
        Column("estimate", "Estimate", _fmt(",.1f"), "right"),
        Column("unit", "Unit"),
        Column("meaning", "Meaning"),
    ]
    return Markdown(pipe_table(table, columns))


def _table(results: Results, name: str) -> pd.DataFrame:
    if name not in results.tables:
        raise PageError(f"table {name!r} is missing from {results.build_dir}; re-run the analysis")
    return results.tables[name].copy()


# --- facts for prose --------------------------------------------------------------------


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
    )


# --- model card and downloads ------------------------------------------------------------


def bullet_list(items: Sequence[str]) -> Markdown:
    return Markdown("\n".join(f"- {escape_markdown(item)}" for item in items))


def model_card_data(results: Results) -> Markdown:
    """The training data section of the model card, as a definition-style list."""
    data = results.model_card["training_data"]
    reasons = ", ".join(f"{n} {reason}" for reason, n in data["dropped_reasons"].items())
    items = [
        f"Source: {data['source']}",
        f"{data['rows']} rows in the snapshot; {data['complete_rows']} complete rows used; "
        f"{data['dropped_rows']} dropped ({reasons})",
        f"Snapshot sha256: {data['sha256']}",
    ]
    return bullet_list(items)


def model_card_metrics(results: Results) -> Markdown:
    """Cross-validated metrics of the chosen model, as the model card states them."""
    evaluation = results.model_card["evaluation"]
    method = evaluation["method"]
    items = [
        f"{method['folds']}-fold cross-validation repeated {method['repeats']} times "
        f"(seed {method['seed']})",
        f"R²: {evaluation['r2']['mean']:.3f} (sd {evaluation['r2']['sd']:.3f})",
        f"RMSE: {amount(evaluation['rmse']['mean'], TARGET_UNIT)} "
        f"(sd {amount(evaluation['rmse']['sd'], TARGET_UNIT)})",
        f"MAE: {amount(evaluation['mae']['mean'], TARGET_UNIT)} "
        f"(sd {amount(evaluation['mae']['sd'], TARGET_UNIT)})",
    ]
    return bullet_list(items)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.1f} kB" if size >= 1024 else f"{size} bytes"


def download_links(results: Results, project_dir: Path | None = None) -> Markdown:
    """Links to the data snapshot and the build artifacts, each with its size and sha256.

    The files are copied into the site by the model page's ``resources`` list;
    ``download_paths`` gives the same paths so a test can hold the two together.
    """
    lines = []
    for path, href, what in _downloads(results, project_dir):
        if not path.is_file():
            raise PageError(f"download {path} is missing; re-run the analysis")
        lines.append(
            f"- [{escape_markdown(path.name)}]({href}): {escape_markdown(what)}; "
            f"{_size(path)}, sha256 `{sha256_file(path)}`"
        )
    return Markdown("\n".join(lines))


def download_paths(results: Results, project_dir: Path | None = None) -> list[str]:
    """Project-relative paths of every download (what ``resources`` must list)."""
    return [href for _, href, _ in _downloads(results, project_dir)]


def _downloads(results: Results, project_dir: Path | None) -> list[tuple[Path, str, str]]:
    """(file, project-relative href, description): repository files, then build artifacts."""
    shipped = [
        (DATA_FILE, "the data snapshot the analysis reads (CSV)"),
        (DATAPACKAGE_FILE, "its data contract (Frictionless Data Package, with sha256)"),
    ]
    out = [(path, snapshot_path(path), what) for path, what in shipped]
    for name, what in DOWNLOADS:
        path = results.path(name)
        out.append((path, project_path(path, project_dir), what))
    return out


# --- the in-browser predictor -----------------------------------------------------------


def predictor_html(results: Results) -> str:
    """The predictor form as a raw HTML block: labelled controls, live result, coefficients.

    Written here, from the exported coefficients, so the controls, their ranges and the
    category choices are in the page itself (they show, and are labelled, before any
    script runs); ``predictor.js`` (a plain ES module, also run by the tests in Node)
    only wires them. The coefficients travel inside the page as JSON in an attribute of
    the form: no extra request.
    Print it from a cell with ``#| output: asis``.
    """
    coefficients = results.coefficients_json
    controls = []
    for name, spec in coefficients["inputs"].items():
        ident = f"predictor-{name}"
        label = f'<label class="form-label" for="{ident}">{html.escape(spec["label"])}</label>'
        if "levels" in spec:
            options = "".join(
                f'<option value="{html.escape(level)}">{html.escape(level)}</option>'
                for level in spec["levels"]
            )
            control = f'<select class="form-select" id="{ident}" name="{name}">{options}</select>'
        else:
            limits = f'min="{spec["min"]}" max="{spec["max"]}" step="{spec["step"]}"'
            control = (
                f'<input class="form-control" type="number" id="{ident}" name="{name}" '
                f'inputmode="decimal" {limits} value="{spec["default"]}" required>'
                f'<input class="form-range" type="range" data-predictor-slider="{name}" '
                f'aria-label="{html.escape(spec["label"])}, slider" tabindex="-1" {limits} '
                f'value="{spec["default"]}">'
            )
        controls.append(f'<div class="mb-3">{label}{control}</div>')
    target = measurement_name(coefficients["target"])
    ids = " ".join(f"predictor-{name}" for name in coefficients["inputs"])
    # In an attribute, not a <script> block: Quarto's search would index a block's text.
    payload = html.escape(json.dumps(coefficients, separators=(",", ":")))
    return "\n".join(
        [
            "```{=html}",
            f'<form class="predictor" data-predictor data-coefficients="{payload}">',
            *controls,
            f'<p class="predictor-result">Predicted {target}: '
            f'<output id="predictor-result" for="{ids}" data-predictor-result>&ndash;</output></p>',
            '<p class="predictor-typical" data-predictor-typical aria-live="polite"></p>',
            '<p class="predictor-warning alert alert-warning" data-predictor-warning '
            'role="status" hidden></p>',
            "<noscript><p>The predictor runs in your browser: it needs JavaScript.</p></noscript>",
            "</form>",
            f'<script type="module" src="{snapshot_path(PREDICTOR_SCRIPT)}"></script>',
            "```",
        ]
    )
