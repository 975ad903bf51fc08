"""Accepting new data on purpose: validated, diffed, recorded, and the site follows it.

The new file is the committed snapshot as a data team would revise it: two values
corrected in place, two birds removed, three added. Every check runs on copies of the
data files in a tmp folder; the working tree is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from helpers import reordered, scaled

from penguin_site.analysis import intake, pipeline
from penguin_site.analysis.contract import COLUMNS
from penguin_site.analysis.dataset import (
    DataValidationError,
    expected_sha256,
    load_data,
)
from penguin_site.analysis.results import Results, load_results
from penguin_site.analysis.snapshot import from_package
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from penguin_site.files import read_json, sha256_file
from penguin_site.site.facts import key_facts
from scripts import accept_data

#: The revision edits the example's own rows (a team's data are covered by the second study's
#: README flow, tests/site/test_second_study_site.py).
pytestmark = pytest.mark.example

#: Lines of the snapshot (line 1 is the header) and what the revision does to them.
CORRECTED = {
    2: ("Adelie,Torgersen,39.1,", "Adelie,Torgersen,39.3,"),  # data row 1
    155: (",230,5700,male,2007", ",230,5750,male,2007"),  # data row 154, a male Gentoo
}
REMOVED = (6, 345)  # data rows 5 (Adelie) and 344 (the last Chinstrap)
ADDED = {  # inserted after these lines of the snapshot
    156: "Gentoo,Biscoe,49.9,15.8,225,5600,male,2009",
    300: "Chinstrap,Dream,49.0,18.5,195,3800,male,2008",
    345: "Adelie,Dream,38.8,18.2,190,3700,female,2009",
}


def revised(text: str) -> str:
    """The snapshot with CORRECTED, REMOVED and ADDED applied (line numbers of the original)."""
    out = []
    for number, line in enumerate(text.rstrip("\n").split("\n"), start=1):
        if number in CORRECTED:
            old, new = CORRECTED[number]
            assert old in line, (number, line)
            line = line.replace(old, new)
        if number not in REMOVED:
            out.append(line)
        if number in ADDED:
            out.append(ADDED[number])
    return "\n".join(out) + "\n"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of data/ (the CSV and its description) to accept into."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DATA_FILE, folder / DATA_FILE.name)
    shutil.copy(DATAPACKAGE_FILE, folder / DATAPACKAGE_FILE.name)
    return folder


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    path = tmp_path / "season-2010.csv"
    path.write_text(revised(DATA_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def accept(new: Path, folder: Path, *extra: str) -> int:
    return accept_data.main(
        [
            str(new),
            "--data-file",
            str(folder / DATA_FILE.name),
            "--datapackage",
            str(folder / DATAPACKAGE_FILE.name),
            *extra,
        ]
    )


def test_the_diff_aligns_rows_changed_in_place_removed_and_added(new_file: Path) -> None:
    diff = intake.diff_rows(load_data(DATA_FILE), load_data(new_file))
    table = diff.by_group()
    assert table.loc["Adelie"].to_dict() == {"added": 1, "removed": 1, "changed": 1}
    assert table.loc["Gentoo"].to_dict() == {"added": 1, "removed": 0, "changed": 1}
    assert table.loc["Chinstrap"].to_dict() == {"added": 1, "removed": 1, "changed": 0}
    assert table.loc["total"].to_dict() == {"added": 3, "removed": 2, "changed": 2}
    changed = [c for c in diff.changes if c.kind == "changed"]
    assert [c.describe() for c in changed] == [
        "row 1 -> 1 (Adelie): bill_length_mm 39.1 -> 39.3",
        "row 154 -> 153 (Gentoo): body_mass_g 5700 -> 5750",
    ]
    removed = sorted(c.old_row for c in diff.changes if c.kind == "removed")
    assert removed == [line - 1 for line in REMOVED]
    assert (diff.before, diff.after) == (344, 345)


@pytest.mark.whole_analysis
def test_a_valid_file_is_accepted_and_the_site_follows_it(
    new_file: Path,
    data_dir: Path,
    tmp_path: Path,
    results: Results,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data, descriptor = data_dir / DATA_FILE.name, data_dir / DATAPACKAGE_FILE.name
    edited_in_place = data.with_name("edited.csv")
    edited_in_place.write_bytes(new_file.read_bytes())
    # Before: the build refuses the new bytes under the old record, and names the command.
    with pytest.raises(DataValidationError, match=r"scripts/accept_data\.py"):
        load_data(edited_in_place, expected_sha256(descriptor))

    assert accept(new_file, data_dir) == 0
    out = capsys.readouterr().out
    assert "344 -> 345 rows; 3 added, 2 removed, 2 changed" in out
    assert "row 1 -> 1 (Adelie): bill_length_mm 39.1 -> 39.3" in out
    assert f"row {len(load_data(new_file))}: {ADDED[345]}" in out
    assert data.read_bytes() == new_file.read_bytes()
    resource = read_json(descriptor)["resources"][0]
    assert resource["hash"] == f"sha256:{sha256_file(new_file)}"
    assert resource["bytes"] == new_file.stat().st_size
    assert resource["rows"] == 345
    assert not from_package(descriptor)
    assert "accepted with scripts/accept_data.py" in read_json(descriptor)["sources"][1]["title"]
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        [DATA_FILE.name, DATAPACKAGE_FILE.name, edited_in_place.name]
    )

    # The build accepts it (checksum included), and the numbers the pages show follow it.
    build = pipeline.run_analysis(tmp_path / "build", data, descriptor)
    before, after = key_facts(results), key_facts(load_results(build))
    assert after.rows == "345" and before.rows == "344"
    # Three complete birds added, two complete birds removed.
    assert int(after.complete_rows) == int(before.complete_rows) + 1
    assert after.dropped_rows == before.dropped_rows
    assert after.data_sha256 == sha256_file(new_file) != before.data_sha256
    gentoo_males = mean_mass(load_data(new_file), "Gentoo", "male")
    shown = load_results(build).tables["measurement_summary"]
    assert shown_mass(shown) == pytest.approx(gentoo_males)
    assert shown_mass(results.tables["measurement_summary"]) != pytest.approx(gentoo_males)


def mean_mass(frame: pd.DataFrame, species: str, sex: str) -> float:
    birds = frame[(frame["species"] == species) & (frame["sex"] == sex)]
    return float(birds["body_mass_g"].mean())


def shown_mass(summary: pd.DataFrame) -> float:
    row = summary[
        (summary["measurement"] == "body_mass_g")
        & (summary["species"] == "Gentoo")
        & (summary["sex"] == "male")
    ]
    return float(row["mean"].iloc[0])


def test_dry_run_prints_the_diff_and_writes_nothing(
    new_file: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(data_dir)
    assert accept(new_file, data_dir, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "3 added, 2 removed, 2 changed" in out and "nothing was written" in out
    assert files(data_dir) == before


def thin_chinstrap_females(text: str) -> str:
    """Only two Chinstrap females left with sex recorded: too few to cross-validate."""
    lines = text.split("\n")
    females = [
        i for i, line in enumerate(lines) if line.startswith("Chinstrap,") and ",female," in line
    ]
    return "\n".join(line for i, line in enumerate(lines) if i not in females[2:])


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (
            lambda t: t.replace("36.7,19.3,193,3450", "36.7,19.3,193,-3450", 1),
            ["column 'body_mass_g'", "must be between 2000 and 7000 g", "row 5 (CSV line 6)"],
        ),
        (lambda t: t.replace("Gentoo,Biscoe,50,", "Gentoo,Bisco,50,", 1), ["column 'island'"]),
        (thin_chinstrap_females, ["too few complete rows", "Chinstrap female: 2"]),
    ],
    ids=["negative mass", "unknown island", "too few to model"],
)
def test_an_invalid_file_is_refused_and_nothing_changes(
    make: object,
    fragments: list[str],
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(make(DATA_FILE.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    before = files(data_dir)
    assert accept(bad, data_dir) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "bad.csv" in err
    for fragment in fragments:
        assert fragment in err
    assert files(data_dir) == before  # byte-identical, and no temporary file left behind


def test_a_file_edited_in_place_is_diffed_against_its_last_commit(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git = ["git", "-C", str(data_dir), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True, timeout=60)
    subprocess.run([*git, "add", "."], check=True, timeout=60)
    subprocess.run([*git, "commit", "-q", "-m", "data"], check=True, timeout=60)
    data = data_dir / DATA_FILE.name
    data.write_text(revised(data.read_text(encoding="utf-8")), encoding="utf-8")
    assert accept(data, data_dir) == 0
    out = capsys.readouterr().out
    assert "against the committed penguins.csv (git HEAD)" in out
    assert "3 added, 2 removed, 2 changed" in out
    load_data(data, expected_sha256(data_dir / DATAPACKAGE_FILE.name))  # now recorded


def edits(diff: intake.DataDiff) -> list[str]:
    """What each changed row's columns went from and to, without the row numbers."""
    return sorted(c.describe().split(": ", 1)[1] for c in diff.changes if c.kind == "changed")


