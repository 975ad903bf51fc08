"""Build provenance: which commit, when, and with which tools the site was built.

Why: a reader of a published page (or a reviewer of an old one) must be able to tell which
code produced it. The footer of every page shows the commit, the build date and the tool
versions; they are computed at build time by the Quarto pre-render hook and written to
``_variables.yml`` (git-ignored), which the footer reads with ``{{< var ... >}}``. No
version number is typed by hand, so none can go stale. Quarto's own version comes from
Quarto's ``{{< version >}}`` shortcode, the only authority on which Quarto is running.

The build date is reproducible: ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds
convention), else the date of the commit, and only outside a git checkout the clock.

The same provenance, with the analysis digest and the sha256 of every page, is the build's
identity: ``build.json`` in the rendered site (``write_build_record``, run by the
post-render hook). The publisher uploads it last and the smoke test compares the live one
with this build's, so a CDN still serving an older build is noticed. It holds nothing that
changes between two renders of one commit (no clock, no absolute path).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import yaml

from penguin_site.analysis.digest import analysis_digest, recorded_digest
from penguin_site.clock import EpochError, commit_time, git_output, source_date_epoch
from penguin_site.config import (
    BUILD_DIR,
    BUILD_RECORD,
    FOOTER_PACKAGES,
    HOOK_FILE_HEADER,
    SITE_LIBS,
)
from penguin_site.files import sha256_bytes, sha256_file, write_json
from penguin_site.site.links import SiteLinks

#: Python distributions whose installed version goes into ``_variables.yml``, keyed by
#: the variable name the footer uses (``versions.scikit_learn``: YAML keys need no dash).
PACKAGE_VARIABLES: Mapping[str, str] = {name.replace("-", "_"): name for name in FOOTER_PACKAGES}

VARIABLES_FILE = "_variables.yml"


class ProvenanceError(ValueError):
    """Raised when the build environment states something impossible (a bad epoch)."""


@dataclass(frozen=True)
class Provenance:
    """Everything the footer says about a build."""

    commit: str
    commit_full: str
    dirty: bool
    build_time: datetime
    date_source: str
    versions: Mapping[str, str]

    @property
    def build_date(self) -> str:
        return self.build_time.strftime("%Y-%m-%d")


def fixed_build_time(env: Mapping[str, str]) -> datetime | None:
    """The build time fixed by ``SOURCE_DATE_EPOCH`` (UTC), or None when it is unset."""
    try:
        seconds = source_date_epoch(env)
    except EpochError as exc:
        raise ProvenanceError(str(exc)) from None
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def commit_epoch(root: Path) -> int | None:
    """The time of the checked-out commit (what a build of it sets ``SOURCE_DATE_EPOCH`` to)."""
    return commit_time(root)


def package_versions() -> dict[str, str]:
    """Installed versions of Python and the analysis libraries, by variable name."""
    versions = {"python": platform.python_version()}
    for variable, distribution in PACKAGE_VARIABLES.items():
        versions[variable] = metadata.version(distribution)
    return versions


def collect(root: Path, env: Mapping[str, str] | None = None) -> Provenance:
    """Read commit, build time and versions for a build of the project in ``root``."""
    env = os.environ if env is None else env
    full = git_output(root, "rev-parse", "HEAD") or ""
    short = git_output(root, "rev-parse", "--short=7", "HEAD") or ""
    dirty = bool(full) and bool(git_output(root, "status", "--porcelain", "--untracked-files=no"))

    build_time = fixed_build_time(env)
    date_source = "SOURCE_DATE_EPOCH"
    if build_time is None:
        committed = commit_epoch(root)
        if committed is not None:
            build_time = datetime.fromtimestamp(committed, tz=UTC)
            date_source = "commit date"
        else:
            build_time = datetime.now(tz=UTC).replace(microsecond=0)
            date_source = "build clock (not a git checkout)"
    return Provenance(
        commit=short or "unknown",
        commit_full=full or "unknown",
        dirty=dirty,
        build_time=build_time,
        date_source=date_source,
        versions=package_versions(),
    )


def to_variables(provenance: Provenance) -> dict[str, dict[str, str]]:
    """The ``_variables.yml`` content: ``build.*`` and ``versions.*`` for ``{{< var >}}``."""
    commit = provenance.commit + (" (with uncommitted changes)" if provenance.dirty else "")
    return {
        "build": {
            "commit": commit,
            "commit_full": provenance.commit_full,
            "date": provenance.build_date,
            "time": provenance.build_time.isoformat(),
            "date_source": provenance.date_source,
        },
        "versions": dict(provenance.versions),
    }


def write_variables(project_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """Collect provenance for ``project_dir`` and write its ``_variables.yml``; returns the path."""
    return save_variables(project_dir, to_variables(collect(project_dir, env)))


def save_variables(project_dir: Path, variables: Mapping[str, Mapping[str, str]]) -> Path:
    """Write ``variables`` as ``project_dir``'s ``_variables.yml`` (``{{< var group.name >}}``).

    The pre-render hook writes provenance (``to_variables``) plus ``facts``, the numbers
    the home page quotes. The file is left untouched when its content would not change:
    ``quarto preview`` watches project files, and rewriting an identical file would
    trigger another render.
    """
    path = project_dir / VARIABLES_FILE
    header = HOOK_FILE_HEADER
    # Every value double-quoted: Quarto reads YAML 1.2, where an unquoted short sha such as
    # 12345e7 is a number (PyYAML, on YAML 1.1, would leave it bare).
    text = header + yaml.safe_dump(dict(variables), sort_keys=True, default_style='"')
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def site_file_digests(site_dir: Path) -> dict[str, str]:
    """sha256 of every file of a rendered site but the build record, by POSIX relative path."""
    return {
        path.relative_to(site_dir).as_posix(): sha256_file(path)
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and path.relative_to(site_dir).as_posix() != BUILD_RECORD
    }


def site_digest(files: Mapping[str, str]) -> str:
    """One sha256 over every file's path and sha256: equal exactly when the sites are."""
    return sha256_bytes("".join(f"{name}\0{digest}\n" for name, digest in files.items()).encode())


