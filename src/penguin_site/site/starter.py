"""Start a new study from a tidy CSV: a draft contract, study file and pages that render.

Why: a data team should not have to write a Table Schema, a study file and three pages
by hand before it sees its first site. ``draft`` reads a CSV and a target column, infers
the column kinds and missing-value markers with the ``frictionless`` library (the Table
Schema's own implementation), adds what it cannot (ranges, levels, units guessed from
column names) and checks that the engine can model the data; ``write`` then writes the
data package, ``study.yml`` and starter ``index.qmd`` / ``eda.qmd`` / ``model.qmd`` whose
cells are the ones the shipped pages use. Everything is checked before anything is
written: bad input raises ``StarterError`` naming the file, the column and rows, and
leaves the destination as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from penguin_site.site import starter_pages
from penguin_site.study import load

__all__ = [
    "MAX_LEVELS",
    "MIN_TARGET_ROWS",
    "MISSING_MARKERS",
    "PALETTE",
    "Draft",
    "StarterError",
    "Units",
    "draft",
    "write",
]

#: A target needs at least this many non-missing values (five folds of four rows).
MIN_TARGET_ROWS = 20
#: A text column with at most this many distinct values is a category (an enum).
MAX_LEVELS = 12
#: What a CSV may write for "missing" (the first one found becomes the study's marker).
MISSING_MARKERS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None")
#: Colour-blind-safe colours (Okabe-Ito and ColorBrewer Dark2 hues) that each stand 3:1 out
#: of the light page (#FFFFFF) and the dark one (#222222): one colour serves both schemes.
#: The dark orange comes last: beside the vermillion it is hard to tell apart in a scatter.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#7570B3",
    "#7F7F7F",
    "#B86E00",
)
#: Column-name endings read as units (``spend_eur`` is in EUR): ``scripts/new_study.py``
#: passes its table (``{ending: (symbol, word)}``); a name with no known ending is in
#: PLAIN_UNIT.
Units = dict[str, tuple[str, str]]
#: The unit of a number whose name names none.
PLAIN_UNIT = ("units", "unit")
#: Where the written files go, relative to the destination.
DATA_DIR = "data"
DATAPACKAGE = f"{DATA_DIR}/datapackage.json"
STUDY = "study.yml"
PAGES = ("index.qmd", "eda.qmd", "model.qmd")
#: The old study's model baseline: it names the old study's model, so a new study drops it.
BASELINE = f"{DATA_DIR}/model_baseline.json"


class StarterError(ValueError):
    """The CSV cannot start a study; the message names the file, the column and rows."""


@dataclass(frozen=True)
class Draft:
    """Everything ``write`` puts on disk, decided and checked before the first byte."""

    csv: Path
    data_name: str
    datapackage: dict[str, Any]
    study: dict[str, Any]
    pages: dict[str, str]

    def files(self) -> list[str]:
        """The destination-relative paths ``write`` writes."""
        return [f"{DATA_DIR}/{self.data_name}", DATAPACKAGE, STUDY, *PAGES]


# --- reading the CSV -------------------------------------------------------------------


def _read(path: Path) -> tuple[list[str], list[list[str]], bytes]:
    """Header, rows (text cells) and bytes of a CSV, or a ``StarterError`` saying why not."""
    if not path.is_file():
        raise StarterError(f"{path}: no such file")
    if path.suffix.lower() != ".csv":
        raise StarterError(f"{path}: not a CSV file (the name must end in .csv)")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StarterError(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise StarterError(f"{path}: not a readable CSV ({exc})") from None
    if not table or len(table[0]) < 2:
        raise StarterError(f"{path}: needs a header row with at least two columns")
    header, rows = table[0], [r for r in table[1:] if r]
    if len(set(header)) != len(header) or not all(re.fullmatch(r"\w+", h) for h in header):
        raise StarterError(
            f"{path}: column names must be unique words (letters, digits, _): {header}"
        )
    ragged = [i + 2 for i, r in enumerate(rows) if len(r) != len(header)][:5]
    if ragged:
        raise StarterError(f"{path}: rows on CSV lines {ragged} do not have {len(header)} cells")
    return header, rows, data


def _kinds(path: Path) -> tuple[dict[str, str], list[str]]:
    """Column -> Frictionless type, and the missing markers the inference used."""
    from frictionless import Detector, Resource
    from frictionless.exception import FrictionlessException

    detector = Detector(
        sample_size=10**9, field_confidence=1.0, field_missing_values=list(MISSING_MARKERS)
    )
    try:
        resource = Resource(path=str(path), detector=detector)
        resource.infer()
    except FrictionlessException as exc:
        raise StarterError(f"{path}: frictionless cannot read it ({exc.error.message})") from None
    return {f.name: f.type for f in resource.schema.fields}, list(MISSING_MARKERS)


# --- the draft -------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    return [w for w in name.lower().split("_") if w]


def _unit(name: str, units: Units) -> tuple[str, str, str]:
    """(title, unit symbol, unit word) from a column name: ``spend_eur`` -> Spend, EUR."""
    words = _words(name)
    if len(words) > 1 and words[-1] in units:
        symbol, word = units[words[-1]]
        words = words[:-1]
    else:
        symbol, word = PLAIN_UNIT
    return " ".join(words).capitalize(), symbol, word


def _decimals(cells: list[str]) -> int:
    places = [len(c.partition(".")[2].rstrip("0")) for c in cells if "." in c]
    return min(max(places, default=0), 3)


def _padded(low: float, high: float, decimals: int) -> tuple[float, float]:
    """The observed range widened by a tenth of its span (never below 0 for positive data),
    so the next batch of similar data still fits; the author tightens it to what is plausible."""
    span = (high - low) or abs(high) or 1.0
    scale = 10**decimals
    lo = math.floor((low - span / 10) * scale) / scale
    hi = math.ceil((high + span / 10) * scale) / scale
    if low >= 0:
        lo = max(lo, 0.0)
    return (int(lo), int(hi)) if decimals == 0 else (lo, hi)


@dataclass
class _Column:
    name: str
    kind: str  # number, integer, string
    cells: list[str]  # text cells, "" where missing
    missing: int

    @property
    def present(self) -> list[str]:
        return [c for c in self.cells if c != ""]

    def numbers(self) -> list[float]:
        return [float(c) for c in self.present]


def _columns(path: Path) -> tuple[list[_Column], list[str], bytes, int]:
    header, rows, data = _read(path)
    kinds, markers = _kinds(path)
    found = [m for m in markers if m and any(m in r for r in rows)]
    out = []
    for j, name in enumerate(header):
        cells = ["" if r[j].strip() in markers else r[j].strip() for r in rows]
        kind = kinds.get(name, "string")
        kind = kind if kind in ("number", "integer") else "string"
        out.append(_Column(name, kind, cells, sum(c == "" for c in cells)))
    return out, [*found, ""] if found else [""], data, len(rows)


def _check_target(path: Path, columns: dict[str, _Column], target: str, rows: int) -> None:
    if target not in columns:
        raise StarterError(
            f"{path}: no column {target!r} to predict (columns: {', '.join(columns)})"
        )
    column = columns[target]
    if column.kind == "string":
        bad = [(i + 1, c) for i, c in enumerate(column.cells) if c and not _is_number(c)][:5]
        shown = ", ".join(f"row {i}: {c!r}" for i, c in bad)
        raise StarterError(
            f"{path}: column {target!r} is not numeric, so it cannot be the target ({shown})"
        )
    values = column.numbers()
    if len(values) < MIN_TARGET_ROWS or len(set(values)) < 2:
        raise StarterError(
            f"{path}: column {target!r} has too few values to model: {len(values)} of {rows} "
            f"rows have a value, {len(set(values))} distinct (needs at least {MIN_TARGET_ROWS} "
            "values and 2 distinct)"
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _field(column: _Column, key: bool, units: Units) -> dict[str, Any]:
    """One Table Schema field: type, title, unit, example and constraints from the data.

    A number gets a unit (a measurement the tables and figures describe), an identifier
    (``key``) does not."""
    title, symbol, _ = _unit(column.name, units)
    constraints: dict[str, Any] = {"required": column.missing == 0}
    field: dict[str, Any] = {"name": column.name, "type": column.kind, "title": title}
    if column.kind == "string":
        levels = sorted(set(column.present))
        if 2 <= len(levels) <= MAX_LEVELS:
            constraints["enum"] = levels
        field["description"] = f"{title} (edit this description)"
    else:
        values = column.numbers()
        decimals = 0 if column.kind == "integer" else _decimals(column.present)
        if values:
            constraints["minimum"], constraints["maximum"] = _padded(
                min(values), max(values), decimals
            )
        if key:
            field["description"] = f"{title}: identifies a row (edit this description)"
        else:
            field["description"] = f"{title}, in {symbol} (edit this description)"
            field["unit"] = symbol
        field["example"] = column.present[0] if column.present else "0"
    field["constraints"] = constraints
    return field


def _is_key(column: _Column, rows: int) -> bool:
    """An identifier: an integer or text column with a different value in every row."""
    return column.kind != "number" and column.missing == 0 and len(set(column.cells)) == rows


def _row_nouns(path: Path) -> tuple[str, str]:
    """(noun, plural) from the file name: ``shop_customers.csv`` -> customer, customers."""
    last = (_words(path.stem) or ["row"])[-1]
    if last.endswith("ies"):
        return last[:-3] + "y", last
    if last.endswith("s") and not last.endswith("ss"):
        return last[:-1], last
    return last, last + "s"


def _correlation(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    if n < 3:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return abs(sxy) / math.sqrt(sxx * syy) if sxx and syy else 0.0


def draft(csv_path: Path, target: str, unit_names: Units | None = None) -> Draft:
    """Infer the study of ``csv_path`` predicting ``target``; raise ``StarterError`` if unusable.

    ``unit_names`` maps column-name endings to units (``{"eur": ("EUR", "euro")}``)."""
    names = dict(unit_names or {})
    path = Path(csv_path)
    columns, markers, data, rows = _columns(path)
    by_name = {c.name: c for c in columns}
    _check_target(path, by_name, target, rows)
    keys = [c.name for c in columns if c.name != target and _is_key(c, rows)]
    fields = [_field(c, c.name in keys, names) for c in columns]
    for f in fields:
        if f["name"] == target:
            f["type"] = "number"  # the contract's target is a number, whole or not
    numeric = [
        c.name
        for c in columns
        if c.name != target
        and c.kind != "string"
        and c.name not in keys
        and len(set(c.present)) >= 2
    ]
    if not numeric:
        raise StarterError(
            f"{path}: no usable feature: the model needs a numeric column besides {target!r} "
            "with at least two distinct values (identifier columns do not count); columns: "
            + ", ".join(f"{c.name} ({'text' if c.kind == 'string' else c.kind})" for c in columns)
        )
    enums = {f["name"]: f["constraints"]["enum"] for f in fields if "enum" in f["constraints"]}
    two = [c for c, levels in enums.items() if len(levels) == 2]
    if not two or len(enums) < 2:
        raise StarterError(
            f"{path}: the figures need two category columns (text with 2 to {MAX_LEVELS} "
            "distinct values), one of them with exactly two levels; found "
            + (", ".join(f"{c} ({len(v)} levels)" for c, v in enums.items()) or "none")
        )
    split_by = two[0]
    colour_by = min((c for c in enums if c != split_by), key=lambda c: len(enums[c]))
    if len(enums[colour_by]) > len(PALETTE):
        raise StarterError(
            f"{path}: column {colour_by!r} has {len(enums[colour_by])} levels; the figures "
            f"colour at most {len(PALETTE)}"
        )
    ys = by_name[target]

    def paired(x: str) -> float:
        both = [
            (float(a), float(b)) for a, b in zip(by_name[x].cells, ys.cells, strict=True) if a and b
        ]
        return _correlation([a for a, _ in both], [b for _, b in both])

    scatter_x = max(numeric, key=paired)
    units: dict[str, dict[str, Any]] = {}
    for f in fields:
        if "unit" in f:
            decimals = 0 if f["type"] == "integer" else _decimals(by_name[f["name"]].present)
            unit = units.setdefault(f["unit"], {"decimals": 0, "word": _unit(f["name"], names)[2]})
            unit["decimals"] = max(unit["decimals"], decimals)
    data_name = path.name
    datapackage = _datapackage(path, data, rows, fields, markers)
    study = _study(path, data_name, target, fields, enums, colour_by, split_by, scatter_x)
    study["row"]["key"] = keys[:1]
    study["units"] = units
    study["candidates"] = {
        "baseline": {"label": "Numeric columns only (baseline)", "numeric": numeric},
        "all": {
            "label": "Numeric columns + categories",
            "numeric": list(numeric),
            "categorical": list(enums),
        },
    }
    pages = starter_pages.pages(study, data_name)
    return Draft(path, data_name, datapackage, study, pages)


def _datapackage(
    path: Path, data: bytes, rows: int, fields: list[dict[str, Any]], markers: list[str]
) -> dict[str, Any]:
    name = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "data"
    return {
        "name": name,
        "title": f"{path.stem.replace('_', ' ').capitalize()} (edit this title)",
        "description": "Drafted by scripts/new_study.py from the CSV: check every field.",
        "sources": [
            {"title": f"File {path.name} (edit this: who made it, when)", "path": path.name}
        ],
        "resources": [
            {
                "name": name,
                "path": path.name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
                "rows": rows,
                "dialect": {"delimiter": ",", "header": True},
                "schema": {"fields": fields, "missingValues": markers},
            }
        ],
    }


def _study(
    path: Path,
    data_name: str,
    target: str,
    fields: list[dict[str, Any]],
    enums: dict[str, list[str]],
    colour_by: str,
    split_by: str,
    scatter_x: str,
) -> dict[str, Any]:
    noun, plural = _row_nouns(path)
    target_title = next(f["title"] for f in fields if f["name"] == target)
    words = target_title.lower()
    title = path.stem.replace("_", " ").capitalize()
    categories: dict[str, Any] = {}
    for column, levels in enums.items():
        spec: dict[str, Any] = {
            "label": next(f["title"] for f in fields if f["name"] == column),
            "noun": " ".join(_words(column)),
            "plural": " ".join(_words(column)) + "s",
        }
        if column in (colour_by, split_by):
            offset = 0 if column == colour_by else len(PALETTE) - len(levels)
            spec["levels"] = {
                level: {"light": colour, "dark": colour}
                for level, colour in zip(levels, PALETTE[offset:], strict=False)
            }
        categories[column] = spec
    return {
        "title": title,
        "description": f"How well the other columns of {data_name} predict {words}.",
        "data": f"{DATA_DIR}/{data_name}",
        "datapackage": DATAPACKAGE,
        "row": {"noun": noun, "plural": plural},
        "target": {
            "column": target,
            "noun": words,
            "short": words,
            "high": "high",
            "low": "low",
            "higher": "higher",
            "lower": "lower",
            "highest": "highest",
            "lowest": "lowest",
        },
        "describe_by": list(enums),
        "colour_by": colour_by,
        "split_by": split_by,
        "cross_tab": [colour_by, split_by],
        "scatter_x": scatter_x,
        "traits": [{"column": target, "largest": True, "words": f"have the highest {words}"}],
        "model": {"choose": "lowest_rmse"},
        "categories": categories,
        "model_card": {
            "intended_use": f"Edit this: what the model of {words} is for.",
            "not_intended_for": ["Edit this: uses the model is not meant for"],
            "limitations": [
                "A straight line: one slope per numeric column, an offset per category level.",
                "Edit this: where the data come from and where they may not apply.",
            ],
        },
    }


# --- writing ---------------------------------------------------------------------------

_STUDY_HEADER = """\
# The study, drafted by scripts/new_study.py from {csv}. Check and edit it: the row nouns,
# the target's words, the labels and the model card are guesses. The data contract
# (column types, units, ranges, categories) is {datapackage}; edit it there.
# model.choose: a candidate's name, or lowest_rmse for the lowest cross-validated RMSE.

