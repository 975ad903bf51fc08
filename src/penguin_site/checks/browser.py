"""Open pages in headless Chromium the way a reader would, and report what went wrong.

Why: static checks cannot see what a page does when it runs (a module fetched from a CDN
by JavaScript, a console error from a broken widget, a 404 for a file the page asks for).
This harness serves a site folder from a static server on 127.0.0.1 (port 0: a free port,
so parallel tests never collide), opens pages in Debian's Chromium through Playwright and
records console errors, uncaught exceptions, failed requests, HTTP errors and every request
to another host. Requests to other hosts are aborted before they leave the machine and
reported. The same functions check hand-made pages in the tests and the real render.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from penguin_site.config import AXE_SCRIPT
from penguin_site.publish.content_types import content_type_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response, Route

__all__ = [
    "DESKTOP",
    "PHONE",
    "VIEWPORTS",
    "WCAG_TAGS",
    "BrowserUnavailable",
    "PageActionError",
    "Viewport",
    "axe_violations",
    "browse_site",
    "browser_problems",
    "check_pages",
    "chromium_path",
    "screenshot_pages",
    "serve_directory",
    "switch_to_dark",
]


#: Where Debian's package puts Chromium; ``CHROMIUM_PATH`` overrides.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Flags for a quiet, offline, sandbox-free headless run (containers have no user namespaces).
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: The rules axe runs: WCAG 2.1 levels A and AA (and the 2.0 rules they include).
WCAG_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: Upper bound for loading one page and for each wait inside it.
PAGE_TIMEOUT_S = 30.0
#: How long the network must be quiet before a page counts as settled.
SETTLE_TIMEOUT_S = 10.0
#: Errors a page shows instead of logging: an OJS cell that failed renders its error in
#: an element of this class (Observable's inspector), often with no console message.
SHOWN_ERRORS_JS = """() => {
  const shown = [...document.querySelectorAll(".observablehq--error")]
    .map((el) => el.textContent.trim().slice(0, 300));
  const text = document.body ? document.body.innerText : "";
  for (const marker of ["OJS Runtime Error", "OJS Syntax Error"]) {
    if (text.includes(marker)) shown.push(marker);
  }
  return shown;
}"""


@dataclass(frozen=True)
class Viewport:
    """A screen a reader uses: CSS pixels, device pixel ratio, and whether it is a phone."""

    name: str
    width: int
    height: int
    scale: float = 1.0
    mobile: bool = False


#: A laptop screen and a phone (390 CSS px wide, like most current phones).
DESKTOP = Viewport("desktop", 1280, 800)
PHONE = Viewport("mobile", 390, 844, scale=3.0, mobile=True)
VIEWPORTS: tuple[Viewport, ...] = (DESKTOP, PHONE)


class BrowserUnavailable(RuntimeError):
    """Raised when no Chromium binary can be found (tests turn this into a skip reason)."""


class PageActionError(AssertionError):
    """An action on a page failed; the message includes what the page logged until then."""


def chromium_path(env: dict[str, str] | None = None) -> str:
    """The Chromium executable to drive: ``CHROMIUM_PATH``, else Debian's, else on PATH."""
    env = dict(os.environ) if env is None else env
    candidates = [env.get("CHROMIUM_PATH", ""), DEFAULT_CHROMIUM, shutil.which("chromium") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BrowserUnavailable(
        "no Chromium found: set CHROMIUM_PATH or run scripts/setup_test_tools.sh "
        f"(looked at CHROMIUM_PATH, {DEFAULT_CHROMIUM} and PATH)"
    )


@dataclass
class PageReport:
    """What happened while one page loaded and ran."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    shown_errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """One line per defect; empty means the page loaded cleanly and stayed local."""
        lines = [f"console error: {text}" for text in self.console_errors]
        lines += [f"console warning: {text}" for text in self.console_warnings]
        lines += [f"uncaught exception: {text}" for text in self.page_errors]
        lines += [f"failed request: {text}" for text in self.failed_requests]
        lines += [f"HTTP error: {text}" for text in self.http_errors]
        lines += [f"request to another host: {url}" for url in self.external_requests]
        lines += [f"error shown on the page: {text}" for text in self.shown_errors]
        return lines


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that sends the content types the publisher sets, quietly.

    The types come from :mod:`penguin_site.publish.content_types`, the table S3 objects get, so
    a browser test sees the headers a reader of the published site gets.
    """

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return content_type_for(str(path))

    def log_message(self, format: str, *args: object) -> None:
        return


#: Content types a static host compresses (GitHub Pages and CloudFront gzip text, not
#: images or fonts, which are compressed already).
COMPRESSED_TYPES: tuple[str, ...] = (
    "text/",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
)


class _GzipHandler(_QuietHandler):
    """The same files and types, gzip-encoded for text when the browser accepts gzip.

    Why: GitHub Pages serves text gzipped, so page weight measured without it (Lighthouse's
    transfer size) would be about three times what a reader downloads.
    """

    def do_GET(self) -> None:
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        kind = content_type_for(str(target))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and target.is_file() and kind.startswith(COMPRESSED_TYPES)):
            super().do_GET()
            return
        body = gzip.compress(target.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_directory(root: Path, *, compress: bool = False) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port for the duration of the block; yields base URL.

    ``compress`` gzips text responses as GitHub Pages does (the page-weight budget needs it).
    """
    if not root.is_dir():
        raise FileNotFoundError(f"cannot serve {root}: not a folder")
    handler = functools.partial(_GzipHandler if compress else _QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class BrowserSession:
    """A running Chromium plus a local server for one site folder.

    Use ``visit(path)`` to load a page and get its ``PageReport``; pass ``action`` to
    interact with the page (fill inputs, read text) before the report is closed.
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self._origin = urlsplit(base_url).netloc

    def visit(
        self,
        path: str,
        action: Callable[[Page], None] | None = None,
        viewport: Viewport = DESKTOP,
    ) -> PageReport:
        """Load ``path`` (relative to the site), let it settle, run ``action``, report.

        ``action`` may navigate on (follow a link, open another page): everything it
        does happens in the same browser context, so the report covers it too.
        """
        url = self.base_url + path.lstrip("/")
        report = PageReport(url)
        context = self.browser.new_context(
            service_workers="block",
            viewport={"width": viewport.width, "height": viewport.height},
            device_scale_factor=viewport.scale,
            is_mobile=viewport.mobile,
            has_touch=viewport.mobile,
        )
        context.set_default_timeout(PAGE_TIMEOUT_S * 1000)
        context.route("**/*", functools.partial(self._route, report))
        page = context.new_page()
        page.on("console", lambda msg: _on_console(report, msg.type, msg.text))
        page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
        page.on("requestfailed", functools.partial(self._on_failed, report))
        page.on("response", functools.partial(_on_response, report))
        try:
            page.goto(url, wait_until="load")
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT_S * 1000)
            self._record_shown_errors(report, page)
            if action is not None:
                try:
                    action(page)
                except Exception as exc:
                    # What the page logged is usually why the action failed: keep it.
                    lines = "\n".join(report.problems) or "(none)"
                    raise PageActionError(f"{url}: {exc}\nproblems on the page:\n{lines}") from exc
                self._record_shown_errors(report, page)
        finally:
            context.close()
        return report

    @staticmethod
    def _record_shown_errors(report: PageReport, page: Page) -> None:
        for text in page.evaluate(SHOWN_ERRORS_JS):
            if text not in report.shown_errors:
                report.shown_errors.append(text)

    def _route(self, report: PageReport, route: Route, request: Request) -> None:
        """Let local requests through; abort and record every request to another host."""
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"} or parts.netloc == self._origin:
            route.continue_()
        else:
            report.external_requests.append(request.url)
            route.abort("blockedbyclient")

    def _on_failed(self, report: PageReport, request: Request) -> None:
        if urlsplit(request.url).netloc != self._origin:
            return  # already reported as a request to another host
        report.failed_requests.append(f"{request.url} ({request.failure})")


