"""Load the penguin snapshot, enforce the data contract, and clean it for modelling.

Loading is where bad input must stop the build, so every failure becomes a
``DataValidationError`` whose message names the file, the column, the rule and
the offending rows: never a traceback from deep inside pandas.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.errors as pa_errors

from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE, MEASUREMENTS, TARGET
from penguin_site.schema import (
    CATEGORIES,
    COLUMNS,
    MEASUREMENTS_MISSING_TOGETHER,
    NA_TOKEN,
    SCHEMA,
)

#: How many offending rows a message lists before it says "and N more".
MAX_ROWS_SHOWN = 5

#: Columns a model row must have: every measurement and sex (species/island/year are never missing).
MODEL_COLUMNS: tuple[str, ...] = (*MEASUREMENTS, "sex")


@dataclass(frozen=True)
class Problem:
    """One broken rule: which column, which rule, which data rows (1-based) and values."""

    column: str
    rule: str
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line a person can act on: the column, the rule, the rows and the values."""
        if not self.column:
            text = self.rule
        elif ", " in self.column:
            text = f"columns {self.column}: {self.rule}"
        else:
            text = f"column {self.column!r}: {self.rule}"
        if self.rows:
            shown = self.rows[:MAX_ROWS_SHOWN]
            more = f" and {len(self.rows) - len(shown)} more" if len(self.rows) > len(shown) else ""
            lines = ", ".join(str(r + 1) for r in shown)
            text += (
                f" at row{'s' if len(self.rows) > 1 else ''} {', '.join(map(str, shown))}{more}"
                f" (CSV line{'s' if len(shown) > 1 else ''} {lines})"
            )
        if self.values:
            text += f"; values: {', '.join(self.values[:MAX_ROWS_SHOWN])}"
        return text


class DataValidationError(ValueError):
    """The data file breaks its contract; the message lists every problem found."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = [f"{_display(path)}: {p.describe()}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CleanData:
    """Rows used for modelling, and the rows left out with the reason for each."""

    data: pd.DataFrame
    dropped: pd.DataFrame


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes (the snapshot's identity in provenance and the model card)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def expected_sha256(datapackage: Path = DATAPACKAGE_FILE) -> str:
    """The snapshot's recorded sha256, from the Frictionless ``hash`` field ``sha256:<hex>``."""
    descriptor = json.loads(Path(datapackage).read_text(encoding="utf-8"))
    algorithm, _, digest = descriptor["resources"][0]["hash"].partition(":")
    if algorithm != "sha256" or not digest:
        raise ValueError(f"{_display(datapackage)}: resources[0].hash must be 'sha256:<hex>'")
    return digest


def load_penguins(path: Path = DATA_FILE, sha256: str | None = None) -> pd.DataFrame:
    """Read and validate a penguins CSV; return it with the contract's dtypes.

    ``sha256`` is the checksum the file must have. The committed snapshot is checked
    against ``data/datapackage.json`` (see ``load_snapshot``); other files (tests,
    a new field season) may pass ``None``. The content is validated before the
    checksum so that a broken file gets the specific message, not just "changed".
    """
    path = Path(path)
    data = _read_bytes(path)
    rows = _parse_csv(path, _decode_utf8(path, data))
    typed = _validate(path, rows)
    if sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise DataValidationError(
                path,
                [
                    Problem(
                        "",
                        f"checksum mismatch: sha256 is {actual}, expected {sha256}. If the "
                        "snapshot changed on purpose, run scripts/snapshot_data.py to "
                        "regenerate it and data/datapackage.json",
                    )
                ],
            )
    return typed


def load_snapshot() -> pd.DataFrame:
    """The committed snapshot, checked against the sha256 recorded in datapackage.json."""
    return load_penguins(DATA_FILE, expected_sha256(DATAPACKAGE_FILE))


def clean_for_modelling(df: pd.DataFrame) -> CleanData:
    """Keep rows with every measurement and sex; record why each other row was dropped.

    A row without measurements cannot be used at all; a row without sex cannot be
    used by the models that condition on sex. Dropping both everywhere gives every
    candidate the same rows, so their cross-validated scores are comparable.
    """
    measurements_missing = df[list(MEASUREMENTS)].isna().all(axis=1)
    sex_missing = df["sex"].isna()
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    reason[sex_missing] = "sex not recorded"
    reason[measurements_missing] = "no measurements"
    keep = reason.isna()
    dropped = df.loc[~keep].assign(row=df.index[~keep] + 1, reason=reason[~keep])
    data = df.loc[keep].reset_index(drop=True)
    if data[TARGET].isna().any():  # the contract makes this impossible; fail loudly if not
        raise AssertionError("clean data still has a missing target")
    return CleanData(data=data, dropped=dropped[["row", *COLUMNS, "reason"]])


