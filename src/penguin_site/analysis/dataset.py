"""Load the data snapshot, enforce the data contract, and clean it for modelling.

Loading is where bad input must stop the build, so every failure becomes a
``DataValidationError`` whose message names the file, the column, the rule and
the offending rows: never a traceback from deep inside pandas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.errors as pa_errors

from penguin_site.analysis.contract import (
    CATEGORIES,
    COLUMNS,
    EXAMPLES,
    MISSING_TOGETHER,
    MISSING_TOGETHER_CHECK,
    MISSING_TOGETHER_RULE,
    MISSING_TOKENS,
    NA_TOKEN,
    NUMBER_PATTERNS,
    RANGES,
)
from penguin_site.analysis.schema import SCHEMA
from penguin_site.analysis.wording import join_words
from penguin_site.config import (
    DATA_FILE,
    DATAPACKAGE_FILE,
    FEATURE_SETS,
    MIN_ROWS_PER_GROUP,
    TARGET,
)
from penguin_site.files import sha256_bytes
from penguin_site.study import current

__all__ = [
    "CleanData",
    "DataValidationError",
    "Violation",
    "clean_for_modelling",
    "display_path",
    "expected_sha256",
    "load_data",
    "load_snapshot",
    "modelled_categories",
]


#: Header separators people use by mistake, named in the wrong-delimiter message.
DELIMITER_NAMES = {";": "semicolons", "\t": "tabs", "|": "pipes", ":": "colons"}

#: How many offending rows a message lists before it says "and N more".
MAX_ROWS_SHOWN = 5


@dataclass(frozen=True)
class Violation:
    """One broken rule: which column, which rule, which data rows (1-based) and values.

    ``lines`` are the CSV line numbers of those rows (the header is line 1), counted by
    the CSV reader, so they stay right after blank lines or quoted multi-line fields.
    """

    column: str
    rule: str
    rows: tuple[int, ...] = ()
    lines: tuple[int, ...] = ()
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
            text += f" at row{'s' if len(self.rows) > 1 else ''} {', '.join(map(str, shown))}{more}"
            lines = self.lines[:MAX_ROWS_SHOWN]
            if lines:
                text += f" (CSV line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"
        if self.values:
            text += f"; values: {', '.join(self.values[:MAX_ROWS_SHOWN])}"
        return text


class DataValidationError(ValueError):
    """The data file breaks its contract; the message lists every problem found."""

    def __init__(self, path: Path, problems: Sequence[Violation]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = [f"{display_path(path)}: {p.describe()}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CleanData:
    """Rows used for modelling, and the rows left out with the reason for each."""

    data: pd.DataFrame
    dropped: pd.DataFrame


def expected_sha256(datapackage: Path = DATAPACKAGE_FILE) -> str:
    """The snapshot's recorded sha256, from the Frictionless ``hash`` field ``sha256:<hex>``."""
    rule = "must hold resources[0].hash as 'sha256:<64 hex digits>'"
    try:
        descriptor = json.loads(Path(datapackage).read_text(encoding="utf-8"))
        algorithm, _, digest = str(descriptor["resources"][0]["hash"]).partition(":")
    except FileNotFoundError:
        raise DataValidationError(datapackage, [Violation("", "file not found")]) from None
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        problem = Violation("", f"{rule} (cannot read it: {type(exc).__name__}: {exc})")
        raise DataValidationError(datapackage, [problem]) from None
    if algorithm != "sha256" or len(digest) != 64:
        raise DataValidationError(datapackage, [Violation("", f"{rule}, not {algorithm}:...")])
    return digest


def load_data(path: Path, sha256: str | None = None) -> pd.DataFrame:
    """Read and validate a data CSV; return it with the contract's dtypes.

    ``sha256`` is the checksum the file must have. The committed snapshot is checked
    against ``data/datapackage.json`` (see ``load_snapshot``); other files (tests,
    a new field season) may pass ``None``. The content is validated before the
    checksum so that a broken file gets the specific message, not just "changed".
    """
    path = Path(path)
    data = _read_bytes(path)
    body = _parse_csv(path, _decode_utf8(path, data))
    typed = _validate(path, body)
    if sha256 is not None:
        actual = sha256_bytes(data)
        if actual != sha256:
            raise DataValidationError(
                path,
                [
                    Violation(
                        "",
                        f"checksum mismatch: sha256 is {actual}, expected {sha256} "
                        "(recorded in data/datapackage.json). If the data changed on "
                        "purpose, accept them: .venv/bin/python scripts/accept_data.py "
                        f"{display_path(path)} (it validates the file, shows what changed "
                        "and records it); to restore the original CSV instead, run "
                        "scripts/snapshot_data.py",
                    )
                ],
            )
    return typed


def load_snapshot() -> pd.DataFrame:
    """The committed snapshot, checked against the sha256 recorded in datapackage.json."""
    return load_data(DATA_FILE, expected_sha256(DATAPACKAGE_FILE))


def modelled_categories() -> list[str]:
    """Categorical columns any candidate uses, in order of first use: the modelled groups."""
    return list(dict.fromkeys(c for _, categorical in FEATURE_SETS.values() for c in categorical))


