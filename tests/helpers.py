"""Helpers more than one test module needs, written once.

Tests import this as ``helpers`` (``tests/`` is on ``sys.path`` under pytest); the render
benchmark imports it as ``tests.helpers`` (run from the repository root), so it copies a
project and reads Quarto's log exactly as the render tests do. Nothing here imports
``bench``: tests never depend on the benchmark.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from coloraide import Color

from penguin_site.analysis.contract import CATEGORIES, COLUMNS, NA_TOKEN, RANGES
from penguin_site.checks.budget import PageBudget
from penguin_site.config import ROOT, SEED, TARGET
from penguin_site.study import Study

#: Outputs of a render: never part of a project copy (a benchmark removes them for a cold one).
OUTPUTS = ("_site", "_freeze", "_build", ".quarto")
#: Environments and tool installs: never part of a project copy.
ENVIRONMENTS = (".venv", ".venv-tools", ".tools", "node_modules")
NOT_COPIED = (*ENVIRONMENTS, *OUTPUTS)
#: Quarto's log line for each page it executes (a frozen page prints none).
EXECUTED = re.compile(r"Executing '(\w+)\.quarto_ipynb'")
#: When the one commit of ``one_commit_repo`` is made (author and committer).
COMMIT_DATE = "2021-03-04T05:06:07+00:00"


def copy_tree(source: Path, dest: Path) -> Path:
    """Copy a project into ``dest``: in a git checkout, the files git knows (tracked or new,
    not ignored) and ``.git`` (for provenance); elsewhere every file. Never environments or
    earlier outputs, so a render of the copy starts cold and the working tree is not touched.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        timeout=60,
        check=False,
    )
    names = [n for n in listed.stdout.decode().split("\0") if n] if listed.returncode == 0 else []
    if not names or not (source / ".git").exists():
        shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*NOT_COPIED))
        return dest
    for name in names:
        if (source / name).is_file() and not set(Path(name).parts) & set(NOT_COPIED):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, dest / name)
    if (source / ".git").is_dir():
        shutil.copytree(source / ".git", dest / ".git", symlinks=True)
    else:  # a git worktree: .git is a file naming its git folder, which the copy reads
        shutil.copy2(source / ".git", dest / ".git")
    return dest


def executed_pages(log: str) -> list[str]:
    """The pages a render log says Quarto executed, sorted."""
    return sorted(EXECUTED.findall(log))


