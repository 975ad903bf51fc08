"""A second study's site, made by following README "Make it yours" literally, in Chromium.

Why: the engine is generic only if a data team's own CSV becomes a site that works for a
reader. One module-scoped fixture takes a fresh copy of the project (its own git
repository and a bare one to push to), writes the shop customers CSV of
tests/shop_study.py (1,200 rows, EUR target, a five- and a two-level category, missing
values) and runs the README section's commands one by one, as written: new study, record
the baseline, accept a new data file, render with README command (1), commit and push;
the one step that is not a command, editing the prose, is done by the test. Then the
reader checks that are not about the example's prose run on that one render.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandas as pd
import pytest
from helpers import foreign_words, readme_section, steady_problems
from rendered_site import LINK_ENV, Render, copy_project
from shop_study import shop_csv

from penguin_site.checks.browser import browse_site, check_pages
from penguin_site.checks.budget import check_budget, format_report
from penguin_site.config import LIGHTHOUSE_MODULE, ROOT
from penguin_site.files import read_json
from penguin_site.publish.content_types import content_type_for
from penguin_site.study import STUDY_ENV, load

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: One worker runs the module (run_tests.sh: --dist loadgroup): its fixture is the README's
#: whole flow and a render, made once per worker that needs it.
pytestmark = [
    pytest.mark.quarto,
    pytest.mark.browser,
    pytest.mark.renders,
    pytest.mark.xdist_group("second-study-site"),
]

PAGES = ("index.html", "eda.html", "model.html")
SECTION = "make-it-yours"
#: What the test writes in place of the first "Edit this prose" of the home page.
OUR_PROSE = "Our shop wants to know what its customers spend in a year."


def readme_commands() -> list[str]:
    """The commands of the README section's ``bash`` block, in order."""
    block = re.search(r"```bash\n(.*?)```", readme_section(SECTION), re.S)
    assert block, f"README section {SECTION} lost its commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def study_csv(readme: list[str]) -> tuple[str, str]:
    """The CSV and the target the README's new-study command names."""
    found = next(c for c in readme if "new_study.py" in c)
    match = re.search(r"new_study\.py (\S+) --target (\S+)", found)
    assert match, found
    return match.group(1), match.group(2)


