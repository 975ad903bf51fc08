"""What Quarto's pre-render hook does: provenance and the home page's facts always; on a
full render, only stale work.

Quarto runs ``scripts/pre_render.py`` before it renders any page (``project: pre-render``
in ``_quarto.yml``), with the project folder as working directory. It always writes
``_variables.yml``: the footer's commit, build date and versions, and the numbers the home
page quotes (``facts.*``), and ``_links.yml`` (the repository and site URLs:
``site.links``), which Quarto reads after the hook. The home page reads the facts as
``{{< var facts.r2 >}}`` and so needs no Jupyter kernel, which is most of a page's render
time. The facts are computed from the build's results (``site.facts``) and kept beside the
build under the pages digest, so a render with nothing changed reads them back without
loading pandas.

On a full render (Quarto sets ``QUARTO_PROJECT_RENDER_ALL=1``) it does what a pipeline
tool would: it reruns the analysis only when the digest of its inputs changed
(``analysis.digest``), and it keeps Quarto's freezer (``_freeze/``, ``freeze: auto``)
only while the *pages digest* is unchanged: the analysis digest plus every file of this
room (the code the pages run is in it). Quarto itself re-executes a page whose source
changed. So a full render with nothing changed executes nothing, an edited page
re-executes alone, and a change to the data, the analysis, the lock,
``SOURCE_DATE_EPOCH`` or this room re-executes every page against fresh results.
Rendering or previewing one page skips the freezer: the page's ``ensure_results()``
reuses the build or recomputes it when it is stale.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from penguin_site.analysis.digest import analysis_digest, recorded_digest
from penguin_site.config import BUILD_DIR
from penguin_site.files import read_json, write_json
from penguin_site.site.links import LinkError, write_links
from penguin_site.site.notebooks import clear_leftovers, stale_frozen_pages
from penguin_site.site.provenance import ProvenanceError, collect, save_variables, to_variables

__all__ = [
    "FACTS_FILE",
    "PAGES_DIGEST_FILE",
    "AnalysisMode",
    "main",
    "page_code",
    "pages_digest",
    "pre_render",
    "quoted_facts",
]

AnalysisMode = Literal["auto", "always", "never"]
#: Beside the analysis build: the pages digest the freezer's contents were made under.
PAGES_DIGEST_FILE = "pages-digest.txt"
#: Beside the analysis build: the home page's facts and the pages digest they belong to.
FACTS_FILE = "facts.json"
FREEZER = "_freeze"


def pages_digest(analysis: str | None = None) -> str:
    """What every page's executed output depends on besides its own source.

    The analysis's inputs (its digest, which covers the analysis code, ``config``,
    ``files`` and ``clock``; computed unless the caller has it) and every file of the
    ``site`` room (``page_code``). A change to either makes every frozen page output
    stale. Why the whole room rather than the modules the pages import: hashing a dozen
    files takes under a millisecond where walking the imports took about 40 ms of CPU on
    every render, and it can never miss a module; the price is that editing a hook
    (``prerender``, ``postrender``, ``lighten``...) re-executes the pages once.
    """
    analysis = analysis_digest() if analysis is None else analysis
    digest = hashlib.sha256(analysis.encode() + b"\0")
    root = Path(__file__).resolve().parents[1]
    for path in page_code(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def page_code(package: Path) -> list[Path]:
    """The files of the package's ``site`` room (modules and scripts), sorted."""
    return sorted(p for p in (package / "site").iterdir() if p.suffix in {".py", ".js"})


def pre_render(project_dir: Path, analysis: AnalysisMode, env: Mapping[str, str]) -> int:
    """Provenance, the analysis, the facts, the freezer, in that order; an exit status.

    Provenance comes first: it checks SOURCE_DATE_EPOCH before the analysis would trip
    over a malformed one with a less helpful message.
    """
    try:
        build = to_variables(collect(project_dir.resolve(), env))
        links_file, links = write_links(project_dir.resolve(), env)
    except (ProvenanceError, LinkError) as exc:
        print(f"pre_render: {exc}", file=sys.stderr)
        return 2
    print(
        f"pre_render: wrote {links_file} (repository: {links.repo_url or 'none found'}, "
        f"site URL: {links.site_url or 'none: no sitemap'})"
    )

    full_render = env.get("QUARTO_PROJECT_RENDER_ALL") == "1"
    runs_analysis = analysis == "always" or (analysis == "auto" and full_render)
    inputs = analysis_digest()  # once: it decides the analysis and keys the facts and freezer
    current = pages_digest(inputs)
    try:
        if runs_analysis:
            _update_analysis(inputs, always=analysis == "always")
        else:
            print("pre_render: not a full render; pages reuse or refresh the artifacts themselves")
        facts = quoted_facts(BUILD_DIR.parent / FACTS_FILE, current)
    except ValueError as exc:  # a broken data contract (file, column, rows) or a bad epoch
        print(f"pre_render: the analysis failed: {exc}", file=sys.stderr)
        return 1
    variables = save_variables(project_dir.resolve(), {**build, "facts": facts})
    print(f"pre_render: wrote {variables}")
    if runs_analysis:
        refresh_freezer(project_dir / FREEZER, BUILD_DIR.parent / PAGES_DIGEST_FILE, current)
    clear_leftovers(project_dir)
    for page in stale_frozen_pages(project_dir, project_dir / FREEZER):
        print(f"pre_render: {page}.qmd is frozen but its notebook is not kept: executing it")
    return 0


def _update_analysis(inputs: str, always: bool) -> None:
    """Rerun the analysis into the build folder if its inputs changed (or ``always``)."""
    if not always and recorded_digest(BUILD_DIR) == inputs:
        print(f"pre_render: the analysis in {BUILD_DIR} is current: not rerun")
        return
    from penguin_site.analysis.pipeline import run_analysis  # loads scikit-learn: only here

    print(f"pre_render: the analysis's inputs changed: running it into {BUILD_DIR}")
    run_analysis(BUILD_DIR)


def quoted_facts(cache: Path, current: str) -> dict[str, str]:
    """The home page's facts for the pages digest ``current``: kept, or computed and kept.

    Computing them reads the results with pandas (and reruns a stale analysis, as a page
    would); a render with nothing changed reads ``cache`` instead.
    """
    if cache.is_file():
        kept = read_json(cache)
        if kept.get("pages_digest") == current:
            return kept["facts"]
    from penguin_site.site.facts import as_variables  # loads pandas: only here
    from penguin_site.site.pages import ensure_results, key_facts

    facts = as_variables(key_facts(ensure_results(BUILD_DIR)))
    write_json(cache, {"pages_digest": current, "facts": facts})
    print(f"pre_render: computed the home page's facts into {cache}")
    return facts


def refresh_freezer(freezer: Path, marker: Path, current: str) -> None:
    """Clear ``freezer`` unless it was made under ``current`` (the pages digest); record it."""
    recorded = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    if recorded == current and freezer.is_dir():
        print(f"pre_render: results and page code unchanged: Quarto reuses {freezer}")
        return
    if freezer.is_dir():
        print(f"pre_render: results or page code changed: clearing {freezer}")
        shutil.rmtree(freezer)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(current + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m penguin_site.site.prerender --pages-digest``: the key a CI cache of
    ``_build/analysis`` and ``_freeze/`` is stored under (the hook checks it again)."""
    parser = argparse.ArgumentParser(description="The pre-render hook's digests.")
    parser.add_argument(
        "--pages-digest", action="store_true", help="print the digest the frozen pages depend on"
    )
    args = parser.parse_args(argv)
    if args.pages_digest:
        print(pages_digest())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
