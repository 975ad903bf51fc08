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
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from penguin_site.analysis.contract import CATEGORIES, COLUMNS, DESCRIPTIONS, NULLABLE, column_kind
from penguin_site.analysis.digest import is_current
from penguin_site.analysis.results import (
    COEFFICIENTS_FILE,
    METRICS_FILE,
    MODEL_CARD_FILE,
    MODEL_FILE,
    PREDICTIONS_FILE,
    DrawingRecord,
    FigureRecord,
    Results,
    load_results,
)
from penguin_site.analysis.wording import amount
from penguin_site.config import (
    BUILD_DIR,
    DATA_FILE,
    DATAPACKAGE_FILE,
    FIGURE_DENSITIES,
    FIGURE_LAYOUTS,
    FIGURE_NARROW_MEDIA,
    FIGURE_SCHEMES,
    MEASUREMENTS,
    PREDICTOR_SCRIPT,
    ROOT,
    TARGET_UNIT,
    measurement_label,
    measurement_name,
)
from penguin_site.files import sha256_file
from penguin_site.site.facts import Facts, key_facts
from penguin_site.site.markdown import (
    Column,
    bullet_list,
    escape_markdown,
    fixed,
    mean_sd,
    percent,
    pipe_table,
)
from penguin_site.study import current

__all__ = [
    "DOWNLOADS",
    "Facts",
    "PageError",
    "Results",
    "bullet_list",
    "coefficients_table",
    "comparison_table",
    "counts_table",
    "cross_tab_table",
    "data_contract_table",
    "download_links",
    "download_paths",
    "ensure_results",
    "figure_label",
    "figure_markdown",
    "key_facts",
    "measurement_summary_table",
    "missing_values_table",
    "model_card_data",
    "model_card_metrics",
    "predictor_html",
    "project_path",
    "snapshot_path",
]

#: The heading of a count of rows in a table ("Birds" in the example).
_COUNTED = current().row_short_plural.capitalize()

#: Build artifacts offered for download on the model page, with what each one is.
DOWNLOADS: tuple[tuple[str, str], ...] = (
    (MODEL_FILE, "the fitted model (skops format: loads without running code)"),
    (METRICS_FILE, "cross-validated metrics of every candidate, data and model sha256"),
    (
        PREDICTIONS_FILE,
        f"held-out predictions of the chosen model, per {current().row_short} and repeat",
    ),
    (COEFFICIENTS_FILE, "the coefficients the in-browser predictor evaluates"),
    (MODEL_CARD_FILE, "the model card as data"),
)


def ensure_results(build_dir: Path = BUILD_DIR) -> Results:
    """This build's results: read them, running the analysis first only if they are stale.

    A full site render runs the analysis once in the pre-render hook; a page rendered or
    previewed on its own finds the build current and just reads it, or rebuilds it when
    the data, the analysis code or the lock changed since (``analysis.digest``). The
    pipeline, and with it scikit-learn and skops, is imported only then.
    """
    if not is_current(build_dir):
        from penguin_site.analysis.pipeline import run_analysis

        run_analysis(build_dir)
    return load_results(build_dir)


class PageError(RuntimeError):
    """A page cannot show what it needs (a file outside the project, a missing artifact)."""


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
    """Project-relative path of a file that ships with the repository (the data, say)."""
    return Path(path).resolve().relative_to(ROOT).as_posix()


# --- figures --------------------------------------------------------------------------


def figure_markdown(results: Results, name: str, project_dir: Path | None = None) -> str:
    """A Quarto figure holding every drawing of one saved figure, with its caption and alt text.

    A div figure (``::: {#fig-name}``) so it gets a number and a cross-reference target;
    inside, one ``<picture>`` per colour scheme, marked with Quarto's own
    ``light-content`` / ``dark-content`` classes so the theme toggle shows the one
    drawn for the theme. Each picture offers the narrow drawing to phones
    (``config.FIGURE_NARROW_MEDIA``) and the wide one otherwise, each at 1x and 2x; the
    width and height attributes reserve the space before the file arrives, and
    ``loading="lazy"`` keeps the browser from fetching the hidden scheme's files.
    Print it from a cell with ``#| output: asis``.
    """
    if name not in results.figures:
        known = ", ".join(sorted(results.figures))
        raise PageError(f"no figure named {name!r} in {results.build_dir} (have: {known})")
    figure = results.figures[name]
    missing = [p for d in figure.drawings for p in d.files if not p.is_file()]
    if not figure.drawings or missing:
        lost = ", ".join(str(p) for p in missing) or "no drawings recorded"
        raise PageError(f"figure {name!r}: {lost}; re-run the analysis")
    pictures = [
        _picture(figure, scheme, project_dir)
        for scheme in FIGURE_SCHEMES
        if any(d.scheme == scheme for d in figure.drawings)
    ]
    return "\n".join(
        [
            f"::: {{#{figure_label(name)}}}",
            "```{=html}",
            *pictures,
            "```",
            "",
            escape_markdown(figure.caption),
            ":::",
        ]
    )


