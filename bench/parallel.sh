#!/usr/bin/env bash
# A long history at the speed of N round trips (issue 18): walks of 200,000 messages
# on the mock API with a round trip modelled by --latency-ms, sequential against
# --parallel 2/4/8, and ciscosparkapi under the same latency. See bench/RESULTS.md.
# SPARSE_DAYS=D puts one message an hour for D days before them (an uneven history).
# usage: [RUNS=1] [LATENCY_MS=100] [SDK=1] [SPARSE_DAYS=0] bench/parallel.sh [MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-200000}
latency=${LATENCY_MS:-100}
runs=${RUNS:-1}

read -r -a flags < <(make -s release-flags)
. bench/setup.sh
build_products "${flags[@]}"

start_mock --messages "$messages" --latency-ms "$latency" --sparse-days "${SPARSE_DAYS:-0}"

. bench/measure.sh

printf '%-30s %8s %8s %9s %9s %s\n' "walk $messages (+${SPARSE_DAYS:-0} d), ${latency} ms/request" "wall s" "peak MB" "requests" "x seq" "same bytes"
for n in 1 2 4 8; do
    read -r wall rss < <(measure "p$n" "$spark" walk-messages "$room" -o ndjson --parallel "$n" -v \
        --api-url "$base" --audit-token audit-token --token bot-token)
    [ "$n" = 1 ] && seq_wall=$wall
    requests=$(grep -c 'GET /messages' "$out/p$n.err" || true)
    same=$(cmp -s "$out/p1.out" "$out/p$n.out" && echo yes || echo NO)
    printf '%-30s %8s %8.1f %9s %9.3f %s\n' "spark-space --parallel $n" "$wall" "$(echo "$rss / 1024" | bc -l)" \
        "$requests" "$(echo "$wall / $seq_wall" | bc -l)" "$same"
done

if [ "${SDK:-1}" = 1 ]; then
    venv=bench/.venv
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q ciscosparkapi==0.10.1 webexteamssdk==1.7
    fi
    read -r wall rss < <(runs=1 measure sdk "$venv/bin/python" bench/sdk_walk.py ciscosparkapi "$base" "$room" audit-token)
    printf '%-30s %8s %8.1f %9s %9.3f\n' "ciscosparkapi (sequential)" "$wall" "$(echo "$rss / 1024" | bc -l)" \
        "" "$(echo "$wall / $seq_wall" | bc -l)"
fi
