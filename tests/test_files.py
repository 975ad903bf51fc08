"""A finished build folder replaces the old one whole (the analysis build and the site)."""

from __future__ import annotations

from pathlib import Path

from penguin_site import files


def folder(path: Path, text: str) -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "sub" / "page.html").write_text(text, encoding="utf-8")
    return path


def test_replace_dir_puts_the_new_folder_in_place_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = folder(tmp_path / "_site", "old")
    files.replace_dir(folder(tmp_path / "_site.staging", "new"), target)
    assert (target / "sub" / "page.html").read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_replace_dir_without_a_previous_folder(tmp_path: Path) -> None:
    files.replace_dir(folder(tmp_path / "new", "new"), tmp_path / "target")
    assert [p.name for p in tmp_path.iterdir()] == ["target"]
