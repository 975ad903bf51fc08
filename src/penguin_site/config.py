"""Every constant of the project, defined once.

Paths are derived from this file's location so nothing else hard-codes a path;
``PENGUIN_BUILD_DIR`` moves the build folder (tests use it to build in a tmp dir).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType

ROOT: Path = Path(__file__).resolve().parents[2]
DATA_DIR: Path = ROOT / "data"
DATA_FILE: Path = DATA_DIR / "penguins.csv"
DATAPACKAGE_FILE: Path = DATA_DIR / "datapackage.json"
LOCK_FILE: Path = ROOT / "requirements.lock"
#: The chosen model's committed cross-validated scores: the quality gate compares with them.
BASELINE_FILE: Path = DATA_DIR / "model_baseline.json"
#: The in-browser predictor (an ES module the model page loads and the tests run in Node).
PREDICTOR_SCRIPT: Path = ROOT / "src" / "penguin_site" / "site" / "predictor.js"
#: axe-core's browser bundle (npm ``axe-core`` in tools/a11y, installed by
#: scripts/setup_test_tools.sh); the browser checks inject it into pages.
AXE_SCRIPT: Path = ROOT / "tools" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: Lighthouse's command line (npm ``lighthouse`` in tools/budget, installed by
#: scripts/setup_test_tools.sh); the budget check runs it on every page.
LIGHTHOUSE_CLI: Path = (
    ROOT / "tools" / "budget" / "node_modules" / "lighthouse" / "cli" / "index.js"
)
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

TARGET = "body_mass_g"

#: Measurement columns and their units (the data contract and the figures both use them).
MEASUREMENTS: MappingProxyType[str, str] = MappingProxyType(
    {
        "bill_length_mm": "mm",
        "bill_depth_mm": "mm",
        "flipper_length_mm": "mm",
        "body_mass_g": "g",
    }
)

TARGET_UNIT = MEASUREMENTS[TARGET]


def measurement_name(column: str) -> str:
    """A measurement column in words, without its unit: ``bill_length_mm`` -> ``bill length``."""
    return column.removesuffix(f"_{MEASUREMENTS[column]}").replace("_", " ")


def measurement_label(column: str) -> str:
    """Axis and input label of a measurement: ``bill_length_mm`` -> ``Bill length (mm)``."""
    return f"{measurement_name(column).capitalize()} ({MEASUREMENTS[column]})"


#: Candidate feature sets, in the order the comparison table shows them.
#: Each entry: (numeric features, categorical features).
FEATURE_SETS: MappingProxyType[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "bill": (("bill_length_mm",), ()),
        "bill_species_sex": (("bill_length_mm",), ("species", "sex")),
        "bill_flipper_species_sex": (("bill_length_mm", "flipper_length_mm"), ("species", "sex")),
        "all_species_sex": (
            ("bill_length_mm", "bill_depth_mm", "flipper_length_mm"),
            ("species", "sex"),
        ),
    }
)

#: Plain-language names of the candidates for tables and prose.
FEATURE_SET_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "bill": "Bill length only (baseline)",
        "bill_species_sex": "Bill length + species + sex",
        "bill_flipper_species_sex": "Bill length + flipper length + species + sex",
        "all_species_sex": "All measurements + species + sex",
    }
)

#: The model the site is about: its question is how well bill length, with species and
#: sex, predicts body mass. The other candidates are there to put it in context.
CHOSEN_FEATURE_SET = "bill_species_sex"

CV_FOLDS = 5
CV_REPEATS = 20

#: The model-quality gate: the build fails when the chosen model's cross-validated RMSE is
#: more than this share above the baseline's, or its R² falls below the floor.
RMSE_TOLERANCE = 0.05
R2_FLOOR = 0.80

#: Fewest complete rows each species-sex group needs before the models are fitted:
#: with fewer, cross-validation folds often train without the group at all.
MIN_BIRDS_PER_GROUP = CV_FOLDS

#: Every figure, by the page that shows it, in page order (``<name>.png``, ``@fig-<name>``).
FIGURES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "eda": ("mass-vs-bill", "mass-distribution", "measurement-pairs"),
        "model": ("predicted-vs-actual", "residuals"),
    }
)

#: Figures: fixed size and resolution so every build writes the same pixels.
FIGURE_SIZE_IN: tuple[float, float] = (7.0, 4.5)
FIGURE_DPI = 120
#: Figures that need another shape than FIGURE_SIZE_IN (inches, by figure name).
FIGURE_SIZES_IN: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {
        "measurement-pairs": (9.1, 5.25),  # six panels
        "predicted-vs-actual": (6.6, 5.0),  # square panel plus the legend
    }
)

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
