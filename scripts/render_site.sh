#!/usr/bin/env bash
# README command (1): set up .venv, make sure Quarto is the pinned release, render into _site/
# (aside first: a failed render or failed site checks leave the previous _site/ untouched).
# Idempotent: reuses .venv and an installed Quarto when they already match.
#
# Quarto is looked for in QUARTO_PATH, then on PATH, then in .venv (the PyPI package
# quarto-cli, pinned with its sha256 in requirements-quarto.lock): src/penguin_site/site/quarto.py.
# When none is the pinned version, the PyPI package is installed into .venv; it downloads
# Quarto from GitHub while it installs, so where that is impossible the script stops and
# says how to install Quarto.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup_env.sh

venv="${PENGUIN_VENV:-.venv}"
python="$venv/bin/python"
want="$("$python" -c 'from penguin_site.config import QUARTO_VERSION; print(QUARTO_VERSION)')"
quarto_lock="${PENGUIN_QUARTO_LOCK:-requirements-quarto.lock}"
install_timeout="${QUARTO_INSTALL_TIMEOUT:-900}"

find_quarto() {
    # One lookup for the build and the tests (QUARTO_PATH, PATH, then .venv's quarto-cli):
    # penguin_site.site.quarto prints the binary of the pinned version or says what it saw.
    "$python" -m penguin_site.site.quarto
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

if ! quarto="$(find_quarto 2>/dev/null)"; then
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
    if epoch="$("$python" -m penguin_site.site.provenance --commit-epoch 2>/dev/null)"; then
        export SOURCE_DATE_EPOCH="$epoch"
    fi
fi
# Pages and the pre-render hook run with the project's Python (which has penguin_site).
QUARTO_PYTHON="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")"
export QUARTO_PYTHON
# The pre-render hook brings the analysis and _freeze/ up to date. Quarto renders into
# _site.staging/; only when the render and the site checks pass does it replace _site/
# (one rename), so a failed build leaves the last good site as it was
# (src/penguin_site/site/build.py).
"$python" -m penguin_site.site.build "$quarto" "$@"
echo "render_site: open _site/index.html"
