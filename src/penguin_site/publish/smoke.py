"""Smoke test of a published site: do its top pages answer 200 with the right Content-Type?

Run after every publish. A CDN or bucket website can lag a few seconds behind the upload,
so failing pages are tried again every ``interval`` seconds until ``timeout`` runs out; the
run is bounded by ``timeout`` plus one request timeout. Expected media types come from
:mod:`penguin_site.publish.content_types`, the same table the publisher sets them from.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from urllib.parse import urljoin, urlsplit

from penguin_site.config import PAGE_FILES
from penguin_site.publish.content_types import media_type_for

__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_PATHS",
    "DEFAULT_TIMEOUT",
    "is_http_url",
    "page_url",
    "smoke_test",
]


#: The site's top pages and its search index.
DEFAULT_PATHS: tuple[str, ...] = ("/", *PAGE_FILES, "search.json")
#: Total seconds to keep retrying failing pages.
DEFAULT_TIMEOUT = 60.0
#: Seconds between two rounds of retries.
DEFAULT_INTERVAL = 2.0
#: Longest wait for one response; a request gets at least MIN_REQUEST_TIMEOUT.
REQUEST_TIMEOUT = 10.0
MIN_REQUEST_TIMEOUT = 1.0
USER_AGENT = "penguin-site-smoke-test"


def page_url(base_url: str, path: str) -> str:
    """URL of ``path`` under the site's base URL (which may itself have a path prefix).

    ``/`` is the base itself and ``/eda.html`` means ``eda.html`` inside the site, not at the
    host root, so the same paths work for a site published under a prefix.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    return urljoin(base, path.lstrip("/"))


def fetch_problem(url: str, expected_type: str, timeout: float) -> str | None:
    """None when ``url`` answers 200 with a non-empty body of ``expected_type``, else why not."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
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
    media_type = header.split(";", 1)[0].strip().lower()
    if media_type != expected_type:
        return f"Content-Type {header!r}, expected {expected_type}"
    if not body:
        return "empty body"
    return None


def smoke_test(
    base_url: str,
    paths: Sequence[str] = DEFAULT_PATHS,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Check every path, retrying the failing ones until ``timeout``; return failure lines."""
    deadline = clock() + timeout
    pending = {path: page_url(base_url, path) for path in paths}
    reasons: dict[str, str] = {}
    while True:
        for path, url in list(pending.items()):
            wait = min(REQUEST_TIMEOUT, max(deadline - clock(), MIN_REQUEST_TIMEOUT))
            reason = fetch_problem(url, media_type_for(urlsplit(url).path), wait)
            if reason is None:
                del pending[path]
                reasons.pop(path, None)
            else:
                reasons[path] = reason
        if not pending or clock() + interval > deadline:
            break
        sleep(interval)
    return [f"FAIL {pending[path]}: {reasons[path]}" for path in pending]


def is_http_url(url: str) -> bool:
    """True for an ``http(s)://host...`` URL (what the smoke test can fetch)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
