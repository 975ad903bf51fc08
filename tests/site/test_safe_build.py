"""README command (1) never destroys the last good site: it swaps a checked render in whole.

One copy of the shared render (a good ``_site`` with its build folder and freezer) is
built three times with ``scripts/render_site.sh``, as an author would: with a data file
that breaks the contract, with a page whose code raises, and with a good edit. The two
failures must say so and leave ``_site`` byte-identical (a digest of every file); the
good build must replace it. Only the good case and the raising page execute a page, and
only one each, so this costs two short renders on top of the shared one. A second copy
checks the partial build of a prose edit against a full render of the same tree.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from rendered_site import Render, commit_epoch, copy_rendered, links_of, log_text

from penguin_site.config import DATA_FILE, PAGE_FILES, ROOT, SITE_DIR, SITE_STAGING_DIR, TARGET
from penguin_site.files import sha256_file
from penguin_site.site.sources import SOURCES_FILE

# Renders copies of the shared render: the workflow's `test` job runs it (tests/conftest.py).
pytestmark = [pytest.mark.quarto, pytest.mark.renders]

BROKEN_CELL = '\n```{python}\n#| label: broken\nraise RuntimeError("a page that breaks")\n```\n'
NEW_PROSE = ("## Who is in the data", "## Who is in this sample")


def digest(folder: Path) -> dict[str, str]:
    """Every file of a folder, by relative path, with its sha256."""
    return {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def render_site(
    project: Path, quarto: str, links: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """README command (1) in ``project``, with the tests' venv and the copy's own package."""
    env = {
        **os.environ,
        "PENGUIN_VENV": str(ROOT / ".venv"),
        "QUARTO_PATH": quarto,
        "PYTHONPATH": str(project / "src"),
        "PENGUIN_BUILD_DIR": str(project / "_build" / "analysis"),
        "SOURCE_DATE_EPOCH": commit_epoch(project),  # as the shared render: nothing is stale
        # The links of the render this copies (the workflow's, or the shared test render's).
        **links,
    }
    env.pop("QUARTO_PROJECT_RENDER_ALL", None)
    return subprocess.run(
        ["bash", "scripts/render_site.sh"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_a_failed_build_keeps_the_last_good_site_and_a_good_one_replaces_it(
    rendered: Render, quarto: str, tmp_path: Path
) -> None:
    assert rendered.returncode == 0, rendered.log[-3000:]
    project = copy_rendered(rendered, tmp_path / "project")
    site = project / SITE_DIR
    good = digest(site)
    assert all(page in good for page in PAGE_FILES)
    data, eda = project / DATA_FILE.relative_to(ROOT), project / "eda.qmd"
    data_bytes, eda_text = data.read_bytes(), eda.read_text(encoding="utf-8")

    # (what breaks, how, what the log must name)
    failures = [
        (
            "bad data",  # the target's column renamed in the header
            lambda: data.write_bytes(data_bytes.replace(TARGET.encode(), b"renamed", 1)),
            f"column {TARGET!r}: missing column",
        ),
        (
            "a page that raises",
            lambda: eda.write_text(eda_text + BROKEN_CELL, encoding="utf-8"),
            "a page that breaks",
        ),
    ]
    for what, breaks, named in failures:
        breaks()
        done = render_site(project, quarto, links_of(rendered))
        log = done.stdout + done.stderr
        assert done.returncode != 0, (what, log[-3000:])
        assert digest(site) == good, what
        assert named in log, (what, log[-3000:])
        assert f"{SITE_DIR}/ was left as it was" in done.stderr, (what, log[-3000:])
        assert not (project / SITE_STAGING_DIR).exists(), what
        data.write_bytes(data_bytes)
        eda.write_text(eda_text, encoding="utf-8")

    eda.write_text(eda_text.replace(*NEW_PROSE), encoding="utf-8")
    done = render_site(project, quarto, links_of(rendered))
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "rendered and checked" in done.stdout
    assert not (project / SITE_STAGING_DIR).exists()
    assert NEW_PROSE[1].removeprefix("## ") in (site / "eda.html").read_text(encoding="utf-8")
    new = digest(site)
    assert set(new) == set(good)  # the same files: site_libs, figures, downloads, search
    assert new != good
    # The staged site reads as if rendered in place: links, search and sitemap name no
    # staging folder, and search finds the new heading on the page that has it.
    for name in new:
        if name.endswith((".html", ".json", ".xml")):
            assert SITE_STAGING_DIR not in (site / name).read_text(encoding="utf-8"), name
    search = json.loads((site / "search.json").read_text(encoding="utf-8"))
    heading = NEW_PROSE[1].removeprefix("## ")
    hits = [entry["href"] for entry in search if heading in entry["section"]]
    assert hits and all(href.startswith("eda.html") for href in hits), hits


def test_a_prose_edit_renders_only_its_page_into_the_site_a_full_render_makes(
    rendered: Render, quarto: str, tmp_path: Path
) -> None:
    """The first build records its sources; after a prose edit of eda.qmd the next renders
    that page alone (site.sources), and the site equals a full render's of the same tree."""
    assert rendered.returncode == 0, rendered.log[-3000:]
    project = copy_rendered(rendered, tmp_path / "project")
    eda = project / "eda.qmd"
    text = eda.read_text(encoding="utf-8")
    for sentence in ("A sentence the first build shows.", "The sentence the second shows."):
        eda.write_text(f"{text}\n{sentence}\n", encoding="utf-8")  # prose: no heading, no label
        done = render_site(project, quarto, links_of(rendered))
        assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    partial = digest(project / SITE_DIR)
    assert "only eda.qmd changed since _site/ was built" in done.stdout, done.stdout[-3000:]
    assert "[1/3]" not in done.stdout + done.stderr  # Quarto rendered one page, not the project
    assert sentence in (project / SITE_DIR / "eda.html").read_text(encoding="utf-8")

    (project / "_build" / SOURCES_FILE.name).unlink()  # no record: a full render
    done = render_site(project, quarto, links_of(rendered))
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "[3/3] model.qmd" in log_text(done.stdout + done.stderr)
    assert digest(project / SITE_DIR) == partial
