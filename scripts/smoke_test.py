"""Check that the published site is this build and that every page answers.

With --expect-build (this build's _site/build.json), the live build.json must name the
same commit and site digest, and every page listed in it must be served with exactly its
bytes; while the live site still serves an older build, it is asked again with backoff
until --timeout, then the test fails saying which build it saw. Every page must answer 200
with its Content-Type. One line per failure.
Exit codes: 0 every check passed, 1 a check failed, 2 bad command line or build record.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from penguin_site.publish.smoke import (
    DEFAULT_INTERVAL,
    DEFAULT_PATHS,
    DEFAULT_TIMEOUT,
    ExpectedBuild,
    is_http_url,
    smoke_test,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "base_url", help="URL the site is published at, e.g. https://example.org/penguins/"
    )
    parser.add_argument(
        "--expect-build",
        type=Path,
        metavar="BUILD_JSON",
        help="this build's build.json (e.g. _site/build.json): the live site must serve it",
    )
    parser.add_argument(
        "--path",
        action="append",
        dest="paths",
        metavar="PATH",
        help="page to check, relative to BASE_URL; repeat for several "
        f"(default: {' '.join(DEFAULT_PATHS)}, plus every page --expect-build lists)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to keep retrying (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        help=f"seconds before the first retry; each later wait doubles "
        f"(default: {DEFAULT_INTERVAL:g})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_http_url(args.base_url):
        parser.error(f"BASE_URL {args.base_url!r} is not an http(s):// URL")
    if args.timeout < 0 or args.interval < 0:
        parser.error("--timeout and --interval must not be negative")
    expected = None
    if args.expect_build is not None:
        try:
            expected = ExpectedBuild.load(args.expect_build)
        except ValueError as error:
            parser.error(str(error))
    report = smoke_test(
        args.base_url,
        args.paths,
        expected=expected,
        timeout=args.timeout,
        interval=args.interval,
    )
    for line in report.lines:
        print(line)
    build = f", build {expected.description}" if expected else ""
    if report.build_failure:
        print(f"smoke test failed: {args.base_url} does not serve this build{build}")
        return 1
    if report.page_failures:
        print(
            f"smoke test failed: {len(report.page_failures)} of {len(report.paths)} pages "
            f"at {args.base_url}{build}"
        )
        return 1
    print(f"smoke test passed: {len(report.paths)} pages at {args.base_url}{build}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