def _on_response(report: PageReport, response: Response) -> None:
    if response.status >= 400:
        report.http_errors.append(f"{response.status} {response.url}")


def _on_console(report: PageReport, kind: str, text: str) -> None:
    if kind == "error":
        report.console_errors.append(text)
    elif kind == "warning":
        report.console_warnings.append(text)


@contextlib.contextmanager
def browse_site(site_dir: Path, chromium: str | None = None) -> Iterator[BrowserSession]:
    """Serve ``site_dir`` locally and start headless Chromium; yields a ``BrowserSession``."""
    from playwright.sync_api import sync_playwright

    executable = chromium or chromium_path()
    with serve_directory(site_dir) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=list(CHROMIUM_ARGS),
            timeout=PAGE_TIMEOUT_S * 1000,
        )
        try:
            yield BrowserSession(browser, base_url)
        finally:
            browser.close()


def switch_to_dark(page: Page) -> bool:
    """Switch ``page`` to the dark scheme with Quarto's own toggle; False without one.

    Returns once the dark stylesheets have arrived and the colours have finished
    changing: the site fetches the stylesheets only when a reader asks for dark
    (``site.lighten``), so the body's ``quarto-dark`` class comes first; then Bootstrap's
    links fade to their new colour (``transition: color .15s``). A check run in between
    would see dark classes on light colours, or a colour halfway between the two.
    """
    if not page.evaluate("() => typeof window.quartoToggleColorScheme === 'function'"):
        return False
    page.evaluate("() => window.quartoToggleColorScheme()")
    page.wait_for_function(
        """() => document.body.classList.contains('quarto-dark') &&
        [...document.querySelectorAll('link[rel="stylesheet"]')].every(link => link.sheet)"""
    )
    page.evaluate(_TRANSITIONS_ENDED)
    return True


