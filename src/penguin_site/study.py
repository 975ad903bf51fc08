"""The study definition (``study.yml``): read once, checked, and the one place rooms ask.

Why: the engine knows nothing about any one data set. What a row is, which column is the
target, which columns describe the data, the candidate models and the colours all live in
``study.yml`` (editable without Python); the data contract lives in the data package it
names (``datapackage.json``, a Frictionless Table Schema). This module turns both into
typed values and refuses a broken file with a ``StudyError`` naming the file and the key,
before any analysis starts. ``PENGUIN_STUDY`` points at another study file (tests use it).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "STUDY_ENV",
    "STUDY_FILE",
    "Candidate",
    "Category",
    "Field",
    "Level",
    "Study",
    "StudyError",
    "Target",
    "Unit",
    "current",
    "load",
    "study_file",
]

#: The example study shipped with the project (the repository root's study.yml).
STUDY_FILE: Path = Path(__file__).resolve().parents[2] / "study.yml"
#: Environment variable naming another study file.
STUDY_ENV = "PENGUIN_STUDY"
#: How ``model.choose`` names "the candidate with the lowest cross-validated RMSE".
LOWEST_RMSE = "lowest_rmse"


class StudyError(ValueError):
    """The study file or its data package is unusable; the message names file and key."""

    def __init__(self, path: Path, key: str, problem: str) -> None:
        self.path, self.key, self.problem = Path(path), key, problem
        where = f" (key {key!r})" if key else ""
        super().__init__(f"{path}{where}: {problem}")


@dataclass(frozen=True)
class Field:
    """One column of the data contract, as the Frictionless Table Schema describes it."""

    name: str
    type: str  # Frictionless type: string, number, integer
    title: str
    description: str
    required: bool
    enum: tuple[str, ...] | None
    minimum: float | None
    maximum: float | None
    unit: str | None
    example: str | None


@dataclass(frozen=True)
class Unit:
    """How numbers in one unit are written: decimals, and the unit as a word (alt text)."""

    symbol: str
    decimals: int
    word: str


@dataclass(frozen=True)
class Target:
    """The predicted column and how the prose names it and compares values of it."""

    column: str
    noun: str
    short: str
    short_plural: str
    high: str
    low: str
    higher: str
    lower: str
    highest: str
    lowest: str


@dataclass(frozen=True)
class Level:
    """One category of a categorical column: its plural and its colour per scheme."""

    name: str
    plural: str
    colours: MappingProxyType[str, str]


@dataclass(frozen=True)
class Category:
    """A categorical column's label, nouns and levels (contract order)."""

    column: str
    label: str
    noun: str
    plural: str
    levels: tuple[Level, ...]

    def colours(self, scheme: str) -> dict[str, str]:
        """Level -> colour in one scheme (``light``/``dark``); only levels that have one."""
        return {lv.name: lv.colours[scheme] for lv in self.levels if scheme in lv.colours}


@dataclass(frozen=True)
class Candidate:
    """One candidate feature set: its label, numeric then categorical inputs."""

    name: str
    label: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]


@dataclass(frozen=True)
class Study:
    """Everything the engine knows about one study, checked against its data contract."""

    path: Path
    title: str
    description: str
    data_file: Path
    datapackage_file: Path
    snapshot: MappingProxyType[str, Any]
    row_noun: str
    row_plural: str
    row_short: str
    row_short_plural: str
    row_key: tuple[str, ...]
    target: Target
    units: MappingProxyType[str, Unit]
    describe_by: tuple[str, ...]
    colour_by: str
    split_by: str
    cross_tab: tuple[str, str]
    scatter_x: str
    traits: tuple[tuple[str, bool, str], ...]
    scatter_x_words: MappingProxyType[str, str]
    candidates: MappingProxyType[str, Candidate]
    choose: str
    categories: MappingProxyType[str, Category]
    fields: tuple[Field, ...]
    missing_values: tuple[str, ...]
    missing_together: tuple[str, ...]
    missing_together_rule: str
    model_card: MappingProxyType[str, Any]
    cross_tab_words: str

    def field(self, name: str) -> Field:
        """The contract of one column."""
        return next(f for f in self.fields if f.name == name)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def measurements(self) -> MappingProxyType[str, str]:
        """Numeric columns that carry a unit, and the unit (contract order)."""
        return MappingProxyType({f.name: f.unit for f in self.fields if f.unit})

    @property
    def target_unit(self) -> str:
        return self.field(self.target.column).unit or ""

    def words(self) -> set[str]:
        """The study's own words: what a generic room may not contain (tests scan for them)."""
        found = {*self.columns, self.row_noun, self.row_plural, self.target.noun}
        found |= {u for u in self.measurements.values()}
        for category in self.categories.values():
            found |= {lv.name for lv in category.levels}
        for f in self.fields:
            found |= set(f.enum or ())
        return {w for w in found if w}


