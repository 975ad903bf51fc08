"""Small typed pieces of Pandoc markdown: escaped text, pipe tables, bullet lists.

Why: a caption with ``[`` or ``@`` must stay a caption, a table must be a real table
(accessible, styled by the theme, found by search) and "mean ± sd" must read the same
in every table. The pages build their markdown from these pieces only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from IPython.display import Markdown

__all__ = [
    "Column",
    "bullet_list",
    "escape_markdown",
    "fixed",
    "mean_sd",
    "percent",
    "pipe_table",
]

#: Characters that mean something in Pandoc markdown text (escaped in captions and cells).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$@~^])")


def escape_markdown(text: str) -> str:
    """Text that Pandoc shows literally (a caption with ``[`` or ``@`` stays a caption)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


@dataclass(frozen=True)
class Column:
    """One column of a displayed table: source column, header, formatter, alignment."""

    source: str
    header: str
    format: Callable[[object], str] = str
    align: str = "left"


def fixed(spec: str) -> Callable[[object], str]:
    return lambda value: "n/a" if pd.isna(value) else format(value, spec)  # type: ignore[arg-type]


def pipe_table(df: pd.DataFrame, columns: Sequence[Column]) -> str:
    """A Pandoc pipe table (accessible HTML table, styled by the theme, found by search)."""
    rule = {"left": ":---", "right": "---:", "center": ":---:"}
    lines = [
        "| " + " | ".join(escape_markdown(c.header) for c in columns) + " |",
        "|" + "|".join(rule[c.align] for c in columns) + "|",
    ]
    for row in df.to_dict("records"):
        cells = [escape_markdown(c.format(row[c.source])) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def percent(value: object) -> str:
    return f"{float(value):.0%}"  # type: ignore[arg-type]


def mean_sd(mean: float, sd: float, spec: str) -> str:
    """How every table writes a mean with its standard deviation: ``0.846 ± 0.032``."""
    return f"{mean:{spec}} ± {sd:{spec}}"


def bullet_list(items: Sequence[str]) -> Markdown:
    """A markdown bullet list, each item escaped (printed from a cell with ``output: asis``)."""
    return Markdown("\n".join(f"- {escape_markdown(item)}" for item in items))
