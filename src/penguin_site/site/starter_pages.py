"""The starter pages of a new study: the shipped pages' cells, with prose left to the author.

Why: a new study's first render must already show everything the engine makes (tables,
figures, cross-validated candidates, the predictor, the model card, downloads), so the
author edits words, not code. Each cell is the call the shipped pages make
(``pages.*_table``, ``pages.figure_markdown``, ``pages.predictor_html``); the numbers in
the prose are ``facts`` (inline expressions, or Quarto variables on the home page, which
runs no code). Every paragraph the author should write says "Edit this prose".
"""

from __future__ import annotations

from typing import Any

__all__ = ["EDIT", "pages"]

#: The marker of a paragraph the author writes (search the pages for it).
EDIT = "Edit this prose"

_SETUP = """\
```{python}
#| label: setup
#| code-summary: "Load this build's results"
from penguin_site.site import pages

results = pages.ensure_results()
facts = pages.key_facts(results)
```
"""

_INDEX = """\
---
title: "{title}"
subtitle: "{description}"
description-meta: "{description}"
# No code runs on this page: its numbers are Quarto variables (facts.*) the pre-render
# hook writes into _variables.yml from this build's results.
code-tools: false
---

## The question

{edit}: what question the site answers, and why it matters. The site answers it with a
linear model of {target} checked by cross-validation; you can
[try the model in your browser](model.qmd#predict-in-your-browser).

## Key findings

- The baseline model explains about {{{{< var facts.baseline_r2_share >}}}} of the variation
  in {target} (cross-validated R² {{{{< var facts.baseline_r2 >}}}}), with a typical error
  (RMSE) of {{{{< var facts.baseline_rmse >}}}}.
- The site's model explains about {{{{< var facts.r2_share >}}}} (R² {{{{< var facts.r2 >}}}},
  sd {{{{< var facts.r2_sd >}}}} across folds); its typical error is {{{{< var facts.rmse >}}}}
  (mean absolute error {{{{< var facts.mae >}}}}).
- The best candidate ({{{{< var facts.best_label >}}}}) reaches R² {{{{< var facts.best_r2 >}}}}.

{edit}: what the findings mean.

## Where the data come from

The data are {{{{< var facts.rows >}}}} {plural} from `{data}` (sha256
{{{{< var facts.data_sha256 >}}}}), checked against a data contract before every analysis
([exploratory analysis](eda.qmd#the-data-contract)). {edit}: who collected them, when, and
under which licence.
"""

_EDA = """\
---
title: "Exploratory analysis"
subtitle: "What the data hold, and how {target} relates to the other columns"
description-meta: "Exploratory analysis of {data}: the {plural}, missing values, and {target}."
jupyter: python3
other-links:
  - text: This page as a Jupyter notebook
    href: eda.ipynb
# Every drawing of every figure (srcset files are not found by Quarto's own scan).
resources:
  - /_build/analysis/figures/*.png
---

{setup}
## The data contract

The data hold `{{python}} facts.rows` rows and `{{python}} facts.columns` columns, one row
per {noun}. Before any analysis the file is checked against this contract.

```{{python}}
#| label: tbl-contract
#| tbl-cap: "Columns of the data."
pages.data_contract_table()
```

The model uses the `{{python}} facts.complete_rows` complete rows and leaves out
`{{python}} facts.dropped_rows`. {edit}: why values are missing.

```{{python}}
#| label: tbl-missing
#| tbl-cap: "Missing values per column."
pages.missing_values_table(results)
```

## Who is in the data

```{{python}}
#| label: tbl-counts
#| tbl-cap: "Rows per category."
pages.counts_table(results)
```

Where the levels meet: `{{python}} facts.cross_tab` (@tbl-cross-tab).

```{{python}}
#| label: tbl-cross-tab
#| tbl-cap: "Rows per {colour_by} and {split_by}."
pages.cross_tab_table(results)
```

## Measurements by group

```{{python}}
#| label: tbl-summary
#| tbl-cap: "Mean ± standard deviation of each measurement, by {colour_by} and {split_by}."
pages.measurement_summary_table(results)
```

Comparing the two levels of {split_by}, `{{python}} facts.split_gap`; by mean {target} the
highest {colour_by} is `{{python}} facts.highest` (@tbl-summary). {edit}.

## Figures

```{{python}}
#| label: target-vs-x
#| output: asis
print(pages.figure_markdown(results, "target-vs-x"))
```

{edit}: what @fig-target-vs-x shows.

```{{python}}
#| label: target-by-group
#| output: asis
print(pages.figure_markdown(results, "target-by-group"))
```

{edit}: what @fig-target-by-group shows.

```{{python}}
#| label: measurement-pairs
#| output: asis
print(pages.figure_markdown(results, "measurement-pairs"))
```

{edit}: what @fig-measurement-pairs shows; the [model page](model.qmd) compares the
candidate models.
"""

