"""The data contract at the door: bad input gets a message naming file, column and rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from penguin_site.analysis import dataset
from penguin_site.analysis.dataset import DataValidationError, Violation
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE, MEASUREMENTS
from penguin_site.files import sha256_file


def _replace_field(text: str, line: int, column: int, value: str) -> str:
    """Set one CSV field (line 1 is the header; columns are 0-based)."""
    lines = text.split("\n")
    fields = lines[line - 1].split(",")
    fields[column] = value
    lines[line - 1] = ",".join(fields)
    return "\n".join(lines)


def _header_only(text: str) -> str:
    return text.split("\n")[0] + "\n"


def _drop_column(text: str, column: int) -> str:
    return "\n".join(
        ",".join(f for i, f in enumerate(line.split(",")) if i != column) if line else line
        for line in text.split("\n")
    )


def _add_column(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(
        (line + (",colour" if i == 0 else ",blue")) if line else line
        for i, line in enumerate(lines)
    )


def _duplicate_line(text: str, line: int) -> str:
    lines = text.rstrip("\n").split("\n")
    return "\n".join([*lines, lines[line - 1]]) + "\n"


def _mutate_bytes(text: str) -> bytes:
    # Latin-1 "é" (0xE9) inside the island field of the third data row.
    return text.encode().replace(b"Adelie,Torgersen,40.3", b"Adelie,Torg\xe9rsen,40.3", 1)


# Each case: (id, how to make the file from the snapshot text, fragments the message must hold).
# Columns: species 0, island 1, bill_length 2, bill_depth 3, flipper 4, mass 5, sex 6, year 7.
BAD_INPUTS: list[tuple[str, Callable[[str], str | bytes], list[str]]] = [
    ("empty file", lambda t: "", ["file is empty"]),
    ("blank lines only", lambda t: "\n\n", ["file is empty"]),
    ("header only", _header_only, ["has a header but no data rows"]),
    ("missing column", lambda t: _drop_column(t, 5), ["column 'body_mass_g': missing column"]),
    ("unknown extra column", _add_column, ["column 'colour': unknown column"]),
    (
        "text in a numeric column",
        lambda t: _replace_field(t, 3, 2, "forty"),
        ["column 'bill_length_mm'", "must be a number", "row 2 (CSV line 3)", "values: 'forty'"],
    ),
    (
        "negative mass",
        lambda t: _replace_field(t, 6, 5, "-3650"),
        ["column 'body_mass_g'", "must be between 2000 and 7000 g", "row 5 (CSV line 6)", "-3650"],
    ),
    (
        "0 mm bill",
        lambda t: _replace_field(t, 2, 2, "0"),
        ["column 'bill_length_mm'", "must be between 25 and 70 mm", "row 1 (CSV line 2)"],
    ),
    (
        "mass in kilograms",
        lambda t: _replace_field(_replace_field(t, 2, 5, "3.75"), 3, 5, "3.8"),
        ["column 'body_mass_g'", "rows 1, 2 (CSV lines 2, 3)"],
    ),
    (
        "unknown species",
        lambda t: _replace_field(t, 4, 0, "Emperor"),
        [
            "column 'species'",
            "unknown value (allowed: Adelie, Chinstrap, Gentoo)",
            "row 3",
            "Emperor",
        ],
    ),
    (
        "unknown island",
        lambda t: _replace_field(t, 4, 1, "Anvers"),
        ["column 'island'", "unknown value", "row 3", "Anvers"],
    ),
    (
        "unknown sex",
        lambda t: _replace_field(t, 2, 6, "MALE"),
        ["column 'sex'", "unknown value (allowed: female, male)", "row 1", "MALE"],
    ),
    (
        "year outside the study",
        lambda t: _replace_field(t, 2, 7, "2019"),
        ["column 'year'", "must be between 2007 and 2009", "row 1"],
    ),
    (
        "year not a whole number",
        lambda t: _replace_field(t, 2, 7, "2007.5"),
        ["column 'year'", "must be a whole number", "row 1"],
    ),
    (
        "duplicate rows",
        lambda t: _duplicate_line(t, 2),
        ["duplicate rows", "rows 1, 345 (CSV lines 2, 346)"],
    ),
    (
        "measurements partly missing",
        lambda t: _replace_field(t, 2, 3, "NA"),
        ["columns bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g", "row 1"],
    ),
    (
        "wrong delimiter (semicolons)",
        lambda t: t.replace(",", ";"),
        ["wrong delimiter", "semicolons"],
    ),
    ("wrong delimiter (tabs)", lambda t: t.replace(",", "\t"), ["wrong delimiter", "tabs"]),
    (
        "row with too many fields",
        lambda t: _replace_field(t, 4, 7, "2007,extra"),
        ["rows must have 8 fields", "row 3 (CSV line 4)"],
    ),
    (
        "NaN written for a missing value",
        lambda t: _replace_field(t, 2, 3, "NaN"),
        [
            "column 'bill_depth_mm'",
            "must be a number like 18.7 (missing values: NA or empty)",
            "row 1 (CSV line 2)",
            "'NaN'",
        ],
    ),
    (
        "words for a whole-millimetre measurement",
        lambda t: _replace_field(t, 2, 4, "one hundred"),
        ["column 'flipper_length_mm'", "must be a number like 181 (", "'one hundred'"],
    ),
    (
        "digits grouped with an underscore",
        lambda t: _replace_field(t, 2, 5, "3_750"),
        ["column 'body_mass_g'", "must be a number", "'3_750'"],
    ),
    (
        "number padded with spaces",
        lambda t: _replace_field(t, 2, 7, " 2007"),
        ["column 'year'", "must be a whole number like 2007", "' 2007'"],
    ),
    (
        "category with a trailing space",
        lambda t: _replace_field(t, 2, 6, "male "),
        ["column 'sex'", "unknown value", "'male '"],
    ),
    (
        "required value missing",
        lambda t: _replace_field(t, 2, 7, "NA"),
        ["column 'year': missing value, but year is required", "row 1 (CSV line 2)"],
    ),
    (
        "line numbers after a blank line",
        lambda t: _replace_field(t.replace("\n", "\n\n", 2), 6, 0, "Emperor"),
        ["column 'species'", "row 3 (CSV line 6)"],
    ),
    (
        "line numbers after a quoted field spanning lines",
        lambda t: _replace_field(_replace_field(t, 2, 1, '"Torger\nsen"'), 6, 5, "-1"),
        ["column 'island'", "'Torger\\nsen'", "column 'body_mass_g'", "row 4 (CSV line 6)"],
    ),
    (
        "duplicate column",
        lambda t: _add_column(t).replace("colour", "year", 1).replace(",blue", ",2007"),
        ["column 'year': duplicate column"],
    ),
    (
        "unnamed column",
        lambda t: _add_column(t).replace(",colour", ",", 1),
        ["column '(empty name at field 9)': unknown column"],
    ),
    ("wrong delimiter (pipes)", lambda t: t.replace(",", "|"), ["wrong delimiter", "pipes"]),
    (
        "bytes that are not UTF-8",
        _mutate_bytes,
        ["column 'island'", "not UTF-8", "CSV line 4"],
    ),
]


@pytest.mark.example
@pytest.mark.parametrize(
    ("make", "fragments"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_named(
    tmp_path: Path,
    snapshot_text: str,
    make: Callable[[str], str | bytes],
    fragments: list[str],
) -> None:
    path = tmp_path / "bad.csv"
    content = make(snapshot_text)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(DataValidationError) as caught:
        dataset.load_data(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(DataValidationError, match=r"nope\.csv: file not found"):
        dataset.load_data(path)


@pytest.mark.example
def test_checksum_mismatch_is_named(tmp_path: Path, snapshot_text: str) -> None:
    path = tmp_path / "penguins.csv"
    path.write_text(_replace_field(snapshot_text, 2, 5, "3751"), encoding="utf-8")
    expected = dataset.expected_sha256(DATAPACKAGE_FILE)
    with pytest.raises(DataValidationError) as caught:
        dataset.load_data(path, expected)
    message = str(caught.value)
    assert "checksum mismatch" in message
    assert expected in message
    assert sha256_file(path) in message
    assert f"scripts/accept_data.py {path}" in message  # the way to accept it on purpose


@pytest.mark.example
def test_every_problem_is_reported_at_once(tmp_path: Path, snapshot_text: str) -> None:
    text = _replace_field(_replace_field(snapshot_text, 2, 0, "Emperor"), 3, 5, "-1")
    path = tmp_path / "two.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        dataset.load_data(path)
    assert {p.column for p in caught.value.problems} == {"species", "body_mass_g"}


def test_long_row_lists_are_shortened() -> None:
    problem = Violation(
        "sex", "unknown value", tuple(range(1, 12)), tuple(range(2, 13)), ("x",) * 11
    )
    text = problem.describe()
    assert "rows 1, 2, 3, 4, 5 and 6 more" in text
    assert "CSV lines 2, 3, 4, 5, 6" in text


@pytest.mark.example
def test_snapshot_loads_with_contract_dtypes(penguins: pd.DataFrame) -> None:
    assert penguins.shape == (344, 8)
    for column in MEASUREMENTS:
        assert penguins[column].dtype == "float64"
    assert penguins["year"].dtype == "int64"


def test_snapshot_matches_recorded_checksum() -> None:
    assert sha256_file(DATA_FILE) == dataset.expected_sha256(DATAPACKAGE_FILE)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "datapackage.json: file not found"),
        ("{}", "KeyError"),
        ("not json", "JSONDecodeError"),
        ('{"resources": [{"hash": "md5:abc"}]}', "not md5:"),
        ('{"resources": [{"hash": "sha256:abc"}]}', "64 hex digits"),
    ],
    ids=["missing", "no resources", "not JSON", "md5", "short digest"],
)
def test_bad_datapackage_is_named(tmp_path: Path, content: str | None, fragment: str) -> None:
    descriptor = tmp_path / "datapackage.json"
    if content is not None:
        descriptor.write_text(content, encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        dataset.expected_sha256(descriptor)
    assert str(descriptor) in str(caught.value) and fragment in str(caught.value)


@pytest.mark.example
def test_cleaning_keeps_complete_rows_and_says_why_others_go(
    penguins: pd.DataFrame, clean: dataset.CleanData
) -> None:
    assert len(clean.data) == 333
    assert not clean.data[[*MEASUREMENTS, "sex"]].isna().any().any()
    assert len(clean.data) + len(clean.dropped) == len(penguins)
    assert clean.dropped["reason"].value_counts().to_dict() == {
        "sex not recorded": 9,
        "no measurements": 2,
    }
    # Row numbers point back at the snapshot (1-based data rows): the first dropped
    # bird (row 4) is the one with no measurements at all.
    first = clean.dropped.iloc[0]
    assert first["reason"] == "no measurements"
    assert penguins.iloc[first["row"] - 1][list(MEASUREMENTS)].isna().all()


@pytest.mark.example
def test_byte_order_mark_is_accepted(tmp_path: Path, snapshot_text: str) -> None:
    # Spreadsheet programs save "CSV UTF-8" with a BOM; the header must still be read.
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + snapshot_text.encode())
    assert len(dataset.load_data(path)) == 344


@pytest.mark.example
@pytest.mark.parametrize(
    ("keep", "named"),
    [
        (lambda df: df.head(12), "Chinstrap female: 0"),
        (lambda df: df.assign(sex=pd.NA), "Adelie female: 0"),
        (lambda df: df[df["species"] != "Gentoo"], "Gentoo male: 0"),
    ],
    ids=["twelve rows", "sex never recorded", "no Gentoo"],
)
def test_data_too_thin_to_model_is_named(penguins: pd.DataFrame, keep, named: str) -> None:
    with pytest.raises(DataValidationError) as caught:
        dataset.clean_for_modelling(keep(penguins).reset_index(drop=True))
    message = str(caught.value)
    assert "too few complete rows to model" in message and named in message
    assert str(DATA_FILE.name) in message
