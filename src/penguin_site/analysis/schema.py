"""The pandera schema that enforces the data contract (``contract``) on a loaded table.

Built only from ``contract``'s constants, which come from the data package's Table
Schema, so what is enforced is what is documented.
"""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
import pandera.pandas as pa

from penguin_site.analysis.contract import (
    CATEGORIES,
    COLUMNS,
    MISSING_TOGETHER,
    MISSING_TOGETHER_CHECK,
    MISSING_TOGETHER_RULE,
    NULLABLE,
    RANGES,
    column_kind,
)

__all__ = ["SCHEMA"]

#: How each kind of column is stored once loaded (pandas dtype).
_DTYPES: MappingProxyType[str, object] = MappingProxyType(
    {"category": str, "integer": "int64", "number": "float64"}
)


def _missing_together(df: pd.DataFrame) -> pd.Series:
    """A row passes when its missing-together columns are all present or all missing."""
    missing = df[list(MISSING_TOGETHER)].isna()
    return missing.all(axis=1) | ~missing.any(axis=1)


def _column(name: str) -> pa.Column:
    kind = column_kind(name)
    checks = [pa.Check.isin(CATEGORIES[name])] if kind == "category" else []
    if name in RANGES:
        low, high = RANGES[name]
        checks.append(pa.Check.in_range(low, high))
    return pa.Column(_DTYPES[kind], checks=checks, nullable=name in NULLABLE, coerce=True)


_TOGETHER = (
    [pa.Check(_missing_together, name=MISSING_TOGETHER_CHECK, error=MISSING_TOGETHER_RULE)]
    if MISSING_TOGETHER
    else []
)

SCHEMA = pa.DataFrameSchema(
    columns={name: _column(name) for name in COLUMNS},
    checks=_TOGETHER,
    unique=list(COLUMNS),
    report_duplicates="all",
    strict=True,
    ordered=True,
    coerce=True,
)
