#!/usr/bin/env bash
# README command (2): set up everything the tests need, then run them.
# Idempotent: reuses .venv, Chromium and node tools when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
bash scripts/setup_test_tools.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest -n auto "$@"
