"""The committed snapshot is the source's bytes and its description is generated, not typed."""

from __future__ import annotations

import json
from pathlib import Path

from penguin_site import schema, snapshot
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from penguin_site.dataset import load_penguins
from scripts import snapshot_data


def test_snapshot_is_the_packages_csv() -> None:
    assert DATA_FILE.read_bytes() == snapshot.source_bytes()


def test_regenerating_gives_the_committed_files(tmp_path: Path) -> None:
    data, descriptor = tmp_path / "penguins.csv", tmp_path / "datapackage.json"
    assert snapshot_data.main(["--data-file", str(data), "--datapackage", str(descriptor)]) == 0
    assert data.read_bytes() == DATA_FILE.read_bytes()
    assert descriptor.read_text(encoding="utf-8") == DATAPACKAGE_FILE.read_text(encoding="utf-8")


def test_description_holds_what_a_reader_needs() -> None:
    descriptor = json.loads(DATAPACKAGE_FILE.read_text(encoding="utf-8"))
    resource = descriptor["resources"][0]
    assert descriptor["licenses"][0]["name"] == "CC0-1.0"
    assert resource["rows"] == len(load_penguins(DATA_FILE)) == 344
    assert resource["bytes"] == DATA_FILE.stat().st_size
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == list(schema.COLUMNS)
    assert all(f["description"] for f in fields)
    assert {f["name"]: f.get("unit") for f in fields}["body_mass_g"] == "g"
    species = next(f for f in fields if f["name"] == "species")
    assert species["constraints"]["enum"] == list(schema.CATEGORIES["species"])
