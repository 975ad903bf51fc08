"""Write the build's outputs to one folder, and read them back for the pages.

The pages never compute: they read what one run of the pipeline wrote, so no two
pages can disagree. Every file is written byte-for-byte reproducibly (sorted,
fixed formats, zip entries stamped with SOURCE_DATE_EPOCH) so two builds of the
same commit give the same files.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import skops.io as sio
from sklearn.pipeline import Pipeline

from penguin_site import provenance
from penguin_site.config import BUILD_DIR

MODEL_FILE = "model.skops"
METRICS_FILE = "metrics.json"
PREDICTIONS_FILE = "predictions.csv"
MODEL_CARD_FILE = "model_card.json"
COEFFICIENTS_FILE = "coefficients.json"
FIGURES_FILE = "figures.json"
FINGERPRINT_FILE = "fingerprint.txt"
SKOPS_SCHEMA = "schema.json"
TABLES_DIR = "tables"
FIGURES_DIR = "figures"

#: Earliest time a zip entry can carry (zip stores DOS dates from 1980).
_ZIP_EPOCH_MIN = 315_532_800


@dataclass(frozen=True)
class FigureRecord:
    """A saved figure and the words that go with it."""

    name: str
    path: Path
    caption: str
    alt: str


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


def source_date_epoch() -> int:
    """Build time for embedded timestamps: SOURCE_DATE_EPOCH when set, else a fixed 1980 date.

    Parsed by the same function as the footer's build date, so a malformed value is
    one clear error everywhere. A constant fallback (not "now") keeps local builds
    reproducible too; zip cannot store dates before 1980, so earlier ones are clamped.
    """
    stamp = provenance.source_date_epoch(os.environ)
    seconds = int(stamp.timestamp()) if stamp else _ZIP_EPOCH_MIN
    return max(seconds, _ZIP_EPOCH_MIN)


def write_json(path: Path, payload: object) -> None:
    """Write JSON with a fixed layout (indent 2, key order kept, UTF-8, final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    """Read a JSON artifact (UTF-8)."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_table(directory: Path, name: str, table: pd.DataFrame) -> Path:
    """Write a table as CSV (UTF-8, LF line ends, no index) so it is readable and diffable."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.csv"
    table.to_csv(path, index=False, lineterminator="\n")
    return path


def model_bytes(model: Pipeline) -> bytes:
    """The model as a skops archive whose bytes depend only on the model.

    skops names array files and memo entries by ``id()`` (a memory address) and stamps
    zip entries with the current time. Renumbering the ids in order of appearance and
    stamping entries with SOURCE_DATE_EPOCH keeps every reference intact (the loader
    only matches ids with each other) and makes the file, and its sha256, reproducible.
    """
    stamp = time.gmtime(source_date_epoch())[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sio.dumps(model))) as src:
        schema = json.loads(src.read(SKOPS_SCHEMA))
        renamed: dict[str, str] = {}
        _renumber(schema, {}, renamed)
        entries = [(renamed[old], src.read(old)) for old in renamed]
        entries.append((SKOPS_SCHEMA, json.dumps(schema, indent=2).encode()))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def _renumber(node: object, ids: dict[int, int], files: dict[str, str]) -> None:
    """Replace ``__id__`` values and ``.npy`` file names with counters, in document order."""
    if isinstance(node, list):
        for item in node:
            _renumber(item, ids, files)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "__id__" and isinstance(value, int):
                node[key] = ids.setdefault(value, len(ids) + 1)
            elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                node[key] = files.setdefault(value, f"{len(files) + 1}.npy")
            else:
                _renumber(value, ids, files)


def load_model(path: Path) -> Pipeline:
    """Load a skops model, refusing any type outside skops' default trusted set.

    Unlike pickle, nothing in the file can run code unless we trust its types, and
    our pipeline needs no extra trust, so any untrusted type means the file is not ours.
    """
    data = Path(path).read_bytes()
    untrusted = sio.get_untrusted_types(data=data)
    if untrusted:
        raise ValueError(f"{path}: refusing to load untrusted types {untrusted}")
    return sio.loads(data)


def load_results(build_dir: Path = BUILD_DIR) -> Results:
    """Read a completed build folder (``fingerprint.txt`` is written last, so it marks done)."""
    build_dir = Path(build_dir)
    if not (build_dir / FINGERPRINT_FILE).is_file():
        raise FileNotFoundError(
            f"{build_dir} holds no finished analysis; run scripts/run_analysis.py first"
        )
    figures = {
        name: FigureRecord(name, build_dir / record["file"], record["caption"], record["alt"])
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


def ensure_results(build_dir: Path = BUILD_DIR) -> Results:
    """Results for the current data and code, running the analysis only if they are stale.

    A full site render runs the analysis once in the pre-render hook; a page rendered
    or previewed on its own finds the artifacts fresh and just reads them, or
    computes them when the data or the package changed since.
    """
    from penguin_site.pipeline import fingerprint, run_analysis  # avoid an import cycle

    marker = Path(build_dir) / FINGERPRINT_FILE
    if not marker.is_file() or marker.read_text(encoding="utf-8").strip() != fingerprint():
        run_analysis(build_dir)
    return load_results(build_dir)