#: Resolves when the CSS transitions a style change started have ended: two frames for
#: the browser to apply the new styles (and start the transitions), then each one's end.
_TRANSITIONS_ENDED = """async () => {
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const fading = document.getAnimations().filter(a => a instanceof CSSTransition);
    await Promise.all(fading.map(a => a.finished.catch(() => null)));
}"""


def axe_violations(page: Page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on ``page`` as it is now, one line each.

    Each line names the rule, its impact, what it asks for and up to five offending
    elements (CSS selectors), so a failure says where to look.
    """
    if not AXE_SCRIPT.is_file():
        raise BrowserUnavailable(
            f"axe-core is not installed ({AXE_SCRIPT}): run scripts/setup_test_tools.sh"
        )
    page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]
        }).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))""",
        list(WCAG_TAGS),
    )
    return [f"{v['id']} ({v['impact']}): {v['help']}: {'; '.join(v['nodes'])}" for v in found]


def _load_lazy_images(page: Page) -> None:
    """Scroll through ``page`` as a reader would, so its lazy figures load, then back up.

    A full-page screenshot does not scroll, and a figure with ``loading="lazy"`` is only
    fetched when it nears the screen: without this the pictures would show blank figures.
    """
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
                scrollTo(0, y);
                await new Promise(done => setTimeout(done, 50));
            }
            scrollTo(0, 0);
        }"""
    )
    page.wait_for_function(
        "() => [...document.images].filter(i => i.offsetParent).every(i => i.complete)"
    )


def screenshot_pages(
    site_dir: Path,
    pages: Sequence[str],
    out_dir: Path,
    viewports: Sequence[Viewport] = VIEWPORTS,
    chromium: str | None = None,
) -> list[Path]:
    """A full-page PNG of every page on every viewport (``<page>-<viewport>.png``).

    Why: a person has to look at what a reader gets; these are the pictures to look at.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def shoot(target: Path) -> Callable[[Page], None]:
        def take(page: Page) -> None:
            _load_lazy_images(page)
            page.screenshot(path=str(target), full_page=True)

        return take

    with browse_site(site_dir, chromium) as session:
        for page in pages:
            for viewport in viewports:
                target = out_dir / f"{Path(page).stem}-{viewport.name}.png"
                session.visit(page, shoot(target), viewport)
                written.append(target)
    return written


def check_pages(
    site_dir: Path, pages: list[str], chromium: str | None = None
) -> dict[str, list[str]]:
    """Load each page of ``site_dir`` in Chromium; returns problems by page (empty = clean)."""
    with browse_site(site_dir, chromium) as session:
        return {page: session.visit(page).problems for page in pages}


def browser_problems(site_dir: Path, chromium: str | None = None) -> list[str]:
    """Every page of a rendered site in Chromium, as ``page: browser: problem`` lines."""
    from penguin_site.checks.static import html_pages

    pages = [page.relative_to(site_dir).as_posix() for page in html_pages(site_dir)]
    by_page = check_pages(site_dir, pages, chromium)
    return [f"{page}: browser: {line}" for page, lines in by_page.items() for line in lines]
