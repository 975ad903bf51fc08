"""The committed snapshot is the source's bytes and its description is generated, not typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from penguin_site.analysis import contract, snapshot
from penguin_site.analysis.dataset import DataValidationError, load_data
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from penguin_site.files import read_json
from scripts import snapshot_data

#: The example's snapshot comes from an installed package; a team's data come from its CSV.
pytestmark = pytest.mark.example


def test_snapshot_is_the_packages_csv_unless_a_file_was_accepted() -> None:
    """Once a data team accepts its own file (scripts/accept_data.py) the record says so."""
    if snapshot.from_package(DATAPACKAGE_FILE):
        assert DATA_FILE.read_bytes() == snapshot.source_bytes()
    else:
        sources = read_json(DATAPACKAGE_FILE)["sources"]
        assert any("accepted with scripts/accept_data.py" in s["title"] for s in sources)


def test_regenerating_gives_the_packages_files(tmp_path: Path) -> None:
    data, descriptor = tmp_path / "penguins.csv", tmp_path / "datapackage.json"
    assert snapshot_data.main(["--data-file", str(data), "--datapackage", str(descriptor)]) == 0
    assert data.read_bytes() == snapshot.source_bytes()
    assert snapshot.from_package(descriptor)
    if snapshot.from_package(DATAPACKAGE_FILE):  # the committed files are the package's
        assert data.read_bytes() == DATA_FILE.read_bytes()
        assert descriptor.read_text(encoding="utf-8") == DATAPACKAGE_FILE.read_text(
            encoding="utf-8"
        )


def test_description_holds_what_a_reader_needs() -> None:
    descriptor = json.loads(DATAPACKAGE_FILE.read_text(encoding="utf-8"))
    resource = descriptor["resources"][0]
    assert descriptor["licenses"][0]["name"] == "CC0-1.0"
    assert resource["rows"] == len(load_data(DATA_FILE))
    assert resource["bytes"] == DATA_FILE.stat().st_size
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == list(contract.COLUMNS)
    assert all(f["description"] for f in fields)
    assert {f["name"]: f.get("unit") for f in fields}["body_mass_g"] == "g"
    species = next(f for f in fields if f["name"] == "species")
    assert species["constraints"]["enum"] == list(contract.CATEGORIES["species"])


def test_bad_source_never_replaces_the_snapshot(tmp_path: Path) -> None:
    data, descriptor = tmp_path / "penguins.csv", tmp_path / "datapackage.json"
    data.write_bytes(DATA_FILE.read_bytes())
    bad = DATA_FILE.read_bytes().replace(b"Adelie,Dream", b"Emperor,Dream", 1)
    with pytest.raises(DataValidationError, match="species"):
        snapshot.write_snapshot(data, descriptor, bad)
    assert data.read_bytes() == DATA_FILE.read_bytes()
    assert not descriptor.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["penguins.csv"]


def test_script_reports_a_bad_source_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = DATA_FILE.read_bytes().replace(b"2007\n", b"1907\n", 1)
    monkeypatch.setattr(snapshot, "source_bytes", lambda: bad)
    code = snapshot_data.main(
        ["--data-file", str(tmp_path / "p.csv"), "--datapackage", str(tmp_path / "d.json")]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "nothing was written" in err and "column 'year'" in err
    assert not (tmp_path / "p.csv").exists()
