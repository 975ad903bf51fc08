"""The performance, accessibility and weight budget every page of the site must meet.

Why: a site that is slow on a phone, heavy on a metered connection, or that a screen
reader or a search engine cannot read well fails its readers just as a wrong number does,
and each of those creeps in one harmless-looking option at a time. This check serves the
rendered site from 127.0.0.1 gzipped, as GitHub Pages serves it, runs Lighthouse (npm
``lighthouse`` in tools/budget, driving the machine's Chromium) on every page with the
desktop and the mobile preset, and axe-core in the light and the dark colour scheme, and
compares every figure with the targets in :mod:`penguin_site.config`.

Lighthouse's performance score comes from *simulated* throttling (its default): the page
is loaded once at full speed and Lantern models a slow network and CPU from that trace, so
the score depends much less on how busy the machine is than a throttled load would. What
remains of the spread is damped by taking the median of ``BUDGET_RUNS`` runs.

The budget step is on the path from a push to the live site, and Lighthouse runs were most of
it: so up to :data:`LIGHTHOUSE_AT_ONCE` Chromes run at the same time, and each runs its share
of the runs one after another (tools/budget/runs.mjs) rather than a new Node and Chrome per
run: 6 runs took 78 s as separate ``lighthouse`` commands and 47 s in one Chrome.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from penguin_site.checks.browser import (
    CHROMIUM_ARGS,
    BrowserUnavailable,
    axe_violations,
    browse_site,
    chromium_path,
    serve_directory,
    switch_to_dark,
)
from penguin_site.config import (
    BUDGET_RUNS,
    BUDGET_SCORES,
    BUDGET_TRANSFER_KIB,
    LIGHTHOUSE_MODULE,
    LIGHTHOUSE_RUNS,
    PAGE_FILES,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = [
    "CATEGORIES",
    "PRESETS",
    "PageBudget",
    "check_budget",
    "format_report",
    "lighthouse_reports",
    "page_budget",
    "site_axe",
]

#: Lighthouse's categories, by the id its report uses, with the column each gets.
CATEGORIES: dict[str, str] = {
    "performance": "perf",
    "accessibility": "a11y",
    "best-practices": "bp",
    "seo": "SEO",
}
#: Lighthouse's two form factors: a phone (slow 4G, 4x CPU slowdown) and a desktop.
PRESETS: tuple[str, ...] = ("desktop", "mobile")
#: Upper bound for one Lighthouse run (a run takes 6-10 s on two cores, in a running Chrome).
LIGHTHOUSE_TIMEOUT_S = 240
#: Lighthouse runs at the same time: one per two cores (each is a Chrome and a node process).
#: Measured on an idle 2-core machine, 6 runs (3 pages, 2 presets): one at a time 82 s, mobile
#: scores 99/98/98; two at a time 51 s, 98/98/97; three at a time 40 s, but 99/93/98. One per
#: two cores keeps that margin for whatever else the machine runs (the tests run beside it).
LIGHTHOUSE_AT_ONCE = max(1, len(os.sched_getaffinity(0)) // 2)
#: How many of the heaviest requests a transfer overrun names.
HEAVIEST_SHOWN = 5


@dataclass
class PageBudget:
    """Every figure measured on one page, and the audits that cost it points."""

    page: str
    #: Category scores (0-100) by ``<category>`` or ``performance-<preset>``: the median run.
    scores: dict[str, int] = field(default_factory=dict)
    #: Every run's performance score by preset, to show the spread.
    perf_runs: dict[str, list[int]] = field(default_factory=dict)
    transfer_kib: float = 0.0
    #: The heaviest requests, ``(url, KiB)``, largest first.
    heaviest: list[tuple[str, float]] = field(default_factory=list)
    #: Audits below full marks, ``"<preset> <category>: <audit id>: <title> (<value>)"``.
    failing_audits: list[str] = field(default_factory=list)
    #: axe-core's WCAG violations, prefixed by the colour scheme (``light: ...``).
    axe: list[str] = field(default_factory=list)

    @property
    def targets(self) -> dict[str, int]:
        """The score targets of what was measured: no preset's performance that never ran."""
        return {
            key: target
            for key, target in BUDGET_SCORES.items()
            if not key.startswith("performance-") or key in self.scores
        }

    @property
    def problems(self) -> list[str]:
        """One line per figure below its target, then the audits and rules that explain it."""
        lines = [
            f"{self.page}: {key} {self.scores.get(key, 0)} < {target}"
            for key, target in self.targets.items()
            if self.scores.get(key, 0) < target
        ]
        if self.transfer_kib > BUDGET_TRANSFER_KIB:
            heaviest = ", ".join(f"{url} {kib:.0f} KiB" for url, kib in self.heaviest)
            lines.append(
                f"{self.page}: transfer {self.transfer_kib:.0f} KiB > {BUDGET_TRANSFER_KIB} KiB"
                f" (heaviest: {heaviest})"
            )
        lines += [f"{self.page}: axe {line}" for line in self.axe]
        if lines:
            lines += [f"{self.page}: audit {line}" for line in self.failing_audits]
        return lines

    @property
    def steady_problems(self) -> list[str]:
        """:attr:`problems` but performance: on a machine whose cores something else keeps busy
        (a test suite), the simulated score still moves with the load (81-98 seen for one
        mobile page, 98 for a desktop page that scores 100 alone), while accessibility, best
        practices, SEO, bytes and axe do not."""
        return [line for line in self.problems if "performance" not in line]


