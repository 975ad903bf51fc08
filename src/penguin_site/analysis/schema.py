"""The pandera schema that enforces the data contract (``contract``) on a loaded table.

Built only from ``contract``'s constants, so what is enforced is what is documented.
"""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
import pandera.pandas as pa

from penguin_site.analysis.contract import (
    CATEGORIES,
    COLUMNS,
    MEASUREMENTS_MISSING_TOGETHER,
    NULLABLE,
    RANGES,
    column_kind,
)
from penguin_site.config import MEASUREMENTS

__all__ = ["SCHEMA"]

#: How each kind of column is stored once loaded (pandas dtype).
_DTYPES: MappingProxyType[str, object] = MappingProxyType(
    {"category": str, "integer": "int64", "number": "float64"}
)


def _measurements_missing_together(df: pd.DataFrame) -> pd.Series:
    """A row passes when its four measurements are all present or all missing."""
    missing = df[list(MEASUREMENTS)].isna()
    return missing.all(axis=1) | ~missing.any(axis=1)


def _column(name: str) -> pa.Column:
    kind = column_kind(name)
    checks = [pa.Check.isin(CATEGORIES[name])] if kind == "category" else []
    if name in RANGES:
        low, high = RANGES[name]
        checks.append(pa.Check.in_range(low, high))
    return pa.Column(_DTYPES[kind], checks=checks, nullable=name in NULLABLE, coerce=True)


SCHEMA = pa.DataFrameSchema(
    columns={name: _column(name) for name in COLUMNS},
    checks=[
        pa.Check(
            _measurements_missing_together,
            name=MEASUREMENTS_MISSING_TOGETHER,
            error="the four measurements must be all present or all missing",
        )
    ],
    unique=list(COLUMNS),
    report_duplicates="all",
    strict=True,
    ordered=True,
    coerce=True,
)
