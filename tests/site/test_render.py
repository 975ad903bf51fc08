"""A real ``quarto render`` of the site: its log, its files, and that it is reproducible.

These tests need the Quarto binary (found as README command (1) finds it:
``penguin_site.site.quarto``) and skip, saying so, without it; in CI a skip fails. The full
render runs once per test run (``rendered`` in conftest.py) in a private copy of the
project, so the working tree is never touched. What a reader does with the pages in
Chromium is in ``test_reader.py``. The last test needs no Quarto: it checks that
``scripts/render_site.sh`` stops with install instructions when Quarto cannot be installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import time
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from helpers import EXECUTED, front_matter
from rendered_site import Render, copy_project, log_problems, log_text, render

from penguin_site.analysis.dataset import load_snapshot
from penguin_site.analysis.results import DIGEST_FILE
from penguin_site.checks import static
from penguin_site.config import BUILD_RECORD, FIGURE_SCHEMES, QUARTO_VERSION, ROOT
from penguin_site.site.quarto import QuartoNotFound, find_quarto
from scripts import diff_sites

PAGES = {"index.html": "index.qmd", "eda.html": "eda.qmd", "model.html": "model.qmd"}
#: Quarto's progress line for one cell of a page it executes: its number and label.
CELL_LINE = re.compile(r"Cell (\d+)/\d+: '([^']*)'")
FIGURES_PER_PAGE = {"index.html": 0, "eda.html": 3, "model.html": 2}


# --- the render and its log -----------------------------------------------------------------


@pytest.mark.quarto
def test_full_render_succeeds_with_a_clean_log(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-5000:]
    assert log_problems(rendered.log) == []
    for page in PAGES:
        assert (rendered.site / page).is_file(), page


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("WARN (lib/foo.lua:12) Unable to resolve crossref @fig-x", True),
        ("\x1b[33mWARNING: something\x1b[39m", True),
        ("ERROR: Cell raised", True),
        ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All ...", False),
        ("  Cell 3/9: 'tbl-missing'...Done", False),
    ],
)
def test_log_check_flags_warnings_and_errors_but_not_ipykernels_tcp_note(
    line: str, flagged: bool
) -> None:
    assert bool(log_problems(f"before\n{line}\nafter")) is flagged


@pytest.mark.quarto
def test_every_cell_is_labelled_so_the_log_names_it(rendered: Render) -> None:
    """A failing cell must be findable by name: the log never says ``Cell 6/10: ''``.

    A log shows the cells of the pages that render executed, and only those: a render that
    restored its freezer (the workflow's build cache) or whose only edit is a page without
    code executes fewer pages or none. So what the log must show comes from its own
    "Executing" lines (the sources' labels: test_pages.py::test_every_cell_is_labelled).
    """
    executed = EXECUTED.findall(rendered.log)
    cells = CELL_LINE.findall(log_text(rendered.log))
    assert [label for _, label in cells if not label] == [], rendered.log[-2000:]
    assert len([n for n, _ in cells if n == "1"]) == len(executed), (executed, cells)


@pytest.mark.quarto
def test_rendered_site_passes_the_site_checks(rendered: Render) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    problems = static.check_site(rendered.site, static.REQUIRED_PAGES)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.quarto
def test_build_json_names_this_commit_and_every_pages_bytes(rendered: Render) -> None:
    record = json.loads((rendered.site / BUILD_RECORD).read_text(encoding="utf-8"))
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=rendered.project, capture_output=True, text=True
    ).stdout.strip()
    assert record["commit"] == head
    assert record["analysis_digest"] == (
        Path(rendered.project, "_build", "analysis", DIGEST_FILE).read_text().strip()
    )
    assert set(record["pages"]) == set(PAGES)
    for page, digest in record["pages"].items():
        assert hashlib.sha256((rendered.site / page).read_bytes()).hexdigest() == digest, page


@pytest.mark.quarto
def test_pages_link_to_the_builds_repository_and_site_url(rendered: Render) -> None:
    """The render's links come from its context (rendered_site.LINK_ENV, or CI's own)."""
    record = json.loads((rendered.site / BUILD_RECORD).read_text(encoding="utf-8"))
    assert record["repo_url"], "the test render names a repository"
    sitemap = rendered.site / static.SITEMAP
    if record["site_url"]:
        problems = static.check_site(rendered.site, static.REQUIRED_PAGES, static.Publication())
        assert problems == [], "\n".join(map(str, problems))
        assert "<lastmod>" + record["build_time"][:19] in sitemap.read_text(encoding="utf-8")
    else:  # a pull request build without a site URL: no sitemap, no canonical links
        assert not sitemap.exists()
    model = (rendered.site / "model.html").read_text(encoding="utf-8")
    assert f'href="{record["repo_url"]}/blob/main/model.qmd"' in model  # "View source"
    assert f'href="{record["repo_url"]}/issues/new"' in model  # "Report an issue"


@pytest.mark.quarto
@pytest.mark.parametrize("page", list(PAGES))
def test_page_has_title_figures_with_alt_and_the_build_provenance(
    rendered: Render, page: str
) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    html = (rendered.site / page).read_text(encoding="utf-8")
    scan = static.scan_page(html)
    title = front_matter(PAGES[page])["title"]
    # Quarto typesets apostrophes as U+2019 in the <title>.
    assert title in scan.title.replace("\u2019", "'"), (title, scan.title)

    figures = re.findall(r'<img[^>]+src="(_build/analysis/figures/[^"]+)"[^>]*>', html)
    # One picture per colour scheme; Quarto's light-content/dark-content hide the other.
    assert len(figures) == len(FIGURE_SCHEMES) * FIGURES_PER_PAGE[page]
    for scheme in FIGURE_SCHEMES:
        assert (
            html.count(f'<picture class="quarto-figure-picture {scheme}-content">')
            == (FIGURES_PER_PAGE[page])
        )
    # Every drawing reserves its box (no layout shift) and is copied into the site.
    for tag in re.findall(r"<(?:img|source) [^>]*_build/analysis/figures/[^>]*>", html):
        assert re.search(r'\bwidth="\d+" height="\d+"', tag), tag
        for path in re.findall(r"(_build/analysis/figures/[^\s\",]+)", tag):
            assert (rendered.site / path).is_file(), path
    assert scan.images_without_alt == []
    assert "Traceback" not in html

    versions = static.footer_versions(scan.footer_text)
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
def test_the_render_leaves_the_git_tree_as_it_found_it(rendered: Render) -> None:
    """Quarto appends ``/.quarto/`` to a .gitignore that lacks the exact line; ours has it.

    Otherwise the first render dirties a fresh clone, and every footer of that build
    says "(with uncommitted changes)".
    """
    rendered_ignore = (Path(rendered.project) / ".gitignore").read_text(encoding="utf-8")
    assert rendered_ignore == (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/.quarto/" in rendered_ignore.splitlines()


@pytest.mark.quarto
@pytest.mark.parametrize("page", ["eda.qmd", "model.qmd"])
def test_page_resources_are_in_the_site(rendered: Render, page: str) -> None:
    """Downloads, the predictor's script and every figure drawing (a glob) are copied."""
    assert rendered.returncode == 0, rendered.log[-3000:]
    project = Path(rendered.project)
    for resource in front_matter(page)["resources"]:
        pattern = resource.lstrip("/")  # resources are anchored at the root
        sources = sorted(project.glob(pattern))
        assert sources, f"{page}: {resource} names no file in the project"
        for source in sources:
            copied = rendered.site / source.relative_to(project)
            assert copied.is_file(), f"{source.relative_to(project)} was not copied into the site"


@pytest.mark.quarto
def test_the_site_names_its_icon_so_no_page_asks_for_a_missing_favicon(rendered: Render) -> None:
    for page in PAGES:
        html = (rendered.site / page).read_text(encoding="utf-8")
        icons = [ref.url for ref in static.scan_page(html).refs if ref.tag == "link"]
        icon = next((url for url in icons if url.endswith("favicon.svg")), None)
        assert icon, (page, icons)
        assert (rendered.site / icon).is_file(), icon


# --- two renders, the same bytes ------------------------------------------------------------


@pytest.mark.quarto
def test_two_renders_of_one_commit_give_identical_sites(
    rendered: Render, rendered_again: Render
) -> None:
    assert rendered.returncode == 0 and rendered_again.returncode == 0
    assert rendered.project != rendered_again.project
    assert static.differing_files(rendered.site, rendered_again.site) == []


def test_diff_sites_lists_each_differing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):
        (root / "sub").mkdir(parents=True)
        (root / "same.html").write_text("same", encoding="utf-8")
    (first / "sub" / "page.html").write_text("one", encoding="utf-8")
    (second / "sub" / "page.html").write_text("two", encoding="utf-8")
    (second / "extra.css").write_text("", encoding="utf-8")
    assert diff_sites.main([str(first), str(second)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"only in {second}: extra.css", "differs: sub/page.html", "2 file(s) differ"]
    assert diff_sites.main([str(first), str(first)]) == 0


# --- one page on its own ------------------------------------------------------------------


@pytest.mark.quarto
def test_a_single_page_renders_on_its_own(quarto: str, tmp_path: Path) -> None:
    """As a preview renders pages, one by one, with no build folder yet: the pre-render
    hook makes the analysis the home page's facts need (as the page's ensure_results()
    would), leaves the authors' freezer alone, and the page shows its figures."""
    project = copy_project(tmp_path / "project")
    assert not (project / "_build").exists()
    frozen = project / "_freeze" / "site_libs" / "kept.txt"  # what full renders froze
    frozen.parent.mkdir(parents=True)
    frozen.write_text("frozen\n", encoding="utf-8")
    outcome = render(quarto, project, "eda.qmd")
    assert outcome.returncode == 0, outcome.log[-5000:]
    assert "not a full render" in outcome.log
    assert frozen.is_file(), "a single-page render must keep the freezer"
    html = (project / "_site" / "eda.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+alt="[^"]+"', html)) >= 3
    assert (project / "_build" / "analysis" / DIGEST_FILE).is_file()
    variables = yaml.safe_load((project / "_variables.yml").read_text(encoding="utf-8"))
    assert variables["facts"]["rows"] == f"{len(load_snapshot()):,}"


# --- finding Quarto -------------------------------------------------------------------------


def test_quarto_is_found_on_path_and_a_wrong_version_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 1.0.0\n", encoding="utf-8")
    fake.chmod(0o755)
    env = {"PATH": str(fake.parent)}
    assert find_quarto(env, version="1.0.0") == fake
    with pytest.raises(QuartoNotFound, match=r"PATH: .*/bin/quarto is Quarto 1\.0\.0"):
        find_quarto(env, version="9.9.9")
    with pytest.raises(QuartoNotFound, match=r"QUARTO_PATH: .* does not exist"):
        find_quarto({"QUARTO_PATH": str(tmp_path / "nowhere")}, version="1.0.0")


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
