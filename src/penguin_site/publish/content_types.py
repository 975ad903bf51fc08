"""Content-Type and Cache-Control of every file the rendered site ships: the one table.

The S3 publisher sets these headers on upload and the smoke test checks the served
Content-Type against the same table, so a type is defined here once and nowhere else.

Why an explicit table and not :mod:`mimetypes`: ``mimetypes`` reads the machine's
``/etc/mime.types``, so the same site would be published with different headers from a
laptop and from CI (``.js`` is ``application/javascript`` on one, ``text/javascript`` on the
other; ``.woff2`` or ``.mjs`` are missing on older systems). A file type not in the table is
served as ``application/octet-stream`` (a download), which is also right for model files such
as ``.skops``.

Cache policy (``cache_control_for``), from most to least volatile:

- ``no-cache`` for HTML pages, the files that list them (``search.json``, ``listings.json``,
  ``sitemap.xml``) and the build record ``build.json``: their URLs never change, so the
  browser or CDN must revalidate (a cheap 304 when unchanged) or readers keep seeing the
  previous analysis after a publish. ``build.json`` changes with every build and the smoke
  test reads it to tell which build is live, so a cached copy would hide a new one.
- ``public, max-age=31536000, immutable`` for the files under ``site_libs/`` named by content
  (a content hash in the name, as in ``bootstrap-0521a3bd08ba11595b2234b38ff7fd9c.min.css``):
  new content gets a new name, so the old URL can be cached for 365 days.
- ``public, max-age=86400`` for the other ``site_libs/`` files (``quarto.js``,
  ``bootstrap-icons.woff``...): Quarto names them by library, not by content, and they
  change only when the pinned Quarto version changes. "immutable" would keep an old
  ``quarto.js`` next to new pages for months after a Quarto upgrade; one day bounds that.
- ``public, max-age=3600`` for everything else (figures, data downloads, the model file):
  they keep their names across renders, so an hour bounds how long a changed figure is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

from penguin_site.config import BUILD_RECORD, SITE_LIBS

__all__ = ["REVALIDATE", "ObjectHeaders", "content_type_for", "headers_for", "media_type_for"]


_UTF8 = "; charset=utf-8"

#: File extension (lower case) -> Content-Type. Text types carry ``charset=utf-8`` because
#: Quarto writes UTF-8 and a browser would otherwise guess (mojibake in names like "Zürich").
CONTENT_TYPES: MappingProxyType[str, str] = MappingProxyType(
    {
        # Pages and their text assets.
        ".html": "text/html" + _UTF8,
        ".htm": "text/html" + _UTF8,
        ".css": "text/css" + _UTF8,
        ".js": "text/javascript" + _UTF8,
        ".mjs": "text/javascript" + _UTF8,
        ".json": "application/json" + _UTF8,
        ".map": "application/json" + _UTF8,
        ".webmanifest": "application/manifest+json" + _UTF8,
        ".ipynb": "application/x-ipynb+json" + _UTF8,
        ".txt": "text/plain" + _UTF8,
        ".md": "text/markdown" + _UTF8,
        ".xml": "application/xml" + _UTF8,
        ".csv": "text/csv" + _UTF8,
        ".tsv": "text/tab-separated-values" + _UTF8,
        ".svg": "image/svg+xml" + _UTF8,
        # Images.
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".avif": "image/avif",
        ".ico": "image/x-icon",
        # Fonts.
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
        ".eot": "application/vnd.ms-fontobject",
        # Documents, media and binaries.
        ".pdf": "application/pdf",
        ".zip": "application/zip",
        ".wasm": "application/wasm",
        ".mp4": "video/mp4",
        ".webm": "video/webm",
        ".skops": "application/octet-stream",
    }
)

#: Served for any extension not in ``CONTENT_TYPES``: the browser downloads it, never runs it.
DEFAULT_CONTENT_TYPE = "application/octet-stream"

REVALIDATE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
LIBRARY = "public, max-age=86400"
MODERATE = "public, max-age=3600"

#: Extensions of pages: always revalidated.
PAGE_SUFFIXES = frozenset({".html", ".htm"})
#: Non-page files that list the pages (site search, listings, sitemap): revalidated like pages,
#: and so is the site's build record (at the root only: a download may share its name).
INDEX_FILE_NAMES = frozenset({"search.json", "listings.json", "sitemap.xml"})
#: A content hash in a file name, as Quarto writes it: ``name-<hex>.ext`` (16+ hex digits).
HASHED_NAME = re.compile(r"[-_.][0-9a-f]{16,}\.")


@dataclass(frozen=True)
class ObjectHeaders:
    """The HTTP headers a published file is served with."""

    content_type: str
    cache_control: str


def content_type_for(path: str) -> str:
    """Content-Type for a site path (``eda.html``, ``site_libs/x/y.woff2``)."""
    return CONTENT_TYPES.get(PurePosixPath(path).suffix.lower(), DEFAULT_CONTENT_TYPE)


def media_type_for(url_path: str) -> str:
    """The bare media type (no parameters) a URL path must be served with.

    A path ending in ``/`` (or empty) is a folder: the server answers with its ``index.html``.
    """
    if url_path == "" or url_path.endswith("/"):
        url_path += "index.html"
    return content_type_for(url_path).split(";", 1)[0]


def cache_control_for(path: str) -> str:
    """Cache-Control for a path relative to the site root (policy in the module docstring)."""
    pure = PurePosixPath(path)
    if (
        pure.suffix.lower() in PAGE_SUFFIXES
        or pure.name in INDEX_FILE_NAMES
        or pure.as_posix() == BUILD_RECORD
    ):
        return REVALIDATE
    if pure.parts and pure.parts[0] == SITE_LIBS:
        return IMMUTABLE if HASHED_NAME.search(pure.name) else LIBRARY
    return MODERATE


def headers_for(path: str) -> ObjectHeaders:
    """Both headers for a path relative to the site root."""
    return ObjectHeaders(content_type=content_type_for(path), cache_control=cache_control_for(path))