def _lighthouse_runs(jobs: Sequence[tuple[str, str]], chromium: str) -> list[dict[str, Any]]:
    """Lighthouse's report of each ``(url, preset)`` job, in order: runs one after another in
    one Chrome (tools/budget/runs.mjs), which saves a Node start and a Chrome launch per run."""
    if not LIGHTHOUSE_MODULE.is_file():
        raise BrowserUnavailable(
            f"Lighthouse is not installed ({LIGHTHOUSE_MODULE}): run scripts/setup_test_tools.sh"
        )
    flags = ["--headless=new", *(arg for arg in CHROMIUM_ARGS if arg != "--headless")]
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        outs = [Path(tmp) / f"report-{number}.json" for number in range(len(jobs))]
        spec = Path(tmp) / "jobs.json"
        spec.write_text(
            json.dumps(
                {
                    "chromeFlags": flags,
                    "categories": list(CATEGORIES),
                    "jobs": [
                        {"url": url, "preset": preset, "out": str(out)}
                        for (url, preset), out in zip(jobs, outs, strict=True)
                    ],
                }
            ),
            encoding="utf-8",
        )
        done = subprocess.run(
            ["node", str(LIGHTHOUSE_RUNS), str(spec)],
            env={**os.environ, "CHROME_PATH": chromium},
            capture_output=True,
            text=True,
            timeout=LIGHTHOUSE_TIMEOUT_S * len(jobs),
            check=False,
        )
        if done.returncode != 0 or not all(out.is_file() for out in outs):
            names = ", ".join(f"{url} ({preset})" for url, preset in jobs)
            raise RuntimeError(
                f"Lighthouse failed on {names}, exit {done.returncode}:\n"
                f"{done.stderr.strip()[-2000:]}"
            )
        reports = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    for (url, preset), report in zip(jobs, reports, strict=True):
        if report.get("runtimeError"):
            raise RuntimeError(f"Lighthouse on {url} ({preset}): {report['runtimeError']}")
    return reports


def _score(report: dict[str, Any], category: str) -> int:
    """A category's score out of 100 (0 when Lighthouse could not score it)."""
    value = report["categories"][category]["score"]
    return round(100 * value) if value is not None else 0


def _failing_audits(report: dict[str, Any], preset: str) -> list[str]:
    """The scored audits below full marks, per category, with what Lighthouse measured."""
    lines = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] <= 0 or audit["score"] is None or audit["score"] >= 1:
                continue
            shown = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            where = _offending_nodes(audit)
            lines.append(f"{preset} {category}: {ref['id']}: {audit['title']}{shown}{where}")
    return lines


def _offending_nodes(audit: dict[str, Any]) -> str:
    """Where to look: the CSS selectors of the first elements an audit flags, if it names any."""
    items = audit.get("details", {}).get("items", [])
    selectors = [item["node"]["selector"] for item in items if item.get("node", {}).get("selector")]
    return f" at {'; '.join(selectors[:HEAVIEST_SHOWN])}" if selectors else ""


def _heaviest(report: dict[str, Any]) -> list[tuple[str, float]]:
    items = report["audits"]["total-byte-weight"].get("details", {}).get("items", [])
    return [
        (urlsplit(item["url"]).path.lstrip("/"), item["totalBytes"] / 1024)
        for item in items[:HEAVIEST_SHOWN]
    ]