"""


def write(plan: Draft, dest: Path, *, force: bool = False) -> list[Path]:
    """Write the draft into ``dest`` (the project folder); nothing if a file is in the way.

    Without ``force`` an existing file stops everything before a byte is written. With it
    the files are replaced, and the old study's model baseline is removed (it names the
    old model). The study is loaded back (``penguin_site.study.load``) from a scratch
    folder first, so a draft the engine would refuse is never written.
    """
    dest = Path(dest)
    targets = [dest / name for name in plan.files()]
    in_the_way = [p for p in targets if p.exists() and p.resolve() != plan.csv.resolve()]
    if in_the_way and not force:
        shown = ", ".join(str(p) for p in in_the_way)
        raise StarterError(f"{plan.csv}: would overwrite {shown}; pass --force to replace them")
    study_text = _STUDY_HEADER.format(csv=plan.csv.name, datapackage=DATAPACKAGE) + yaml.safe_dump(
        plan.study, sort_keys=False, allow_unicode=True, width=96
    )
    package_text = json.dumps(plan.datapackage, indent=2) + "\n"
    _check_loads(plan, study_text, package_text)
    (dest / DATA_DIR).mkdir(parents=True, exist_ok=True)
    data_target = dest / DATA_DIR / plan.data_name
    if data_target.resolve() != plan.csv.resolve():
        shutil.copyfile(plan.csv, data_target)
    (dest / DATAPACKAGE).write_text(package_text, encoding="utf-8")
    (dest / STUDY).write_text(study_text, encoding="utf-8")
    for name, text in plan.pages.items():
        (dest / name).write_text(text, encoding="utf-8")
    if force:
        (dest / BASELINE).unlink(missing_ok=True)
    _retitle(dest / "_quarto.yml", plan.study)
    return targets


def _check_loads(plan: Draft, study_text: str, package_text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / DATA_DIR).mkdir()
        (folder / DATAPACKAGE).write_text(package_text, encoding="utf-8")
        (folder / STUDY).write_text(study_text, encoding="utf-8")
        try:
            load(folder / STUDY)
        except ValueError as exc:  # a StudyError: the draft is wrong, not the user
            raise StarterError(f"{plan.csv}: the drafted study does not load: {exc}") from None


def _retitle(quarto_yml: Path, study: dict[str, Any]) -> None:
    """The site's navbar title and description in ``_quarto.yml`` become the study's."""
    if not quarto_yml.is_file():
        return
    text = quarto_yml.read_text(encoding="utf-8")
    for key, value in (("title", study["title"]), ("description", study["description"])):
        text = re.sub(
            rf"(?m)^(  {key}: ).*$", lambda m, v=value: m.group(1) + json.dumps(v), text, count=1
        )
    quarto_yml.write_text(text, encoding="utf-8")