_MODEL = """\
---
title: "Model"
subtitle: "Predicting {target}"
description-meta: "A cross-validated linear model of {target} from {data}, with a predictor to try."
jupyter: python3
other-links:
  - text: This page as a Jupyter notebook
    href: model.ipynb
# Downloads and the predictor's script, copied into the site next to this page.
resources:
  - /data/{data}
  - /data/datapackage.json
  - /_build/analysis/model.skops
  - /_build/analysis/metrics.json
  - /_build/analysis/predictions.csv
  - /_build/analysis/coefficients.json
  - /_build/analysis/model_card.json
  - /src/penguin_site/site/predictor.js
  - /_build/analysis/figures/*.png
---

{setup}
## Method

Each candidate is an ordinary least-squares linear regression of {target}, scored on
`{{python}} facts.folds` cross-validation folds repeated `{{python}} facts.repeats` times,
every candidate on the same splits; the site's model is fitted on the
`{{python}} facts.complete_rows` complete rows. {edit}: why these candidates.

## Candidates compared

```{{python}}
#| label: tbl-comparison
#| tbl-cap: "Cross-validated performance of the candidate models (mean ± sd over folds)."
pages.comparison_table(results)
```

The baseline reaches R² `{{python}} facts.baseline_r2`, the site's model
`{{python}} facts.r2`. {edit}.

**Quality gate.** Every build compares the chosen model with the scores committed in
`data/model_baseline.json` and stops if the model got worse. This build:
`{{python}} facts.quality_gate`.

## Coefficients

```{{python}}
#| label: tbl-coefficients
#| tbl-cap: "Coefficients of the chosen model, fitted on all complete rows."
pages.coefficients_table(results)
```

{edit}: how to read the coefficients.

## Diagnostics

```{{python}}
#| label: predicted-vs-actual
#| output: asis
print(pages.figure_markdown(results, "predicted-vs-actual"))
```

The typical error is `{{python}} facts.rmse` (@fig-predicted-vs-actual). {edit}.

```{{python}}
#| label: residuals
#| output: asis
print(pages.figure_markdown(results, "residuals"))
```

{edit}: what @fig-residuals shows.

## Predict in your browser

The page computes the prediction in your browser from the model's coefficients (nothing is
sent anywhere).

```{{python}}
#| label: predictor
#| output: asis
#| echo: false
print(pages.predictor_html(results))
```

## Model card

**Model.** `{{python}} results.model_card["model"]`: `{{python}} results.model_card["type"]`.

**Intended use.** `{{python}} results.model_card["intended_use"]`

**Not intended for:**

```{{python}}
#| label: card-not-intended
#| output: asis
print(pages.bullet_list(results.model_card["not_intended_for"]).data)
```

**Data:**

```{{python}}
#| label: card-data
#| output: asis
print(pages.model_card_data(results).data)
```

**Metrics** (chosen model, cross-validated):

```{{python}}
#| label: card-metrics
#| output: asis
print(pages.model_card_metrics(results).data)
```

**Limitations:**

```{{python}}
#| label: card-limitations
#| output: asis
print(pages.bullet_list(results.model_card["limitations"]).data)
```

## Downloads

The sha256 of the model is `{{python}} facts.model_sha256`.

```{{python}}
#| label: download-links
#| output: asis
print(pages.download_links(results).data)
```
"""


def pages(study: dict[str, Any], data_name: str) -> dict[str, str]:
    """``index.qmd``, ``eda.qmd`` and ``model.qmd`` for a drafted study (its dict form)."""
    words = {
        "title": study["title"].replace('"', "'"),
        "description": study["description"].replace('"', "'"),
        "target": study["target"]["noun"],
        "noun": study["row"]["noun"],
        "plural": study["row"]["plural"],
        "data": data_name,
        "colour_by": study["categories"][study["colour_by"]]["noun"],
        "split_by": study["categories"][study["split_by"]]["noun"],
        "edit": EDIT,
        "setup": _SETUP,
    }
    return {
        "index.qmd": _INDEX.format(**words),
        "eda.qmd": _EDA.format(**words),
        "model.qmd": _MODEL.format(**words),
    }
