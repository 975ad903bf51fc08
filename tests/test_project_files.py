"""The promises the project files make to a newcomer: a hashed lock, two commands, one Python."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from penguin_site.analysis.dataset import DataValidationError, load_data
from penguin_site.config import DATA_FILE, QUARTO_VERSION, ROOT

LOCK = ROOT / "requirements.lock"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RENDER_COMMAND = "bash scripts/render_site.sh"
TEST_COMMAND = "bash scripts/run_tests.sh"


def _requirements() -> list[str]:
    """One entry per requirement in the lock: its first line plus continuation lines."""
    entries, current = [], ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith(" ") and current:
            current += line
        else:
            if current:
                entries.append(current)
            current = line
    return [*entries, current] if current else entries


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_lock_pins_every_package_exactly_with_hashes() -> None:
    entries = _requirements()
    assert len(entries) > 50
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9._-]+==[^ ;]+", entry), entry
        assert "--hash=sha256:" in entry, entry


@pytest.mark.parametrize(
    "lock", ["requirements.lock", "requirements-quarto.lock", "tools/requirements-uv.txt"]
)
def test_locks_hold_hashes_and_no_index_or_download_urls(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for forbidden in ("://", "--index-url", "--extra-index-url", "--find-links", "-i "):
        assert forbidden not in body
    assert "--hash=sha256:" in body


@pytest.mark.parametrize(
    "requirement",
    [*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["test"]],
)
def test_every_declared_dependency_is_locked(requirement: str) -> None:
    locked = {_name(e) for e in _requirements()}
    assert _name(requirement) in locked


def test_quarto_cli_is_not_a_test_requirement() -> None:
    # It downloads Quarto from GitHub while installing, which these machines cannot do.
    assert "quarto-cli" not in {_name(e) for e in _requirements()}


def test_python_version_is_one_source_of_truth() -> None:
    version = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
    assert PYPROJECT["project"]["requires-python"] == f">={version},<3.{int(version[2:]) + 1}"
    assert f"Python {version}" in README


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert RENDER_COMMAND in README and TEST_COMMAND in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    # It only installs the shared Quarto and puts it on PATH first; then the test command.
    assert commands[-1] == f"exec {TEST_COMMAND}"
    assert not any("pytest" in c or "ruff" in c for c in commands[:-1])
    assert 'bash "$shared_quarto/install.sh"' in ci and "export QUARTO_PATH=" in ci
    for script in (RENDER_COMMAND, TEST_COMMAND):
        assert (ROOT / script.split()[-1]).is_file()


def test_readme_names_the_pinned_quarto() -> None:
    assert f"Quarto **{QUARTO_VERSION}**" in README


@pytest.mark.example
def test_readme_example_error_is_what_the_loader_prints(tmp_path: Path) -> None:
    """The README quotes a real message: rebuild its case and compare word for word."""
    example = re.search(r"one line per problem, for example:\n\n```\n(.+)\n```", README)
    assert example, "README lost its example error"
    quoted = example.group(1)
    pattern = r"data/penguins\.csv: column '(\w+)': .* at row (\d+) .*values: (\S+)$"
    match = re.match(pattern, quoted)
    assert match, quoted
    column, row, value = match.group(1), int(match.group(2)), match.group(3)
    frame = pd.read_csv(DATA_FILE, dtype=str, keep_default_na=False)
    frame.loc[row - 1, column] = value.removesuffix(".0")
    bad = tmp_path / "data" / "penguins.csv"
    bad.parent.mkdir()
    frame.to_csv(bad, index=False, lineterminator="\n")
    with pytest.raises(DataValidationError) as caught:
        load_data(bad, None)
    assert str(caught.value).replace(str(tmp_path) + "/", "") == quoted
