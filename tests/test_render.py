"""A real ``quarto render`` of the site, then what a reader gets, in files and in Chromium.

These tests need the Quarto binary (``QUARTO_PATH`` or ``quarto`` on PATH, at the pinned
version) and skip, saying so, without it. The full render runs once per test run (xdist
workers share it through a lock) in a private copy of the project, so the working tree
is never touched. The last test needs no Quarto: it checks that ``scripts/render_site.sh``
stops with install instructions when Quarto cannot be installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
import yaml

from penguin_site import artifacts, modeling, sitecheck
from penguin_site.browsercheck import BrowserUnavailable, browse_site, chromium_path
from penguin_site.config import CHOSEN_FEATURE_SET, QUARTO_VERSION, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

RENDER_TIMEOUT_S = 1200
PAGES = {"index.html": "index.qmd", "eda.html": "eda.qmd", "model.html": "model.qmd"}
FIGURES_PER_PAGE = {"index.html": 0, "eda.html": 3, "model.html": 2}
#: Quarto's log prefixes for warnings (``WARN``/``WARNING``, with or without a location).
WARNING_LINE = re.compile(r"^\s*(?:\x1b\[[0-9;]*m)*(WARN|WARNING)\b", re.MULTILINE)
#: Not copied into the render copy: environments, caches and earlier outputs.
NOT_COPIED = {".venv", ".venv-tools", "node_modules", "_site", "_freeze", "_build", ".quarto"}


# --- finding Quarto ------------------------------------------------------------------------


def _real_binary(candidate: str) -> str:
    """The quarto binary itself, not the PyPI package's Python wrapper (which drops exit codes)."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        head = Path(candidate).read_text(encoding="utf-8")[:200]
        if head.startswith("#!") and "python" in head.splitlines()[0]:
            # The wrapper belongs to quarto_cli, a namespace package: no __init__, no __file__.
            import quarto_cli.quarto as wrapper

            return str(Path(wrapper.__file__).parent / "bin" / "quarto")
    return candidate


def _version(binary: str) -> str:
    done = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    return done.stdout.strip()


@pytest.fixture(scope="session")
def quarto() -> str:
    candidates = [os.environ.get("QUARTO_PATH", ""), shutil.which("quarto") or ""]
    found = [c for c in candidates if c and Path(c).is_file()]
    if not found:
        pytest.skip(
            f"Quarto is not installed (no QUARTO_PATH, no quarto on PATH); a real render "
            f"needs Quarto {QUARTO_VERSION}: bash scripts/render_site.sh installs it"
        )
    binary = _real_binary(found[0])
    version = _version(binary)
    if version != QUARTO_VERSION:
        pytest.skip(
            f"found Quarto {version!r} at {binary}; the site is built with {QUARTO_VERSION}"
        )
    return binary


# --- one render per test run ---------------------------------------------------------------


@dataclass(frozen=True)
class Render:
    project: str
    returncode: int
    log: str
    seconds: float

    @property
    def site(self) -> Path:
        return Path(self.project) / "_site"


def copy_project(dest: Path) -> Path:
    """Copy the working tree (tracked and new files, .git for provenance) into ``dest``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.decode().split("\0")):
            source = ROOT / name
            if source.is_file() and not (set(Path(name).parts) & NOT_COPIED):
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
        shutil.copytree(ROOT / ".git", dest / ".git", symlinks=True)
    else:
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*NOT_COPIED), dirs_exist_ok=True)
    return dest


def render(quarto: str, project: Path, *args: str) -> Render:
    env = {
        **os.environ,
        "QUARTO_PYTHON": sys.executable,
        "PENGUIN_BUILD_DIR": str(project / "_build" / "analysis"),
    }
    env.pop("QUARTO_PROJECT_RENDER_ALL", None)
    start = time.monotonic()
    done = subprocess.run(
        [quarto, "render", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=RENDER_TIMEOUT_S,
        check=False,
    )
    return Render(
        str(project), done.returncode, done.stdout + done.stderr, time.monotonic() - start
    )


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def rendered(quarto: str, tmp_path_factory: pytest.TempPathFactory) -> Render:
    """The full render, done by the first xdist worker that needs it and shared with the rest."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    result = shared / "quarto-render.json"
    with exclusive(shared / "quarto-render.lock"):
        if not result.exists():
            project = copy_project(shared / "quarto-render")
            outcome = render(quarto, project)
            result.write_text(json.dumps(outcome.__dict__), encoding="utf-8")
    return Render(**json.loads(result.read_text(encoding="utf-8")))


