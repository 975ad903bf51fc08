"""Static checks on a rendered site folder: what a reader would see, read from the HTML.

Why: a render can "succeed" and still publish a broken page (a Python traceback printed
into the page, a figure without alt text, a font pulled from a web-font service, a link to
a file that was never copied). These checks read the output itself, so they catch what
the render log does not. They need only the standard library, so they run on hand-made
fixture sites in the tests and on the real ``_site/`` in the workflow (``scripts/check_site.py``).

Each problem is one line: the page, the kind of defect and what is wrong.

Links to the project's repository are checked twice. Always: no page may link to a
placeholder repository (``config.PLACEHOLDER_REPOSITORIES``; what a copy shows when its links
were typed in, not derived). For a build about to be published (``Publication``, the
``--publish`` option of ``scripts/check_site.py``, which the workflow's deploy path uses):
``build.json`` must exist, every page must link to the build's repository, and the site
must have a ``site-url``: a ``sitemap.xml`` listing every page under it, and each page's
canonical link.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from penguin_site.config import (
    BUILD_RECORD,
    FOOTER_TOOLS,
    PAGE_FILES,
    PLACEHOLDER_OWNERS,
    PLACEHOLDER_REPOSITORIES,
    SITE_LIBS,
    SITEMAP,
)

__all__ = [
    "REQUIRED_PAGES",
    "SITEMAP",
    "Defect",
    "Publication",
    "check_site",
    "css_urls",
    "differing_files",
    "footer_problems",
    "footer_versions",
    "html_pages",
    "is_placeholder_repository",
    "is_third_party",
    "publication_problems",
    "scan_page",
]


#: Pages the site must have (the navbar links to them), relative to the site folder.
REQUIRED_PAGES: tuple[str, ...] = PAGE_FILES

#: Quarto writes it when ``website.site-url`` is set.
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

#: Link relations that only name another document; the browser fetches nothing for them.
NON_FETCHING_LINK_RELS = frozenset(
    {"alternate", "author", "canonical", "help", "license", "me", "next", "prev", "search"}
)

#: Text that only appears when code failed or wrote to stderr while the page was built.
TRACEBACK_MARKERS: tuple[str, ...] = ("Traceback (most recent call last)",)
#: ANSI colour codes (raw or HTML-escaped), which Jupyter puts in error output.
ANSI_PATTERN = re.compile(r"(?:\x1b|&#27;|&#x1[bB];|\\u001b)\[[0-9;]*m|\[0;3[0-9]m")
#: Class Quarto gives to the output of a cell that raised (with ``error: true``).
ERROR_OUTPUT_CLASS = "cell-output-error"
#: Class Quarto gives to what a cell wrote to stderr (warnings, progress noise).
STDERR_OUTPUT_CLASS = "cell-output-stderr"

COMMIT_PATTERN = re.compile(r"\bcommit\s+([0-9a-f]{7,40})\b")
DATE_PATTERN = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
VERSION_AFTER = r"\s+v?(\d+(?:\.\d+)+\S*)"

#: CSS ``url(...)`` with its three quoting styles, and ``@import "..."`` without url().
CSS_URL_PATTERN = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")
CSS_IMPORT_PATTERN = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Defect:
    """One defect on one page (``file`` is relative to the site folder)."""

    file: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class Ref:
    """A URL the page uses: which tag and attribute it sits in, and whether it is fetched."""

    tag: str
    attr: str
    url: str
    fetched: bool


@dataclass
class PageScan:
    """What the parser found on one HTML page."""

    title: str = ""
    canonical: str = ""
    refs: list[Ref] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    footer_text: str = ""
    has_footer: bool = False
    error_outputs: int = 0
    stderr_outputs: int = 0
    inline_styles: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # of elements in <body>

    @property
    def duplicate_ids(self) -> list[str]:
        """ids used more than once: a link to ``#id`` can land on only one of them."""
        return sorted({i for i in self.ids if self.ids.count(i) > 1})


