"""Every constant of the project, defined once.

Paths are derived from this file's location so nothing else hard-codes a path;
``PENGUIN_BUILD_DIR`` moves the build folder (tests use it to build in a tmp dir).
What belongs to the study (the data file, the target, the candidates) is read from the
study file (``penguin_site.study``), not written here.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from types import MappingProxyType

from penguin_site.study import current

_STUDY = current()

ROOT: Path = Path(__file__).resolve().parents[2]
#: The folder of the study's data file: its description and model baseline live beside it.
DATA_DIR: Path = _STUDY.data_file.parent
DATA_FILE: Path = _STUDY.data_file
DATAPACKAGE_FILE: Path = _STUDY.datapackage_file
LOCK_FILE: Path = ROOT / "requirements.lock"
#: The project's name (pyproject.toml): the repository name its README uses, and how the
#: site's own scripts and requests identify themselves.
PROJECT_NAME: str = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "name"
]
#: The chosen model's committed cross-validated scores: the quality gate compares with them.
BASELINE_FILE: Path = DATA_DIR / "model_baseline.json"
#: The in-browser predictor (an ES module the model page loads and the tests run in Node).
PREDICTOR_SCRIPT: Path = ROOT / "src" / "penguin_site" / "site" / "predictor.js"
#: axe-core's browser bundle (npm ``axe-core`` in tools/a11y, installed by
#: scripts/setup_test_tools.sh); the browser checks inject it into pages.
AXE_SCRIPT: Path = ROOT / "tools" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: Lighthouse (npm ``lighthouse`` in tools/budget, installed by scripts/setup_test_tools.sh),
#: and the script that runs it on every page for the budget check, in one Chrome.
LIGHTHOUSE_MODULE: Path = (
    ROOT / "tools" / "budget" / "node_modules" / "lighthouse" / "core" / "index.js"
)
LIGHTHOUSE_RUNS: Path = ROOT / "tools" / "budget" / "runs.mjs"
BUILD_DIR: Path = Path(os.environ.get("PENGUIN_BUILD_DIR", ROOT / "_build" / "analysis"))

#: Quarto release the site is built and tested with (README, workflow and tests read this).
QUARTO_VERSION = "1.7.34"

#: The site's pages, in navbar order: ``<name>.qmd`` renders to ``<name>.html``.
#: ``_quarto.yml`` lists the same sources (a test holds them together).
PAGES: tuple[str, ...] = ("index", "eda", "model")
PAGE_SOURCES: tuple[str, ...] = tuple(f"{page}.qmd" for page in PAGES)
PAGE_FILES: tuple[str, ...] = tuple(f"{page}.html" for page in PAGES)
#: Folder Quarto puts its own JavaScript, CSS and fonts in (not pages of ours).
SITE_LIBS = "site_libs"
#: Where README command (1) leaves the checked site (``_quarto.yml``'s output-dir), and the
#: sibling folder it renders into first: the site replaces the old one only when the
#: render and the checks passed (penguin_site.site.build).
SITE_DIR = "_site"
SITE_STAGING_DIR = "_site.staging"

#: Packages whose versions are recorded with the model (they decide its numbers).
RECORDED_PACKAGES: tuple[str, ...] = (
    "pandas",
    "numpy",
    "scikit-learn",
    "plotnine",
    "skops",
    "pandera",
)
#: The packages the footer names, after Quarto and Python, in footer order.
FOOTER_PACKAGES: tuple[str, ...] = ("pandas", "scikit-learn", "plotnine")
#: The tools every footer names, as it spells them.
FOOTER_TOOLS: tuple[str, ...] = ("Quarto", "Python", *FOOTER_PACKAGES)

#: One seed for everything random (cross-validation splits).
SEED = 20_250_101

TARGET = _STUDY.target.column

#: Measurement columns (numeric, with a unit) and their units, from the data contract.
MEASUREMENTS: MappingProxyType[str, str] = _STUDY.measurements

TARGET_UNIT = MEASUREMENTS[TARGET]


def measurement_name(column: str) -> str:
    """A measurement column in words, without its unit (its title, lower-cased first)."""
    title = _STUDY.field(column).title
    return title[:1].lower() + title[1:]


def measurement_label(column: str) -> str:
    """Axis and input label of a measurement: its title and unit, ``Length (cm)``."""
    return f"{_STUDY.field(column).title} ({MEASUREMENTS[column]})"


#: Candidate feature sets, in the order the comparison table shows them.
#: Each entry: (numeric features, categorical features).
FEATURE_SETS: MappingProxyType[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {name: (c.numeric, c.categorical) for name, c in _STUDY.candidates.items()}
)

#: Plain-language names of the candidates for tables and prose.
FEATURE_SET_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {name: c.label for name, c in _STUDY.candidates.items()}
)

#: How the model the site is about is chosen: a candidate's name, or ``lowest_rmse``
#: (resolved after cross-validation, ``modeling.chosen``).
CHOSEN_FEATURE_SET = _STUDY.choose

CV_FOLDS = 5
CV_REPEATS = 20

#: The model-quality gate: the build fails when the chosen model's cross-validated RMSE is
#: more than this share above the baseline's, or its R² falls below the floor.
RMSE_TOLERANCE = 0.05
R2_FLOOR = 0.80

#: Fewest complete rows each group of the models' categories needs before the models are
#: fitted: with fewer, cross-validation folds often train without the group at all.
MIN_ROWS_PER_GROUP = CV_FOLDS

#: What scripts/accept_data.py counts a data diff by (one row of its table per group: the
#: groups the figures compare), and what a row edited in place keeps: a row whose group
#: changed is one removed, one added.
DIFF_GROUP_COLUMNS: tuple[str, ...] = (_STUDY.colour_by,)
#: Columns that identify a row (the study's ``row.key``), if the data has them: rows with the
#: same key are one row changed. Empty: no id, so the diff pairs leftover rows by their values.
ROW_KEY_COLUMNS: tuple[str, ...] = _STUDY.row_key

#: Every figure, by the page that shows it, in page order (``<name>.png``, ``@fig-<name>``).
FIGURES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "eda": ("target-vs-x", "target-by-group", "measurement-pairs"),
        "model": ("predicted-vs-actual", "residuals"),
    }
)

#: Figures: fixed size and resolution so every build writes the same pixels.
FIGURE_SIZE_IN: tuple[float, float] = (7.0, 4.5)
FIGURE_DPI = 120
#: Figures that need another shape than FIGURE_SIZE_IN (inches, by figure name).
FIGURE_SIZES_IN: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {
        "measurement-pairs": (7.0, 5.6),  # six panels
        "predicted-vs-actual": (6.6, 5.0),  # square panel plus the legend
    }
)

#: The build's identity, written into the site by the post-render hook (commit, date,
#: analysis digest, page digests); the publisher uploads it last, the smoke test compares it.
BUILD_RECORD = "build.json"
#: Quarto writes the sitemap (with a site URL); the post-render hook dates it, the checks read it.
SITEMAP = "sitemap.xml"
#: The first line of each file the pre-render hook writes for Quarto (_variables.yml, _links.yml).
HOOK_FILE_HEADER = "# Written by scripts/pre_render.py at build time (git-ignored). Do not edit.\n"
#: Repositories and owners that only stand for "your repository" (this project's old
#: placeholder, the README's examples): a published page must never link to one.
PLACEHOLDER_REPOSITORIES: frozenset[str] = frozenset(
    {f"{PROJECT_NAME}/{PROJECT_NAME}", f"your-user/{PROJECT_NAME}"}
)
PLACEHOLDER_OWNERS: frozenset[str] = frozenset({"owner", "user", "your-user", "username"})

#: Each figure is drawn once per colour scheme (the site's light and dark themes; Quarto
#: shows the one matching the toggle) and per layout: "wide" at the sizes above, "narrow"
#: for phones, where a wide drawing shrunk to the column would have 4-5 px text.
FIGURE_SCHEMES: tuple[str, ...] = ("light", "dark")
FIGURE_LAYOUTS: tuple[str, ...] = ("wide", "narrow")
#: Base font size (pt) per layout; tick labels are 0.8 of it. Text of S pt in a drawing W
#: inches wide shown w CSS px wide is S / 72 * w / W CSS px tall. Wide drawings (7 in) are
#: shown 511-799 px wide (the column at 768-1280 px screens): 9.6 pt ticks are 9.7-15 px.
FIGURE_FONT_PT: MappingProxyType[str, float] = MappingProxyType({"wide": 12.0, "narrow": 11.0})
#: Narrow drawings (inches): at a 390 px phone the column is 339 CSS px wide, so a 3.8 in
#: drawing shows its smallest (8.8 pt) text at 8.8 / 72 * 339 / 3.8 = 10.9 px.
FIGURE_NARROW_SIZE_IN: tuple[float, float] = (3.8, 4.4)
FIGURE_NARROW_SIZES_IN: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {
        "measurement-pairs": (3.8, 7.2),  # two columns of three panels
        "predicted-vs-actual": (3.8, 4.8),  # square panel above the legend
    }
)
#: Screens that get the narrow drawing (below Bootstrap's "sm" breakpoint, phones);
#: wider screens show the wide drawing at least 511 CSS px wide (see FIGURE_FONT_PT).
FIGURE_NARROW_MEDIA = "(max-width: 575.98px)"
#: Legend keys a narrow drawing sets side by side below its panel: a phone's column has room
#: for three level names; a legend of more levels is stacked, one key per line.
FIGURE_NARROW_LEGEND_KEYS = 3
#: Pixel densities each drawing is written for (srcset 1x, 2x): sharp on high-density
#: screens, and no 2x bytes for a 1x screen. 1x is FIGURE_DPI pixels per inch.
FIGURE_DENSITIES: tuple[int, ...] = (1, 2)
#: zlib level of the figures' palette PNGs. Measured on the 24 exploratory drawings:
#: level 9 took 1.0 s of CPU for 1.18 MB, level 6 0.17 s for 1.26 MB (+7 %); a reader
#: downloads one drawing per figure, a few KB more, while every analysis run saves
#: about 0.7 s of wall time (issue "Fast builds").
FIGURE_PNG_COMPRESS_LEVEL = 6
#: Smallest text a figure may show, in CSS px, on every screen the tests drive.
MIN_FIGURE_TEXT_PX = 9.0

#: The budget every page meets (scripts/check_budget.py, penguin_site.checks.budget):
#: Lighthouse scores out of 100, performance per preset (simulated throttling, the median of
#: BUDGET_RUNS runs), and the bytes a reader downloads with gzip, as GitHub Pages serves them.
BUDGET_SCORES: MappingProxyType[str, int] = MappingProxyType(
    {
        "performance-desktop": 99,
        "performance-mobile": 90,
        "accessibility": 100,
        "best-practices": 100,
        "seo": 100,
    }
)
BUDGET_TRANSFER_KIB = 350
#: Mobile performance under simulated throttling still moves with the machine's load: on a
#: busy 2-core machine three runs of one page scored 88/96/97 and 81/88/89 (desktop 99-100
#: every time). The median of three keeps one slow run from failing a build.
BUDGET_RUNS = 3
