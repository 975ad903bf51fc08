"""The site's links to its repository and its own public URL, from the build's context.

Why: a copy of this project must link to *its* repository, not to a placeholder, and a
published build needs its public URL for Quarto's ``sitemap.xml`` and canonical links.
Neither is typed into ``_quarto.yml``: the pre-render hook writes them to ``_links.yml``
(git-ignored), which ``_quarto.yml`` names in ``metadata-files``. Quarto reads the project
configuration again after the pre-render hook (``renderProject`` in Quarto's CLI), and
skips a listed metadata file that does not exist, so ``quarto preview`` and single-page
renders see the same links as a full build.

- Repository: GitHub Actions' ``GITHUB_SERVER_URL`` + ``GITHUB_REPOSITORY`` (the repository
  the workflow runs for), else the git remote ``origin`` (ssh or https, made an https URL).
  A remote that is a local folder names no web page: then the site shows no repository
  links at all rather than a wrong one.
- Site URL: ``SITE_URL`` (the workflow sets it; see the README's Publishing section).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from penguin_site.clock import git_output
from penguin_site.config import HOOK_FILE_HEADER

__all__ = [
    "LINKS_FILE",
    "LinkError",
    "SiteLinks",
    "collect_links",
    "https_remote",
    "repository_url",
    "site_url",
    "write_links",
]

#: Written by the pre-render hook, read by Quarto through ``metadata-files`` in ``_quarto.yml``.
LINKS_FILE = "_links.yml"

#: ``git@host:owner/repo.git`` (scp-like ssh syntax).
SCP_REMOTE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/\\].*)$")


class LinkError(ValueError):
    """``SITE_URL`` is set to something that is not an http(s) URL."""


@dataclass(frozen=True)
class SiteLinks:
    """Where the site's repository and the site itself live (None: unknown)."""

    repo_url: str | None
    site_url: str | None


def https_remote(remote: str) -> str | None:
    """The https web URL of a git remote (``git@github.com:o/r.git`` -> ``https://github.com/o/r``).

    ``ssh://`` and scp-like remotes lose their user and port (the web server is https on
    its own port); credentials in an https remote are dropped. A local path or a
    ``file://`` remote has no web page: None.
    """
    remote = remote.strip()
    parts = urlsplit(remote)
    if parts.scheme in ("https", "http", "ssh", "git", "git+ssh") and parts.hostname:
        host, path = parts.hostname, parts.path
        if parts.scheme == "http" and parts.port:
            host = f"{host}:{parts.port}"
    elif not parts.scheme and (match := SCP_REMOTE.match(remote)) and "/" not in match["host"]:
        host, path = match["host"], match["path"]
    else:
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    if path.count("/") < 1:
        return None
    scheme = "http" if parts.scheme == "http" else "https"
    return f"{scheme}://{host}/{path}"


def repository_url(env: Mapping[str, str], root: Path) -> str | None:
    """The repository's web URL: the one GitHub Actions runs for, else git's ``origin``."""
    server = env.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repository = env.get("GITHUB_REPOSITORY", "").strip().strip("/")
    if server and repository:
        return f"{server}/{repository}"
    remote = git_output(root, "remote", "get-url", "origin")
    return https_remote(remote) if remote else None


def site_url(env: Mapping[str, str]) -> str | None:
    """``SITE_URL`` with one trailing slash (Quarto appends page paths to it), or None."""
    raw = env.get("SITE_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LinkError(f"SITE_URL must be an http(s):// URL, got {raw!r}")
    return raw.rstrip("/") + "/"


#: The repository links each page's margin shows ("View source", "Report an issue").
REPO_ACTIONS = ("source", "issue")


def collect_links(root: Path, env: Mapping[str, str]) -> SiteLinks:
    """The repository and site URLs for a build of the project in ``root``."""
    return SiteLinks(repo_url=repository_url(env, root), site_url=site_url(env))


def to_metadata(links: SiteLinks) -> dict[str, object]:
    """The ``website:`` options Quarto merges into ``_quarto.yml`` (nothing unknown is set).

    With a repository: ``repo-url`` and ``repo-actions`` (the "View source" and "Report an
    issue" links; without a repository Quarto would warn about them on every page) and the
    navbar's GitHub icon, which Quarto appends to the navbar's right side. With a site URL:
    ``site-url`` (sitemap, canonical links).
    """
    website: dict[str, object] = {}
    if links.repo_url:
        website["repo-url"] = links.repo_url
        website["repo-actions"] = list(REPO_ACTIONS)
        # The site draws only the GitHub logo (no icon font: theme/site.scss); another
        # host gets a word, not an invisible icon.
        on_github = "github" in (urlsplit(links.repo_url).hostname or "")
        shown = {"icon": "github"} if on_github else {"text": "Source"}
        item = {**shown, "href": links.repo_url, "aria-label": "Source repository"}
        website["navbar"] = {"right": [item]}
    if links.site_url:
        website["site-url"] = links.site_url
    return {"website": website} if website else {}


def write_links(project_dir: Path, env: Mapping[str, str]) -> tuple[Path, SiteLinks]:
    """Write ``_links.yml`` for ``project_dir``; returns its path and the links it holds.

    Left untouched when unchanged: ``quarto preview`` watches the project's configuration
    files, and rewriting an identical file would trigger another render.
    """
    links = collect_links(project_dir, env)
    header = HOOK_FILE_HEADER
    metadata = to_metadata(links)
    text = header + (yaml.safe_dump(metadata, sort_keys=True) if metadata else "{}\n")
    path = project_dir / LINKS_FILE
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path, links
