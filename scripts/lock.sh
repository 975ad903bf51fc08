#!/usr/bin/env bash
# Regenerate requirements.lock: exact versions with sha256 hashes, no index URLs.
# setuptools is locked too (read from stdin) because the project installs itself
# without build isolation, so every byte that lands in .venv is hash-checked.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
tools=".venv-tools"
if [ ! -x "$tools/bin/uv" ] || [ "$("$tools/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet "uv==$UV_VERSION"
fi
echo "setuptools" | "$tools/bin/uv" pip compile pyproject.toml - \
    --extra test --generate-hashes --universal --python-version 3.11 \
    --no-header --output-file requirements.lock "$@"