def shim_venv(project: Path) -> None:
    """``.venv`` in the copy, sharing this interpreter's packages, stamped as up to date.

    README command (1) and setup_env.sh then reuse it (they would rebuild a venv whose stamp
    differs from the lock's, which needs the network), and ``.venv/bin/python`` in the
    README's commands is the test environment's Python.
    """
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    prefix = Path(sys.prefix)
    shutil.copyfile(prefix / "pyvenv.cfg", venv / "pyvenv.cfg")
    (venv / "lib").symlink_to(prefix / "lib", target_is_directory=True)
    (venv / "bin" / "python").symlink_to(Path(sys.executable))
    lock = subprocess.run(
        "sha256sum requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1",
        shell=True,
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    (venv / ".penguin-lock.sha256").write_text(lock.stdout, encoding="utf-8")


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, quarto: str) -> Render:
    """The project after the README's steps; its log holds every command's output."""
    base = tmp_path_factory.mktemp("second-site")
    project = copy_project(base / "project")
    # Its own repository: a copy of a worktree would otherwise commit into the original's.
    shutil.rmtree(project / ".git") if (project / ".git").is_dir() else (project / ".git").unlink()
    remote = base / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, timeout=60)
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.email", "tests@example.org")
    git(project, "config", "user.name", "tests")
    git(project, "remote", "add", "origin", str(remote))
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "a fresh copy")
    shim_venv(project)
    commands = readme_commands()
    csv_name, _ = study_csv(commands)
    data = shop_csv(project, csv_name)
    # The data that arrive later: the same customers, 100 fewer, in another order.
    later = pd.read_csv(data, keep_default_na=False).iloc[100:].iloc[::-1]
    accepted = next(c for c in commands if "accept_data.py" in c).split()[-1]
    later.to_csv(project / accepted, index=False)

    env = {
        **os.environ,
        "QUARTO_PATH": quarto,
        "PYTHONPATH": os.pathsep.join([str(project / "src"), os.environ.get("PYTHONPATH", "")]),
        "PENGUIN_BUILD_DIR": str(project / "_build" / "analysis"),
        STUDY_ENV: str(project / "study.yml"),
        **{name: value for name, value in LINK_ENV.items() if not os.environ.get(name)},
    }
    for name in ("QUARTO_PROJECT_RENDER_ALL", "PENGUIN_VENV", "SOURCE_DATE_EPOCH"):
        env.pop(name, None)
    log, start, seconds = [], time.monotonic(), 0.0
    for command in commands:
        if command.startswith("bash scripts/render_site.sh"):
            index = project / "index.qmd"
            text = index.read_text(encoding="utf-8")
            prose = re.search(r"Edit this prose[^\n]*", text)
            assert prose, "the starter home page has no prose to edit"
            index.write_text(text.replace(prose.group(0), OUR_PROSE, 1), encoding="utf-8")
        done = subprocess.run(
            command,
            shell=True,
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        log.append(f"$ {command}\n{done.stdout}{done.stderr}")
        assert done.returncode == 0, "\n".join(log)[-4000:]
        if command.startswith("bash scripts/render_site.sh"):
            seconds = time.monotonic() - start
    return Render(str(project), 0, "\n".join(log), seconds)


@pytest.fixture(scope="module")
def second_site(made: Render) -> Path:
    return made.site


def test_the_readme_steps_make_a_pushed_site_of_our_own(made: Render) -> None:
    project = Path(made.project)
    assert "customers" in (project / "study.yml").read_text(encoding="utf-8")
    home = (made.site / "index.html").read_text(encoding="utf-8")
    assert OUR_PROSE in home
    assert read_json(project / "data" / "model_baseline.json")["candidate"] == "all"
    pushed = subprocess.run(
        [
            "git",
            "--git-dir",
            str(project.parent / "remote.git"),
            "log",
            "-1",
            "--format=%s",
            "main",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "customers.csv" in pushed.stdout
    package = read_json(project / "data" / "datapackage.json")
    assert package["resources"][0]["rows"] == 1100  # the accepted file's rows
    print(f"new study -> rendered site: {made.seconds:.0f} s")


def test_every_page_loads_with_no_console_message_failure_or_foreign_request(
    second_site: Path, chromium: str
) -> None:
    assert check_pages(second_site, list(PAGES), chromium) == {page: [] for page in PAGES}


def test_every_figure_loads_and_has_alt_text(
    made: Render, second_site: Path, chromium: str
) -> None:
    seen: dict[str, list[tuple[str, int]]] = {}

    def figures(page: Page) -> None:
        page.evaluate(
            """async () => {
                for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
                    scrollTo(0, y);
                    await new Promise(done => setTimeout(done, 50));
                }
            }"""
        )
        page.wait_for_function(
            "() => [...document.images].filter(i => i.offsetParent).every(i => i.complete)"
        )
        seen[Path(page.url).name] = page.evaluate(
            """() => [...document.querySelectorAll("picture img")]
                .filter(i => i.offsetParent).map(i => [i.alt, i.naturalWidth])"""
        )

    with browse_site(second_site, chromium) as session:
        for name in ("eda.html", "model.html"):
            assert session.visit(name, figures).problems == []
    assert [len(seen["eda.html"]), len(seen["model.html"])] == [3, 2]
    shipped = load(ROOT / "study.yml")
    ours = load(Path(made.project) / "study.yml")
    leaks = foreign_words({shipped.row_plural, shipped.target.noun}, ours)
    for images in seen.values():
        for alt, width in images:
            assert width > 0 and len(alt) > 40 and "spend" in alt, alt
            assert [w for w in leaks if re.search(rf"\b{re.escape(w)}\b", alt, re.I)] == [], alt


def _shown_number(text: str) -> tuple[float, int]:
    """The number in '1,234.5 EUR' and its decimals."""
    number = re.search(r"-?[\d,]+(?:\.(\d+))?", text)
    assert number, text
    return float(number.group(0).replace(",", "")), len(number.group(1) or "")


def test_the_predictor_equals_the_saved_model(second_site: Path, chromium: str) -> None:
    from penguin_site.analysis import artifacts

    build = second_site / "_build" / "analysis"
    coefficients = read_json(build / "coefficients.json")
    inputs = coefficients["inputs"]
    numeric = [n for n, spec in inputs.items() if "levels" not in spec]
    categorical = [n for n, spec in inputs.items() if "levels" in spec]
    cases = []
    for i in range(5):
        case: dict[str, object] = {}
        for name in numeric:
            spec = inputs[name]
            low, high = float(spec["min"]), float(spec["max"])
            case[name] = round(low + (high - low) * (i + 1) / 7, 1)
        for name in categorical:
            levels = inputs[name]["levels"]
            case[name] = levels[i % len(levels)]
        cases.append(case)
    shown: list[str] = []

    def use(page: Page) -> None:
        for case in cases:
            for name in numeric:
                box = page.locator(f"#predictor-{name}")
                box.fill(str(case[name]))
            for name in categorical:
                page.locator(f"#predictor-{name}").select_option(str(case[name]))
            shown.append(page.locator("#predictor-result").inner_text().strip())

    with browse_site(second_site, chromium) as session:
        assert session.visit("model.html", use).problems == []
    model = artifacts.load_model(build / "model.skops")
    expected = model.predict(pd.DataFrame(cases)[[*numeric, *categorical]])
    for case, text, value in zip(cases, shown, expected, strict=True):
        number, decimals = _shown_number(text)
        assert math.isclose(number, float(value), abs_tol=0.5 * 10**-decimals + 1e-9), (case, text)


def test_every_download_answers_200(second_site: Path, chromium: str) -> None:
    answers: list[tuple[str, int, str]] = []

    def download(page: Page) -> None:
        for link in page.locator("section#downloads li > a").all():
            url = link.evaluate("a => a.href")
            response = page.request.get(url)
            path = urlsplit(url).path
            answers.append((path, response.status, response.headers.get("content-type", "")))

    with browse_site(second_site, chromium) as session:
        assert session.visit("model.html", download).problems == []
    assert len(answers) == 7 and any(p.endswith("/customers.csv") for p, _, _ in answers)
    for path, status, content_type in answers:
        assert (status, content_type) == (200, content_type_for(path)), path


def test_check_site_passes_with_the_browser(second_site: Path, chromium: str) -> None:
    done = subprocess.run(
        [sys.executable, "scripts/check_site.py", str(second_site), "--browser"],
        cwd=second_site.parent,
        env={
            **os.environ,
            "CHROMIUM_PATH": chromium,
            "PYTHONPATH": str(second_site.parent / "src"),
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_page_is_within_budget(second_site: Path, chromium: str) -> None:
    """Lighthouse's mobile preset and axe (light and dark) on every page, one run each: every
    figure that does not move with the machine's load meets the example site's targets
    (helpers.steady_problems), and performance is measured.

    Mobile only: it is the stricter preset (a throttled CPU and network, the narrow layout),
    axe already reads the desktop layout in both schemes, and the workflow's gate runs the
    desktop preset too. Both presets cost 84 s of one worker; mobile alone about half."""
    if not LIGHTHOUSE_MODULE.is_file():
        pytest.skip(f"Lighthouse is not installed ({LIGHTHOUSE_MODULE}): run setup_test_tools.sh")
    budgets = check_budget(second_site, list(PAGES), runs=1, chromium=chromium, presets=["mobile"])
    report = format_report(budgets)
    assert steady_problems(budgets) == {page: [] for page in PAGES}, report
    assert all(budget.scores["performance-mobile"] > 0 for budget in budgets), report
