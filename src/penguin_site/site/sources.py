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
  the folder of the analysis build the pages read, the Quarto binary, and the variables
  that choose Quarto's profile and the pages' Python;
- the digest the analysis build was made from, as the render left it (a cold build has
  none before its pre-render hook makes one, so it is read again after the render);
- each page's source, by its own sha256, and its outline: its front matter, its code
  cells (their output may hold headings and labels), and every prose line that makes
  structure or an anchor (headings, ``{#id}`` and ``id=`` attributes, footnotes);
- the digest of the site those made (``provenance.site_file_digests``), so a ``_site``
  changed or replaced since is never built upon.

Anything else (no record, no git checkout, a submodule, a study outside the project, any
other input changed, a page's outline changed, the site not the one recorded) means a full
render. The edited pages' own outputs are removed from the copy first, so nothing they no
longer make is left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from penguin_site.analysis.digest import recorded_digest
from penguin_site.clock import git_output
from penguin_site.config import BUILD_DIR, PAGE_SOURCES
from penguin_site.files import read_json, sha256_bytes, sha256_file, write_json
from penguin_site.site.links import LinkError, collect_links, to_metadata
from penguin_site.site.provenance import (
    ProvenanceError,
    collect,
    site_digest,
    site_file_digests,
    to_variables,
)
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

#: A prose line that makes structure or an anchor: an ATX heading or a setext underline,
#: an ``{#id}`` or ``id=`` attribute, a footnote (``[^x]``, ``^[inline]``).
STRUCTURE = re.compile(r"^\s*#|^\s*(=+|-+)\s*$|\{#|\bid=|\[\^|\^\[")
#: Environment variables that change every page without changing a file: Quarto's profile
#: (``_quarto-<profile>.yml``), the Python and the package the pages run.
SITE_ENV = ("QUARTO_PROFILE", "QUARTO_PYTHON", "PYTHONPATH")

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
    #: ``analysis.digest`` of the build the pages read; a record without one never matches.
    analysis: str = ""


def site_sources(
    project_dir: Path, quarto: Path, env: Mapping[str, str] | None = None
) -> SiteSources | None:
    """The inputs a build of ``project_dir`` would read now; None when they cannot be listed."""
    env = os.environ if env is None else env
    if env.get(STUDY_ENV):
        return None  # its files live outside the project, where git lists nothing
    listed = git_output(project_dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None or not all((project_dir / name).is_file() for name in PAGE_SOURCES):
        return None
    try:  # a bad SOURCE_DATE_EPOCH or SITE_URL: the full render's hook says what is wrong
        context = {
            "variables": to_variables(collect(project_dir, env)),
            "links": to_metadata(collect_links(project_dir, env)),
            "analysis": str(BUILD_DIR),
            "quarto": str(quarto),
            "env": {name: env.get(name, "") for name in SITE_ENV},
        }
    except (ProvenanceError, LinkError):
        return None
    texts = {name: (project_dir / name).read_bytes() for name in PAGE_SOURCES}
    pages = {name: sha256_bytes(text) for name, text in texts.items()}
    outlines = {name: outline(text.decode("utf-8", "replace")) for name, text in texts.items()}
    shared = hashlib.sha256(json.dumps(context, sort_keys=True).encode())
    for name in sorted(set(listed.split("\0")) - {"", *pages}):
        path = project_dir / name
        if path.is_dir():
            return None  # a submodule: git lists it as one entry, its files unseen
        if path.is_file():  # a listed file deleted in the working tree is simply gone
            shared.update(f"{name}\0{sha256_file(path)}\n".encode())
    return SiteSources(
        shared=shared.hexdigest(),
        pages=pages,
        outlines=outlines,
        analysis=recorded_digest(BUILD_DIR),
    )


def outline(text: str) -> str:
    """The digest of a page's front matter, code cells and structural prose lines."""
    kept, fence, front = [], "", text.startswith("---")
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if front:
            kept.append(line)
            front = number == 0 or stripped != "---"
        elif fence:
            kept.append(line)
            fence = "" if stripped == fence else fence
        elif stripped.startswith(("```", "~~~")):
            kept.append(line)
            fence = stripped[:3]
        elif STRUCTURE.search(line):
            kept.append(line)
    return sha256_bytes("\n".join(kept).encode())


def read_sources(path: Path = SOURCES_FILE) -> SiteSources | None:
    """The recorded sources of the last good build, if a build recorded them."""
    try:
        return SiteSources(**read_json(path))
    except (OSError, TypeError, ValueError):
        return None


def record_sources(sources: SiteSources, site_dir: Path, path: Path = SOURCES_FILE) -> None:
    """Record ``sources`` as what the site now in ``site_dir`` was built from.

    ``sources`` was read before the render, so an edit made while Quarto ran is seen by the
    next build; the analysis digest is read now, since the render's pre-render hook may
    have just made the analysis the pages show.
    """
    made = replace(
        sources,
        site=site_digest(site_file_digests(site_dir)),
        analysis=recorded_digest(BUILD_DIR),
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
    if recorded.analysis != current.analysis:
        return None
    if recorded.pages.keys() != current.pages.keys() or recorded.outlines != current.outlines:
        return None
    changed = [page for page, digest in current.pages.items() if recorded.pages[page] != digest]
    if not changed or not site_dir.is_dir():
        return None
    if recorded.site != site_digest(site_file_digests(site_dir)):
        return None
    return changed
