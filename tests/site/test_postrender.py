"""The post-render hook: a sitemap dated by the build, and build.json, written reproducibly.

Runs the hook's function on a hand-made site folder inside a real git repository with a
fixed commit date; the expected digests are computed here with hashlib, not by the code
under test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from helpers import git, one_commit_repo

from penguin_site.site import postrender, provenance

EPOCH = "1700000000"  # 2023-11-14T22:13:20Z
SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url>
    <loc>https://example.org/site/index.html</loc>
    <lastmod>2026-11-22T19:31:48.318Z</lastmod>
  </url>
  <url>
    <loc>https://example.org/site/eda.html</loc>
    <lastmod>2026-11-21T08:00:00.001Z</lastmod>
  </url>
</urlset>
"""
FILES = {
    "index.html": b"<!doctype html><title>Home</title>",
    "eda.html": b"<!doctype html><title>EDA</title>",
    "site_libs/quarto.js": b"window.quarto = {};",
    "site_libs/widget.html": b"<p>not a page</p>",
    "search.json": b"[]",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with one commit, and a rendered ``_site`` in it."""
    root = one_commit_repo(tmp_path / "project")
    for name, body in FILES.items():
        (root / "_site" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "_site" / name).write_bytes(body)
    (root / "_site" / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    return root


ENV = {
    "SOURCE_DATE_EPOCH": EPOCH,
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "palmer-lab/penguins",
    "SITE_URL": "https://example.org/site",
}


def test_sitemap_is_dated_by_the_build_and_build_json_records_it(project: Path) -> None:
    site = project / "_site"
    assert postrender.post_render(project, site, ENV) == 0

    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<lastmod>2023-11-14T22:13:20.000Z</lastmod>") == 2
    assert "2026-" not in sitemap
    record = json.loads((site / "build.json").read_text(encoding="utf-8"))
    assert record["commit"] == git(project, "rev-parse", "HEAD")
    assert record["commit_short"] == git(project, "rev-parse", "HEAD")[:7]
    assert record["dirty"] is False
    assert record["build_time"] == "2023-11-14T22:13:20+00:00"
    assert record["source_date_epoch"] == int(EPOCH)
    assert record["repo_url"] == "https://github.com/palmer-lab/penguins"
    assert record["site_url"] == "https://example.org/site/"
    assert len(record["analysis_digest"]) == 64
    assert record["pages"] == {
        "eda.html": hashlib.sha256(FILES["eda.html"]).hexdigest(),
        "index.html": hashlib.sha256(FILES["index.html"]).hexdigest(),
    }
    every = {**FILES, "sitemap.xml": sitemap.encode()}
    listing = "".join(
        f"{name}\0{hashlib.sha256(every[name]).hexdigest()}\n" for name in sorted(every)
    )
    assert record["site_digest"] == hashlib.sha256(listing.encode()).hexdigest()
    assert record["file_count"] == len(every)


def test_two_runs_write_the_same_bytes_and_a_changed_page_changes_the_record(
    project: Path,
) -> None:
    site = project / "_site"
    assert postrender.post_render(project, site, ENV) == 0
    first = (site / "build.json").read_bytes()
    (site / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")  # a re-render's new dates
    assert postrender.post_render(project, site, ENV) == 0
    assert (site / "build.json").read_bytes() == first

    (site / "eda.html").write_bytes(b"<!doctype html><title>EDA, edited</title>")
    assert postrender.post_render(project, site, ENV) == 0
    second = json.loads((site / "build.json").read_text(encoding="utf-8"))
    assert second["pages"]["eda.html"] != json.loads(first)["pages"]["eda.html"]
    assert second["site_digest"] != json.loads(first)["site_digest"]


def test_without_a_site_url_there_is_no_sitemap_to_date(project: Path) -> None:
    site = project / "_site"
    (site / "sitemap.xml").unlink()
    assert postrender.post_render(project, site, {"SOURCE_DATE_EPOCH": EPOCH}) == 0
    record = json.loads((site / "build.json").read_text(encoding="utf-8"))
    assert record["site_url"] is None
    assert not (site / "sitemap.xml").exists()


def test_bad_epoch_or_missing_site_stops_the_hook(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert postrender.post_render(project, project / "_site", {"SOURCE_DATE_EPOCH": "soon"}) == 2
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err
    assert postrender.post_render(project, project / "nowhere", ENV) == 2
    assert "does not exist" in capsys.readouterr().err


def test_site_digest_ignores_the_record_itself(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"a")
    before = provenance.site_file_digests(tmp_path)
    (tmp_path / "build.json").write_bytes(b"{}")
    assert provenance.site_file_digests(tmp_path) == before
