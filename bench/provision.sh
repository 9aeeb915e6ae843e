#!/usr/bin/env bash
# `provision -f` of ROOMS rooms x PEOPLE people against mock-webex: requests sent (counted
# from -v) and wall time, for the first apply and for a no-op re-run. See bench/RESULTS.md.
# usage: bench/provision.sh [ROOMS] [PEOPLE]   (default 50 20; BUILD=release for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${1:-50}
people=${2:-20}
. bench/setup.sh
build_products -c "${BUILD:-debug}"

start_mock

# The same PEOPLE people in every room, the first one a moderator.
{
    echo "rooms:"
    for r in $(seq 1 "$rooms"); do
        echo "  - title: Bench room $r"
        echo "    moderators: [person1@example.com]"
        echo "    participants:"
        for p in $(seq 1 "$people"); do echo "      - person$p@example.com"; done
    done
} >"$out/spaces.yaml"

# run NAME -> "wall_s requests writes rows"
run() {
    /usr/bin/time -f "%e" -o "$out/$1.time" "$bin/spark-space" provision -f "$out/spaces.yaml" \
        --api-url "$base" --token bot-token -v -o ndjson >"$out/$1.out" 2>"$out/$1.err"
    local requests writes
    requests=$(grep -cE '^spark-space: (GET|POST|PUT|DELETE) ' "$out/$1.err" || true)
    writes=$(grep -cE '^spark-space: (POST|PUT|DELETE) ' "$out/$1.err" || true)
    echo "$(cat "$out/$1.time") $requests $writes $(wc -l <"$out/$1.out")"
}

printf '%-34s %8s %9s %7s %6s\n' "provision ($rooms rooms x $people people)" "wall s" "requests" "writes" "rows"
read -r wall requests writes lines < <(run first)
printf '%-34s %8s %9s %7s %6s\n' "first apply" "$wall" "$requests" "$writes" "$lines"
read -r wall requests writes lines < <(run again)
printf '%-34s %8s %9s %7s %6s\n' "no-op re-run" "$wall" "$requests" "$writes" "$lines"