def test_the_same_rows_in_another_order_are_accepted_as_unchanged(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text(reordered(DATA_FILE.read_text(encoding="utf-8")))
    assert shuffled.read_bytes() != DATA_FILE.read_bytes()
    assert accept(shuffled, data_dir) == 0
    out = capsys.readouterr().out
    assert "344 -> 344 rows; 0 added, 0 removed, 0 changed; the row order changed" in out
    assert "no row was added, removed or changed: the same rows in another order" in out
    # Accepted all the same: the new bytes are the data, and their description records them.
    data, descriptor = data_dir / DATA_FILE.name, data_dir / DATAPACKAGE_FILE.name
    assert data.read_bytes() == shuffled.read_bytes()
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        [DATA_FILE.name, DATAPACKAGE_FILE.name]
    )
    resource = read_json(descriptor)["resources"][0]
    assert resource["hash"] == f"sha256:{sha256_file(shuffled)}" and resource["rows"] == 344
    load_data(data, expected_sha256(descriptor))


def test_the_same_rows_in_the_same_order_say_nothing_about_order() -> None:
    snapshot = load_data(DATA_FILE)
    diff = intake.diff_rows(snapshot, snapshot.copy())
    assert not diff.changes and not diff.reordered
    assert diff.summary() == "344 -> 344 rows; 0 added, 0 removed, 0 changed"


