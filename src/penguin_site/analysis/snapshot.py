"""Write the committed data snapshot and its Frictionless description.

The snapshot starts as the exact bytes a Python package ships (the study file's
``snapshot``: package and file), so anyone can check it against the source; a data team
later accepts its own files (``intake``). ``datapackage.json`` records the file's size,
sha256 and source; its title, licence and column contract (the Table Schema the analysis
enforces) are the committed ones, kept as they are: this module never rewrites the contract.
"""

from __future__ import annotations

import copy
import json
from importlib import metadata, resources
from pathlib import Path

from penguin_site.analysis.dataset import load_data
from penguin_site.config import DATA_FILE, DATAPACKAGE_FILE
from penguin_site.files import read_json, sha256_bytes
from penguin_site.study import current

__all__ = [
    "Source",
    "accepted_file",
    "describe",
    "from_package",
    "source_bytes",
    "write_snapshot",
]


SOURCE_PACKAGE: str = str(current().snapshot.get("package", ""))
#: The file inside that package.
SOURCE_FILE: str = str(current().snapshot.get("file", ""))
PACKAGE_URL = f"https://pypi.org/project/{SOURCE_PACKAGE}/"
#: One entry of the descriptor's ``sources``: a title and a path (Frictionless).
Source = dict[str, str]

#: The publication the data come from (the descriptor's first source), if the study names one.
CITATION: Source | None = (
    {k: str(v) for k, v in current().snapshot["citation"].items()}
    if "citation" in current().snapshot
    else None
)


def source_bytes() -> bytes:
    """The CSV shipped inside the installed source package (the study's ``snapshot``)."""
    return (resources.files(SOURCE_PACKAGE) / SOURCE_FILE).read_bytes()


def write_snapshot(
    data_file: Path = DATA_FILE,
    datapackage: Path = DATAPACKAGE_FILE,
    data: bytes | None = None,
    source: Source | None = None,
) -> str:
    """Validate ``data`` (default: the package's CSV), then write it and its description.

    ``source`` is the descriptor's note on where ``data`` came from (default: the
    source package; ``accepted_file`` for a file a data team accepted).
    Both files are written under temporary names first and renamed into place only when
    the data meet the contract, so a bad source never replaces a good snapshot and the
    two files never disagree after a failure.
    """
    data = source_bytes() if data is None else data
    data_file.parent.mkdir(parents=True, exist_ok=True)
    candidate = _temporary(data_file)
    candidate.write_bytes(data)
    try:
        frame = load_data(candidate)  # the contract must hold before we record it
    except Exception:
        candidate.unlink()
        raise
    digest = sha256_bytes(data)
    descriptor = describe(data_file.name, data, len(frame), digest, source)
    _replace_both(candidate, data_file, json.dumps(descriptor, indent=2) + "\n", datapackage)
    return digest


def accepted_file(name: str) -> Source:
    """The source note of data accepted from a file (``scripts/accept_data.py``).

    Only the file's name: a full path would record one machine's folders.
    """
    return {
        "title": (
            f"File {name}, accepted with scripts/accept_data.py (not the {SOURCE_PACKAGE} "
            "package's CSV)"
        ),
        "path": name,
    }


def from_package(datapackage: Path = DATAPACKAGE_FILE) -> bool:
    """Whether the recorded snapshot is the source package's CSV."""
    sources = read_json(datapackage).get("sources", [])
    return any(PACKAGE_URL in str(s.get("path", "")) for s in sources)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.new")


def _replace_both(candidate: Path, data_file: Path, descriptor: str, datapackage: Path) -> None:
    """Rename the validated data and its new description into place, or neither.

    Each rename is atomic; between the two, a failure of the second puts the old
    data back, so the files never describe each other wrongly.
    """
    described = _temporary(datapackage)
    try:
        described.write_text(descriptor, encoding="utf-8")
    except OSError:
        candidate.unlink()
        described.unlink(missing_ok=True)
        raise
    previous = data_file.read_bytes() if data_file.exists() else None
    candidate.replace(data_file)
    try:
        described.replace(datapackage)
    except OSError:
        described.unlink(missing_ok=True)
        if previous is None:
            data_file.unlink()
        else:
            data_file.write_bytes(previous)
        raise


def describe(
    file_name: str, data: bytes, rows: int, digest: str, source: Source | None = None
) -> dict[str, object]:
    """Data Package descriptor for the snapshot (``source``: see write_snapshot).

    The committed descriptor with the file's own facts (name, size, sha256, rows) and
    sources replaced: its title, licence and Table Schema stay exactly as committed.
    """
    if source is None:
        version = metadata.version(SOURCE_PACKAGE)
        source = {
            "title": f"Python package {SOURCE_PACKAGE} {version} (file {SOURCE_FILE})",
            "path": f"{PACKAGE_URL}{version}/",
        }
    descriptor = copy.deepcopy(read_json(current().datapackage_file))
    descriptor["sources"] = [*([CITATION] if CITATION else []), source]
    resource = descriptor["resources"][0]
    resource.update(
        {"path": file_name, "bytes": len(data), "hash": f"sha256:{digest}", "rows": rows}
    )
    return descriptor
