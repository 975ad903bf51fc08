"""study.yml and its data package are read, checked, and refused with the file and the key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from penguin_site import study
from penguin_site.analysis import contract
from penguin_site.config import DATAPACKAGE_FILE, ROOT


def copy_study(tmp_path: Path) -> Path:
    """The shipped study and its data package, copied where a test may break them."""
    (tmp_path / "data").mkdir()
    shutil.copy(DATAPACKAGE_FILE, tmp_path / "data" / "datapackage.json")
    return Path(shutil.copy(ROOT / "study.yml", tmp_path / "study.yml"))


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


@pytest.mark.example
def test_the_shipped_study_is_the_one_in_use_and_matches_its_contract() -> None:
    current = study.current()
    assert current.path == ROOT / "study.yml"
    assert current.target.column in current.measurements
    assert current.choose in current.candidates
    assert current.columns == contract.COLUMNS
    assert current is study.current()  # read once


def test_the_contract_is_the_data_packages_table_schema() -> None:
    fields = json.loads(DATAPACKAGE_FILE.read_text(encoding="utf-8"))["resources"][0]["schema"]
    for field in fields["fields"]:
        constraints = field.get("constraints", {})
        name = field["name"]
        assert (name in contract.NULLABLE) == (not constraints.get("required", False))
        if "enum" in constraints:
            assert list(contract.CATEGORIES[name]) == constraints["enum"]
        if "minimum" in constraints:
            assert contract.RANGES[name] == (constraints["minimum"], constraints["maximum"])
    assert list(contract.MISSING_TOKENS) == fields["missingValues"]


def test_the_environment_variable_names_another_study(tmp_path: Path) -> None:
    path = copy_study(tmp_path)
    edit(path, lambda d: d.update(title="Another study"))
    assert study.study_file({study.STUDY_ENV: str(path)}) == path.resolve()
    assert study.load(path).title == "Another study"
    assert study.study_file({}) == study.STUDY_FILE


@pytest.mark.example
@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda d: d.pop("target"), "target.column", "missing"),
        (lambda d: d["target"].update(column="height_cm"), "target.column", "not a column"),
        (lambda d: d["target"].update(column="species"), "target.column", "must be a number"),
        (lambda d: d["model"].update(choose="best"), "model.choose", "neither a candidate"),
        (
            lambda d: d["candidates"]["bill"].update(numeric=["wingspan"]),
            "candidates.bill.numeric",
            "not a column",
        ),
        (lambda d: d.update(cross_tab=["species"]), "cross_tab", "two columns"),
        (lambda d: d["units"].pop("mm"), "units", "no entry for unit"),
        (
            lambda d: d["categories"]["species"]["levels"]["Gentoo"].pop("dark"),
            "categories.species.levels",
            "light and a dark colour (missing for Gentoo)",
        ),
    ],
)
def test_a_broken_study_names_the_file_and_the_key(
    tmp_path: Path, change, key: str, words: str
) -> None:
    path = copy_study(tmp_path)
    edit(path, change)
    with pytest.raises(study.StudyError) as caught:
        study.load(path)
    assert caught.value.key == key
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_a_broken_data_package_names_itself(tmp_path: Path) -> None:
    path = copy_study(tmp_path)
    package = tmp_path / "data" / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"]["fields"][0]["type"] = "date"
    package.write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(study.StudyError, match=r"datapackage\.json.*fields\[0\]\.type"):
        study.load(path)


def test_a_missing_study_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(study.StudyError, match="study file not found"):
        study.load(tmp_path / "nowhere.yml")


def test_editing_the_study_file_makes_the_analysis_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from penguin_site.analysis.digest import analysis_digest

    path = copy_study(tmp_path)
    monkeypatch.setenv(study.STUDY_ENV, str(path))
    before = analysis_digest()
    edit(path, lambda d: d["target"].update(higher="more massive"))
    assert analysis_digest() != before