def _modelled_inputs() -> list[str]:
    numeric = (c for numeric, _ in FEATURE_SETS.values() for c in numeric)
    return list(dict.fromkeys([*numeric, *modelled_categories(), TARGET]))


def clean_for_modelling(df: pd.DataFrame, source: Path = DATA_FILE) -> CleanData:
    """Keep rows with every model input; record why each other row was dropped.

    A row missing the columns that go missing together (a row not measured) cannot
    be used at all; a row without a category a model conditions on cannot be used by that
    model. Dropping both everywhere gives every candidate the same rows, so their
    cross-validated scores are comparable. Data too thin to cross-validate (a group of the
    modelled categories with fewer than ``MIN_ROWS_PER_GROUP`` complete rows) stops here
    with a message naming the group, not later inside scikit-learn.
    """
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    for column in reversed(_modelled_inputs()):
        reason[df[column].isna()] = f"{column} not recorded"
    if MISSING_TOGETHER:
        reason[df[list(MISSING_TOGETHER)].isna().all(axis=1)] = "no measurements"
    keep = reason.isna()
    dropped = df.loc[~keep].assign(row=df.index[~keep] + 1, reason=reason[~keep])
    data = df.loc[keep].reset_index(drop=True)
    _check_groups(source, data)
    return CleanData(data=data, dropped=dropped[["row", *COLUMNS, "reason"]])


def _check_groups(source: Path, data: pd.DataFrame) -> None:
    by = modelled_categories()
    if not by:
        return
    counted = data.groupby(by, observed=True).size()
    sizes = {(k if isinstance(k, tuple) else (k,)): int(n) for k, n in counted.items()}
    groups = pd.MultiIndex.from_product([CATEGORIES[c] for c in by]).tolist()
    thin = [
        f"{' '.join(map(str, key))}: {sizes.get(key, 0)}"
        for key in (k if isinstance(k, tuple) else (k,) for k in groups)
        if sizes.get(key, 0) < MIN_ROWS_PER_GROUP
    ]
    if thin:
        study = current()
        nouns = join_words([study.categories[c].noun for c in by])
        needed = join_words(
            ["all measurements"] * bool(MISSING_TOGETHER)
            + [c for c in by if not study.field(c).required]
        )
        rule = (
            f"too few complete rows to model: every {nouns} needs at least "
            f"{MIN_ROWS_PER_GROUP} {study.row_short_plural} with {needed} ({'; '.join(thin)})"
        )
        raise DataValidationError(source, [Violation(", ".join(by), rule)])


def _plain(value: float) -> str:
    """A bound as a person writes it: ``2000`` for 2000.0, ``25.5`` stays."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def display_path(path: Path) -> str:
    """The path as the user would type it: relative when under the working directory."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataValidationError(path, [Violation("", "file not found")])
    data = path.read_bytes()
    if not data.strip():
        raise DataValidationError(
            path, [Violation("", f"file is empty; expected a header line: {','.join(COLUMNS)}")]
        )
    return data


