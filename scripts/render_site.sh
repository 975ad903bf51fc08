#!/usr/bin/env bash
# README command (1): set up .venv, make sure Quarto is the pinned release, render into _site/.
# Idempotent: reuses .venv and an installed Quarto when they already match.
#
# Quarto is looked for in QUARTO_PATH, then on PATH, then in .venv (the PyPI package
# quarto-cli, pinned with its sha256 in requirements-quarto.lock). When none is the pinned
# version, the PyPI package is installed into .venv; it downloads Quarto from GitHub while
# it installs, so where that is impossible the script stops and says how to install Quarto.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup_env.sh

venv="${PENGUIN_VENV:-.venv}"
python="$venv/bin/python"
want="$("$python" -c 'from penguin_site.config import QUARTO_VERSION; print(QUARTO_VERSION)')"
quarto_lock="${PENGUIN_QUARTO_LOCK:-requirements-quarto.lock}"
install_timeout="${QUARTO_INSTALL_TIMEOUT:-900}"

version_of() {
    # Prints the version of the quarto binary $1, or nothing if it does not run.
    "$1" --version 2>/dev/null | head -n 1 | tr -d '[:space:]' || true
}

venv_quarto() {
    # The real binary inside the quarto-cli package. Not .venv/bin/quarto: that wrapper
    # drops Quarto's exit status, so a failed render would look like a success.
    # quarto_cli is a namespace package (no __init__.py, so no __file__): ask its spec.
    "$python" - <<'EOF' 2>/dev/null || true
import importlib.util
import pathlib
spec = importlib.util.find_spec("quarto_cli")
if spec is None or not spec.submodule_search_locations:
    raise SystemExit(0)
print(pathlib.Path(next(iter(spec.submodule_search_locations))) / "bin" / "quarto")
EOF
}

unwrap() {
    # pip's quarto wrapper (e.g. an activated venv's bin/quarto) is a Python script that drops
    # Quarto's exit status: use the binary it wraps instead.
    local first
    first="$(head -n 1 "$1" 2>/dev/null || true)"
    case "$first" in
        '#!'*python*)
            # shellcheck disable=SC2086  # the shebang may be "/usr/bin/env python3"
            ${first#\#!} -c 'import pathlib, quarto_cli.quarto as q
print(pathlib.Path(q.__file__).parent / "bin" / "quarto")' 2>/dev/null || echo "$1"
            ;;
        *) echo "$1" ;;
    esac
}

find_quarto() {
    local candidate
    for candidate in "${QUARTO_PATH:-}" "$(command -v quarto 2>/dev/null || true)" "$(venv_quarto)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            candidate="$(unwrap "$candidate")"
            if [ "$(version_of "$candidate")" = "$want" ]; then
                echo "$candidate"
                return 0
            fi
            echo "render_site: $candidate is Quarto '$(version_of "$candidate")', not $want; ignoring it" >&2
        fi
    done
    return 1
}

install_failed() {
    cat >&2 <<EOF
render_site: could not install Quarto $want into $venv.
render_site: (pip install quarto-cli==$want fetches Quarto from GitHub while it installs;
render_site:  that download failed or timed out after ${install_timeout}s, see the lines above.)
render_site: Install Quarto $want yourself, then run this script again:
render_site:   - download it from https://quarto.org/docs/download/ (older releases are listed there), or
render_site:   - from https://github.com/quarto-dev/quarto-cli/releases/tag/v$want
render_site: and put its bin/ folder on PATH, or set QUARTO_PATH=/path/to/quarto-$want/bin/quarto.
EOF
    exit 3
}

if ! quarto="$(find_quarto)"; then
    echo "render_site: Quarto $want not found; installing quarto-cli==$want into $venv (hash-checked)"
    limit=()
    if command -v timeout >/dev/null 2>&1; then limit=(timeout "$install_timeout"); fi
    log="$(mktemp)"
    trap 'rm -f "$log"' EXIT
    if ! ${limit[@]+"${limit[@]}"} "$python" -m pip install --disable-pip-version-check --quiet \
        --require-hashes --no-deps --no-build-isolation -r "$quarto_lock" >"$log" 2>&1; then
        grep -E "Error downloading|error:|ERROR:|Timeout|timed out" "$log" | tail -n 5 >&2 || tail -n 5 "$log" >&2
        install_failed
    fi
    quarto="$(find_quarto)" || install_failed
fi
echo "render_site: using Quarto $want at $quarto"

# Reproducible build date for provenance and artifacts: the last commit's, unless set.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    if epoch="$(git log -1 --format=%ct 2>/dev/null)" && [ -n "$epoch" ]; then
        export SOURCE_DATE_EPOCH="$epoch"
    fi
fi
# Pages and the pre-render hook run with the project's Python (which has penguin_site).
QUARTO_PYTHON="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"
export QUARTO_PYTHON
# The pre-render hook runs the analysis once and clears _freeze/, so every page executes.
"$quarto" render "$@"
echo "render_site: the site is in _site/ (open _site/index.html)"
