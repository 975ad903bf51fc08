"""Fetch the published site's top pages and check status 200 and their Content-Type.

Failing pages are retried until --timeout (a fresh deploy can lag); one line per failure.
Exit codes: 0 every page passed, 1 a page failed, 2 bad command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from penguin_site.publish.smoke import (
    DEFAULT_INTERVAL,
    DEFAULT_PATHS,
    DEFAULT_TIMEOUT,
    is_http_url,
    smoke_test,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "base_url", help="URL the site is published at, e.g. https://example.org/penguins/"
    )
    parser.add_argument(
        "--path",
        action="append",
        dest="paths",
        metavar="PATH",
        help="page to check, relative to BASE_URL; repeat for several "
        f"(default: {' '.join(DEFAULT_PATHS)})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to keep retrying failing pages (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        help=f"seconds between retries (default: {DEFAULT_INTERVAL:g})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_http_url(args.base_url):
        parser.error(f"BASE_URL {args.base_url!r} is not an http(s):// URL")
    if args.timeout < 0 or args.interval < 0:
        parser.error("--timeout and --interval must not be negative")
    paths = args.paths or list(DEFAULT_PATHS)
    failures = smoke_test(args.base_url, paths, timeout=args.timeout, interval=args.interval)
    for line in failures:
        print(line)
    if failures:
        print(f"smoke test failed: {len(failures)} of {len(paths)} pages at {args.base_url}")
        return 1
    print(f"smoke test passed: {len(paths)} pages at {args.base_url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