def test_a_reordered_revision_counts_only_the_edits(new_file: Path, tmp_path: Path) -> None:
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text(reordered(new_file.read_text(encoding="utf-8")))
    old, new = load_data(DATA_FILE), load_data(shuffled)
    diff = intake.diff_rows(old, new)
    total = diff.by_group().loc["total"].to_dict()
    assert total == {"added": 3, "removed": 2, "changed": 2} and diff.reordered
    assert edits(diff) == ["bill_length_mm 39.1 -> 39.3", "body_mass_g 5700 -> 5750"]
    assert sorted(c.old_row for c in diff.changes if c.kind == "removed") == [5, 344]
    only_added = tmp_path / "added.csv"
    only_added.write_text("\n".join([",".join(COLUMNS), *ADDED.values()]) + "\n")
    added = intake.diff_rows(old.iloc[:0], load_data(only_added)).changes
    assert {c.new for c in diff.changes if c.kind == "added"} == {c.new for c in added}
    for change in diff.changes:  # the row numbers point at the rows each file holds
        if change.new_row:
            assert change.new == intake_cells(new, change.new_row)
        if change.old_row:
            assert change.old == intake_cells(old, change.old_row)


def intake_cells(frame: pd.DataFrame, row: int) -> tuple[str, ...]:
    """Data row ``row`` (1-based) as the diff writes it, found by diffing it against nothing."""
    (change,) = intake.diff_rows(frame.iloc[:0], frame.iloc[row - 1 : row]).changes
    return change.new


def test_values_are_compared_as_loaded(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    padded = tmp_path / "padded.csv"
    padded.write_text(text.replace("Adelie,Torgersen,39.1,18.7,", "Adelie,Torgersen,39.10,18.70,"))
    assert padded.read_text() != text
    diff = intake.diff_rows(load_data(DATA_FILE), load_data(padded))
    assert not diff.changes and not diff.reordered


def test_copies_of_a_row_count_as_a_multiset() -> None:
    snapshot = load_data(DATA_FILE)
    unmeasured = snapshot.index[snapshot.isna().sum(axis=1) > 1][0]  # NA compares as NA
    extra = snapshot.loc[[0, unmeasured]]
    twice = pd.concat([snapshot, extra, extra.iloc[:1]], ignore_index=True)
    grown = intake.diff_rows(snapshot, twice)
    assert grown.summary() == "344 -> 347 rows; 3 added, 0 removed, 0 changed"
    assert sorted(c.new_row for c in grown.changes) == [345, 346, 347]
    shrunk = intake.diff_rows(twice, snapshot)
    assert shrunk.summary() == "347 -> 344 rows; 0 added, 3 removed, 0 changed"
    # One copy moved to the front is the same multiset in another order.
    moved = pd.concat([extra.iloc[:1], snapshot], ignore_index=True)
    assert intake.diff_rows(pd.concat([snapshot, extra.iloc[:1]]), moved).reordered


def test_a_row_edited_beyond_half_its_columns_is_removed_and_added() -> None:
    snapshot = load_data(DATA_FILE)
    edited = snapshot.copy()
    row = edited.index[edited["sex"].notna()][0]
    columns = [c for c in edited.columns if edited[c].dtype.kind == "f"]  # 4 of 8
    edited.loc[row, columns] = edited.loc[row, columns] + 1
    assert intake.diff_rows(snapshot, edited).summary().endswith("0 added, 0 removed, 1 changed")
    edited.loc[row, "year"] = edited.loc[row, "year"] + 1  # 5 of 8 columns now differ
    assert intake.diff_rows(snapshot, edited).summary().endswith("1 added, 1 removed, 0 changed")
    # A key the study names identifies the row however much of it changed.
    keyed = intake.diff_rows(snapshot, edited, key_columns=("island", "sex"))
    assert keyed.summary().endswith("0 added, 0 removed, 1 changed")


def test_a_ten_times_larger_file_reordered_is_unchanged(tmp_path: Path) -> None:
    """Realistic size: every row distinct (the contract refuses copies), 3,440 of them."""
    current, shuffled = tmp_path / "current.csv", tmp_path / "shuffled.csv"
    current.write_text(scaled(DATA_FILE.read_text(encoding="utf-8"), 10))
    shuffled.write_text(reordered(current.read_text()))
    old, new = load_data(current), load_data(shuffled)
    assert len(old) == 10 * len(load_data(DATA_FILE))
    diff = intake.diff_rows(old, new)
    assert (
        diff.summary() == "3440 -> 3440 rows; 0 added, 0 removed, 0 changed; the row order changed"
    )
    revised_rows = new.drop(index=[0, 1]).reset_index(drop=True)
    revised_rows.loc[5, "bill_depth_mm"] += 0.1
    assert intake.diff_rows(old, revised_rows).summary() == (
        "3440 -> 3438 rows; 0 added, 2 removed, 1 changed; the row order changed"
    )
