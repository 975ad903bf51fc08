"""The generic rooms know no study: none of the study's own words appears in them.

Why: a data team swaps the study by editing study.yml and its data package. Any column
name, category level, row noun, target noun or unit written into the engine would be a
place they must edit Python, or a page that silently says the wrong thing. The words are
read from the study in use, so the test holds for whichever study is shipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from penguin_site.config import ROOT
from penguin_site.study import current

PACKAGE = ROOT / "src" / "penguin_site"
ROOMS = ("analysis", "site", "publish", "checks")
#: The one module that reads the study file (it names no study, only the keys).
READER = PACKAGE / "study.py"


def scanned_files() -> list[Path]:
    """Every file of the four rooms, and the shared top-level modules but the reader."""
    files = [p for room in ROOMS for p in sorted((PACKAGE / room).rglob("*")) if p.is_file()]
    files += [p for p in sorted(PACKAGE.glob("*.py")) if p != READER]
    return [p for p in files if "__pycache__" not in p.parts]


def pattern(words: set[str]) -> re.Pattern[str]:
    """Whole words, case-insensitive; a phrase matches across any run of spaces.

    Not inside a longer name (``residual_<unit>``). A one-letter word (a unit such as
    ``g``) is also not matched as a letter of a dotted abbreviation ("e.g."); longer words
    are matched after a dot too (``row.<column>``, ``data/<rows>.csv``).
    """

    def spelled(word: str) -> str:
        return r"\s+".join(map(re.escape, word.split()))

    longer = sorted((spelled(w) for w in words if len(w) > 1), key=len, reverse=True)
    letters = sorted(re.escape(w) for w in words if len(w) == 1)
    alternatives = [*longer]
    if letters:
        alternatives.append(rf"(?<![A-Za-z]\.)(?:{'|'.join(letters)})(?!\.[A-Za-z])")
    return re.compile(
        rf"(?<![A-Za-z0-9_])(?:{'|'.join(alternatives)})(?![A-Za-z0-9_])",
        re.I,
    )


def hits(files: list[Path], words: set[str], root: Path = ROOT) -> list[str]:
    """``file:line: 'word': line`` for every study word in ``files``."""
    found = pattern(words)
    out = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in found.finditer(line):
                where = f"{path.relative_to(root)}:{number}"
                out.append(f"{where}: {match.group(0)!r}: {line.strip()}")
    return out


def test_the_study_words_are_read_from_the_study() -> None:
    words = current().words()
    study = current()
    assert study.target.column in words and study.row_noun in words
    assert study.target.noun in words and study.target_unit in words
    assert all(lv.name in words for c in study.categories.values() for lv in c.levels)


def test_the_scan_finds_a_planted_word(tmp_path: Path) -> None:
    """The scan itself can fail: a study word in a file is reported with file and line."""
    study = current()
    planted = tmp_path / "planted.py"
    planted.write_text(
        f'x = 1\nLABEL = "{study.row_plural.upper()}"\nUNIT = "{study.target_unit}"\n',
        encoding="utf-8",
    )
    found = hits([planted], study.words(), root=tmp_path)
    assert [hit.split(": ")[0] for hit in found] == ["planted.py:2", "planted.py:3"]
    quiet = pattern(study.words())
    assert not quiet.search(f"{study.row_noun}_site = 1")  # part of a longer name
    assert not quiet.search(f"residual_{study.target_unit}")
    assert not quiet.search("as in e.g. this")  # "g" of an abbreviation is no unit
    assert quiet.search(f"row.{study.colour_by}")  # an attribute is still a column name
    assert quiet.search(f"data/{study.row_plural}.csv")


def _scanned_params() -> list[object]:
    out = []
    for path in scanned_files():
        name = path.relative_to(ROOT).as_posix()
        out.append(pytest.param(path, id=name))
    return out


@pytest.mark.example
@pytest.mark.parametrize("path", _scanned_params())
def test_no_generic_room_contains_a_study_word(path: Path) -> None:
    found = hits([path], current().words())
    assert found == [], f"{len(found)} study words:\n" + "\n".join(found)
