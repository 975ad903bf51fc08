"""Sync a rendered site folder to s3://BUCKET/PREFIX (any S3-compatible store).

Uploads new and changed files (compared by SHA-256 and headers), then deletes objects under
the prefix that are no longer in the site, only after every upload succeeded.
Exit codes: 0 published (or dry run done), 1 publish failed (one-line reason on stderr),
2 bad command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.publish.s3 import (
    DEFAULT_MAX_ATTEMPTS,
    PublishError,
    S3Target,
    make_s3_client,
    publish_site,
    summary_line,
    write_changed_paths,
)


def env(*names: str) -> str | None:
    """First non-empty environment variable among ``names``."""
    return next((os.environ[name] for name in names if os.environ.get(name)), None)


def build_parser() -> argparse.ArgumentParser:
    """Parser whose defaults come from the environment at call time (tests set it)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site_dir", type=Path, help="rendered site folder, e.g. _site")
    parser.add_argument(
        "--bucket",
        default=env("PUBLISH_S3_BUCKET"),
        help="target bucket (default: $PUBLISH_S3_BUCKET)",
    )
    parser.add_argument(
        "--prefix",
        default=env("PUBLISH_S3_PREFIX") or "",
        help="key prefix the site lives under; objects under it that are not in the site are "
        "deleted, so with no prefix the bucket must hold only the site "
        "(default: $PUBLISH_S3_PREFIX, else the bucket root)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=env("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
        help="S3-compatible endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS)",
    )
    parser.add_argument(
        "--region",
        default=env("AWS_REGION", "AWS_DEFAULT_REGION"),
        help="region (default: $AWS_REGION, $AWS_DEFAULT_REGION)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (upload / replace / delete / unchanged) and change nothing",
    )
    parser.add_argument(
        "--changed-paths-file",
        type=Path,
        help="write here the URL paths (leading /, prefix included) of the objects this run "
        "replaced or deleted, one per line, for a CDN invalidation; written even when the "
        "publish fails midway, empty for a dry run",
    )
    parser.add_argument(
        "--max-attempts",
        type=int,
        default=DEFAULT_MAX_ATTEMPTS,
        help="tries per S3 request, retries of transient errors with backoff included "
        f"(default: {DEFAULT_MAX_ATTEMPTS})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.bucket:
        parser.error("no bucket: pass --bucket or set PUBLISH_S3_BUCKET")
    if args.max_attempts < 1:
        parser.error("--max-attempts must be at least 1")
    errors: list[PublishError] = []
    changed: Sequence[str] = ()
    try:
        target = S3Target.parse(args.bucket, args.prefix)
        client = make_s3_client(
            endpoint_url=args.endpoint_url, region=args.region, max_attempts=args.max_attempts
        )
        plan, changed = publish_site(args.site_dir, target, client, dry_run=args.dry_run)
    except PublishError as error:
        errors.append(error)
        changed = error.changed_keys
    if args.changed_paths_file:
        try:
            write_changed_paths(args.changed_paths_file, changed)
        except PublishError as error:
            errors.append(error)
    for error in errors:
        print(f"publish_s3: error: {error}", file=sys.stderr)
    if errors:
        return 1
    print(summary_line(args.site_dir, target, plan, dry_run=args.dry_run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