def _picture(figure: FigureRecord, scheme: str, project_dir: Path | None) -> str:
    """One scheme's ``<picture>``: the narrow drawing for phones, else the wide one."""
    wide, narrow = (figure.drawing(scheme, layout) for layout in FIGURE_LAYOUTS)

    def srcset(drawing: DrawingRecord) -> str:
        return ", ".join(
            f"{project_path(path, project_dir)} {density}x"
            for path, density in zip(drawing.files, FIGURE_DENSITIES, strict=True)
        )

    alt = html.escape(" ".join(figure.alt.split()))
    return (
        f'<picture class="quarto-figure-picture {scheme}-content">'
        f'<source media="{FIGURE_NARROW_MEDIA}" srcset="{srcset(narrow)}" '
        f'width="{narrow.width}" height="{narrow.height}">'
        f'<img class="img-fluid" src="{project_path(wide.files[0], project_dir)}" '
        f'srcset="{srcset(wide)}" width="{wide.width}" height="{wide.height}" alt="{alt}" '
        'loading="lazy" decoding="async">'
        "</picture>"
    )


def figure_label(name: str) -> str:
    """Cross-reference label of a figure (``@fig-target-vs-x`` in prose)."""
    return "fig-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- tables -----------------------------------------------------------------------------


def data_contract_table() -> Markdown:
    """The columns of the snapshot: type, unit or allowed values, whether they may be missing."""
    rows = []
    for name in COLUMNS:
        rows.append(
            {
                "column": name,
                "type": column_kind(name),
                "values": _unit_or_levels(name),
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


def _unit_or_levels(name: str) -> str:
    """A category's allowed values, a measurement's unit, nothing for a whole number."""
    kind = column_kind(name)
    if kind == "category":
        return ", ".join(CATEGORIES[name])
    return MEASUREMENTS[name] if kind == "number" else ""


def missing_values_table(results: Results) -> Markdown:
    table = _table(results, "missing_values")
    columns = [
        Column("column", "Column"),
        Column("missing", "Missing", str, "right"),
        Column("share", "Share of rows", percent, "right"),
    ]
    return Markdown(pipe_table(table, columns))


def counts_table(results: Results) -> Markdown:
    table = _table(results, "counts")
    columns = [
        Column("variable", "Variable"),
        Column("level", "Level"),
        Column("n", _COUNTED, str, "right"),
        Column("share", "Share", percent, "right"),
    ]
    return Markdown(pipe_table(table, columns))


def cross_tab_table(results: Results) -> Markdown:
    """The study's cross-tabulation: one row per level of its first column."""
    table = _table(results, "cross_tab")
    rows, across = current().cross_tab
    columns = [Column(rows, current().categories[rows].label)]
    columns += [Column(level, level, str, "right") for level in CATEGORIES[across]]
    return Markdown(pipe_table(table, columns))


def measurement_summary_table(results: Results) -> Markdown:
    """Mean ± sd of each measurement, one row per group and split (wide, for reading)."""
    long = _table(results, "measurement_summary")
    long["cell"] = [mean_sd(m, s, ".1f") for m, s in zip(long["mean"], long["sd"], strict=True)]
    group, split = current().colour_by, current().split_by
    wide = long.pivot(index=[group, split], columns="measurement", values="cell")
    counts = long.groupby([group, split])["n"].max()
    wide = wide.join(counts).reset_index()
    columns = [
        Column(group, current().categories[group].label),
        Column(split, current().categories[split].label),
        Column("n", _COUNTED, str, "right"),
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
            mean_sd(m, s, spec)
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
        Column("estimate", "Estimate", fixed(",.1f"), "right"),
        Column("unit", "Unit"),
        Column("meaning", "Meaning"),
    ]
    return Markdown(pipe_table(table, columns))


def _table(results: Results, name: str) -> pd.DataFrame:
    if name not in results.tables:
        raise PageError(f"table {name!r} is missing from {results.build_dir}; re-run the analysis")
    return results.tables[name].copy()


# --- model card and downloads ------------------------------------------------------------


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
