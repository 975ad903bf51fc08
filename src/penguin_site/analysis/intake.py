"""Accept a new data file on purpose: validate it, show what changed, record it.

Why: a data team updates its data. The build refuses a ``data/penguins.csv`` whose sha256
is not the one ``data/datapackage.json`` records (an accidental edit must not reach the
site), so a deliberate update goes through here: the new file meets the contract with
the build's own messages (``dataset``), the diff against the current file is printed,
and only then are the file and its description written, both or neither (``snapshot``).

Row identity. The CSV has no id column, so rows are matched by position in an
alignment: the longest runs of identical rows are matched first (``difflib``), and
between them an unmatched old row and an unmatched new row are *the same bird, changed*
when at least half of their columns are equal; otherwise the old row was removed and
the new one added. So a value corrected in place is one changed row, not a removal
plus an addition, and inserting or deleting rows does not shift every row after them.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from penguin_site.analysis.contract import CATEGORIES, COLUMNS, NA_TOKEN
from penguin_site.analysis.dataset import (
    DataValidationError,
    clean_for_modelling,
    display_path,
    load_penguins,
)
from penguin_site.analysis.snapshot import accepted_file, write_snapshot
from penguin_site.clock import git_output
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from penguin_site.files import sha256_bytes

__all__ = ["DataDiff", "Intake", "RowChange", "accept", "diff_rows"]

Kind = Literal["added", "removed", "changed"]
KINDS: tuple[Kind, ...] = ("added", "removed", "changed")
Cells = tuple[str, ...]

#: How many rows of each kind the printed diff lists before it says "and N more".
MAX_LISTED = 20
#: An old and a new row are one bird changed when at least this share of columns agree.
SAME_BIRD_SHARE = 0.5


@dataclass(frozen=True)
class RowChange:
    """One row added, removed or changed; rows are 1-based data rows (header excluded)."""

    kind: Kind
    species: str  # the new row's, except for a removed row
    old_row: int | None = None
    new_row: int | None = None
    old: Cells = ()
    new: Cells = ()

    def describe(self) -> str:
        """One line: where the row is and what it holds, or which columns changed how."""
        if self.kind == "changed":
            edits = [
                f"{column} {before} -> {after}"
                for column, before, after in zip(COLUMNS, self.old, self.new, strict=True)
                if before != after
            ]
            return f"row {self.old_row} -> {self.new_row} ({self.species}): {'; '.join(edits)}"
        row = self.new_row if self.kind == "added" else self.old_row
        return f"row {row}: {','.join(self.new or self.old)}"


@dataclass(frozen=True)
class DataDiff:
    """What changed between two tables of the contract, row by row (see the module doc)."""

    before: int
    after: int
    changes: tuple[RowChange, ...]
    species: tuple[str, ...] = field(default=CATEGORIES["species"])

    def count(self, kind: Kind) -> int:
        return sum(change.kind == kind for change in self.changes)

    def by_species(self) -> pd.DataFrame:
        """Rows added, removed and changed for each species, and a total row."""
        counts = pd.DataFrame(0, index=list(self.species), columns=list(KINDS))
        for change in self.changes:
            counts.loc[change.species, change.kind] += 1
        counts.loc["total"] = counts.sum()
        return counts

    def lines(self) -> Iterator[str]:
        """The diff as a person reads it: a table by species, then the rows themselves."""
        if not self.changes:
            yield "no row was added, removed or changed"
            return
        table = self.by_species()
        width = max(len(name) for name in table.index)
        yield f"{'species':<{width}}  " + "  ".join(f"{k:>7}" for k in KINDS)
        for name, row in table.iterrows():
            yield f"{name:<{width}}  " + "  ".join(f"{row[k]:>7}" for k in KINDS)
        for kind in KINDS:
            rows = [c for c in self.changes if c.kind == kind]
            if rows:
                yield f"{kind} ({len(rows)}):"
                yield from (f"  {c.describe()}" for c in rows[:MAX_LISTED])
                if len(rows) > MAX_LISTED:
                    yield f"  and {len(rows) - MAX_LISTED} more"


@dataclass(frozen=True)
class Intake:
    """What ``accept`` found and did."""

    new_file: Path
    compared_with: str  # what the diff is against, in words
    diff: DataDiff
    rows: int
    bytes: int
    sha256: str
    written: bool


def diff_rows(old: pd.DataFrame, new: pd.DataFrame) -> DataDiff:
    """Rows added, removed and changed from ``old`` to ``new`` (validated tables)."""
    before, after = _cells(old), _cells(new)
    changes: list[RowChange] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changes += _align(before, after, range(i1, i2), range(j1, j2))
    return DataDiff(len(before), len(after), tuple(changes))


def accept(
    new_file: Path,
    data_file: Path = DATA_FILE,
    datapackage: Path = DATAPACKAGE_FILE,
    *,
    dry_run: bool = False,
) -> Intake:
    """Validate ``new_file``, diff it against the current data, and record it unless ``dry_run``.

    Raises ``DataValidationError`` (naming ``new_file``, the column and the rows) when
    it breaks the contract or leaves a species-sex group too thin to model: exactly
    what the build would stop on. Nothing is written then.
    """
    new_file = Path(new_file)
    data = new_file.read_bytes() if new_file.is_file() else b""
    new = load_penguins(new_file)
    clean_for_modelling(new, new_file)
    old, compared_with = _current(new_file, data_file)
    diff = diff_rows(old, new)
    if not dry_run:
        write_snapshot(data_file, datapackage, data, accepted_file(new_file.name))
    return Intake(
        new_file=new_file,
        compared_with=compared_with,
        diff=diff,
        rows=len(new),
        bytes=len(data),
        sha256=sha256_bytes(data),
        written=not dry_run,
    )


def _cells(frame: pd.DataFrame) -> list[Cells]:
    """Each row as text (``NA`` for missing), so equal values compare equal however written."""
    text = frame[list(COLUMNS)].astype(object).where(frame[list(COLUMNS)].notna(), NA_TOKEN)
    return [tuple(map(_text, row)) for row in text.itertuples(index=False)]


def _text(value: object) -> str:
    """A value as the CSV writes it: ``5700``, not ``5700.0``; ``39.1``."""
    return format(value, ".15g") if isinstance(value, float) else str(value)


def _same_bird(old: Cells, new: Cells) -> bool:
    equal = sum(a == b for a, b in zip(old, new, strict=True))
    return equal >= SAME_BIRD_SHARE * len(COLUMNS)


def _align(
    before: Sequence[Cells], after: Sequence[Cells], olds: range, news: range
) -> list[RowChange]:
    """Align one stretch of unmatched rows: fewest edits, a change costing less than two.

    A small edit-distance table: removing or adding a row costs 1, pairing an old row
    with a new one as "changed" costs 1 and is allowed only for the same bird.
    """
    n, m = len(olds), len(news)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                cost[i][j] = i + j
                continue
            best = min(cost[i - 1][j], cost[i][j - 1]) + 1
            if _same_bird(before[olds[i - 1]], after[news[j - 1]]):
                best = min(best, cost[i - 1][j - 1] + 1)
            cost[i][j] = best
    changes: list[RowChange] = []
    i, j = n, m
    while i or j:
        old = before[olds[i - 1]] if i else ()
        new = after[news[j - 1]] if j else ()
        if i and j and _same_bird(old, new) and cost[i][j] == cost[i - 1][j - 1] + 1:
            changes.append(RowChange("changed", new[0], olds[i - 1] + 1, news[j - 1] + 1, old, new))
            i, j = i - 1, j - 1
        elif j and cost[i][j] == cost[i][j - 1] + 1:
            changes.append(RowChange("added", new[0], new_row=news[j - 1] + 1, new=new))
            j -= 1
        else:
            changes.append(RowChange("removed", old[0], old_row=olds[i - 1] + 1, old=old))
            i -= 1
    return changes[::-1]


def _current(new_file: Path, data_file: Path) -> tuple[pd.DataFrame, str]:
    """The data the new file replaces, and how to name it.

    Usually ``data_file`` as it is. When the author edited ``data_file`` itself and
    accepts it in place, the current data are its last committed version (git).
    """
    empty = pd.DataFrame(columns=list(COLUMNS))
    shown = display_path(data_file)
    if not data_file.is_file():
        return empty, f"nothing ({shown} does not exist yet)"
    if new_file.resolve() != data_file.resolve():
        return _loaded(data_file, shown)
    committed = _committed_text(data_file)
    if committed is None:
        return empty, f"nothing (no committed version of {shown} to compare with)"
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / data_file.name
        copy.write_text(committed + "\n", encoding="utf-8")
        return _loaded(copy, f"the committed {data_file.name} (git HEAD)")


def _loaded(path: Path, label: str) -> tuple[pd.DataFrame, str]:
    try:
        return load_penguins(path), label
    except DataValidationError as exc:  # the current file itself is broken: diff against none
        return pd.DataFrame(columns=list(COLUMNS)), f"nothing ({label} is not valid: {exc})"


def _committed_text(data_file: Path) -> str | None:
    """The file as the last commit of the repository it lives in holds it; None outside git."""
    return git_output(data_file.resolve().parent, "show", f"HEAD:./{data_file.name}")
