"""A build renders only the edited pages exactly when nothing else it reads changed.

Why: a partial render into a copy of the last site is only right when the pages' sources
are all that moved; any other input (a file git lists, the footer's provenance, the links,
the Quarto binary, a site changed by hand) must mean a full render. The render itself is
checked against a full render in tests/site/test_safe_build.py.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
from helpers import one_commit_repo

from penguin_site.analysis.digest import DIGEST_FILE
from penguin_site.config import PAGE_SOURCES, ROOT
from penguin_site.files import write_json
from penguin_site.site import sources
from penguin_site.site.sources import SiteSources, pages_to_render, site_sources
from penguin_site.study import STUDY_ENV

QUARTO = Path("/opt/quarto/bin/quarto")
ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture
def analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The analysis build the pages read, not yet made (a cold build's first render makes it)."""
    folder = tmp_path / "analysis"
    monkeypatch.setattr(sources, "BUILD_DIR", folder)
    return folder


def make_analysis(folder: Path, digest: str) -> None:
    """What the pre-render hook leaves: a finished build and the digest it was made from."""
    folder.mkdir(exist_ok=True)
    (folder / DIGEST_FILE).write_text(f"{digest}\n", encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, analysis: Path) -> Path:
    """A git checkout with the pages (only index.qmd committed), one other input, a git-ignored
    output, a site, and the analysis it shows."""
    make_analysis(analysis, "made-from-today")
    root = one_commit_repo(tmp_path / "project")
    for name in PAGE_SOURCES:
        if name != "index.qmd":
            (root / name).write_text(f"# {name}\n\nSome prose.\n", encoding="utf-8")
    (root / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    (root / ".gitignore").write_text("_site/\n_variables.yml\n", encoding="utf-8")
    (root / "_variables.yml").write_text("written: by the hook\n", encoding="utf-8")
    (root / "_site").mkdir()
    (root / "_site" / "index.html").write_text("<p>built</p>\n", encoding="utf-8")
    return root


def built(project: Path) -> SiteSources:
    """What a build of ``project`` now would record, once its site is in place."""
    now = site_sources(project, QUARTO, ENV)
    assert now is not None
    path = project.parent / "sources.json"
    sources.record_sources(now, project / "_site", path)
    recorded = sources.read_sources(path)
    assert recorded is not None
    return recorded


def plan(project: Path, recorded: SiteSources, env: dict[str, str] = ENV) -> list[str] | None:
    found = pages_to_render(recorded, site_sources(project, QUARTO, env), project / "_site")
    return None if found is None else list(found)


def test_a_prose_edit_renders_only_its_page(project: Path) -> None:
    recorded = built(project)
    _edit_eda(project, "Some prose.", "Some prose, edited.")  # not committed: no footer change
    assert plan(project, recorded) == ["eda.qmd"]


def test_a_git_ignored_output_is_not_an_input(project: Path) -> None:
    recorded = built(project)
    (project / "_variables.yml").write_text("rewritten\n", encoding="utf-8")
    (project / "model.qmd").write_text("# model.qmd\n\nOther prose.\n", encoding="utf-8")
    assert plan(project, recorded) == ["model.qmd"]


def test_a_symlinked_environment_is_not_an_input(project: Path, tmp_path: Path) -> None:
    """With the project's own ignore rules, ``.venv`` linked to an environment elsewhere is
    ignored as a folder ``.venv`` is; listed, git would show one entry for a whole tree."""
    (project / ".gitignore").write_text((ROOT / ".gitignore").read_text(encoding="utf-8"))
    recorded = built(project)
    environment = tmp_path / "environment"
    environment.mkdir()
    (project / ".venv").symlink_to(environment, target_is_directory=True)
    _edit_eda(project, "Some prose.", "Some prose, edited.")
    assert plan(project, recorded) == ["eda.qmd"]


def _edit_eda(project: Path, old: str, new: str) -> None:
    eda = project / "eda.qmd"
    eda.write_text(eda.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: (p / "_quarto.yml").write_text("changed\n"), id="a-listed-file"),
        pytest.param(lambda p: _edit_eda(p, "# eda.qmd", "# Renamed"), id="a-heading"),
        pytest.param(lambda p: _edit_eda(p, "Some", "Some[^1]"), id="a-footnote"),
        pytest.param(lambda p: _edit_eda(p, "\nSome", "\n#| label: fig-new\nSome"), id="a-label"),
        pytest.param(lambda p: (p / "theme.scss").write_text("a { }\n"), id="a-new-file"),
        pytest.param(lambda p: (p / "_quarto.yml").unlink(), id="a-deleted-file"),
        pytest.param(lambda p: (p / "_site" / "index.html").write_text("x"), id="the-site"),
        pytest.param(lambda p: (p / "_site" / "extra.css").write_text("x"), id="a-site-file"),
    ],
)
def test_any_other_change_means_a_full_render(project: Path, change) -> None:
    """Besides a prose edit of eda.qmd: its search entries or the site's inputs change."""
    recorded = built(project)
    _edit_eda(project, "Some prose.", "Some prose, edited.")
    change(project)
    assert plan(project, recorded) is None


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"SOURCE_DATE_EPOCH": "1800000000"}, id="another-build-date"),
        pytest.param({**ENV, "SITE_URL": "https://example.org/"}, id="another-site-url"),
        pytest.param({**ENV, STUDY_ENV: "/elsewhere/study.yml"}, id="a-study-elsewhere"),
        pytest.param({**ENV, "QUARTO_PROFILE": "print"}, id="a-quarto-profile"),
        pytest.param({**ENV, "QUARTO_PYTHON": "/other/python"}, id="another-python"),
        pytest.param({**ENV, "SITE_URL": "ftp://x"}, id="a-bad-site-url-left-to-the-hook"),
        pytest.param({"SOURCE_DATE_EPOCH": "tuesday"}, id="a-bad-epoch-left-to-the-hook"),
    ],
)
def test_what_every_page_shows_changing_means_a_full_render(
    project: Path, env: dict[str, str]
) -> None:
    recorded = built(project)
    _edit_eda(project, "Some prose.", "Some prose, edited.")
    assert plan(project, recorded, env) is None


