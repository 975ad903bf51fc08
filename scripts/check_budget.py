"""Measure every page of a rendered site against the budget (see penguin_site.checks.budget).

Prints one table per page (desktop and mobile performance, accessibility, best practices,
SEO, gzipped transfer, axe-core violations in light and dark) and exits 1 naming each
figure below its target and the audits that cost the points, so the workflow stops before
publishing a slower, heavier or less accessible site.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from penguin_site.checks.browser import BrowserUnavailable
from penguin_site.checks.budget import PRESETS, check_budget, format_report
from penguin_site.config import BUDGET_RUNS, PAGE_FILES

#: Fewer Lighthouse runs, pages and presets, for a rehearsal of the workflow's budget step
#: (tests/workflow), which runs the step's exact command in each of its workflow runs.
RUNS_ENV = "PENGUIN_BUDGET_RUNS"
PAGES_ENV = "PENGUIN_BUDGET_PAGES"
PRESETS_ENV = "PENGUIN_BUDGET_PRESETS"
#: ``report``: print the performance scores but do not fail on them, for a rehearsal that runs
#: inside a busy test suite (PageBudget.steady_problems); the workflow enforces them.
PERFORMANCE_ENV = "PENGUIN_BUDGET_PERFORMANCE"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site_dir", type=Path, help="rendered site folder (e.g. _site)")
    parser.add_argument(
        "--pages",
        nargs="+",
        default=os.environ.get(PAGES_ENV, "").split() or list(PAGE_FILES),
        metavar="PAGE",
        help=f"pages to measure, site-relative (default: ${PAGES_ENV}, space-separated, "
        "else %(default)s)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=int(os.environ.get(RUNS_ENV) or BUDGET_RUNS),
        help=f"Lighthouse runs per page and preset; the median counts (default: ${RUNS_ENV}, "
        "else %(default)s)",
    )
    parser.add_argument(
        "--presets",
        nargs="+",
        choices=PRESETS,
        default=os.environ.get(PRESETS_ENV, "").split() or list(PRESETS),
        metavar="PRESET",
        help=f"Lighthouse presets, of {', '.join(PRESETS)} (default: ${PRESETS_ENV}, "
        "space-separated, else both)",
    )
    args = parser.parse_args(argv)

    try:
        budgets = check_budget(args.site_dir, args.pages, args.runs, presets=args.presets)
    except (BrowserUnavailable, FileNotFoundError) as exc:
        print(f"check_budget: {exc}", file=sys.stderr)
        return 2
    print(format_report(budgets))
    enforced = os.environ.get(PERFORMANCE_ENV) != "report"
    if not enforced:
        print(f"check_budget: performance reported, not enforced (${PERFORMANCE_ENV}=report)")
    problems = {
        budget.page: budget.problems if enforced else budget.steady_problems for budget in budgets
    }
    for line in (line for lines in problems.values() for line in lines):
        print(line)
    if any(problems.values()):
        failing = sum(1 for lines in problems.values() if lines)
        print(f"check_budget: {failing} page(s) over budget in {args.site_dir}", file=sys.stderr)
        return 1
    print(f"check_budget: {len(budgets)} page(s) in {args.site_dir} within budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
