#!/usr/bin/env bash
# README command (2): set up everything the tests need, then run them.
# Idempotent: reuses .venv, Chromium and node tools when they are already there.
#
#   bash scripts/run_tests.sh           every test (what CI runs: .ci/run calls exactly this)
#   bash scripts/run_tests.sh --fast    only the tests that need no Quarto render and no
#                                       browser (pytest -m "not quarto and not browser"), with
#                                       the coverage of src/; no Chromium or Lighthouse setup
# Further arguments go to pytest. --dist loadgroup: a module marked xdist_group runs on one
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
    exec .venv/bin/python -m pytest -n auto --dist loadgroup -m "not quarto and not browser" \
        --cov=penguin_site --cov-report=term:skip-covered "$@"
fi
bash scripts/setup_test_tools.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest -n auto --dist loadgroup "$@"
