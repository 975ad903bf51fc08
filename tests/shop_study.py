"""The shop study the tests make themselves: a second study that is not penguins.

Why here: the second-study tests, the new-study generator's tests and the site tests of a team's
copy all need the same made-up data (1,200 customers, a five- and a two-level category,
missing values, a target in euros), and a hand-written study.yml for it. Written once.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REGIONS = ("Centre", "East", "North", "South", "West")
COLOURS = ("#B86E00", "#0072B2", "#009E73", "#CC79A7", "#000000")


def make_study(folder: Path, rows: int = 1200) -> Path:
    """A shop's customers: spend (EUR) from income, visits, region and plan."""
    rng = np.random.default_rng(7)
    region = rng.choice(REGIONS, rows)
    plan = rng.choice(["basic", "premium"], rows).astype(object)
    income = np.round(rng.normal(40, 10, rows).clip(5, 120), 1)
    visits = np.round(rng.normal(12, 4, rows).clip(0, 40), 1)
    offset = pd.Series(region).map(dict(zip(REGIONS, (50, -20, 0, 30, 10), strict=True)))
    spend = 100 + 3 * income + 8 * visits + (plan == "premium") * 150 + offset.to_numpy()
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, rows + 1),
            "region": region,
            "plan": plan,
            "income_keur": income,
            "visits_per_year": visits,
            "spend_eur": np.round(spend + rng.normal(0, 40, rows), 0),
        }
    )
    frame.loc[rng.choice(rows, 30, replace=False), "plan"] = None
    measured = ["income_keur", "visits_per_year", "spend_eur"]
    frame.loc[rng.choice(rows, 20, replace=False), measured] = None
    (folder / "data").mkdir(parents=True)
    frame.to_csv(folder / "data" / "shop.csv", index=False, na_rep="NA")

    def number(name: str, title: str, unit: str, high: float) -> dict[str, object]:
        return {
            "name": name,
            "type": "number",
            "title": title,
            "description": title,
            "unit": unit,
            "example": "12.5",
            "constraints": {"required": False, "minimum": 0, "maximum": high},
        }

    fields = [
        {
            "name": "customer_id",
            "type": "integer",
            "description": "Customer number",
            "example": "17",
            "constraints": {"required": True, "minimum": 1, "maximum": 10**6},
        },
        {
            "name": "region",
            "type": "string",
            "description": "Sales region",
            "constraints": {"required": True, "enum": list(REGIONS)},
        },
        {
            "name": "plan",
            "type": "string",
            "description": "Plan",
            "constraints": {"required": False, "enum": ["basic", "premium"]},
        },
        number("income_keur", "Income", "kEUR", 500),
        number("visits_per_year", "Visits", "visits", 100),
        number("spend_eur", "Spend", "EUR", 5000),
    ]
    schema = {
        "fields": fields,
        "missingValues": ["NA", ""],
        "missingTogether": {"fields": measured, "description": "measured together"},
    }
    package = {
        "name": "shop",
        "resources": [{"name": "shop", "path": "shop.csv", "schema": schema}],
    }
    (folder / "data" / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    words = ("high", "low", "higher", "lower", "highest", "lowest")
    study = {
        "title": "Shop",
        "data": "data/shop.csv",
        "datapackage": "data/datapackage.json",
        "row": {"noun": "customer", "plural": "customers"},
        "target": {"column": "spend_eur", "noun": "yearly spend", "short": "spend"}
        | {w: w for w in words},
        "units": {
            "kEUR": {"decimals": 1, "word": "thousand euro"},
            "visits": {"decimals": 1, "word": "visit"},
            "EUR": {"decimals": 0, "word": "euro"},
        },
        "describe_by": ["region", "plan"],
        "colour_by": "region",
        "split_by": "plan",
        "cross_tab": ["region", "plan"],
        "scatter_x": "income_keur",
        "traits": [{"column": "spend_eur", "largest": True, "words": "spend the most"}],
        "candidates": {
            "income": {"label": "Income only", "numeric": ["income_keur"]},
            "all": {
                "label": "Everything",
                "numeric": ["income_keur", "visits_per_year"],
                "categorical": ["region", "plan"],
            },
        },
        "model": {"choose": "lowest_rmse"},
        "categories": {
            "region": {
                "label": "Region",
                "noun": "region",
                "plural": "regions",
                "levels": {
                    r: {"light": c, "dark": c} for r, c in zip(REGIONS, COLOURS, strict=True)
                },
            },
            "plan": {
                "label": "Plan",
                "noun": "plan",
                "plural": "plans",
                "levels": {
                    "basic": {"light": "#CC79A7", "dark": "#CC79A7"},
                    "premium": {"light": "#56B4E9", "dark": "#56B4E9"},
                },
            },
        },
    }
    path = folder / "study.yml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path


def shop_csv(folder: Path, name: str = "customers.csv") -> Path:
    """The second study's data as a plain CSV, without its hand-written study."""
    made = make_study(folder / "made")
    path = folder / name
    shutil.copyfile(made.parent / "data" / "shop.csv", path)
    shutil.rmtree(folder / "made")
    return path
