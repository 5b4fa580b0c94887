#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `analyze --json` of every reference capture with 1, 2 and 3 workers (and, with REF_BINARY, a
# reference build), compared byte for byte; then scored with the captures' score.py.
# usage: tests/bench/workers_diff.sh BINARY [PCAP_DIR] [OUT_DIR]
#        REF_BINARY=old/ironsight-sensor tests/bench/workers_diff.sh build/release/bin/ironsight-sensor
set -eu
bin=$1
pcaps=${2:-../shared/pcaps}
out=${3:-$(mktemp -d)}
ref=${REF_BINARY:-}
fail=0
mkdir -p "$out/w1" "$out/w2" "$out/w3" "$out/ref"
for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    for w in 1 2 3; do
        "$bin" analyze --json --workers "$w" "$f" > "$out/w$w/$name.json" 2>/dev/null || true
    done
    if [ -n "$ref" ]; then "$ref" analyze --json "$f" > "$out/ref/$name.json" 2>/dev/null || true; fi
    for other in w2 w3 ${ref:+ref}; do
        if ! cmp -s "$out/w1/$name.json" "$out/$other/$name.json"; then
            echo "DIFFERS: $name ($other vs 1 worker)"
            fail=1
        fi
    done
done
n=$(ls "$out/w1" | wc -l)
[ "$fail" = 0 ] && echo "identical: $n captures, 1 = 2 = 3 workers${ref:+ = reference binary}"
if [ -f "$pcaps/score.py" ]; then python3 "$pcaps/score.py" "$pcaps/truth" "$out/w2" | tail -1; fi
echo "outputs in $out"
exit $fail
