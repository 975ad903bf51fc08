"""Benchmark: our full renders against a bare Quarto site's, measured in the same run.

Prints, as medians over ``--runs`` rounds that alternate the two sites:

- cold full render (``_site``, ``_freeze``, ``_build`` removed): ours / the reference's;
- full render with nothing changed since the last: ours / the reference's (with
  ``freeze: auto``, Quarto's own floor);
- one page's prose edited: our time, and which pages Quarto executed (only that one);
- the analysis alone, cold, in a fresh process (``scripts/run_analysis.py``);
- Quarto's floor for *this site's configuration*: our ``_quarto.yml`` and ``theme/`` with
  trivial pages of the same names (one Python cell where ours run code) and no hooks,
  cold and unchanged, over the reference's. What Quarto costs for our features (dark
  theme, search, table of contents, code tools, a third page) before any of our content
  or work: a target below this floor cannot be met by changing our code.

The reference is ``bench/reference_site/``: two pages, cosmo, three Python cells. Both
sites render in temporary copies with the same Quarto and Python; nothing here touches
the working tree. Targets (issue "Fast builds"): cold <= 1.5x, unchanged <= 1.5x,
analysis <= 3 s. It copies the project and reads Quarto's log with the render tests' own
helpers (``tests/helpers.py``), so run it as a module from the repository root:

    .venv/bin/python -m bench.bench_render --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

from penguin_site.config import PAGES, ROOT
from penguin_site.site.notebooks import notebook_pages
from penguin_site.site.quarto import find_quarto
from tests.helpers import EXECUTED, OUTPUTS, copy_tree

REFERENCE_SITE = Path(__file__).resolve().parent / "reference_site"
COLD_RATIO_TARGET = 1.5
UNCHANGED_RATIO_TARGET = 1.5
ANALYSIS_TARGET_S = 3.0
#: The edit an author makes to one page's prose (a heading of the EDA page).
EDIT = ("eda.qmd", "## Who is in the data", "## Who is in the sample")


def floor_site(project: Path, dest: Path) -> Path:
    """This site's configuration with trivial pages and no hooks (see the module docstring).

    Pages that run code keep a kernel (one cell that prints), as the reference's do;
    the others are a sentence. The hooks' files (``_variables.yml``, ``_links.yml``) are
    absent, so the footer shows Quarto's placeholders: the same work for Quarto.
    """
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    for hook in ("pre-render", "post-render"):
        config["project"].pop(hook, None)
    dest.mkdir(parents=True)
    (dest / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.copytree(project / "theme", dest / "theme")
    code_pages = notebook_pages(project)
    for page in PAGES:
        runs_code = page in code_pages
        body = (
            '```{python}\n#| label: cell\nprint("a bare page")\n```\n' if runs_code else "A page.\n"
        )
        kernel = "jupyter: python3\n" if runs_code else ""
        (dest / f"{page}.qmd").write_text(
            f"---\ntitle: {page}\n{kernel}---\n\n{body}", encoding="utf-8"
        )
    return dest


def render(quarto: Path, project: Path) -> tuple[float, str]:
    """Seconds a ``quarto render`` of ``project`` took, and its log."""
    env = {
        **os.environ,
        "QUARTO_PYTHON": sys.executable,
        "PYTHONPATH": str(project / "src"),
        "PENGUIN_BUILD_DIR": str(project / "_build" / "analysis"),
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    env.pop("QUARTO_PROJECT_RENDER_ALL", None)
    start = time.perf_counter()
    done = subprocess.run(
        [str(quarto), "render"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"render of {project} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return seconds, done.stdout + done.stderr


def cold(quarto: Path, project: Path) -> float:
    for name in OUTPUTS:
        shutil.rmtree(project / name, ignore_errors=True)
    return render(quarto, project)[0]


def analysis_seconds(project: Path) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "scripts/run_analysis.py", "--build-dir", f"{out}/analysis"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(project / "src")},
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds, alternating the sites")
    args = parser.parse_args(argv)
    quarto = find_quarto()
    figures: dict[str, list[float]] = {}
    executed_after_edit: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        ours = copy_tree(ROOT, Path(tmp) / "ours")
        reference = copy_tree(REFERENCE_SITE, Path(tmp) / "reference")
        floor = floor_site(ours, Path(tmp) / "floor")
        page, old, new = EDIT
        for round_ in range(args.runs):
            figures.setdefault("cold ours", []).append(cold(quarto, ours))
            figures.setdefault("cold reference", []).append(cold(quarto, reference))
            figures.setdefault("unchanged ours", []).append(render(quarto, ours)[0])
            figures.setdefault("unchanged reference", []).append(render(quarto, reference)[0])
            figures.setdefault("cold floor", []).append(cold(quarto, floor))
            figures.setdefault("unchanged floor", []).append(render(quarto, floor)[0])
            source = ours / page
            text = source.read_text(encoding="utf-8")
            source.write_text(text.replace(*((old, new) if round_ % 2 == 0 else (new, old))))
            seconds, log = render(quarto, ours)
            figures.setdefault("one page edited, ours", []).append(seconds)
            executed_after_edit |= set(EXECUTED.findall(log))
            figures.setdefault("analysis, cold process", []).append(analysis_seconds(ours))
    median = {name: statistics.median(values) for name, values in figures.items()}
    cold_ratio = median["cold ours"] / median["cold reference"]
    unchanged_ratio = median["unchanged ours"] / median["unchanged reference"]
    floor_cold = median["cold floor"] / median["cold reference"]
    floor_unchanged = median["unchanged floor"] / median["unchanged reference"]
    rows = [
        ("cold full render", f"{median['cold ours']:.1f} s", f"{median['cold reference']:.1f} s",
         f"{cold_ratio:.2f}x", f"<= {COLD_RATIO_TARGET}x", cold_ratio <= COLD_RATIO_TARGET),
        ("full render, nothing changed", f"{median['unchanged ours']:.1f} s",
         f"{median['unchanged reference']:.1f} s", f"{unchanged_ratio:.2f}x",
         f"<= {UNCHANGED_RATIO_TARGET}x", unchanged_ratio <= UNCHANGED_RATIO_TARGET),
        ("one page's prose edited", f"{median['one page edited, ours']:.1f} s", "",
         f"executed: {', '.join(sorted(executed_after_edit)) or 'none'}", "only eda",
         executed_after_edit == {"eda"}),
        ("analysis, cold process", f"{median['analysis, cold process']:.1f} s", "", "",
         f"<= {ANALYSIS_TARGET_S:.0f} s", median["analysis, cold process"] <= ANALYSIS_TARGET_S),
        ("floor: our config, cold", f"{median['cold floor']:.1f} s",
         f"{median['cold reference']:.1f} s", f"{floor_cold:.2f}x", f"<= {COLD_RATIO_TARGET}x",
         floor_cold <= COLD_RATIO_TARGET),
        ("floor: our config, unchanged", f"{median['unchanged floor']:.1f} s",
         f"{median['unchanged reference']:.1f} s", f"{floor_unchanged:.2f}x",
         f"<= {UNCHANGED_RATIO_TARGET}x", floor_unchanged <= UNCHANGED_RATIO_TARGET),
    ]  # fmt: skip
    print(f"medians of {args.runs} rounds, alternating ours and the bare reference site")
    print(f"{'measure':30} {'ours':>8} {'reference':>10} {'ratio':>18} {'target':>10}  met")
    for name, value, reference_value, ratio, target, met in rows:
        print(f"{name:30} {value:>8} {reference_value:>10} {ratio:>18} {target:>10}  {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
