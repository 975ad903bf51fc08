"""The data contract, read from the one place it is written: the study's data package.

The Frictionless Table Schema in ``datapackage.json`` (fields with type, title, unit,
example, constraints required/enum/minimum/maximum, missingValues and the custom
``missingTogether``) is the contract. The pandera schema (``schema``), the error messages
and the site's data-contract table are all built from the constants below, which are
derived from it, so what is documented is what is enforced. No pandas or pandera here: the
pages read the contract without loading the validator.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Literal

from penguin_site.study import current

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "DESCRIPTIONS",
    "EXAMPLES",
    "MISSING_TOGETHER",
    "MISSING_TOGETHER_CHECK",
    "MISSING_TOGETHER_RULE",
    "MISSING_TOKENS",
    "NA_TOKEN",
    "NULLABLE",
    "NUMBER_PATTERNS",
    "RANGES",
    "ColumnKind",
    "column_kind",
    "frictionless_fields",
]

_FIELDS = current().fields

#: Column order of the data file.
COLUMNS: tuple[str, ...] = tuple(f.name for f in _FIELDS)

#: Allowed values of each categorical column (also the fixed one-hot categories,
#: so encoding learns nothing from the rows it is fitted on).
CATEGORIES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {f.name: f.enum for f in _FIELDS if f.enum is not None}
)

#: Plausible ranges (inclusive), from the fields' minimum/maximum constraints.
RANGES: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {
        f.name: (f.minimum, f.maximum)
        for f in _FIELDS
        if f.minimum is not None and f.maximum is not None
    }
)

#: Columns that may be missing (``required: false``).
NULLABLE: frozenset[str] = frozenset(f.name for f in _FIELDS if not f.required)

DESCRIPTIONS: MappingProxyType[str, str] = MappingProxyType(
    {f.name: f.description for f in _FIELDS}
)

#: How each numeric column is written (the field's ``example``): what an error message
#: shows as a correct value.
EXAMPLES: MappingProxyType[str, str] = MappingProxyType(
    {f.name: f.example for f in _FIELDS if f.example is not None}
)

#: Every way the CSV may say "missing" (the schema's missingValues); the first is the token
#: messages name.
MISSING_TOKENS: tuple[str, ...] = current().missing_values
NA_TOKEN = next((t for t in MISSING_TOKENS if t), "")

#: How a number must be written in the CSV (checked before any conversion, because
#: Python's float() also takes "NaN", "3_750" and padded text).
_PATTERNS: MappingProxyType[str, str] = MappingProxyType(
    {"number": r"-?\d+(\.\d+)?([eE][-+]?\d+)?", "integer": r"-?\d+"}
)
NUMBER_PATTERNS: MappingProxyType[str, str] = MappingProxyType(
    {f.name: _PATTERNS[f.type] for f in _FIELDS if f.type in _PATTERNS}
)

#: Columns that may only be missing all together (a row that was not measured at all).
MISSING_TOGETHER: tuple[str, ...] = current().missing_together
MISSING_TOGETHER_RULE: str = current().missing_together_rule or (
    f"columns {', '.join(MISSING_TOGETHER)} must be all present or all missing"
)
#: The name of that check in pandera's failure reports.
MISSING_TOGETHER_CHECK = "missing_together"

ColumnKind = Literal["category", "integer", "number"]


def column_kind(name: str) -> ColumnKind:
    """What a column holds: a category, a whole number or a measurement (a number).

    The one branch on a column's kind: the schema and the data-contract table on the site
    both ask this.
    """
    if name in CATEGORIES:
        return "category"
    return "number" if current().field(name).type == "number" else "integer"


def frictionless_fields() -> list[dict[str, object]]:
    """The committed Table Schema fields, as datapackage.json holds them."""
    descriptor = json.loads(current().datapackage_file.read_text(encoding="utf-8"))
    return list(descriptor["resources"][0]["schema"]["fields"])
