#!/usr/bin/env bash
# README command (2): set up everything the tests need, then run them.
# Idempotent: reuses .venv, Chromium and node tools when they are already there.
#
#   bash scripts/run_tests.sh           every test (what CI runs: .ci/run calls exactly this)
#   bash scripts/run_tests.sh --fast    the tests that need no Quarto render, no browser and
#                                       no fresh run of the whole analysis (each such run is
#                                       7-20 s; together they would double the tier); no
#                                       Chromium or Lighthouse setup. Add --cov=penguin_site
#                                       for the coverage of src/ (it doubles drawing time).
# Further arguments go to pytest (-n N after them picks another worker count). --dist loadgroup: a module marked xdist_group runs on one
# worker, so its costly module fixture (a render, Lighthouse runs) is made once.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=false
if [ "${1:-}" = "--fast" ]; then
    fast=true
    shift
fi
bash scripts/setup_env.sh
if $fast; then
    bash scripts/setup_test_tools.sh --no-browser
    .venv/bin/ruff check .
    exec .venv/bin/python -m pytest -n auto --dist loadgroup \
        -m "not quarto and not browser and not whole_analysis" "$@"
fi
bash scripts/setup_test_tools.sh
.venv/bin/ruff check .
# One worker more than the cores: a quarter of the full run's CPU time sat idle while tests
# waited on browsers, Lighthouse and subprocesses (on 2 cores: 2 workers 602 s, 3 workers
# 522 s). --durations: the full run names its slowest tests, where the suite's minutes go.
.venv/bin/python -m pytest -n "$(($(nproc) + 1))" --dist loadgroup --durations=15 "$@"
