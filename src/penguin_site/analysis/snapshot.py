"""Write the committed data snapshot and its Frictionless description.

The snapshot is the exact bytes the ``palmerpenguins`` package ships, so anyone
can check it against the source; ``datapackage.json`` records its size, sha256,
licence, source and the column contract (generated from ``schema``, never typed).
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

from penguin_site.analysis.contract import MISSING_TOKENS, frictionless_fields
from penguin_site.analysis.dataset import load_penguins
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from penguin_site.files import sha256_bytes

__all__ = ["describe", "source_bytes", "write_snapshot"]


SOURCE_PACKAGE = "palmerpenguins"

CITATION = (
    "Gorman KB, Williams TD, Fraser WR (2014). Ecological sexual dimorphism and environmental "
    "variability within a community of Antarctic penguins (genus Pygoscelis). PLoS ONE 9(3): "
    "e90081. https://doi.org/10.1371/journal.pone.0090081"
)


def source_bytes() -> bytes:
    """The CSV shipped inside the installed ``palmerpenguins`` package."""
    return (resources.files(SOURCE_PACKAGE) / "data" / "penguins.csv").read_bytes()


def write_snapshot(
    data_file: Path = DATA_FILE, datapackage: Path = DATAPACKAGE_FILE, data: bytes | None = None
) -> str:
    """Validate ``data`` (default: the package's CSV), then write it and its description.

    The CSV is validated under a temporary name and renamed into place only when it
    meets the contract, so a bad source never replaces a good snapshot.
    """
    data = source_bytes() if data is None else data
    data_file.parent.mkdir(parents=True, exist_ok=True)
    candidate = data_file.with_name(f".{data_file.name}.new")
    candidate.write_bytes(data)
    try:
        frame = load_penguins(candidate)  # the contract must hold before we record it
    except Exception:
        candidate.unlink()
        raise
    candidate.replace(data_file)
    digest = sha256_bytes(data)
    descriptor = describe(data_file.name, data, len(frame), digest)
    datapackage.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    return digest


def describe(file_name: str, data: bytes, rows: int, digest: str) -> dict[str, object]:
    """Frictionless Data Package descriptor for the snapshot."""
    version = metadata.version(SOURCE_PACKAGE)
    return {
        "name": "palmer-penguins",
        "title": "Palmer Archipelago (Antarctica) penguin data",
        "description": (
            "Size measurements of adult foraging Adelie, Chinstrap and Gentoo penguins near "
            "Palmer Station, Antarctica, 2007-2009. Collected by Dr. Kristen Gorman and the "
            "Palmer Station Long Term Ecological Research (LTER) Program."
        ),
        "licenses": [
            {
                "name": "CC0-1.0",
                "title": "Creative Commons Zero v1.0 Universal",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/",
            }
        ],
        "sources": [
            {"title": CITATION, "path": "https://doi.org/10.1371/journal.pone.0090081"},
            {
                "title": f"Python package {SOURCE_PACKAGE} {version} (file data/penguins.csv)",
                "path": f"https://pypi.org/project/{SOURCE_PACKAGE}/{version}/",
            },
        ],
        "resources": [
            {
                "name": "penguins",
                "path": file_name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": f"sha256:{digest}",
                "rows": rows,
                "dialect": {"delimiter": ",", "header": True},
                "schema": {"fields": frictionless_fields(), "missingValues": list(MISSING_TOKENS)},
            }
        ],
    }
