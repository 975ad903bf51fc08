"""Start a new study from a tidy CSV: ``new_study.py CSV --target COLUMN [--dir DEST]``.

A thin shim over ``penguin_site.site.starter``. It drafts the data contract
(``data/datapackage.json``, inferred with frictionless), ``study.yml`` and starter
``index.qmd``, ``eda.qmd`` and ``model.qmd`` pages, and copies the CSV into ``data/``.
DEST defaults to the repository root, which replaces the shipped example: existing files
are never overwritten without ``--force``. Bad input writes nothing and exits 1 with a
message naming the file and the column.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.site.starter import StarterError, draft, write

ROOT = Path(__file__).resolve().parents[1]
#: Column-name endings read as units (``spend_eur`` is in EUR, ``length_mm`` in mm). Here, not
#: in the package: the generic rooms name no unit of any study.
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "eur": ("EUR", "euro"),
    "keur": ("kEUR", "thousand euro"),
    "usd": ("USD", "US dollar"),
    "gbp": ("GBP", "pound"),
    "pct": ("%", "percent"),
    "mm": ("mm", "millimetre"),
    "cm": ("cm", "centimetre"),
    "m": ("m", "metre"),
    "km": ("km", "kilometre"),
    "g": ("g", "gram"),
    "kg": ("kg", "kilogram"),
    "s": ("s", "second"),
    "min": ("min", "minute"),
    "h": ("h", "hour"),
    "kwh": ("kWh", "kilowatt hour"),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, metavar="CSV", help="the tidy CSV, one row per case")
    parser.add_argument("--target", required=True, help="the numeric column to predict")
    parser.add_argument(
        "--dir", type=Path, default=ROOT, help="project folder to write into (default: here)"
    )
    parser.add_argument("--force", action="store_true", help="replace the files already there")
    args = parser.parse_args(argv)
    try:
        written = write(draft(args.csv, args.target, UNIT_NAMES), args.dir, force=args.force)
    except StarterError as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(
        "next: edit the prose (search the pages for 'Edit this prose') and study.yml's words, "
        "record the model baseline (scripts/run_analysis.py --record-baseline), then render "
        "(bash scripts/render_site.sh); see README, Make it yours"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