def _display(path: Path) -> str:
    """The path as the user would type it: relative when under the working directory."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataValidationError(path, [Problem("", "file not found")])
    data = path.read_bytes()
    if not data.strip():
        raise DataValidationError(
            path, [Problem("", f"file is empty; expected a header line: {','.join(COLUMNS)}")]
        )
    return data


def _decode_utf8(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line_no = data.count(b"\n", 0, exc.start) + 1
        field = data.count(b",", line_start, exc.start)
        column = COLUMNS[field] if field < len(COLUMNS) else f"field {field + 1}"
        raise DataValidationError(
            path,
            [
                Problem(
                    column,
                    f"bytes that are not UTF-8 ({data[exc.start : exc.end]!r}) on CSV line "
                    f"{line_no}, byte offset {exc.start}; save the file as UTF-8",
                )
            ],
        ) from None


def _parse_csv(path: Path, text: str) -> list[list[str]]:
    records = list(csv.reader(io.StringIO(text, newline="")))
    records = [r for r in records if r]  # blank lines carry no data
    header, body = records[0], records[1:]
    _check_header(path, header)
    if not body:
        raise DataValidationError(path, [Problem("", "has a header but no data rows")])
    ragged = [i for i, r in enumerate(body, start=1) if len(r) != len(COLUMNS)]
    if ragged:
        raise DataValidationError(
            path, [Problem("", f"rows must have {len(COLUMNS)} fields", tuple(ragged))]
        )
    return body


def _check_header(path: Path, header: list[str]) -> None:
    if len(header) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
            if delimiter in header[0]:
                raise DataValidationError(
                    path,
                    [
                        Problem(
                            "",
                            f"wrong delimiter: the header is separated by {name}, expected commas",
                        )
                    ],
                )
    problems = []
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    problems += [Problem(c, "missing column") for c in missing]
    problems += [Problem(c, f"unknown column (allowed: {', '.join(COLUMNS)})") for c in extra]
    if not problems and tuple(header) != COLUMNS:
        problems.append(Problem("", f"columns out of order: expected {','.join(COLUMNS)}"))
    if problems:
        raise DataValidationError(path, problems)


def _validate(path: Path, body: list[list[str]]) -> pd.DataFrame:
    raw = pd.DataFrame(body, columns=list(COLUMNS), dtype=object)
    raw = raw.map(lambda v: None if v in ("", NA_TOKEN) else v)
    try:
        return SCHEMA.validate(raw, lazy=True)
    except pa_errors.SchemaErrors as exc:
        raise DataValidationError(path, list(_problems(exc.failure_cases))) from None


def _problems(failures: pd.DataFrame) -> Iterable[Problem]:
    """Turn pandera's failure-case table into one Problem per (column, rule)."""
    failures = failures[failures["index"].notna()]
    coerce_failed = set(failures.loc[failures["check"].str.startswith("coerce_dtype"), "column"])
    for (column, check), group in failures.groupby(["column", "check"], sort=False, dropna=False):
        if column in coerce_failed and not check.startswith("coerce_dtype"):
            continue  # the type error already explains these
        yield from _problem(str(column), str(check), group)


def _problem(column: str, check: str, group: pd.DataFrame) -> Iterable[Problem]:
    rows = tuple(sorted({int(i) + 1 for i in group["index"]}))
    values = tuple(str(v) for v in group["failure_case"])
    if check == "multiple_fields_uniqueness":
        if column == COLUMNS[0]:  # reported once per column; keep one
            yield Problem("", "duplicate rows (identical in every column)", rows)
    elif MEASUREMENTS_MISSING_TOGETHER in check or "measurements must be all" in check:
        if column == COLUMNS[0]:
            yield Problem(", ".join(MEASUREMENTS), check, rows)
    elif check.startswith("coerce_dtype"):
        kind = "a number" if "float" in check else "a whole number"
        yield Problem(column, f"must be {kind} ({check})", rows, values)
    elif check.startswith("isin"):
        allowed = ", ".join(CATEGORIES.get(column, ()))
        yield Problem(column, f"unknown value (allowed: {allowed})", rows, values)
    else:
        yield Problem(column, f"rule {check}", rows, values)
