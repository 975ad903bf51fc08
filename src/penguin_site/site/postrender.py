"""What Quarto's post-render hook does: the notebooks, a reproducible sitemap, then the
build's record.

Quarto runs ``scripts/post_render.py`` after every render (``project: post-render`` in
``_quarto.yml``), once its own post-processing has written ``sitemap.xml`` and
``search.json``, with ``QUARTO_PROJECT_OUTPUT_DIR`` set to the site folder and
``QUARTO_PROJECT_OUTPUT_FILES`` naming the pages it rendered.

0. Each rendered page is made lighter to load (``site.lighten``), then each rendered
   analysis page's executed notebook, cleaned, goes into the site beside it
   (``site.notebooks``). One process for every step: each hook script costs an
   interpreter start on every render.
1. ``sitemap.xml`` (written when ``website.site-url`` is set): Quarto dates each page by
   its source file's modification time, which is the checkout's time, so two builds of one
   commit would differ. Every ``<lastmod>`` becomes the build time (``SOURCE_DATE_EPOCH``,
   else the commit's time: ``site.provenance``), the date the footer shows.
2. ``build.json``: the build's identity (``provenance.write_build_record``), written last
   so its digests cover the final files.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from penguin_site.config import SITEMAP
from penguin_site.site.lighten import lighten_pages, rendered_pages
from penguin_site.site.links import LinkError, collect_links
from penguin_site.site.notebooks import NotebookError, keep_executed, publish_notebooks
from penguin_site.site.provenance import ProvenanceError, collect, write_build_record

__all__ = ["SITEMAP", "pin_sitemap_dates", "post_render"]

LASTMOD = re.compile(r"<lastmod>[^<]*</lastmod>")


def pin_sitemap_dates(sitemap: Path, when: datetime) -> bool:
    """Set every ``<lastmod>`` of ``sitemap`` to ``when``; True when the file changed."""
    if not sitemap.is_file():
        return False
    text = sitemap.read_text(encoding="utf-8")
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # Quarto's own form (UTC)
    pinned = LASTMOD.sub(f"<lastmod>{stamp}</lastmod>", text)
    if pinned == text:
        return False
    sitemap.write_text(pinned, encoding="utf-8")
    return True


def post_render(project_dir: Path, site_dir: Path, env: Mapping[str, str]) -> int:
    """Notebooks, sitemap dates, then ``build.json`` into ``site_dir``; an exit status."""
    if not site_dir.is_dir():
        print(f"post_render: site folder {site_dir} does not exist", file=sys.stderr)
        return 2
    pages = rendered_pages(project_dir, env, site_dir)
    lightened = lighten_pages(pages)
    print(f"post_render: lightened {len(lightened)} page(s)")
    rendered = [page.stem for page in pages]
    try:
        fresh = keep_executed(project_dir)
        copied = publish_notebooks(project_dir, site_dir, rendered)
    except NotebookError as exc:
        print(f"post_render: {exc}", file=sys.stderr)
        return 1
    print(f"post_render: kept the notebooks of {fresh or 'no page (all frozen)'}")
    print(f"post_render: copied {[path.name for path in copied]} into {site_dir}")
    try:
        provenance = collect(project_dir, env)
        links = collect_links(project_dir, env)
    except (ProvenanceError, LinkError) as exc:
        print(f"post_render: {exc}", file=sys.stderr)
        return 2
    if pin_sitemap_dates(site_dir / SITEMAP, provenance.build_time):
        print(f"post_render: dated {site_dir / SITEMAP} by the build ({provenance.build_date})")
    record = write_build_record(site_dir, project_dir, links, env)
    print(f"post_render: wrote {record}")
    return 0