def page_budget(page: str, reports_by_preset: dict[str, list[dict[str, Any]]]) -> PageBudget:
    """One page's figures from its Lighthouse reports per preset: the median run's.

    The median run is the one whose performance score is the median, so its accessibility,
    best-practices and SEO scores and its audits belong to the same load.
    """
    budget = PageBudget(page)
    for preset in reports_by_preset:
        reports = sorted(reports_by_preset[preset], key=lambda r: _score(r, "performance"))
        median = reports[(len(reports) - 1) // 2]
        budget.perf_runs[preset] = [_score(report, "performance") for report in reports]
        budget.scores[f"performance-{preset}"] = _score(median, "performance")
        for category in CATEGORIES:
            if category != "performance":
                score = _score(median, category)
                budget.scores[category] = min(score, budget.scores.get(category, score))
        budget.failing_audits += _failing_audits(median, preset)
        transfer = median["audits"]["total-byte-weight"]["numericValue"] / 1024
        if transfer >= budget.transfer_kib:
            budget.transfer_kib = transfer
            budget.heaviest = _heaviest(median)
    return budget


def lighthouse_reports(
    base_url: str,
    pages: Sequence[str],
    chromium: str,
    runs: int,
    presets: Sequence[str] = PRESETS,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``runs`` Lighthouse reports per page and preset, by page then preset: the runs are
    dealt to :data:`LIGHTHOUSE_AT_ONCE` Chromes that run at the same time."""
    jobs = [(page, preset) for page in pages for preset in presets for _ in range(runs)]
    shares = [
        share for start in range(LIGHTHOUSE_AT_ONCE) if (share := jobs[start::LIGHTHOUSE_AT_ONCE])
    ]

    def run(share: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return _lighthouse_runs([(base_url + page, preset) for page, preset in share], chromium)

    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {page: {} for page in pages}
    with ThreadPoolExecutor(LIGHTHOUSE_AT_ONCE) as pool:
        for share, reports in zip(shares, pool.map(run, shares), strict=True):
            for (page, preset), report in zip(share, reports, strict=True):
                grouped[page].setdefault(preset, []).append(report)
    return grouped


def _audit_in(scheme: str, found: dict[str, list[str]]) -> Any:
    """A page action: switch to ``scheme`` with Quarto's toggle, then run axe-core."""

    def audit(page: Page) -> None:
        lines = found.setdefault(Path(page.url).name, [])
        if scheme == "dark" and not switch_to_dark(page):
            lines.append("dark: no colour-scheme toggle (window.quartoToggleColorScheme)")
            return
        lines += [f"{scheme}: {line}" for line in axe_violations(page)]

    return audit


def site_axe(site_dir: Path, pages: Sequence[str], chromium: str) -> dict[str, list[str]]:
    """axe-core's WCAG 2.1 A/AA violations on every page, in the light and the dark scheme."""
    found: dict[str, list[str]] = {}
    with browse_site(site_dir, chromium) as session:
        for scheme in ("light", "dark"):
            for page in pages:
                session.visit(page, _audit_in(scheme, found))
    return found


def check_budget(
    site_dir: Path,
    pages: Sequence[str] = PAGE_FILES,
    runs: int = BUDGET_RUNS,
    chromium: str | None = None,
    presets: Sequence[str] = PRESETS,
) -> list[PageBudget]:
    """Measure every page of a rendered site against the budget (see the module docstring),
    with Lighthouse's ``presets`` (the workflow's gate: both)."""
    executable = chromium or chromium_path()
    missing = [page for page in pages if not (site_dir / page).is_file()]
    if missing:
        raise FileNotFoundError(f"{site_dir}: no {', '.join(missing)} to measure")
    axe = site_axe(site_dir, pages, executable)
    with serve_directory(site_dir, compress=True) as base_url:
        reports = lighthouse_reports(base_url, pages, executable, runs, presets)
    budgets = [page_budget(page, reports[page]) for page in pages]
    for budget in budgets:
        budget.axe = axe.get(budget.page, [])
    return budgets


def format_report(budgets: Sequence[PageBudget]) -> str:
    """One table per page: each figure, its target, and whether it passes."""
    lines = []
    for budget in budgets:
        rows = [
            (
                key,
                str(budget.scores.get(key, 0)),
                f">= {target}",
                budget.scores.get(key, 0) >= target,
            )
            for key, target in budget.targets.items()
        ]
        rows.append(
            (
                "transfer (KiB, gzip)",
                f"{budget.transfer_kib:.0f}",
                f"<= {BUDGET_TRANSFER_KIB}",
                budget.transfer_kib <= BUDGET_TRANSFER_KIB,
            )
        )
        rows.append(("axe violations", str(len(budget.axe)), "= 0", not budget.axe))
        lines.append(f"{budget.page}")
        lines += [
            f"  {name:<22} {value:>6}  {target:<8} {'ok' if ok else 'FAIL'}"
            for name, value, target, ok in rows
        ]
        spread = "; ".join(f"{preset} {runs}" for preset, runs in budget.perf_runs.items())
        lines.append(f"  performance runs: {spread}")
    return "\n".join(lines)
