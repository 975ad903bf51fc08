"""Read one finished analysis build: what the pages show, without the modelling libraries.

Why its own module: every page's kernel reads results, and reading needs only pandas and
JSON. The writer (``artifacts``) and the model format (skops, scikit-learn) stay out of
the pages' imports, so a page starts in a fraction of the time. The file names of the
build folder are defined here, once, for the writer and the readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from penguin_site.analysis.digest import DIGEST_FILE
from penguin_site.config import BUILD_DIR
from penguin_site.files import read_json

__all__ = [
    "COEFFICIENTS_FILE",
    "DIGEST_FILE",
    "FIGURES_DIR",
    "FIGURES_FILE",
    "METRICS_FILE",
    "MODEL_CARD_FILE",
    "MODEL_FILE",
    "PREDICTIONS_FILE",
    "TABLES_DIR",
    "DrawingRecord",
    "FigureRecord",
    "Results",
    "load_results",
]

MODEL_FILE = "model.skops"
METRICS_FILE = "metrics.json"
PREDICTIONS_FILE = "predictions.csv"
MODEL_CARD_FILE = "model_card.json"
COEFFICIENTS_FILE = "coefficients.json"
FIGURES_FILE = "figures.json"
TABLES_DIR = "tables"
FIGURES_DIR = "figures"


@dataclass(frozen=True)
class DrawingRecord:
    """One saved look of a figure (a colour scheme and a layout), as the page places it."""

    scheme: str  # config.FIGURE_SCHEMES
    layout: str  # config.FIGURE_LAYOUTS
    files: tuple[Path, ...]  # one per config.FIGURE_DENSITIES, 1x first
    width: int  # CSS px at 1x (the img's width and height attributes)
    height: int
    width_in: float  # drawn width: with min_text_pt, how big its text is on a screen
    min_text_pt: float
    text_colours: tuple[str, ...]

    def as_json(self, build_dir: Path) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "layout": self.layout,
            "files": [p.relative_to(build_dir).as_posix() for p in self.files],
            "width": self.width,
            "height": self.height,
            "width_in": self.width_in,
            "min_text_pt": self.min_text_pt,
            "text_colours": list(self.text_colours),
        }

    @classmethod
    def from_json(cls, build_dir: Path, record: dict[str, Any]) -> DrawingRecord:
        return cls(
            **{
                **record,
                "files": tuple(build_dir / f for f in record["files"]),
                "text_colours": tuple(record["text_colours"]),
            }
        )


@dataclass(frozen=True)
class FigureRecord:
    """A saved figure, its drawings (every look) and the words that go with it."""

    name: str
    path: Path  # the wide light drawing at 1x
    caption: str
    alt: str
    drawings: tuple[DrawingRecord, ...] = ()

    def drawing(self, scheme: str, layout: str) -> DrawingRecord:
        """The drawing of one look, or a clear error naming the looks there are."""
        for drawing in self.drawings:
            if (drawing.scheme, drawing.layout) == (scheme, layout):
                return drawing
        have = ", ".join(f"{d.scheme}/{d.layout}" for d in self.drawings) or "none"
        raise KeyError(f"figure {self.name!r} has no {scheme}/{layout} drawing (have: {have})")


@dataclass(frozen=True)
class Results:
    """Everything the pages show, read back from one build folder."""

    build_dir: Path
    metrics: dict[str, Any]
    model_card: dict[str, Any]
    coefficients_json: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    figures: dict[str, FigureRecord]
    predictions: pd.DataFrame

    def path(self, name: str) -> Path:
        """Path of an artifact file in the build folder (for downloads and attachments)."""
        return self.build_dir / name


def load_results(build_dir: Path = BUILD_DIR) -> Results:
    """Read a completed build folder (its digest file is written last, so it marks done)."""
    build_dir = Path(build_dir)
    if not (build_dir / DIGEST_FILE).is_file():
        raise FileNotFoundError(
            f"{build_dir} holds no finished analysis; run scripts/run_analysis.py first"
        )
    figures = {
        name: FigureRecord(
            name,
            build_dir / record["file"],
            record["caption"],
            record["alt"],
            tuple(DrawingRecord.from_json(build_dir, d) for d in record["drawings"]),
        )
        for name, record in read_json(build_dir / FIGURES_FILE).items()
    }
    tables = {
        path.stem: pd.read_csv(path) for path in sorted((build_dir / TABLES_DIR).glob("*.csv"))
    }
    return Results(
        build_dir=build_dir,
        metrics=read_json(build_dir / METRICS_FILE),
        model_card=read_json(build_dir / MODEL_CARD_FILE),
        coefficients_json=read_json(build_dir / COEFFICIENTS_FILE),
        tables=tables,
        figures=figures,
        predictions=pd.read_csv(build_dir / PREDICTIONS_FILE),
    )
