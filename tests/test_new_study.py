"""scripts/new_study.py turns a tidy CSV into a study the engine analyses, or writes nothing.

Why: a data team's first step is one command. A good CSV (the shop customers of
tests/shop_study.py: 1,200 rows, other names, a target in EUR, a five- and a two-level
category, missing values) must give a study that ``study.load`` accepts and the analysis
runs on in a fresh process; each kind of bad input must exit non-zero with a message
naming the file and the column, and leave the destination exactly as it was.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import contrast, copy_tree, foreign_words
from shop_study import REGIONS, shop_csv
from suite_parts import EXAMPLE_MARK, studies_the_example

from penguin_site.config import ROOT
from penguin_site.site.starter import MIN_TARGET_ROWS, PALETTE, STUDY
from penguin_site.site.starter_pages import EDIT
from penguin_site.study import STUDY_ENV, load
from scripts import new_study as new_study_script


def new_study(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The script's ``main`` run here, from ``cwd``: what the command prints and returns. It
    imports no study, so a subprocess would only add 2 s of start-up per call."""
    out, err = io.StringIO(), io.StringIO()
    argv = [str(arg) for arg in args]
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = new_study_script.main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- a good CSV ----------------------------------------------------------------------------


def test_a_tidy_csv_becomes_a_study(tmp_path: Path) -> None:
    data = shop_csv(tmp_path)
    dest = tmp_path / "project"
    done = new_study(data, "--target", "spend_eur", "--dir", dest, cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    study = load(dest / STUDY)
    assert study.target.column == "spend_eur" and study.target_unit == "EUR"
    assert (study.row_noun, study.row_plural) == ("customer", "customers")
    assert study.row_key == ("customer_id",)  # a different whole number in every row
    assert set(study.describe_by) == {"region", "plan"}
    assert (study.colour_by, study.split_by) == ("region", "plan")
    assert [lv.name for lv in study.categories["region"].levels] == list(REGIONS)
    assert study.choose == "lowest_rmse"
    baseline, everything = study.candidates.values()
    assert baseline.categorical == () and set(everything.categorical) == {"region", "plan"}
    assert set(baseline.numeric) == {"income_keur", "visits_per_year"}
    frame = pd.read_csv(data)
    for name in ("income_keur", "spend_eur"):
        field = study.field(name)
        assert field.minimum <= frame[name].min() and field.maximum >= frame[name].max()
        assert field.required is False  # the column has missing values
    assert study.field("region").required and "NA" in study.missing_values
    for name in (study.colour_by, study.split_by):
        for level in study.categories[name].levels:
            for scheme, background in (("light", "#FFFFFF"), ("dark", "#222222")):
                assert contrast(level.colours[scheme], background) >= 3.0, (name, level)
    assert (dest / "data" / data.name).read_bytes() == data.read_bytes()
    package = json.loads((dest / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"][0]["rows"] == len(frame)
    shipped = load(ROOT / STUDY)
    example = {shipped.row_noun, shipped.row_plural, shipped.target.noun, *shipped.columns}
    example = foreign_words(example, study)
    for page in ("index.qmd", "eda.qmd", "model.qmd"):
        text = (dest / page).read_text(encoding="utf-8")
        assert EDIT in text
        assert [w for w in example if re.search(rf"\b{re.escape(w)}\b", text)] == [], page
    model_page = (dest / "model.qmd").read_text(encoding="utf-8")
    assert f"/data/{data.name}" in model_page and "pages.predictor_html(results)" in model_page


@pytest.mark.whole_analysis
def test_the_analysis_runs_on_the_new_study_in_a_fresh_process(tmp_path: Path) -> None:
    data = shop_csv(tmp_path)
    dest = tmp_path / "project"
    assert new_study(data, "--target", "spend_eur", "--dir", dest, cwd=tmp_path).returncode == 0
    study, frame = load(dest / STUDY), pd.read_csv(data)
    build = tmp_path / "build"
    code = (
        "from pathlib import Path\n"
        "from penguin_site.analysis.pipeline import run_analysis\n"
        f"run_analysis(Path({str(build)!r}), Path({str(study.data_file)!r}), "
        f"Path({str(study.datapackage_file)!r}), baseline=None)\n"
    )
    env = {**os.environ, STUDY_ENV: str(dest / STUDY)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600, cwd=tmp_path)
    metrics = json.loads((build / "metrics.json").read_text(encoding="utf-8"))
    rmse = {name: c["rmse"]["mean"] for name, c in metrics["candidates"].items()}
    assert metrics["chosen"] == min(rmse, key=rmse.get)
    assert metrics["data"]["rows"] == len(frame) == 1200
    assert metrics["data"]["dropped_rows"] == frame[["plan", "spend_eur"]].isna().any(axis=1).sum()


def test_existing_files_are_kept_unless_forced(tmp_path: Path) -> None:
    data = shop_csv(tmp_path)
    dest = tmp_path / "project"
    (dest).mkdir()
    (dest / "index.qmd").write_text("my page\n", encoding="utf-8")
    before = listing(dest)
    done = new_study(data, "--target", "spend_eur", "--dir", dest, cwd=tmp_path)
    assert done.returncode != 0 and "--force" in done.stderr and "index.qmd" in done.stderr
    assert listing(dest) == before
    forced = new_study(data, "--target", "spend_eur", "--dir", dest, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (dest / "index.qmd").read_text(encoding="utf-8") != "my page\n"


# --- bad input writes nothing ----------------------------------------------------------------


def _few_rows(folder: Path) -> Path:
    frame = pd.read_csv(shop_csv(folder, "all.csv")).head(MIN_TARGET_ROWS + 5)
    frame.loc[:9, "spend_eur"] = None  # fewer than MIN_TARGET_ROWS values left
    path = folder / "few.csv"
    frame.to_csv(path, index=False, na_rep="NA")
    return path


def _no_feature(folder: Path) -> Path:
    frame = pd.read_csv(shop_csv(folder, "all.csv"))
    path = folder / "categories_only.csv"
    frame[["customer_id", "region", "plan", "spend_eur"]].to_csv(path, index=False, na_rep="NA")
    return path


def _not_csv(folder: Path) -> Path:
    path = folder / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04 not a csv at all \xff\xfe")
    return path


def _binary_csv(folder: Path) -> Path:
    path = folder / "customers.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    return path


BAD_INPUTS = [
    # (id, make the file, target, words the message must hold)
    ("missing-target", shop_csv, "turnover_eur", ["customers.csv", "'turnover_eur'", "columns"]),
    ("text-target", shop_csv, "region", ["customers.csv", "'region'", "not numeric", "row 1"]),
    ("too-few-values", _few_rows, "spend_eur", ["few.csv", "'spend_eur'", "too few", "of 25 rows"]),
    ("no-feature", _no_feature, "spend_eur", ["categories_only.csv", "no usable feature"]),
    ("not-a-csv", _not_csv, "spend_eur", ["customers.xlsx", "not a CSV"]),
    ("not-text", _binary_csv, "spend_eur", ["customers.csv", "not UTF-8"]),
    ("missing-file", lambda f: f / "absent.csv", "spend_eur", ["absent.csv", "no such file"]),
]


@pytest.mark.parametrize(
    ("make", "target", "words"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_named_and_writes_nothing(
    tmp_path: Path, make: object, target: str, words: list[str]
) -> None:
    data = make(tmp_path)  # type: ignore[operator]
    dest = tmp_path / "project"
    dest.mkdir()
    (dest / "keep.txt").write_text("untouched\n", encoding="utf-8")
    before, around = listing(dest), sorted(p.name for p in tmp_path.iterdir())
    done = new_study(data, "--target", target, "--dir", dest, cwd=tmp_path)
    assert done.returncode != 0
    assert "nothing was written" in done.stderr
    for word in words:
        assert word in done.stderr, (word, done.stderr)
    assert "Traceback" not in done.stderr
    assert listing(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == around


@pytest.mark.parametrize("colour", PALETTE)
def test_every_palette_colour_stands_out_of_both_pages(colour: str) -> None:
    assert contrast(colour, "#FFFFFF") >= 3.0 and contrast(colour, "#222222") >= 3.0


# --- a team's copy runs its own suite ------------------------------------------------------

#: Modules whose tests mix the engine's checks with the example's: run in a team's copy.
MIXED_MODULES = ("tests/test_study.py", "tests/test_generic_rooms.py")


def pytest_in(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (STUDY_ENV, "PYTEST_XDIST_WORKER")}
    env["PYTHONPATH"] = os.pathsep.join([str(project / "src"), str(project)])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.example
def test_the_shipped_study_is_the_example_so_no_test_is_left_out() -> None:
    assert studies_the_example(load(ROOT / STUDY))


@pytest.mark.whole_analysis
@pytest.mark.example  # it copies the example to make a team copy
def test_a_team_copy_passes_its_suite_without_the_example_tests(tmp_path: Path) -> None:
    """README, Make it yours: after new_study.py over the example, the copy's own suite passes;
    the tests of the example's numbers and prose are left out, and the summary says how many."""
    marked = pytest_in(ROOT, "--collect-only", "-q", "-m", EXAMPLE_MARK, *MIXED_MODULES)
    counted = re.search(r"(\d+)/\d+ tests collected", marked.stdout)
    assert counted and int(counted.group(1)) > 0, marked.stdout
    example = int(counted.group(1))
    project = copy_tree(ROOT, tmp_path / "project")
    done = new_study(
        shop_csv(tmp_path), "--target", "spend_eur", "--force", "--dir", project, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr

    run = pytest_in(project, *MIXED_MODULES)
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"{example} tests of the shipped example left out" in run.stdout
    assert re.search(rf"\d+ passed, {example} deselected", run.stdout), run.stdout[-500:]
