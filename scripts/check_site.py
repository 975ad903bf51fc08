"""Check a rendered site folder for what a reader must never see (see penguin_site.checks.static).

Prints one problem per line (page: kind: what is wrong) and exits 1 when there is any,
so the workflow stops before publishing a broken site. ``--browser`` also opens every
page in headless Chromium from a local server and reports runtime errors and requests
to other hosts. ``--publish`` adds what a build about to be published must have: its
``build.json``, links to its real repository on every page, and a sitemap and canonical
links under its site URL (the workflow's deploy path runs it; see the README).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.checks.static import REQUIRED_PAGES, Publication, check_site, html_pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "site_dir",
        nargs="?",
        default="_site",
        type=Path,
        help="rendered site folder to check (default: _site)",
    )
    parser.add_argument(
        "--require",
        nargs="*",
        default=list(REQUIRED_PAGES),
        metavar="PAGE",
        help="pages (site-relative) that must exist (default: %(default)s)",
    )
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also load every page in headless Chromium (CHROMIUM_PATH or /usr/bin/chromium)",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="the site is about to be published: require build.json, repository links on "
        "every page, a sitemap and canonical links under the site URL",
    )
    parser.add_argument(
        "--repo-url",
        metavar="URL",
        help="with --publish: the repository every page must link to "
        "(default: the one build.json records)",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        help="with --publish: the URL the site is published at (default: build.json's)",
    )
    args = parser.parse_args(argv)
    if (args.repo_url or args.site_url) and not args.publish:
        parser.error("--repo-url and --site-url go with --publish")
    publication = Publication(args.repo_url, args.site_url) if args.publish else None

    try:
        problems = [
            str(problem) for problem in check_site(args.site_dir, args.require, publication)
        ]
    except FileNotFoundError as exc:
        print(f"check_site: {exc}", file=sys.stderr)
        return 2
    if args.browser:
        from penguin_site.checks.browser import BrowserUnavailable, browser_problems

        try:
            problems += browser_problems(args.site_dir)
        except BrowserUnavailable as exc:
            print(f"check_site: {exc}", file=sys.stderr)
            return 2

    for line in problems:
        print(line)
    count = len(html_pages(args.site_dir))
    if problems:
        print(f"check_site: {len(problems)} problem(s) in {args.site_dir}", file=sys.stderr)
        return 1
    print(f"check_site: {count} page(s) in {args.site_dir} passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