def study_file(env: Mapping[str, str] = os.environ) -> Path:
    """The study file in use: ``$PENGUIN_STUDY`` when set, else the shipped study.yml."""
    named = env.get(STUDY_ENV, "").strip()
    return Path(named).resolve() if named else STUDY_FILE


@functools.cache
def _cached(path: Path) -> Study:
    return load(path)


def current() -> Study:
    """The study in use, read and checked once per process (per study file)."""
    return _cached(study_file())


class _Reader:
    """Typed look-ups in the parsed YAML that fail with the file and the dotted key."""

    def __init__(self, path: Path, data: object) -> None:
        self.path = path
        if not isinstance(data, dict):
            raise StudyError(path, "", "must be a YAML mapping of keys to values")
        self.data = data

    def get(self, key: str, kind: type | tuple[type, ...], default: object = ...) -> Any:
        node: object = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is not ...:
                    return default
                raise StudyError(self.path, key, "missing")
            node = node[part]
        if not isinstance(node, kind) or (kind is not bool and isinstance(node, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise StudyError(self.path, key, f"must be a {names}, not {node!r}")
        return node

    def words(self, key: str, default: object = ...) -> tuple[str, ...]:
        value = self.get(key, list, default)
        if not all(isinstance(v, str) and v for v in value):
            raise StudyError(self.path, key, "must be a list of names")
        return tuple(value)


def load(path: Path) -> Study:
    """Read and check a study file and the data package it names."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyError(path, "", "study file not found") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StudyError(path, "", f"cannot read it: {exc}") from None
    r = _Reader(path, data)
    base = path.parent
    datapackage = base / r.get("datapackage", str)
    fields, missing, together, rule = _contract(datapackage)
    by_name = {f.name: f for f in fields}

    def column(key: str, value: str, kinds: tuple[str, ...] = ()) -> str:
        if value not in by_name:
            raise StudyError(path, key, f"{value!r} is not a column of {datapackage.name}")
        if kinds and by_name[value].type not in kinds:
            raise StudyError(path, key, f"{value!r} must be a {' or '.join(kinds)} column")
        return value

    categorical = ("string",)
    numeric = ("number", "integer")
    t = "target"
    target = Target(
        column=column(f"{t}.column", r.get(f"{t}.column", str), ("number",)),
        **{
            name: r.get(f"{t}.{name}", str)
            for name in ("noun", "short", "high", "low", "higher", "lower", "highest", "lowest")
        },
        short_plural=r.get(f"{t}.short_plural", str, f"{r.get(f'{t}.short', str)}s"),
    )
    units = {
        str(symbol): Unit(
            str(symbol),
            r.get(f"units.{symbol}.decimals", int),
            r.get(f"units.{symbol}.word", str),
        )
        for symbol in r.get("units", dict)
    }
    for f in fields:
        if f.unit and f.unit not in units:
            raise StudyError(path, "units", f"no entry for unit {f.unit!r} (column {f.name})")
    categories = {}
    for name in r.get("categories", dict):
        key = f"categories.{name}"
        field = by_name.get(column(key, str(name), categorical))
        levels_spec = r.get(f"{key}.levels", dict, {})
        unknown = [lv for lv in levels_spec if str(lv) not in (field.enum or ())]
        if unknown:
            raise StudyError(path, f"{key}.levels", f"unknown level(s) {unknown}")
        levels = tuple(
            Level(
                lv,
                r.get(f"{key}.levels.{lv}.plural", str, f"{lv}s"),
                MappingProxyType(
                    {
                        s: r.get(f"{key}.levels.{lv}.{s}", str)
                        for s in ("light", "dark")
                        if s in (levels_spec.get(lv) or {})
                    }
                ),
            )
            for lv in field.enum or ()
        )
        categories[str(name)] = Category(
            str(name),
            r.get(f"{key}.label", str),
            r.get(f"{key}.noun", str),
            r.get(f"{key}.plural", str),
            levels,
        )
    for f in fields:
        if f.type in categorical and f.enum and f.name not in categories:
            raise StudyError(path, f"categories.{f.name}", "missing (a categorical column)")
    candidates = {}
    for name in r.get("candidates", dict):
        key = f"candidates.{name}"
        candidates[str(name)] = Candidate(
            str(name),
            r.get(f"{key}.label", str),
            tuple(column(f"{key}.numeric", c, numeric) for c in r.words(f"{key}.numeric")),
            tuple(
                column(f"{key}.categorical", c, categorical)
                for c in r.words(f"{key}.categorical", [])
            ),
        )
    if not candidates:
        raise StudyError(path, "candidates", "needs at least one candidate")
    choose = r.get("model.choose", str)
    if choose != LOWEST_RMSE and choose not in candidates:
        raise StudyError(
            path, "model.choose", f"{choose!r} is neither a candidate nor {LOWEST_RMSE!r}"
        )
    colour_by = column("colour_by", r.get("colour_by", str), categorical)
    split_by = column("split_by", r.get("split_by", str), categorical)
    for key, name in (("colour_by", colour_by), ("split_by", split_by)):
        uncoloured = [
            lv.name for lv in categories[name].levels if not {"light", "dark"} <= set(lv.colours)
        ]
        if uncoloured:
            raise StudyError(
                path,
                f"categories.{name}.levels",
                f"the figures colour by {key} {name!r}: every level needs a light and a dark "
                f"colour (missing for {', '.join(uncoloured)})",
            )
    if len(categories[split_by].levels) != 2:
        raise StudyError(path, "split_by", f"{split_by!r} must have two levels")
    cross = r.words("cross_tab")
    if len(cross) != 2:
        raise StudyError(path, "cross_tab", "must name two columns")
    traits = []
    for i, spec in enumerate(r.get("traits", list, [])):
        key = f"traits[{i}]"
        if not isinstance(spec, dict) or not {"column", "largest", "words"} <= set(spec):
            raise StudyError(path, key, "must have column, largest and words")
        traits.append(
            (column(key, str(spec["column"]), numeric), bool(spec["largest"]), str(spec["words"]))
        )
    return Study(
        path=path,
        title=r.get("title", str),
        description=r.get("description", str, ""),
        data_file=base / r.get("data", str),
        datapackage_file=datapackage,
        snapshot=MappingProxyType(r.get("snapshot", dict, {})),
        row_noun=r.get("row.noun", str),
        row_plural=r.get("row.plural", str),
        row_short=r.get("row.short", str, r.get("row.noun", str)),
        row_short_plural=r.get("row.short_plural", str, r.get("row.plural", str)),
        row_key=tuple(column("row.key", c) for c in r.words("row.key", [])),
        target=target,
        units=MappingProxyType(units),
        describe_by=tuple(column("describe_by", c, categorical) for c in r.words("describe_by")),
        colour_by=colour_by,
        split_by=split_by,
        cross_tab=(column("cross_tab", cross[0], categorical), column("cross_tab", cross[1])),
        scatter_x=column("scatter_x", r.get("scatter_x", str), numeric),
        traits=tuple(traits),
        scatter_x_words=MappingProxyType(
            {str(k): str(v) for k, v in r.get("scatter_x_words", dict, {}).items()}
        ),
        candidates=MappingProxyType(candidates),
        choose=choose,
        categories=MappingProxyType(categories),
        fields=fields,
        missing_values=missing,
        missing_together=together,
        missing_together_rule=rule,
        model_card=MappingProxyType(_model_card(r)),
        cross_tab_words=r.get("cross_tab_words", str, "appear {only}with"),
    )


def _model_card(r: _Reader) -> dict[str, Any]:
    """The model card's prose: what the model is for, not for, and its limitations."""
    return {
        "intended_use": r.get("model_card.intended_use", str, ""),
        "not_intended_for": list(r.words("model_card.not_intended_for", [])),
        "limitations": list(r.words("model_card.limitations", [])),
    }


def _contract(
    datapackage: Path,
) -> tuple[tuple[Field, ...], tuple[str, ...], tuple[str, ...], str]:
    """The first resource's Table Schema: fields, missing markers, columns missing together."""
    try:
        descriptor = json.loads(datapackage.read_text(encoding="utf-8"))
        schema = descriptor["resources"][0]["schema"]
        raw_fields = schema["fields"]
    except FileNotFoundError:
        raise StudyError(datapackage, "", "data package not found") from None
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        problem = f"cannot read resources[0].schema.fields ({type(exc).__name__}: {exc})"
        raise StudyError(datapackage, "resources[0].schema", problem) from None
    fields = []
    for i, spec in enumerate(raw_fields):
        key = f"resources[0].schema.fields[{i}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise StudyError(datapackage, key, "must be an object with a name")
        if spec.get("type") not in ("string", "number", "integer"):
            raise StudyError(datapackage, f"{key}.type", "must be string, number or integer")
        constraints = spec.get("constraints", {})
        enum = constraints.get("enum")
        fields.append(
            Field(
                name=spec["name"],
                type=spec["type"],
                title=str(spec.get("title", spec["name"].replace("_", " ").capitalize())),
                description=str(spec.get("description", "")),
                required=bool(constraints.get("required", False)),
                enum=tuple(str(v) for v in enum) if enum is not None else None,
                minimum=constraints.get("minimum"),
                maximum=constraints.get("maximum"),
                unit=spec.get("unit"),
                example=spec.get("example"),
            )
        )
    names = [f.name for f in fields]
    together = schema.get("missingTogether", {"fields": [], "description": ""})
    unknown = [c for c in together.get("fields", []) if c not in names]
    if unknown:
        key = "resources[0].schema.missingTogether"
        raise StudyError(datapackage, key, f"unknown column(s) {unknown}")
    return (
        tuple(fields),
        tuple(str(v) for v in schema.get("missingValues", [""])),
        tuple(together.get("fields", [])),
        str(together.get("description", "")),
    )