class _PageParser(HTMLParser):
    """Collects title, footer text, references and images with the stdlib parser."""

    _FETCHING_ATTRS: ClassVar[dict[str, tuple[str, ...]]] = {
        "script": ("src",),
        "img": ("src", "srcset"),
        "source": ("src", "srcset"),
        "iframe": ("src",),
        "embed": ("src",),
        "video": ("src", "poster"),
        "audio": ("src",),
        "track": ("src",),
        "object": ("data",),
        "input": ("src",),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._in_title = False
        self._footer_depth = 0
        self._in_style = False
        self._in_body = False
        self._style: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        classes = values.get("class", "").split()
        if tag == "title":
            self._in_title = True
        elif tag == "footer":
            self.scan.has_footer = True
            self._footer_depth += 1
        elif tag == "style":
            self._in_style = True
            self._style = []
        if tag == "img" and not values.get("alt", "").strip():
            self.scan.images_without_alt.append(values.get("src", "(no src)"))
        if ERROR_OUTPUT_CLASS in classes:
            self.scan.error_outputs += 1
        if STDERR_OUTPUT_CLASS in classes:
            self.scan.stderr_outputs += 1
        for attr in self._FETCHING_ATTRS.get(tag, ()):
            for url in _urls_in(attr, values.get(attr, "")):
                self.scan.refs.append(Ref(tag, attr, url, fetched=True))
        if tag == "link" and values.get("href"):
            rels = set(values.get("rel", "").lower().split())
            fetched = not rels or not rels <= NON_FETCHING_LINK_RELS
            if "canonical" in rels:
                self.scan.canonical = values["href"]
            self.scan.refs.append(Ref(tag, "href", values["href"], fetched=fetched))
        if tag == "a" and values.get("href"):
            self.scan.refs.append(Ref(tag, "href", values["href"], fetched=False))
        if values.get("style"):
            self.scan.inline_styles.append(values["style"])
        if tag == "body":
            self._in_body = True
        # Only the body's ids are link targets; Quarto gives its light and dark stylesheet
        # <link>s one id on purpose (its theme toggle swaps them).
        if values.get("id") and self._in_body:
            self.scan.ids.append(values["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "footer" and self._footer_depth:
            self._footer_depth -= 1
        elif tag == "style" and self._in_style:
            self._in_style = False
            self.scan.inline_styles.append("".join(self._style))

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.scan.title += data
        if self._footer_depth:
            self.scan.footer_text += data
        if self._in_style:
            self._style.append(data)


def _urls_in(attr: str, value: str) -> list[str]:
    """The URLs in an attribute value (``srcset`` holds several, each with a size)."""
    value = value.strip()
    if not value:
        return []
    if attr == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value]


def scan_page(html: str) -> PageScan:
    """Parse one page's HTML into the facts the checks need."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    scan = parser.scan
    scan.title = " ".join(scan.title.split())
    scan.footer_text = " ".join(scan.footer_text.split())
    return scan


def css_urls(css: str) -> list[str]:
    """Every URL a stylesheet loads (``url(...)`` and ``@import``), data: URIs excluded."""
    found = [next(x for x in m.groups() if x is not None) for m in CSS_URL_PATTERN.finditer(css)]
    found += [m.group(1) or m.group(2) for m in CSS_IMPORT_PATTERN.finditer(css)]
    return [url.strip() for url in found if url.strip() and not url.strip().startswith("data:")]


def is_third_party(url: str) -> bool:
    """True for a URL on another host (``https://x``, protocol-relative ``//x``)."""
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme in {"http", "https", "ftp", "ws", "wss"}


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and bool(parts.path)


def resolve_local(url: str, page: Path, site_dir: Path) -> Path:
    """Where a local URL used on ``page`` points inside ``site_dir`` (query/fragment dropped)."""
    path = unquote(urlsplit(url).path)
    target = site_dir / path.lstrip("/") if path.startswith("/") else page.parent / path
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def footer_problems(footer_text: str) -> list[str]:
    """What the build-provenance footer is missing (commit, build date, tool versions)."""
    missing: list[str] = []
    if not COMMIT_PATTERN.search(footer_text):
        missing.append("git commit ('commit <short sha>')")
    if not DATE_PATTERN.search(footer_text):
        missing.append("build date (an ISO date, 2025-01-31)")
    stated = footer_versions(footer_text)
    missing += [
        f"{tool} version ('{tool} <version>')" for tool in FOOTER_TOOLS if tool not in stated
    ]
    return missing


def footer_versions(footer_text: str) -> dict[str, str]:
    """The tool versions the footer states, by tool label (for comparing with the build)."""
    found: dict[str, str] = {}
    for tool in FOOTER_TOOLS:
        match = re.search(re.escape(tool) + VERSION_AFTER, footer_text)
        if match:
            found[tool] = match.group(1).rstrip(".,;·")
    return found


def differing_files(first: Path, second: Path) -> list[str]:
    """Files (relative POSIX paths) that differ between two site folders, or exist in one only.

    Why: two builds of the same commit must publish the same bytes; this names what broke
    that, one line per file (``scripts/diff_sites.py`` prints it).
    """

    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}

    left, right = files(first), files(second)
    lines = [f"only in {first}: {name}" for name in sorted(left.keys() - right.keys())]
    lines += [f"only in {second}: {name}" for name in sorted(right.keys() - left.keys())]
    lines += [
        f"differs: {name}"
        for name in sorted(left.keys() & right.keys())
        if left[name].read_bytes() != right[name].read_bytes()
    ]
    return lines


def html_pages(site_dir: Path) -> list[Path]:
    """Every HTML page of the site, Quarto's own library folder excluded."""
    return sorted(
        path
        for path in site_dir.rglob("*.html")
        if SITE_LIBS not in path.relative_to(site_dir).parts
    )


def is_placeholder_repository(url: str) -> bool:
    """True when ``url`` points into a repository that only stands for "yours"."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    if not parts.netloc or len(segments) < 2:
        return False
    owner, name = segments[0].lower(), segments[1].lower().removesuffix(".git")
    return owner in PLACEHOLDER_OWNERS or f"{owner}/{name}" in PLACEHOLDER_REPOSITORIES


def check_page_file(page: Path, site_dir: Path) -> list[Defect]:
    """All static checks for one page."""
    name = page.relative_to(site_dir).as_posix()
    html = page.read_text(encoding="utf-8", errors="replace")
    scan = scan_page(html)
    problems: list[Defect] = []

    def add(kind: str, message: str) -> None:
        problems.append(Defect(name, kind, message))

    if not scan.title:
        add("missing-title", "the page has no <title> text")
    for src in scan.images_without_alt:
        add("missing-alt", f"<img src={src!r}> has no alt text")
    if not scan.has_footer:
        add("missing-footer", "the page has no <footer> (build provenance goes there)")
    else:
        for missing in footer_problems(scan.footer_text):
            add("missing-provenance", f"the footer does not show the {missing}")
    for marker in TRACEBACK_MARKERS:
        if marker in html:
            add("traceback", f"the page contains Python error output ({marker[:40]!r})")
            break
    if ANSI_PATTERN.search(html):
        add("ansi-escape", "the page contains ANSI colour codes from console error output")
    if scan.error_outputs:
        add("error-output", f"{scan.error_outputs} cell output(s) marked as errors")
    if scan.stderr_outputs:
        add("stderr-output", f"{scan.stderr_outputs} cell output(s) written to stderr (warnings)")
    for ref in scan.refs:
        if ref.tag == "a" and is_placeholder_repository(ref.url):
            add("placeholder-link", f"<a href={ref.url!r}> points to a placeholder repository")
    for ident in scan.duplicate_ids:
        add("duplicate-id", f"id {ident!r} is used more than once (a cell label and a heading?)")
    problems += _reference_problems(name, page, site_dir, scan)
    return problems


def _reference_problems(name: str, page: Path, site_dir: Path, scan: PageScan) -> list[Defect]:
    problems: list[Defect] = []
    refs = list(scan.refs)
    refs += [
        Ref("style", "url", url, fetched=True) for s in scan.inline_styles for url in css_urls(s)
    ]
    for ref in refs:
        where = f"<{ref.tag} {ref.attr}={ref.url!r}>"
        if ref.fetched and is_third_party(ref.url):
            problems.append(
                Defect(name, "third-party-resource", f"{where} loads from another host")
            )
        elif _is_local(ref.url):
            target = resolve_local(ref.url, page, site_dir)
            if not target.exists():
                problems.append(
                    Defect(name, "broken-link", f"{where}: {_rel(target, site_dir)} does not exist")
                )
            elif ref.tag == "link" and target.suffix == ".css":
                problems += _stylesheet_problems(name, target, site_dir)
    return problems


def _stylesheet_problems(name: str, css_file: Path, site_dir: Path) -> list[Defect]:
    """Third-party imports (web fonts) and missing files referenced by a local stylesheet."""
    problems: list[Defect] = []
    css = css_file.read_text(encoding="utf-8", errors="replace")
    sheet = _rel(css_file, site_dir)
    for url in css_urls(css):
        if is_third_party(url):
            problems.append(
                Defect(name, "third-party-resource", f"stylesheet {sheet} loads {url!r}")
            )
        elif _is_local(url) and not resolve_local(url, css_file, site_dir).exists():
            problems.append(
                Defect(name, "broken-link", f"stylesheet {sheet} refers to missing {url!r}")
            )
    return problems


def _rel(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Publication:
    """What a site about to be published must link to; None: what its ``build.json`` says."""

    repo_url: str | None = None
    site_url: str | None = None


def canonical_url(site_url: str, page: str) -> str:
    """The canonical URL Quarto gives ``page`` under ``site_url`` (folders for index pages)."""
    base = site_url.rstrip("/") + "/"
    if page == "index.html" or page.endswith("/index.html"):
        return base + page.removesuffix("index.html")
    return base + page


def sitemap_urls(sitemap: Path) -> list[str]:
    """The ``<loc>`` URLs a sitemap lists (ValueError naming the file when it is not XML)."""
    try:
        root = ET.parse(sitemap).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{sitemap.name} is not valid XML: {exc}") from None
    return [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")]


def read_build_record(site_dir: Path) -> dict[str, object] | None:
    """The site's ``build.json`` as a dict, or None when it is missing or not a JSON object."""
    try:
        record = json.loads((site_dir / BUILD_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def publication_problems(
    site_dir: Path, pages: Sequence[Path], publication: Publication
) -> list[Defect]:
    """What a published build must have: its record, real repository links, a sitemap."""
    record = read_build_record(site_dir)
    if record is None or not record.get("commit"):
        return [
            Defect(
                BUILD_RECORD,
                "missing-build-record",
                "no build.json with a commit (the post-render hook writes it)",
            )
        ]
    repo_url = publication.repo_url or record.get("repo_url")
    site_url = publication.site_url or record.get("site_url")
    scans = {
        page.relative_to(site_dir).as_posix(): scan_page(page.read_text(encoding="utf-8"))
        for page in pages
    }
    problems = _repository_link_problems(scans, repo_url if isinstance(repo_url, str) else None)
    if not isinstance(site_url, str) or not site_url:
        problems.append(
            Defect(
                ".",
                "missing-site-url",
                "the build has no site-url (set SITE_URL): no sitemap.xml, no canonical links",
            )
        )
        return problems
    return problems + _sitemap_problems(site_dir, scans, site_url)


def _repository_link_problems(scans: dict[str, PageScan], repo_url: str | None) -> list[Defect]:
    if not repo_url:
        return [
            Defect(
                ".",
                "missing-repo-url",
                "the build found no repository (GITHUB_REPOSITORY or git's origin)",
            )
        ]
    if is_placeholder_repository(repo_url):
        return [
            Defect(".", "placeholder-link", f"the build's repository {repo_url} is a placeholder")
        ]
    base = repo_url.rstrip("/")
    return [
        Defect(name, "missing-repo-link", f"no link to the repository {base}")
        for name, scan in scans.items()
        if not any(
            ref.tag == "a" and (ref.url == base or ref.url.startswith(base + "/"))
            for ref in scan.refs
        )
    ]


def _sitemap_problems(site_dir: Path, scans: dict[str, PageScan], site_url: str) -> list[Defect]:
    problems: list[Defect] = []
    base = site_url.rstrip("/") + "/"
    for name, scan in scans.items():
        expected = canonical_url(base, name)
        if scan.canonical != expected:
            found = repr(scan.canonical) if scan.canonical else "none"
            problems.append(
                Defect(name, "canonical-link", f"canonical link is {found}, expected {expected!r}")
            )
    sitemap = site_dir / SITEMAP
    if not sitemap.is_file():
        return [*problems, Defect(SITEMAP, "missing-sitemap", f"no {SITEMAP} for {base}")]
    try:
        listed = set(sitemap_urls(sitemap))
    except ValueError as exc:
        return [*problems, Defect(SITEMAP, "bad-sitemap", str(exc))]
    problems += [
        Defect(SITEMAP, "sitemap", f"does not list {name} ({base + name})")
        for name in scans
        if base + name not in listed
    ]
    problems += [
        Defect(SITEMAP, "sitemap", f"lists {url}, which is not under the site URL {base}")
        for url in sorted(listed)
        if not url.startswith(base)
    ]
    return problems


def check_site(
    site_dir: Path, required_pages: Sequence[str] = (), publication: Publication | None = None
) -> list[Defect]:
    """Check every page of a rendered site; ``required_pages`` must exist (site-relative).

    With ``publication``, also what a published build needs (``publication_problems``).
    Raises ``FileNotFoundError`` when ``site_dir`` is not a folder, because checking
    nothing must never pass.
    """
    if not site_dir.is_dir():
        raise FileNotFoundError(f"site folder {site_dir} does not exist (render the site first)")
    problems = [
        Defect(page, "missing-page", "the page was not rendered")
        for page in required_pages
        if not (site_dir / page).is_file()
    ]
    pages = html_pages(site_dir)
    if not pages:
        problems.append(Defect(".", "missing-page", f"no HTML pages in {site_dir}"))
    for page in pages:
        problems += _dedupe(check_page_file(page, site_dir))
    if publication is not None and pages:
        problems += publication_problems(site_dir, pages, publication)
    return problems


def _dedupe(problems: Iterable[Defect]) -> Iterator[Defect]:
    seen: set[Defect] = set()
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            yield problem
