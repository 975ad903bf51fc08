"""The site's repository and site URLs, from GitHub Actions, git's origin and SITE_URL.

The git cases run real git in a throwaway repository (its ``origin`` set the way a clone
sets it); the file the pre-render hook writes is read back as Quarto would (YAML).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from penguin_site.site import links

ACTIONS = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "palmer-lab/penguins"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository (no remote yet)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, timeout=30)
    return root


def set_origin(root: Path, url: str) -> None:
    subprocess.run(["git", "remote", "add", "origin", url], cwd=root, check=True, timeout=30)


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("git@github.com:palmer-lab/penguins.git", "https://github.com/palmer-lab/penguins"),
        ("git@github.com:palmer-lab/penguins", "https://github.com/palmer-lab/penguins"),
        ("ssh://git@github.com/palmer-lab/penguins.git", "https://github.com/palmer-lab/penguins"),
        (
            "ssh://git@gitlab.example.org:2222/team/sub/site.git",
            "https://gitlab.example.org/team/sub/site",
        ),
        ("https://github.com/palmer-lab/penguins.git", "https://github.com/palmer-lab/penguins"),
        (
            "https://user:token@github.com/palmer-lab/penguins/",
            "https://github.com/palmer-lab/penguins",
        ),
        ("git://github.com/palmer-lab/penguins.git", "https://github.com/palmer-lab/penguins"),
        ("/srv/git/penguins.git", None),
        ("../penguins", None),
        ("file:///srv/git/penguins.git", None),
        ("https://github.com/onlyowner", None),
    ],
)
def test_git_remotes_become_https_urls(remote: str, url: str | None) -> None:
    assert links.https_remote(remote) == url


def test_github_actions_names_the_repository_before_git(repo: Path) -> None:
    set_origin(repo, "git@github.com:someone/fork.git")
    assert links.repository_url(ACTIONS, repo) == "https://github.com/palmer-lab/penguins"
    enterprise = {"GITHUB_SERVER_URL": "https://git.corp.example/", "GITHUB_REPOSITORY": "a/b"}
    assert links.repository_url(enterprise, repo) == "https://git.corp.example/a/b"


def test_outside_actions_the_origin_remote_is_the_repository(repo: Path) -> None:
    assert links.repository_url({}, repo) is None  # no remote: no links
    set_origin(repo, "git@github.com:someone/fork.git")
    assert links.repository_url({}, repo) == "https://github.com/someone/fork"


def test_no_git_at_all_means_no_repository(tmp_path: Path) -> None:
    assert links.repository_url({}, tmp_path) is None


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("https://palmer-lab.github.io/penguins", "https://palmer-lab.github.io/penguins/"),
        ("https://d111.cloudfront.net/penguins/", "https://d111.cloudfront.net/penguins/"),
        ("  ", None),
    ],
)
def test_site_url_gets_one_trailing_slash(value: str, url: str | None) -> None:
    assert links.site_url({"SITE_URL": value}) == url


def test_a_site_url_that_is_no_url_stops_the_build() -> None:
    with pytest.raises(links.LinkError, match="SITE_URL must be an http"):
        links.site_url({"SITE_URL": "palmer-lab.github.io/penguins"})


def test_links_file_holds_repo_url_source_icon_and_site_url(repo: Path) -> None:
    env = {**ACTIONS, "SITE_URL": "https://palmer-lab.github.io/penguins"}
    path, found = links.write_links(repo, env)

    assert path == repo / links.LINKS_FILE
    assert found == links.SiteLinks(
        "https://github.com/palmer-lab/penguins", "https://palmer-lab.github.io/penguins/"
    )
    website = yaml.safe_load(path.read_text(encoding="utf-8"))["website"]
    assert website["repo-url"] == "https://github.com/palmer-lab/penguins"
    assert website["repo-actions"] == list(links.REPO_ACTIONS)
    assert website["site-url"] == "https://palmer-lab.github.io/penguins/"
    [icon] = website["navbar"]["right"]
    assert icon["icon"] == "github"
    assert icon["href"] == website["repo-url"]
    assert icon["aria-label"]


def test_without_repository_or_site_url_the_file_sets_nothing(repo: Path) -> None:
    path, found = links.write_links(repo, {})
    assert found == links.SiteLinks(None, None)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {}


def test_unchanged_links_file_is_not_rewritten(repo: Path) -> None:
    """quarto preview watches configuration files: an identical rewrite would re-render."""
    path, _ = links.write_links(repo, ACTIONS)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    links.write_links(repo, ACTIONS)
    assert path.stat().st_mtime_ns == 1_000_000_000
    links.write_links(repo, {**ACTIONS, "GITHUB_REPOSITORY": "palmer-lab/other"})
    assert path.stat().st_mtime_ns != 1_000_000_000
