"""A finished build folder replaces the old one whole (the analysis build and the site)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from penguin_site import files


def folder(path: Path, text: str) -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "sub" / "page.html").write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("atomic", [True, False], ids=["exchange", "two renames"])
def test_replace_dir_puts_the_new_folder_in_place_and_leaves_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic: bool
) -> None:
    if not atomic:
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    target = folder(tmp_path / "_site", "old")
    files.replace_dir(folder(tmp_path / "_site.staging", "new"), target)
    assert (target / "sub" / "page.html").read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_replace_dir_without_a_previous_folder(tmp_path: Path) -> None:
    files.replace_dir(folder(tmp_path / "new", "new"), tmp_path / "target")
    assert [p.name for p in tmp_path.iterdir()] == ["target"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_two_folders_are_exchanged_in_one_step(tmp_path: Path) -> None:
    a, b = folder(tmp_path / "a", "a"), folder(tmp_path / "b", "b")
    assert files._exchange(a, b)
    assert (a / "sub" / "page.html").read_text(encoding="utf-8") == "b"
    assert (b / "sub" / "page.html").read_text(encoding="utf-8") == "a"
