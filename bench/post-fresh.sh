#!/usr/bin/env bash
# The cost of sending every POST on a fresh connection (issue 25: libcurl re-sends a request
# whose reused connection died, so a POST never rides on a reused one): `participants add` of
# PEOPLE people (one POST each, 4 at once) against mock-webex, wall time, median of RUNS runs.
# BASELINE=/path/to/spark-space measures an older binary (POSTs on reused connections) too.
# usage: bench/post-fresh.sh [PEOPLE]   (default 500; BUILD=release for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-500}
runs=${RUNS:-5}
. bench/setup.sh
build_products -c "${BUILD:-debug}"
. bench/measure.sh

emails=()
for p in $(seq 1 "$people"); do emails+=("person$p@example.com"); done

# bulk NAME BINARY -> "wall_s peak_rss_kb": a fresh mock (an empty room) for every run.
bulk() {
    local name=$1 binary=$2
    for i in $(seq 1 "$runs"); do
        start_mock --room-title "Bench"
        /usr/bin/time -f "%e %M" -o "$out/$name.time.$i" "$binary" participants add "$room" "${emails[@]}" \
            --api-url "$base" --token bot-token -o ndjson >"$out/$name.out" 2>"$out/$name.err"
        stop_mock
        [ "$(grep -c '"added"' "$out/$name.out")" = "$people" ] || { echo "$name: not all added" >&2; exit 1; }
    done
    cat "$out/$name".time.* | sort -n | awk -v n="$runs" '
        { wall[NR] = $1; if ($2 > rss) rss = $2 }
        END { print wall[int((n + 1) / 2)], rss }'
}

printf '%-40s %8s %12s\n' "participants add ($people people)" "wall s" "peak RSS MB"
if [ -n "${BASELINE:-}" ]; then
    read -r wall rss < <(bulk reuse "$BASELINE")
    printf '%-40s %8s %12.1f\n' "POST on reused connections (baseline)" "$wall" "$(echo "$rss / 1024" | bc -l)"
fi
read -r wall rss < <(bulk fresh "$bin/spark-space")
printf '%-40s %8s %12.1f\n' "POST on a fresh connection" "$wall" "$(echo "$rss / 1024" | bc -l)"
