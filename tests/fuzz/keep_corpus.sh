#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# After a long fuzz run (tests/fuzz/run.sh), keeps a small seed corpus per target in the source
# tree: libFuzzer's -merge=1 picks the inputs that cover everything the run's corpus covers, and
# at most KEEP (default 40) of those, spread over their sizes, replace the kept corpus' seeds.
# Crashers (crash-*, timeout-*, oom-*) already in the kept corpus are never removed.
# Usage: bash tests/fuzz/keep_corpus.sh [TARGET...]   (default: every target with a run corpus)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build/fuzz"
KEEP=${KEEP:-40}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    mapfile -t names < <(ls "$BUILD/corpus")
fi
for name in "${names[@]}"; do
    if [ "$name" = engine ]; then
        exe="$BUILD/sensor-agent/engine/engine_fuzz"; kept="$ROOT/sensor-agent/engine/fuzz-corpus"
    else
        exe="$BUILD/sensor-agent/dissect/$name/dissect_${name}_fuzz"
        kept="$ROOT/sensor-agent/dissect/$name/fuzz-corpus"
    fi
    [ -x "$exe" ] && [ -d "$BUILD/corpus/$name" ] || { echo "skip $name: no build or run corpus"; continue; }
    merged=$(mktemp -d)
    "$exe" -merge=1 "$merged" "$BUILD/corpus/$name" "$kept" >/dev/null 2>&1
    mkdir -p "$kept"
    find "$kept" -maxdepth 1 -type f ! -name 'crash-*' ! -name 'timeout-*' ! -name 'oom-*' -delete
    mapfile -t files < <(ls -S "$merged")
    total=${#files[@]}
    step=$(( total > KEEP ? total / KEEP : 1 ))
    n=0
    for ((i = 0; i < total && n < KEEP; i += step)); do
        cp "$merged/${files[$i]}" "$kept/seed-${files[$i]:0:16}"
        n=$((n + 1))
    done
    rm -rf "$merged"
    echo "$name: kept $n of $total merged inputs in ${kept#$ROOT/}"
done
