#!/usr/bin/env bash
# Regenerate requirements.lock: exact versions with sha256 hashes, no index URLs.
# setuptools is locked too (read from stdin) because the project installs itself
# without build isolation, so every byte that lands in .venv is hash-checked.
set -euo pipefail
cd "$(dirname "$0")/.."
# uv itself is pinned with its hashes in tools/requirements-uv.txt.
tools=".venv-tools"
uv_pin="$(grep -o '^uv==[^ ]*' tools/requirements-uv.txt | cut -d= -f3)"
if [ ! -x "$tools/bin/uv" ] || [ "$("$tools/bin/uv" --version | cut -d' ' -f2)" != "$uv_pin" ]; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --require-hashes -r tools/requirements-uv.txt
fi
echo "setuptools" | "$tools/bin/uv" pip compile pyproject.toml - \
    --extra test --generate-hashes --universal --python-version 3.11 \
    --no-header --output-file requirements.lock "$@"
