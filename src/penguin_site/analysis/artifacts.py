"""Write the build's outputs byte-for-byte reproducibly, and load the model file safely.

Every file is written the same way every time (sorted, fixed formats, zip entries stamped
with SOURCE_DATE_EPOCH), so two builds of the same commit give the same files. Reading
the results back is ``results``, which needs neither skops nor scikit-learn.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from penguin_site.analysis.digest import model_epoch

__all__ = ["load_model", "model_bytes", "write_table", "zip_epoch"]

#: The file inside a skops archive that describes the others.
SKOPS_SCHEMA = "schema.json"


def zip_epoch() -> int:
    """Seconds to stamp zip entries with: ``digest.model_epoch`` (reproducible, clamped)."""
    return model_epoch()


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
    import skops.io as sio  # imported here, not above: 1.4 s, for the model file only

    stamp = time.gmtime(zip_epoch())[:6]
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
    import skops.io as sio  # imported here, not above: 1.4 s, for the model file only

    data = Path(path).read_bytes()
    untrusted = sio.get_untrusted_types(data=data)
    if untrusted:
        raise ValueError(f"{path}: refusing to load untrusted types {untrusted}")
    return sio.loads(data)