def build_record(
    provenance: Provenance, links: SiteLinks, analysis: str, files: Mapping[str, str]
) -> dict[str, object]:
    """What ``build.json`` says: commit, date, analysis digest, links and the site's digests.

    ``pages`` holds the sha256 of each HTML page (what the smoke test fetches and compares);
    ``site_digest`` covers every file, assets included.
    """
    pages = {
        name: digest
        for name, digest in files.items()
        if name.endswith(".html") and not name.startswith(f"{SITE_LIBS}/")
    }
    return {
        "commit": provenance.commit_full,
        "commit_short": provenance.commit,
        "dirty": provenance.dirty,
        "build_time": provenance.build_time.isoformat(),
        "source_date_epoch": int(provenance.build_time.timestamp()),
        "date_source": provenance.date_source,
        "analysis_digest": analysis,
        "repo_url": links.repo_url,
        "site_url": links.site_url,
        "versions": dict(provenance.versions),
        "site_digest": site_digest(files),
        "file_count": len(files),
        "pages": pages,
    }


def write_build_record(
    site_dir: Path, project_dir: Path, links: SiteLinks, env: Mapping[str, str] | None = None
) -> Path:
    """Write ``build.json`` into the rendered ``site_dir``; returns its path.

    The analysis digest is the one the pages' results were built from (recorded beside
    them), else the digest of the analysis's inputs now.
    """
    analysis = recorded_digest(BUILD_DIR) or analysis_digest()
    record = build_record(collect(project_dir, env), links, analysis, site_file_digests(site_dir))
    path = site_dir / BUILD_RECORD
    write_json(path, record)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m penguin_site.site.provenance --commit-epoch``: the commit's time, for
    README command (1) to export as ``SOURCE_DATE_EPOCH`` (one definition of a build's time).
    """
    parser = argparse.ArgumentParser(description="Build provenance of this checkout.")
    parser.add_argument(
        "--commit-epoch", action="store_true", help="print the commit time (seconds since 1970)"
    )
    args = parser.parse_args(argv)
    if args.commit_epoch:
        epoch = commit_epoch(Path.cwd())
        if epoch is None:
            print("provenance: not a git checkout; no commit time", file=sys.stderr)
            return 1
        print(epoch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = [
    "Provenance",
    "ProvenanceError",
    "build_record",
    "collect",
    "commit_epoch",
    "main",
    "package_versions",
    "save_variables",
    "site_digest",
    "site_file_digests",
    "to_variables",
    "write_build_record",
    "write_variables",
]
