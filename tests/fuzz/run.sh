#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets (cmake --preset fuzz: clang, ASan + UBSan, coverage-instrumented
# libraries) and runs each for a while.
#
# Usage: bash tests/fuzz/run.sh [SECONDS_PER_TARGET=60] [TARGET...]
#   TARGET: engine, pcap_reader or a dissector folder name (modbus, dnp3, ...); default: every target.
#   JOBS=N  parallel fuzzer processes (default 1).
#
# Each target starts from its kept corpus (sensor-agent/dissect/<name>/fuzz-corpus or
# sensor-agent/engine/fuzz-corpus) and writes what it learns to build/fuzz/corpus/<name>.
# A crash leaves build/fuzz/crashes/<name>/crash-<sha1>: fix it, then copy the file into the kept
# corpus so FuzzRegression.<name> (ctest) replays it from then on.
# Needs clang and libclang-rt-14-dev (installer/install-deps.sh installs them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER_TARGET=${1:-60}
shift || true
BUILD="$ROOT/build/fuzz"
export CCACHE_DIR=${CCACHE_DIR:-$ROOT/build/.ccache}

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

declare -A corpus_of
for dir in "$ROOT"/sensor-agent/dissect/*/; do
    name=$(basename "$dir")
    [ -f "$dir/${name}_fuzz.cpp" ] && corpus_of[$name]="$dir/fuzz-corpus"
done
corpus_of[engine]="$ROOT/sensor-agent/engine/fuzz-corpus"
corpus_of[pcap_reader]="$ROOT/sensor-agent/capture/fuzz-corpus"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    mapfile -t names < <(printf '%s\n' "${!corpus_of[@]}" | sort)
fi
targets=()
for name in "${names[@]}"; do
    [ -n "${corpus_of[$name]:-}" ] || { echo "fuzz: no target '$name' (known: ${!corpus_of[*]})" >&2; exit 2; }
    case $name in
        engine | pcap_reader) targets+=("${name}_fuzz") ;;
        *) targets+=("dissect_${name}_fuzz") ;;
    esac
done

echo "==> fuzz: building ${#targets[@]} targets in $BUILD"
mkdir -p "$BUILD"
if [ ! -f "$BUILD/build.ninja" ] && ! (cd "$ROOT" && cmake --preset fuzz >"$BUILD/configure.log" 2>&1); then
    tail -20 "$BUILD/configure.log" >&2
    echo "fuzz: configuring build/fuzz failed (log: $BUILD/configure.log)" >&2
    exit 2
fi
if ! cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" >"$BUILD/build.log" 2>&1; then
    grep -E "error|Error" "$BUILD/build.log" | head -20 >&2
    echo "fuzz: building the targets failed (log: $BUILD/build.log)" >&2
    exit 2
fi

run_one() {
    local name=$1 exe
    case $name in
        engine) exe="$BUILD/sensor-agent/engine/engine_fuzz" ;;
        pcap_reader) exe="$BUILD/sensor-agent/capture/pcap_reader_fuzz" ;;
        *) exe="$BUILD/sensor-agent/dissect/$name/dissect_${name}_fuzz" ;;
    esac
    local work="$BUILD/corpus/$name" crashes="$BUILD/crashes/$name" log="$BUILD/logs/$name.log"
    mkdir -p "$work" "$crashes" "$BUILD/logs" "${corpus_of[$name]}"
    # -timeout: one input taking over 10 s is a hang and counts as a failure; -rss_limit_mb bounds memory.
    if "$exe" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$crashes/" "$work" "${corpus_of[$name]}" >"$log" 2>&1; then
        local runs cov
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
        echo "ok   $name: ${runs:-?} inputs in ${SECONDS_PER_TARGET}s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l)"
    else
        echo "FAIL $name: $(grep -m1 -E 'ERROR: |runtime error' "$log" || echo 'fuzzer exited non-zero')" >&2
        echo "     log: $log; input: $(ls "$crashes" | head -1)" >&2
        return 1
    fi
}

echo "==> fuzz: ${SECONDS_PER_TARGET}s per target, ${JOBS:-1} at a time"
status=0
pids=()
for name in "${names[@]}"; do
    run_one "$name" & pids+=($!)
    if [ ${#pids[@]} -ge "${JOBS:-1}" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ $status -eq 0 ] && echo "==> fuzz: no crashes" || echo "==> fuzz: crashes found (see above)" >&2
exit $status