def _decode_utf8(path: Path, data: bytes) -> str:
    """Decode UTF-8, accepting the byte-order mark spreadsheet programs write ("CSV UTF-8")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line_no = data.count(b"\n", 0, exc.start) + 1
        field = data.count(b",", line_start, exc.start)
        column = COLUMNS[field] if field < len(COLUMNS) else f"field {field + 1}"
        raise DataValidationError(
            path,
            [
                Violation(
                    column,
                    f"bytes that are not UTF-8 ({data[exc.start : exc.end]!r}) on CSV line "
                    f"{line_no}, byte offset {exc.start}; save the file as UTF-8",
                )
            ],
        ) from None


@dataclass(frozen=True)
class _Body:
    """Data records and the CSV line each one starts on."""

    records: list[list[str]]
    lines: list[int]

    def lines_of(self, rows: Iterable[int]) -> tuple[int, ...]:
        """CSV line numbers of 1-based data rows."""
        return tuple(self.lines[r - 1] for r in rows)


def _parse_csv(path: Path, text: str) -> _Body:
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    for record in reader:
        if record:  # blank lines carry no data
            records.append(record)
            lines.append(start)
        start = reader.line_num + 1
    header, body = records[0], _Body(records[1:], lines[1:])
    _check_header(path, header)
    if not body.records:
        raise DataValidationError(path, [Violation("", "has a header but no data rows")])
    ragged = tuple(i for i, r in enumerate(body.records, start=1) if len(r) != len(COLUMNS))
    if ragged:
        rule = f"rows must have {len(COLUMNS)} fields (check for stray commas or quotes)"
        raise DataValidationError(path, [Violation("", rule, ragged, body.lines_of(ragged))])
    return body


def _check_header(path: Path, header: list[str]) -> None:
    if len(header) == 1 and len(COLUMNS) > 1:
        seen = [name for d, name in DELIMITER_NAMES.items() if d in header[0]]
        found = f"; it looks separated by {seen[0]}" if seen else ""
        rule = f"the header has one field{found}: expected comma-separated {','.join(COLUMNS)}"
        raise DataValidationError(path, [Violation("", f"wrong delimiter: {rule}")])
    names = [
        name if name.strip() else f"(empty name at field {i})"
        for i, name in enumerate(header, start=1)
    ]
    repeated = [c for c in dict.fromkeys(names) if names.count(c) > 1]
    problems = [Violation(c, "duplicate column") for c in repeated]
    problems += [Violation(c, "missing column") for c in COLUMNS if c not in names]
    problems += [
        Violation(c, f"unknown column (allowed: {', '.join(COLUMNS)})")
        for c in names
        if c not in COLUMNS
    ]
    if not problems and tuple(names) != COLUMNS:
        problems.append(Violation("", f"columns out of order: expected {','.join(COLUMNS)}"))
    if problems:
        raise DataValidationError(path, problems)


def _validate(path: Path, body: _Body) -> pd.DataFrame:
    raw = pd.DataFrame(body.records, columns=list(COLUMNS), dtype=object)
    raw = raw.map(lambda v: None if v in MISSING_TOKENS else v)
    problems, bad_rows = _number_problems(raw, body)
    raw = raw.mask(bad_rows.reindex(columns=raw.columns, fill_value=False))
    try:
        typed = SCHEMA.validate(raw, lazy=True)
    except pa_errors.SchemaErrors as exc:
        skip = set(bad_rows.index[bad_rows.any(axis=1)] + 1)
        problems += list(_problems(exc.failure_cases, body, skip))
        typed = None
    if problems:
        raise DataValidationError(path, problems)
    return typed


def _number_problems(raw: pd.DataFrame, body: _Body) -> tuple[list[Violation], pd.DataFrame]:
    """Numbers must be written plainly (``39.1``, ``2007``): no ``NaN``, ``3_750`` or padding.

    Python's float() accepts all of those; the contract's only missing markers are
    ``NA`` and the empty field, so anything else is a mistake worth naming. Returns the
    problems and a mask of the offending cells (blanked before the schema runs, so one
    bad cell is reported once).
    """
    problems: list[Violation] = []
    bad = pd.DataFrame(False, index=raw.index, columns=list(NUMBER_PATTERNS))
    for column, pattern in NUMBER_PATTERNS.items():
        values = raw[column]
        bad[column] = values.notna() & ~values.astype("string").str.fullmatch(pattern).fillna(True)
        if bad[column].any():
            rows = tuple(int(i) + 1 for i in raw.index[bad[column]])
            whole = "whole " if current().field(column).type == "integer" else ""
            kind = f"a {whole}number like {EXAMPLES[column]}"
            problems.append(
                Violation(
                    column,
                    f"must be {kind} (missing values: {NA_TOKEN} or empty)",
                    rows,
                    body.lines_of(rows),
                    tuple(repr(v) for v in values[bad[column]]),
                )
            )
    return problems, bad


def _problems(failures: pd.DataFrame, body: _Body, skip: set[int]) -> Iterable[Violation]:
    """Turn pandera's failure-case table into one Violation per (column, rule).

    Rows in ``skip`` already have a number problem; their knock-on failures are dropped.
    """
    failures = failures[failures["index"].notna()]
    failures = failures[~(failures["index"].astype(int) + 1).isin(skip)]
    coerce_failed = set(failures.loc[failures["check"].str.startswith("coerce_dtype"), "column"])
    for (column, check), group in failures.groupby(["column", "check"], sort=False, dropna=False):
        if column in coerce_failed and not check.startswith("coerce_dtype"):
            continue  # the type error already explains these
        yield from _problem(str(column), str(check), group, body)


def _problem(column: str, check: str, group: pd.DataFrame, body: _Body) -> Iterable[Violation]:
    rows = tuple(sorted({int(i) + 1 for i in group["index"]}))
    lines = body.lines_of(rows)
    values = tuple(repr(v) for v in group["failure_case"])
    if check == "multiple_fields_uniqueness":
        if column == COLUMNS[0]:  # reported once per column; keep one
            yield Violation("", "duplicate rows (identical in every column)", rows, lines)
    elif MISSING_TOGETHER_CHECK in check or MISSING_TOGETHER_RULE in check:
        if column == COLUMNS[0]:
            yield Violation(", ".join(MISSING_TOGETHER), check, rows, lines)
    elif check == "not_nullable" or (
        check.startswith("coerce_dtype") and group["failure_case"].isna().all()
    ):
        yield Violation(column, f"missing value, but {column} is required", rows, lines)
    elif check.startswith("coerce_dtype"):
        kind = "a number" if "float" in check else "a whole number"
        yield Violation(column, f"must be {kind}", rows, lines, values)
    elif check.startswith("isin"):
        allowed = ", ".join(CATEGORIES.get(column, ()))
        yield Violation(column, f"unknown value (allowed: {allowed})", rows, lines, values)
    elif check.startswith("in_range") and column in RANGES:
        low, high = RANGES[column]
        unit = f" {current().field(column).unit}" if current().field(column).unit else ""
        yield Violation(
            column, f"must be between {_plain(low)} and {_plain(high)}{unit}", rows, lines, values
        )
    else:
        yield Violation(column, f"rule {check}", rows, lines, values)
