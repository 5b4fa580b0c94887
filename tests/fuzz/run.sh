#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds every dissector's libFuzzer target with clang (ASan + UBSan) and runs each for a while.
# Usage: bash tests/fuzz/run.sh [SECONDS_PER_TARGET=60] [DISSECTOR...]
# Needs clang and libclang-rt-14-dev (Debian). Crashes land in build/fuzz/<name>/ as crash-* files:
# keep each as a regression input next to the dissector.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER_TARGET=${1:-60}
shift || true
OUT="$ROOT/build/fuzz"
mkdir -p "$OUT"
CXX=${CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz: $CXX not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in "$ROOT"/sensor-agent/dissect/*/*_fuzz.cpp; do names+=("$(basename "$(dirname "$f")")"); done
fi

status=0
for name in "${names[@]}"; do
    dir="$ROOT/sensor-agent/dissect/$name"
    sources=$(find "$dir" -maxdepth 1 -name '*.cpp' ! -name '*_test.cpp' ! -name '*_fuzz.cpp')
    # fuzz_deps.txt (optional): sibling dissector folders whose sources this one links (e.g. dns).
    if [ -f "$dir/fuzz_deps.txt" ]; then
        for dep in $(cat "$dir/fuzz_deps.txt"); do
            sources+=" $(find "$ROOT/sensor-agent/dissect/$dep" -maxdepth 1 -name '*.cpp' \
                ! -name '*_test.cpp' ! -name '*_fuzz.cpp')"
        done
    fi
    echo "==> $name: building"
    "$CXX" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$ROOT" $sources "$ROOT"/sensor-agent/dissect/core/text.cpp "$dir/${name}_fuzz.cpp" \
        -o "$OUT/$name-fuzz"
    mkdir -p "$OUT/$name"
    echo "==> $name: fuzzing for ${SECONDS_PER_TARGET}s"
    if ! (cd "$OUT/$name" && "$OUT/$name-fuzz" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
            2>"$OUT/$name.log"); then
        echo "FAIL $name: see $OUT/$name.log and $OUT/$name/crash-*" >&2
        status=1
    fi
    grep -E "^Done|stat::number_of_executed_units" "$OUT/$name.log" | head -2
done
exit $status
