"""Smoke test of a published site: is the live site this build, and does every page answer?

Run after every publish. With the build's own ``build.json`` (``ExpectedBuild``), it first
fetches the live ``build.json`` and waits until it names this build (same commit, same site
digest): a CDN or bucket website can serve the previous build for a while after the upload,
and a site that answers 200 with last week's pages must not pass. Then every page must
answer 200 with the media type the publisher set
(:mod:`penguin_site.publish.content_types`, one table for both) and, for the pages the
build record lists, exactly this build's bytes (sha256).

Whatever fails is retried with exponential backoff (``interval`` doubling up to
``MAX_INTERVAL``) until ``timeout`` runs out; the run is bounded by ``timeout`` plus one
request timeout, and a failure says what the live site served instead.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from penguin_site.config import BUILD_RECORD, PAGE_FILES, PROJECT_NAME
from penguin_site.files import sha256_bytes
from penguin_site.publish.content_types import media_type_for

__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_PATHS",
    "DEFAULT_TIMEOUT",
    "MAX_INTERVAL",
    "ExpectedBuild",
    "SmokeReport",
    "describe_build",
    "is_http_url",
    "page_url",
    "smoke_test",
]


#: The site's top pages and its search index.
DEFAULT_PATHS: tuple[str, ...] = ("/", *PAGE_FILES, "search.json")
#: Total seconds to keep retrying: how long a CDN may take to serve a new build (CI's bound).
DEFAULT_TIMEOUT = 300.0
#: Seconds before the first retry; each further wait doubles, up to MAX_INTERVAL.
DEFAULT_INTERVAL = 2.0
MAX_INTERVAL = 30.0
#: Longest wait for one response; a request gets at least MIN_REQUEST_TIMEOUT.
REQUEST_TIMEOUT = 10.0
MIN_REQUEST_TIMEOUT = 1.0
USER_AGENT = f"{PROJECT_NAME}-smoke-test"
#: Sent with every request: caches between us and the origin should revalidate.
REQUEST_HEADERS = {"User-Agent": USER_AGENT, "Cache-Control": "no-cache"}


@dataclass(frozen=True)
class ExpectedBuild:
    """The build that should be live: its commit, site digest and each page's sha256."""

    commit: str
    site_digest: str | None = None
    pages: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    site_url: str | None = None

    @classmethod
    def from_record(cls, record: object, source: str) -> ExpectedBuild:
        """From a parsed ``build.json``; ValueError naming ``source`` when it is not one."""
        if not isinstance(record, dict) or not isinstance(record.get("commit"), str):
            raise ValueError(f"{source}: not a build record (no 'commit')")
        pages = record.get("pages") or {}
        if not isinstance(pages, dict):
            raise ValueError(f"{source}: 'pages' is not an object of page -> sha256")
        digest, site_url = record.get("site_digest"), record.get("site_url")
        return cls(
            commit=record["commit"],
            site_digest=digest if isinstance(digest, str) else None,
            pages={str(name): str(sha) for name, sha in pages.items()},
            description=describe_build(record),
            site_url=site_url if isinstance(site_url, str) else None,
        )

    def site_url_problem(self, base_url: str) -> str | None:
        """Why the URL checked is not the one the build wrote its sitemap and canonical
        links for (None when they agree, or the build has no site URL)."""
        if not self.site_url or self.site_url.rstrip("/") == base_url.rstrip("/"):
            return None
        return (
            f"FAIL {base_url}: this build's sitemap and canonical links are for {self.site_url}; "
            "set SITE_URL to the published URL"
        )

    @classmethod
    def load(cls, path: Path) -> ExpectedBuild:
        """Read this build's ``build.json`` (ValueError naming the file when unreadable)."""
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read the build record {path}: {error}") from None
        return cls.from_record(record, str(path))

    def matches(self, live: ExpectedBuild) -> bool:
        """Same commit and, when both know it, the same site digest."""
        if live.commit != self.commit:
            return False
        return not (self.site_digest and live.site_digest and live.site_digest != self.site_digest)

    def page_paths(self) -> list[str]:
        """``/`` (the site's index), every page the record lists, and the search index."""
        listed = [name for name in sorted(self.pages) if name not in DEFAULT_PATHS]
        return list(dict.fromkeys([*DEFAULT_PATHS, *listed]))

    def page_digest(self, path: str) -> str | None:
        """The sha256 this build has for a URL path relative to the site (None: not a page)."""
        name = path.lstrip("/")
        if name == "" or name.endswith("/"):
            name += "index.html"
        return self.pages.get(name)


def describe_build(record: Mapping[str, object]) -> str:
    """``commit 1a2b3c4 built 2025-01-01T00:00:00+00:00 (site 695db347f349)``."""
    commit = str(record.get("commit_short") or str(record.get("commit", "?"))[:7])
    text = f"commit {commit} built {record.get('build_time', 'at an unknown time')}"
    digest = record.get("site_digest")
    return text + (f" (site {str(digest)[:12]})" if digest else "")


