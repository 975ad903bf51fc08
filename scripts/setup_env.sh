#!/usr/bin/env bash
# Create or reuse .venv and make it match requirements.lock exactly (hash-checked).
# Idempotent: a stamp holding the lock's sha256 skips the install when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${PENGUIN_VENV:-.venv}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
    want="$(cat .python-version)"
    if command -v "python$want" >/dev/null 2>&1; then python="python$want"; else python=python3; fi
fi
want="$(cat .python-version)"
have="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
if [ "$have" != "$want" ]; then
    echo "setup_env: Python $want is required (.python-version) but $python is $have." >&2
    echo "setup_env: install Python $want (pyenv, uv python, or your OS) or set PYTHON=/path/to/python$want." >&2
    exit 2
fi

stamp="$venv/.penguin-lock.sha256"
lock_sha="$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$lock_sha" ]; then
    # pip never removes what a new lock dropped: start over so .venv holds the lock exactly.
    echo "setup_env: requirements.lock changed; recreating $venv"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "setup_env: creating $venv with $python ($have)"
    "$python" -m venv "$venv"
fi

if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sha" ]; then
    echo "setup_env: installing requirements.lock into $venv (hash-checked)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r requirements.lock
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-deps --no-build-isolation --editable .
    echo "$lock_sha" > "$stamp"
else
    echo "setup_env: $venv already matches requirements.lock"
fi