def front_matter(page: str | Path) -> dict[str, object]:
    """A ``.qmd`` page's YAML front matter (a relative name is the project's own page)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, f"{page} has no YAML front matter"
    return yaml.safe_load(match.group(1))


def write_files(folder: Path, files: Mapping[str, bytes]) -> Path:
    """``folder`` holding ``{relative path: bytes}``, for hand-made sites."""
    for relpath, content in files.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def git(root: Path, *args: str) -> str:
    """``git args`` in ``root``; its output, stripped."""
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


def one_commit_repo(root: Path) -> Path:
    """``root`` as a git repository holding ``index.qmd`` in one commit made at COMMIT_DATE."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root.mkdir()
    (root / "index.qmd").write_text("---\ntitle: Home\n---\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_DATE": COMMIT_DATE,
    }
    for args in (["init", "-q"], ["add", "index.qmd"], ["commit", "-q", "-m", "first"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, timeout=30)
    return root


def steady_problems(budgets: Sequence[PageBudget]) -> dict[str, list[str]]:
    """Each page's budget problems but performance (PageBudget.steady_problems, why): the
    workflow's budget step enforces performance on the deployed render, with the median of
    BUDGET_RUNS runs."""
    return {budget.page: budget.steady_problems for budget in budgets}


def contrast(one: str, two: str) -> float:
    """WCAG 2.1 contrast ratio of two CSS colours (``#rrggbb``, ``rgb(r, g, b)``...)."""
    return Color(one).contrast(two, method="wcag21")


# --- bigger and reordered copies of the example data (intake tests, bench/bench_intake.py) ---

#: What tells the copies of a bird without measurements apart (its measurements cannot).
VARIED: tuple[str, ...] = ("island", "sex", "year")


def scaled(text: str, times: int) -> str:
    """The snapshot ``times`` over, every row distinct, as a bigger study would have it.

    Copy ``k`` weighs each bird ``k`` g more (still whole grams, still in range). A bird
    without measurements gets, per copy, the next island, sex and year combination; there
    are fewer of those (27) than copies at 100x, so later copies leave such birds out.
    """
    header, *rows = text.rstrip("\n").split("\n")
    target = COLUMNS.index(TARGET)
    varied = [COLUMNS.index(c) for c in VARIED]
    low, high = (int(v) for v in RANGES["year"])
    values = [[*CATEGORIES["island"]], [*CATEGORIES["sex"], NA_TOKEN], range(low, high + 1)]
    combos = [tuple(map(str, c)) for c in itertools.product(*values)]
    out = [header]
    for k in range(times):
        for row in rows:
            cells = row.split(",")
            if cells[target] != NA_TOKEN:
                cells[target] = str(int(cells[target]) + k)
            elif k < len(combos):
                start = combos.index(tuple(cells[c] for c in varied))
                for c, value in zip(varied, combos[(start + k) % len(combos)], strict=True):
                    cells[c] = value
            else:
                continue
            out.append(",".join(cells))
    return "\n".join(out) + "\n"


def reordered(text: str, seed: int = SEED) -> str:
    """The same rows (header first) in a shuffled order, fixed by ``seed``."""
    header, *rows = text.rstrip("\n").split("\n")
    order = np.random.default_rng(seed).permutation(len(rows))
    return "\n".join([header, *(rows[i] for i in order)]) + "\n"


# --- resampled copies of a study's rows (figures at scale, bench/bench_scale.py) -----------

RESAMPLE_SEED = 20_240_607
#: Noise added to each measurement, as a fraction of that column's standard deviation.
NOISE = 0.05


def _decimals(values: pd.Series) -> int:
    """How many decimals the data record for a column (0 for whole numbers)."""
    text = values.dropna().astype(str)
    return int(text.str.partition(".")[2].str.rstrip("0").str.len().max() or 0)


def resample(
    frame: pd.DataFrame, factor: int, schema: dict, seed: int = RESAMPLE_SEED
) -> pd.DataFrame:
    """``factor`` times the rows of ``frame``, drawn with replacement, measurements jittered.

    Noise is ``NOISE`` standard deviations, rounded to the column's recorded decimals and
    kept inside the contract's range, so the resampled data pass the same validation.
    """
    if factor == 1:
        return frame
    rng = np.random.default_rng(seed)
    wanted = len(frame) * factor
    # A few more than wanted: rows without measurements cannot be jittered, and the
    # contract forbids their exact copies (dropped below).
    drawn = rng.integers(0, len(frame), wanted + wanted // 20)
    rows = frame.iloc[drawn].reset_index(drop=True)
    for field in schema["fields"]:
        name = field["name"]
        if field["type"] != "number" or name not in rows:
            continue
        limits = field.get("constraints", {})
        column = rows[name]
        noisy = column + rng.normal(0, NOISE * frame[name].std(), len(column))
        decimals = _decimals(frame[name])
        noisy = noisy.round(decimals).clip(limits.get("minimum"), limits.get("maximum"))
        rows[name] = noisy.astype("Int64") if decimals == 0 else noisy
    return rows.drop_duplicates().head(wanted).reset_index(drop=True)


def readme_section(name: str) -> str:
    """Text between the README's `<!-- SECTION:name -->` markers."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"<!-- SECTION:{name} -->")
    return text[start : text.index(f"<!-- /SECTION:{name} -->", start)]


def foreign_words(words: Iterable[str], study: Study) -> set[str]:
    """Of ``words`` (the shipped study's), those ``study`` does not use itself, even inside a
    phrase: a word of the shipped study on another study's pages is a leak only if it is one of
    these (a team's copy ships a study that may share words with the one a test makes)."""
    target = study.target
    own = {*study.words(), target.short, target.short_plural, study.row_plural}
    phrases = " | ".join(sorted(own)).lower()
    return {w for w in words if w and w.lower() not in phrases}