def page_url(base_url: str, path: str) -> str:
    """URL of ``path`` under the site's base URL (which may itself have a path prefix).

    ``/`` is the base itself and ``/eda.html`` means ``eda.html`` inside the site, not at the
    host root, so the same paths work for a site published under a prefix.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    return urljoin(base, path.lstrip("/"))


def fetch(url: str, timeout: float) -> tuple[str, bytes] | str:
    """``(Content-Type, body)`` of a 200 answer, or why there is none (one line)."""
    request = urllib.request.Request(url, headers=REQUEST_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            header = response.headers.get("Content-Type", "")
            body = response.read()
    except urllib.error.HTTPError as error:
        error.close()
        return f"HTTP {error.code} {error.reason}"
    except urllib.error.URLError as error:
        return f"cannot connect: {error.reason}"
    except (TimeoutError, OSError) as error:
        return f"cannot connect: {error}"
    if status != 200:
        return f"HTTP {status}, expected 200"
    return header, body


def fetch_problem(
    url: str, expected_type: str, timeout: float, sha256: str | None = None
) -> str | None:
    """None when ``url`` answers 200 with a non-empty body of ``expected_type`` (and, when
    given, of that sha256), else why not."""
    answer = fetch(url, timeout)
    if isinstance(answer, str):
        return answer
    header, body = answer
    media_type = header.split(";", 1)[0].strip().lower()
    if media_type != expected_type:
        return f"Content-Type {header!r}, expected {expected_type}"
    if not body:
        return "empty body"
    if sha256 and (actual := sha256_bytes(body)) != sha256:
        return f"not this build's page (sha256 {actual[:12]}, expected {sha256[:12]})"
    return None


def live_build(url: str, timeout: float) -> ExpectedBuild | str:
    """The build the live ``build.json`` describes, or why it cannot be read."""
    answer = fetch(url, timeout)
    if isinstance(answer, str):
        return answer
    try:
        return ExpectedBuild.from_record(json.loads(answer[1]), url)
    except ValueError as error:
        return f"unreadable build record: {error}"


class Backoff:
    """Waits that double from ``interval`` up to ``MAX_INTERVAL``, never past ``deadline``."""

    def __init__(
        self,
        interval: float,
        deadline: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.interval, self.deadline, self.clock, self.sleep = interval, deadline, clock, sleep

    def request_timeout(self) -> float:
        return min(REQUEST_TIMEOUT, max(self.deadline - self.clock(), MIN_REQUEST_TIMEOUT))

    def wait(self) -> bool:
        """Sleep before the next try; False (without sleeping) when it would pass the deadline."""
        if self.clock() + self.interval > self.deadline:
            return False
        self.sleep(self.interval)
        self.interval = min(self.interval * 2, max(MAX_INTERVAL, self.interval))
        return True


def wait_for_build(base_url: str, expected: ExpectedBuild, backoff: Backoff) -> str | None:
    """None once the live ``build.json`` names ``expected``; else a line naming what it saw."""
    url = page_url(base_url, BUILD_RECORD)
    started = backoff.clock()
    while True:
        live = live_build(url, backoff.request_timeout())
        if isinstance(live, ExpectedBuild) and expected.matches(live):
            return None
        if not backoff.wait():
            this = expected.description or f"commit {expected.commit[:7]}"
            waited = f"after {backoff.clock() - started:.0f} s"
            if isinstance(live, ExpectedBuild):
                seen = f"the live site serves {live.description}"
                return f"FAIL {url}: {seen}, not this build ({this}) {waited}"
            return f"FAIL {url}: {live}; this build ({this}) is not live {waited}"


@dataclass(frozen=True)
class SmokeReport:
    """What the smoke test found: the build it waited for, and the pages it checked."""

    paths: tuple[str, ...]
    build_failure: str | None = None
    page_failures: tuple[str, ...] = ()

    @property
    def lines(self) -> list[str]:
        """One ``FAIL url: why`` line per failure (none: the smoke test passed)."""
        return [self.build_failure] if self.build_failure else list(self.page_failures)


def smoke_test(
    base_url: str,
    paths: Sequence[str] | None = None,
    *,
    expected: ExpectedBuild | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> SmokeReport:
    """Wait for ``expected`` to be live (when given), then check every path.

    ``paths`` default to the top pages, plus every page the expected build lists. The
    pages are not fetched while the live site is another build.
    """
    if paths is None:
        paths = expected.page_paths() if expected is not None else DEFAULT_PATHS
    if expected is not None and (failure := expected.site_url_problem(base_url)):
        return SmokeReport(tuple(paths), build_failure=failure)
    backoff = Backoff(interval, clock() + timeout, clock, sleep)
    if expected is not None and (failure := wait_for_build(base_url, expected, backoff)):
        return SmokeReport(tuple(paths), build_failure=failure)
    backoff = Backoff(interval, backoff.deadline, clock, sleep)  # pages retry from the start
    pending = {path: page_url(base_url, path) for path in paths}
    reasons: dict[str, str] = {}
    while True:
        for path, url in list(pending.items()):
            digest = expected.page_digest(path) if expected is not None else None
            expected_type = media_type_for(urlsplit(url).path)
            reason = fetch_problem(url, expected_type, backoff.request_timeout(), digest)
            if reason is None:
                del pending[path]
                reasons.pop(path, None)
            else:
                reasons[path] = reason
        if not pending or not backoff.wait():
            break
    failures = tuple(f"FAIL {pending[path]}: {reasons[path]}" for path in pending)
    return SmokeReport(tuple(paths), page_failures=failures)


def is_http_url(url: str) -> bool:
    """True for an ``http(s)://host...`` URL (what the smoke test can fetch)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
