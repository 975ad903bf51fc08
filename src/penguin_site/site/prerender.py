"""What Quarto's pre-render hook does: provenance always, the analysis on a full render.

Quarto runs ``scripts/pre_render.py`` before it renders any page (``project: pre-render``
in ``_quarto.yml``), with the project folder as working directory. It always writes
``_variables.yml`` (the footer's commit, build date and versions). On a full render
(Quarto sets ``QUARTO_PROJECT_RENDER_ALL=1``) it also runs the analysis from scratch,
once, so every page of the build reads the same fresh artifacts, and clears Quarto's
freezer (``_freeze/``), so every page is executed against them: ``freeze: auto`` only
serves authors' previews. Rendering or previewing one page skips that step: the page's
``ensure_results()`` reuses the artifacts or recomputes them when they are stale.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from penguin_site.config import BUILD_DIR
from penguin_site.site.provenance import ProvenanceError, write_variables

__all__ = ["AnalysisMode", "pre_render"]

AnalysisMode = Literal["auto", "always", "never"]


def pre_render(project_dir: Path, analysis: AnalysisMode, env: Mapping[str, str]) -> int:
    """Write provenance, then run the analysis when ``analysis`` says so; an exit status.

    Provenance comes first: it checks SOURCE_DATE_EPOCH before the analysis would trip
    over a malformed one with a less helpful message.
    """
    try:
        variables = write_variables(project_dir.resolve(), env)
    except ProvenanceError as exc:
        print(f"pre_render: {exc}", file=sys.stderr)
        return 2
    print(f"pre_render: wrote {variables}")

    full_render = env.get("QUARTO_PROJECT_RENDER_ALL") == "1"
    if not (analysis == "always" or (analysis == "auto" and full_render)):
        print("pre_render: not a full render; pages reuse or refresh the artifacts themselves")
        return 0

    from penguin_site.analysis.pipeline import run_analysis  # loads scikit-learn: only here

    freezer = project_dir / "_freeze"
    if freezer.is_dir():
        print(f"pre_render: full render: clearing {freezer} so every page executes")
        shutil.rmtree(freezer)
    print(f"pre_render: running the analysis into {BUILD_DIR}")
    try:
        run_analysis(BUILD_DIR)
    except ValueError as exc:  # a broken data contract (file, column, rows) or a bad epoch
        print(f"pre_render: the analysis failed: {exc}", file=sys.stderr)
        return 1
    return 0