def _page(render: Render, name: str) -> str:
    return (render.site / name).read_text(encoding="utf-8")


# --- the render and its files ---------------------------------------------------------------


@pytest.mark.quarto
def test_full_render_succeeds_without_warnings(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-5000:]
    warnings = [m.group(0) for m in WARNING_LINE.finditer(rendered.log)]
    lines = [line for line in rendered.log.splitlines() if WARNING_LINE.match(line)]
    assert not warnings, "\n".join(lines)
    for page in PAGES:
        assert (rendered.site / page).is_file(), page


@pytest.mark.quarto
def test_rendered_site_passes_the_site_checks(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    problems = sitecheck.check_site(rendered.site, sitecheck.REQUIRED_PAGES)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.quarto
@pytest.mark.parametrize("page", list(PAGES))
def test_page_has_title_figures_with_alt_and_the_build_provenance(
    rendered: Render, page: str
) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    html = _page(rendered, page)
    scan = sitecheck.scan_page(html)
    source = (ROOT / PAGES[page]).read_text(encoding="utf-8")
    title = yaml.safe_load(source.split("---")[1])["title"]
    # Quarto typesets apostrophes as U+2019 in the <title>.
    assert title in scan.title.replace("\u2019", "'"), (title, scan.title)

    figures = re.findall(r'<img[^>]+src="(_build/analysis/figures/[^"]+)"[^>]*>', html)
    assert len(figures) == FIGURES_PER_PAGE[page]
    assert scan.images_without_alt == []
    assert "Traceback" not in html

    versions = sitecheck.footer_versions(scan.footer_text)
    assert versions == {
        "Quarto": QUARTO_VERSION,
        "Python": platform.python_version(),
        "pandas": metadata.version("pandas"),
        "scikit-learn": metadata.version("scikit-learn"),
        "plotnine": metadata.version("plotnine"),
    }
    head = subprocess.run(
        ["git", "rev-parse", "--short=7", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert f"commit {head}" in scan.footer_text


@pytest.mark.quarto
def test_model_page_downloads_are_in_the_site(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    source = (ROOT / "model.qmd").read_text(encoding="utf-8")
    for resource in yaml.safe_load(source.split("---")[1])["resources"]:
        assert (rendered.site / resource).is_file(), f"{resource} was not copied into the site"
    assert (rendered.site / "src" / "penguin_site" / "predictor.js").is_file()


# --- in Chromium -----------------------------------------------------------------------------


def _chromium() -> str:
    try:
        return chromium_path()
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))


@pytest.mark.quarto
@pytest.mark.browser
def test_pages_load_cleanly_and_locally_in_chromium(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    with browse_site(rendered.site, _chromium()) as session:
        problems = {page: session.visit(page).problems for page in PAGES}
    assert problems == {page: [] for page in PAGES}


def _python_prediction(project: Path, inputs: dict[str, object]) -> float:
    model = artifacts.load_model(project / "_build" / "analysis" / artifacts.MODEL_FILE)
    frame = pd.DataFrame([inputs])[modeling.features(CHOSEN_FEATURE_SET)]
    return float(model.predict(frame)[0])


@pytest.mark.quarto
@pytest.mark.browser
def test_predictor_widget_shows_the_python_models_prediction(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    inputs = {"bill_length_mm": 47.3, "species": "Gentoo", "sex": "male"}
    expected = _python_prediction(Path(rendered.project), inputs)
    shown = f"{int(expected + 0.5):,} g"  # the page rounds half up, like Math.round
    seen: dict[str, str] = {}

    def use_widget(page: Page) -> None:
        page.wait_for_selector("#predicted-mass", timeout=30_000)
        for control in ("#predictor-bill", "#predictor-species", "#predictor-sex"):
            label = page.locator(f'label[for="{control[1:]}"]')
            assert label.is_visible() and label.inner_text().strip(), control
        page.evaluate(
            """value => {
                const input = document.querySelector("#predictor-bill");
                input.value = value;
                input.dispatchEvent(new Event("input", { bubbles: true }));
            }""",
            str(inputs["bill_length_mm"]),
        )
        page.select_option("#predictor-species", inputs["species"])
        page.select_option("#predictor-sex", inputs["sex"])
        page.wait_for_function(
            "text => document.querySelector('#predicted-mass').textContent.trim() === text",
            arg=shown,
            timeout=30_000,
        )
        seen["text"] = page.inner_text("#predicted-mass").strip()

    with browse_site(rendered.site, _chromium()) as session:
        report = session.visit("model.html", use_widget)
    assert report.problems == []
    assert seen["text"] == shown


# --- one page on its own ------------------------------------------------------------------


@pytest.mark.quarto
def test_a_single_page_renders_on_its_own(quarto: str, tmp_path: Path) -> None:
    """No build folder yet: the page's ensure_results() runs the analysis itself."""
    project = copy_project(tmp_path / "project")
    assert not (project / "_build").exists()
    outcome = render(quarto, project, "eda.qmd")
    assert outcome.returncode == 0, outcome.log[-5000:]
    html = (project / "_site" / "eda.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+alt="[^"]+"', html)) >= 3
    assert (project / "_build" / "analysis" / artifacts.FINGERPRINT_FILE).is_file()


# --- README command (1) when Quarto cannot be installed -------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _path_without_quarto() -> str:
    keep = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not (Path(d) / "quarto").exists()
    ]
    return os.pathsep.join(keep)


def test_render_site_stops_with_install_instructions_when_quarto_cannot_be_installed(
    tmp_path: Path,
) -> None:
    """The real quarto-cli sdist is built, its download of Quarto fails, the script explains.

    Offline by construction: pip reads the pinned sdist from tests/fixtures/pip (no index),
    and the package's download from GitHub goes to a closed port on 127.0.0.1 (a proxy
    that is not there), so it fails at once everywhere and nothing is installed.
    """
    venv = ROOT / ".venv"
    python = venv / "bin" / "python"
    check = subprocess.run([python, "-c", "import quarto_cli"], capture_output=True, timeout=60)
    if check.returncode == 0:
        pytest.skip("quarto-cli is installed in .venv, so render_site.sh never reaches the install")
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("scripts/render_site.sh", "scripts/setup_env.sh", "requirements.lock"):
        shutil.copy(ROOT / name, project / name)
    for name in ("pyproject.toml", ".python-version", "requirements-quarto.lock"):
        shutil.copy(ROOT / name, project / name)
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"QUARTO_PATH", "SOURCE_DATE_EPOCH"}},
        "PATH": _path_without_quarto(),
        "PENGUIN_VENV": str(venv),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(ROOT / "tests" / "fixtures" / "pip"),
        "PIP_CONFIG_FILE": os.devnull,
        "https_proxy": proxy,
        "HTTPS_PROXY": proxy,
        "http_proxy": proxy,
        "HTTP_PROXY": proxy,
        "no_proxy": "",
        "NO_PROXY": "",
        "QUARTO_INSTALL_TIMEOUT": "120",
    }
    start = time.monotonic()
    done = subprocess.run(
        ["bash", "scripts/render_site.sh"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.monotonic() - start
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Error downloading Quarto" in done.stderr  # the real package tried and failed
    assert f"could not install Quarto {QUARTO_VERSION}" in done.stderr
    assert "https://quarto.org/docs/download/" in done.stderr
    assert f"https://github.com/quarto-dev/quarto-cli/releases/tag/v{QUARTO_VERSION}" in done.stderr
    assert "QUARTO_PATH=" in done.stderr
    assert not (project / "_site").exists()
    assert elapsed < 120
    still = subprocess.run([python, "-c", "import quarto_cli"], capture_output=True, timeout=60)
    assert still.returncode != 0, "the failed install must leave nothing behind"
