"""README command (1)'s render: into a staging folder, checked, then swapped in whole.

Why: Quarto empties its output folder before the pre-render hook runs, so a plain
``quarto render`` that fails (bad data, a page that raises) leaves no site, or a site of
one page, where the last good one was. Here Quarto renders into ``_site.staging``
(``quarto render --output-dir``, which overrides ``project: output-dir`` for this render
only: the freezer, ``site_libs``, search.json and every relative link are the same as in
``_site``); the static site checks (``checks.static``) run on it; and only when both pass
does it replace ``_site``, by two renames (``files.replace_dir``). On any failure
``_site`` is left byte-for-byte as it was, and stderr says so. After a prose edit only
the edited pages are rendered, into a copy of ``_site`` (``site.sources`` says when that
gives exactly a full render's site).

The browser checks (``check_site.py --browser``) are not part of this gate: command (1)
must work on a fresh machine without Chromium, and a gate that ran them only where
Chromium happens to be would pass or fail the same commit by machine. The workflow runs
them on the swapped-in ``_site`` before it uploads anything.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.checks.static import REQUIRED_PAGES, check_site
from penguin_site.config import SITE_DIR, SITE_STAGING_DIR
from penguin_site.files import replace_dir
from penguin_site.site.sources import (
    forget_sources,
    pages_to_render,
    read_sources,
    record_sources,
    site_sources,
)

__all__ = ["PARTIAL", "build_site", "main"]

#: How the log says a build rendered only the edited pages (the benchmark counts these).
PARTIAL = "rendering just that"


def build_site(quarto: Path, project_dir: Path, quarto_args: Sequence[str] = ()) -> int:
    """Render ``project_dir`` aside, check it, and swap it into ``_site``; an exit status.

    When only some pages' sources changed since the build that made ``_site`` (see
    ``site.sources``), those pages are rendered into a copy of it; otherwise every page.
    """
    staging, site = project_dir / SITE_STAGING_DIR, project_dir / SITE_DIR
    shutil.rmtree(staging, ignore_errors=True)  # left over from an interrupted build
    # Read before the render: an edit made while Quarto runs is seen by the next build.
    current = None if quarto_args else site_sources(project_dir, quarto)
    pages = pages_to_render(read_sources(), current, site)
    if pages:
        names = ", ".join(pages)
        print(f"render_site: only {names} changed since {SITE_DIR}/ was built: {PARTIAL}")
        shutil.copytree(site, staging, symlinks=True)
        for page in pages:  # what the page made last time, so nothing it no longer makes stays
            stem = Path(page).stem
            for made in (f"{stem}.html", f"{stem}.ipynb"):
                (staging / made).unlink(missing_ok=True)
            shutil.rmtree(staging / f"{stem}_files", ignore_errors=True)
    command = [str(quarto), "render", *(pages or ()), "--output-dir", SITE_STAGING_DIR]
    done = subprocess.run([*command, *quarto_args], cwd=project_dir, check=False)
    if done.returncode != 0:
        return _refuse(staging, site, f"quarto render failed (exit {done.returncode})")
    problems = check_site(staging, REQUIRED_PAGES)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return _refuse(staging, site, f"the site checks found {len(problems)} problem(s)")
    replace_dir(staging, site)
    if current is None:
        forget_sources()
    else:
        record_sources(current, site)
    print(f"render_site: rendered and checked; the site is in {SITE_DIR}/")
    return 0


def _refuse(staging: Path, site: Path, why: str) -> int:
    shutil.rmtree(staging, ignore_errors=True)
    kept = (
        f"{SITE_DIR}/ was left as it was (the last good build)"
        if site.exists()
        else f"there is no {SITE_DIR}/ yet"
    )
    print(f"render_site: {why}; nothing was replaced: {kept}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("quarto", type=Path, help="the Quarto binary (penguin_site.site.quarto)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="default: .")
    parser.add_argument(
        "quarto_args", nargs=argparse.REMAINDER, help="more arguments for quarto render"
    )
    args = parser.parse_args(argv)
    return build_site(args.quarto, args.project_dir, args.quarto_args)


if __name__ == "__main__":
    raise SystemExit(main())
