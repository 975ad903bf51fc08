"""The engine runs a study it has never seen: other columns, units, nouns and levels.

Why: the rooms are generic only if a second study.yml (``PENGUIN_STUDY``) with its own data
package analyses without editing Python. The data are made here: 1,200 rows, a
five-level and a two-level category, missing values, a target in euros, and a model
chosen by lowest cross-validated RMSE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import foreign_words
from shop_study import REGIONS, make_study

from penguin_site.config import ROOT
from penguin_site.study import STUDY_ENV, load


def test_the_second_study_is_valid(tmp_path: Path) -> None:
    study = load(make_study(tmp_path))
    assert study.target_unit == "EUR" and len(study.categories["region"].levels) == 5


@pytest.mark.whole_analysis
def test_the_analysis_runs_on_a_second_study(tmp_path: Path) -> None:
    study_file = make_study(tmp_path / "study")
    build = tmp_path / "build"
    data = tmp_path / "study" / "data" / "shop.csv"
    code = (
        "from pathlib import Path\n"
        "from penguin_site.analysis.pipeline import run_analysis\n"
        f"run_analysis(Path({str(build)!r}), Path({str(data)!r}), None, baseline=None)\n"
    )
    env = {**os.environ, STUDY_ENV: str(study_file)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600, cwd=tmp_path)

    metrics = json.loads((build / "metrics.json").read_text(encoding="utf-8"))
    rmse = {name: c["rmse"]["mean"] for name, c in metrics["candidates"].items()}
    assert metrics["chosen"] == min(rmse, key=rmse.get) == "all"
    assert metrics["data"]["rows"] == 1200 and metrics["data"]["dropped_rows"] == 50
    coefficients = json.loads((build / "coefficients.json").read_text(encoding="utf-8"))
    assert coefficients["unit"] == "EUR" and coefficients["rows"]["plural"] == "customers"
    assert list(coefficients["categorical"]["region"]) == list(REGIONS)
    figures = json.loads((build / "figures.json").read_text(encoding="utf-8"))
    text = " ".join(f["caption"] + f["alt"] for f in figures.values())
    assert "customers" in text and "EUR" in text
    shipped = load(ROOT / "study.yml")
    group = shipped.categories[shipped.colour_by]
    leaked = {shipped.row_noun, shipped.target.noun, *(lv.name for lv in group.levels)}
    assert [w for w in foreign_words(leaked, load(study_file)) if w in text] == []
    assert all((build / f["file"]).is_file() for f in figures.values())


def test_phone_drawings_keep_a_five_level_legend_inside_the_figure(tmp_path: Path) -> None:
    """A narrow drawing's legend sits below the panel; five region names side by side ran
    past the right edge of a phone's drawing (490 of 456 px), so such a legend is stacked."""
    study_file = make_study(tmp_path / "study")
    code = (
        "from pathlib import Path\n"
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "from matplotlib.offsetbox import OffsetBox\n"
        "from penguin_site.analysis import dataset, plots\n"
        "rows = dataset.load_data(Path('study/data/shop.csv'))\n"
        "for look in (look for look in plots.LOOKS if look.narrow):\n"
        "    for make in (plots.plot_target_vs_x, plots.plot_measurement_pairs):\n"
        "        fig = make(rows).draw(look).draw()\n"
        "        canvas = FigureCanvasAgg(fig)\n"
        "        canvas.draw()\n"
        "        boxes = [a for a in fig.artists if isinstance(a, OffsetBox)]\n"
        "        assert boxes, 'no legend'\n"
        "        for box in boxes:\n"
        "            edge = box.get_window_extent(canvas.get_renderer())\n"
        "            print(make.__name__, look.scheme, round(edge.x0), round(edge.x1),\n"
        "                  round(fig.bbox.width))\n"
    )
    env = {**os.environ, STUDY_ENV: str(study_file)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split() for line in done.stdout.splitlines()]
    assert len(lines) == 4, done.stdout
    outside = [line for line in lines if int(line[2]) < 0 or int(line[3]) > int(line[4])]
    assert outside == [], done.stdout