def test_after_a_cold_build_a_prose_edit_renders_only_its_page(
    project: Path, analysis: Path, tmp_path: Path
) -> None:
    """Read before the render, the sources of a cold build have no analysis digest yet."""
    shutil.rmtree(analysis)
    before = site_sources(project, QUARTO, ENV)
    assert before is not None and before.analysis == ""
    make_analysis(analysis, "made-by-the-hook")  # the render's pre-render hook
    sources.record_sources(before, project / "_site", tmp_path / "sources.json")
    recorded = sources.read_sources(tmp_path / "sources.json")
    assert recorded is not None and recorded.analysis == "made-by-the-hook"
    _edit_eda(project, "Some prose.", "Some prose, edited.")
    assert plan(project, recorded) == ["eda.qmd"]


def test_another_analysis_build_means_a_full_render(project: Path, analysis: Path) -> None:
    """Every page reads the analysis, so one made from other inputs changes them all."""
    recorded = built(project)
    _edit_eda(project, "Some prose.", "Some prose, edited.")
    make_analysis(analysis, "made-from-other-data")
    assert plan(project, recorded) is None


def test_a_record_from_before_the_analysis_digest_loads_and_means_a_full_render(
    project: Path, tmp_path: Path
) -> None:
    recorded = built(project)
    older = {name: value for name, value in asdict(recorded).items() if name != "analysis"}
    write_json(tmp_path / "old.json", older)
    loaded = sources.read_sources(tmp_path / "old.json")
    assert loaded is not None and loaded.shared == recorded.shared
    _edit_eda(project, "Some prose.", "Some prose, edited.")
    assert plan(project, recorded) == ["eda.qmd"]
    assert plan(project, loaded) is None


def test_the_first_uncommitted_change_renders_every_footer_again(project: Path) -> None:
    """index.qmd is committed: editing it adds "(with uncommitted changes)" to every page."""
    recorded = built(project)
    home = (project / "index.qmd").read_text(encoding="utf-8")
    (project / "index.qmd").write_text(home + "An edit.\n", encoding="utf-8")
    assert plan(project, recorded) is None
    recorded = built(project)  # the build that showed it
    (project / "index.qmd").write_text(home + "Another edit.\n", encoding="utf-8")
    assert plan(project, recorded) == ["index.qmd"]


def test_no_change_no_record_or_no_git_means_a_full_render(project: Path, tmp_path: Path) -> None:
    recorded = built(project)
    assert plan(project, recorded) is None  # nothing to render alone
    assert pages_to_render(None, site_sources(project, QUARTO, ENV), project / "_site") is None
    assert sources.read_sources(tmp_path / "absent.json") is None
    outside = tmp_path / "not-a-checkout"
    outside.mkdir()
    for name in PAGE_SOURCES:
        (outside / name).write_text("# A page\n", encoding="utf-8")
    assert site_sources(outside, QUARTO, ENV) is None
    (project / "model.qmd").unlink()
    assert site_sources(project, QUARTO, ENV) is None  # a page gone: Quarto says what is wrong


PAGE = """---
title: "Data"
---

## Who is in the data

Some prose.

```{python}
#| label: tbl-counts
pages.table(results, "counts")
```
"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('title: "Data"', 'title: "The data"', id="front-matter"),
        pytest.param('"counts"', '"islands"', id="code-whose-output-may-hold-anchors"),
        pytest.param("## Who is in the data", "## Who is in this sample", id="a-heading"),
        pytest.param("Some prose.", "Some prose.\n=====", id="a-setext-heading"),
        pytest.param("Some prose.", '<div id="x">Some prose.</div>', id="an-html-id"),
        pytest.param("Some prose.", "Some prose.^[A note.]", id="an-inline-footnote"),
    ],
)
def test_the_outline_holds_what_makes_anchors_and_search_entries(old: str, new: str) -> None:
    assert sources.outline(PAGE.replace(old, new)) != sources.outline(PAGE)


def test_the_outline_leaves_prose_out() -> None:
    edited = PAGE.replace("Some prose.", "Other prose, with a [link](eda.html) and *emphasis*.")
    assert sources.outline(edited) == sources.outline(PAGE)
