"""What a built site was made from, so a prose edit re-renders only the page it touched.

Why: after an author edits one page, a full ``quarto render`` runs Pandoc on every page
again (measured: 1.8-2.9 s of a 10-11 s rebuild went to the two unchanged pages). Quarto
renders a single page of a project into an existing output folder and updates the
project's own files (``search.json``, the sitemap) for it; rendered so into a copy of the
last good site, the result is byte-for-byte the site a full render makes (a test compares
the two). That holds only when nothing but those pages' prose changed: Quarto updates a
page's search entries in place by their anchors, so a heading added, renamed or removed
would leave a stale entry, or one out of page order. So a build records what it was made
from:

- every file git lists in the project (tracked, or new and not ignored) but the pages'
  sources, hashed into one digest with the provenance every page's footer shows (commit,
  uncommitted changes, build date, package versions), the links of every page's navbar,
  and the Quarto binary;
- each page's source, by its own sha256, and its outline: the lines that make anchors or
  structure (headings, cell options such as labels and captions, ``{#id}`` attributes,
  footnotes; Python comments too, which errs towards a full render);
- the digest of the site those made (``provenance.site_file_digests``), so a ``_site``
  changed or replaced since is never built upon.

Anything else (no record, no git checkout, a study outside the project, any other file
changed, a page's outline changed, the site not the one recorded) means a full render.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from penguin_site.clock import git_output
from penguin_site.config import BUILD_DIR, PAGE_SOURCES
from penguin_site.files import read_json, sha256_bytes, sha256_file, write_json
from penguin_site.site.links import collect_links, to_metadata
from penguin_site.site.provenance import collect, site_digest, site_file_digests, to_variables
from penguin_site.study import STUDY_ENV

__all__ = [
    "SOURCES_FILE",
    "SiteSources",
    "forget_sources",
    "pages_to_render",
    "read_sources",
    "record_sources",
    "site_sources",
]

#: Beside the analysis build (like the home page's facts): what the last good ``_site`` was
#: built from. Outside the site, so it is never published.
SOURCES_FILE = BUILD_DIR.parent / "site-sources.json"


@dataclass(frozen=True)
class SiteSources:
    """One build's inputs: everything but the pages, each page, and the site they made."""

    shared: str
    pages: dict[str, str]
    outlines: dict[str, str]
    site: str = ""


def site_sources(
    project_dir: Path, quarto: Path, env: Mapping[str, str] | None = None
) -> SiteSources | None:
    """The inputs a build of ``project_dir`` would read now; None when they cannot be listed."""
    env = os.environ if env is None else env
    if env.get(STUDY_ENV):
        return None  # its files live outside the project, where git lists nothing
    listed = git_output(project_dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:
        return None
    texts = {name: (project_dir / name).read_bytes() for name in PAGE_SOURCES}
    pages = {name: sha256_bytes(text) for name, text in texts.items()}
    outlines = {name: outline(text.decode("utf-8", "replace")) for name, text in texts.items()}
    shared = hashlib.sha256()
    for name in sorted(set(listed.split("\0")) - {"", *pages}):
        path = project_dir / name
        if path.is_file():  # a listed file deleted in the working tree is simply gone
            shared.update(f"{name}\0{sha256_file(path)}\n".encode())
    context = {
        "variables": to_variables(collect(project_dir, env)),
        "links": to_metadata(collect_links(project_dir, env)),
        "quarto": str(quarto),
    }
    shared.update(json.dumps(context, sort_keys=True).encode())
    return SiteSources(shared=shared.hexdigest(), pages=pages, outlines=outlines)


def outline(text: str) -> str:
    """The digest of a page's lines that make anchors or structure (see the module docstring)."""
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.lstrip().startswith("#") or "{#" in line or "[^" in line
    ]
    return sha256_bytes("\n".join(lines).encode())


def read_sources(path: Path = SOURCES_FILE) -> SiteSources | None:
    """The recorded sources of the last good build, if a build recorded them."""
    try:
        return SiteSources(**read_json(path))
    except (OSError, TypeError, ValueError):
        return None


def record_sources(sources: SiteSources, site_dir: Path, path: Path = SOURCES_FILE) -> None:
    """Record ``sources`` as what the site now in ``site_dir`` was built from."""
    made = SiteSources(
        sources.shared, sources.pages, sources.outlines, site_digest(site_file_digests(site_dir))
    )
    write_json(path, asdict(made))


def forget_sources(path: Path = SOURCES_FILE) -> None:
    """No record: the next build renders every page (a build whose inputs are unknown)."""
    path.unlink(missing_ok=True)


def pages_to_render(
    recorded: SiteSources | None, current: SiteSources | None, site_dir: Path
) -> Sequence[str] | None:
    """The page sources to render into a copy of ``site_dir``, or None for a full render.

    Some pages, only when their prose is all that changed since the build that made
    ``site_dir``.
    """
    if recorded is None or current is None or recorded.shared != current.shared:
        return None
    if recorded.pages.keys() != current.pages.keys() or recorded.outlines != current.outlines:
        return None
    changed = [page for page, digest in current.pages.items() if recorded.pages[page] != digest]
    if not changed or not site_dir.is_dir():
        return None
    if recorded.site != site_digest(site_file_digests(site_dir)):
        return None
    return changed
