#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One entry point for a fresh Debian 12 machine:
#   bash installer/dev.sh test   install dependencies, configure, build, run the whole test suite
#   bash installer/dev.sh demo   same set-up, then run the demo (console + two sensors on generated plant traffic)
#   bash installer/dev.sh build  set-up and build only
# Every step is skipped quickly when there is nothing to do (installed packages, configured and
# up-to-date build tree), so a second run starts at once.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build/release"
JOBS=${JOBS:-$(nproc)}

step() { printf '\n==> %s\n' "$*"; }

setup() {
    step "Dependencies (Debian packages)"
    bash "$ROOT/installer/install-deps.sh"

    export CCACHE_DIR=${CCACHE_DIR:-$ROOT/build/.ccache}
    export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-2G}
    if [ ! -f "$BUILD/build.ninja" ]; then
        step "Configure (cmake --preset release -> build/release)"
        (cd "$ROOT" && cmake --preset release >/dev/null)
    fi
    step "Build (ninja, $JOBS jobs)"
    if ! cmake --build "$BUILD" -j "$JOBS"; then
        echo "build failed: see the compiler output above" >&2
        exit 1
    fi
    echo "build ok: $BUILD/bin"
}

run_tests() {
    step "Tests (ctest)"
    cd "$BUILD"
    ctest --output-on-failure -j "$JOBS" --timeout 600
}

case "${1:-}" in
    test) setup; run_tests ;;
    demo) setup; shift; exec bash "$ROOT/installer/demo.sh" "$BUILD/bin" "$@" ;;
    build) setup ;;
    *)
        echo "usage: bash installer/dev.sh test|demo|build" >&2
        exit 2
        ;;
esac
