"""The data contract for ``data/penguins.csv``, defined once, as plain constants.

The pandera schema (``schema``), the Frictionless description in ``data/datapackage.json``,
the error messages and the site's data-contract table are all built from the constants
below, so the contract cannot drift between what is documented and what is enforced.
No pandas or pandera here: the pages read the contract without loading the validator.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

from penguin_site.config import MEASUREMENTS

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "DESCRIPTIONS",
    "EXAMPLES",
    "MEASUREMENTS_MISSING_TOGETHER",
    "MISSING_TOKENS",
    "NA_TOKEN",
    "NULLABLE",
    "NUMBER_PATTERNS",
    "RANGES",
    "ColumnKind",
    "column_kind",
    "frictionless_fields",
]

#: Column order of the snapshot.
COLUMNS: tuple[str, ...] = (
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
)

#: Allowed values of each categorical column (also the fixed one-hot categories,
#: so encoding learns nothing from the rows it is fitted on).
CATEGORIES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "species": ("Adelie", "Chinstrap", "Gentoo"),
        "island": ("Biscoe", "Dream", "Torgersen"),
        "sex": ("female", "male"),
    }
)

#: Plausible ranges (inclusive). Wider than the observed values (e.g. mass 2700-6300 g)
#: so a new field season passes, narrow enough to catch unit mix-ups and typos.
RANGES: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {
        "bill_length_mm": (25.0, 70.0),
        "bill_depth_mm": (10.0, 25.0),
        "flipper_length_mm": (160.0, 240.0),
        "body_mass_g": (2000.0, 7000.0),
        "year": (2007, 2009),
    }
)

#: Columns that may be missing. Measurements may only be missing all together
#: (a bird that was not measured); sex may be missing on its own (not determined).
NULLABLE: frozenset[str] = frozenset({*MEASUREMENTS, "sex"})

DESCRIPTIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "species": "Penguin species",
        "island": "Island in the Palmer Archipelago, Antarctica, where the bird was sampled",
        "bill_length_mm": "Bill (culmen) length, in millimetres",
        "bill_depth_mm": "Bill (culmen) depth, in millimetres",
        "flipper_length_mm": "Flipper length, in millimetres",
        "body_mass_g": "Body mass, in grams",
        "sex": "Sex of the bird, determined by molecular analysis (NA where not determined)",
        "year": "Year of the study in which the bird was sampled",
    }
)

#: How each numeric column is written, as the first bird of the snapshot has it: the
#: example an error message gives (``flipper_length_mm`` is whole millimetres, not ``39.1``).
EXAMPLES: MappingProxyType[str, str] = MappingProxyType(
    {
        "bill_length_mm": "39.1",
        "bill_depth_mm": "18.7",
        "flipper_length_mm": "181",
        "body_mass_g": "3750",
        "year": "2007",
    }
)

#: String that stands for a missing value in the CSV (as in the palmerpenguins package).
NA_TOKEN = "NA"
#: Every way the CSV may say "missing": the token and the empty field.
MISSING_TOKENS: tuple[str, ...] = (NA_TOKEN, "")

#: How a number must be written in the CSV (checked before any conversion, because
#: Python's float() also takes "NaN", "3_750" and padded text).
NUMBER_PATTERNS: MappingProxyType[str, str] = MappingProxyType(
    {
        **{column: r"-?\d+(\.\d+)?([eE][-+]?\d+)?" for column in MEASUREMENTS},
        "year": r"-?\d+",
    }
)

MEASUREMENTS_MISSING_TOGETHER = "measurements_missing_together"

ColumnKind = Literal["category", "integer", "number"]
#: How each kind is described in datapackage.json (Frictionless Table Schema type).
_FRICTIONLESS_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {"category": "string", "integer": "integer", "number": "number"}
)


def column_kind(name: str) -> ColumnKind:
    """What a column holds: a category, a whole number or a measurement (a number).

    The one branch on a column's kind: the schema, the Frictionless description and the
    data-contract table on the site all ask this.
    """
    if name in CATEGORIES:
        return "category"
    return "number" if name in MEASUREMENTS else "integer"


def frictionless_fields() -> list[dict[str, object]]:
    """Describe the columns as Frictionless Table Schema fields (for datapackage.json)."""
    fields: list[dict[str, object]] = []
    for name in COLUMNS:
        constraints: dict[str, object] = {"required": name not in NULLABLE}
        field_type = _FRICTIONLESS_TYPES[column_kind(name)]
        if name in CATEGORIES:
            constraints["enum"] = list(CATEGORIES[name])
        if name in RANGES:
            low, high = RANGES[name]
            constraints["minimum"], constraints["maximum"] = low, high
        field: dict[str, object] = {
            "name": name,
            "type": field_type,
            "description": DESCRIPTIONS[name],
            "constraints": constraints,
        }
        if name in MEASUREMENTS:
            field["unit"] = MEASUREMENTS[name]
        fields.append(field)
    return fields
