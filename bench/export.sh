#!/usr/bin/env bash
# `provision export --all` of ROOMS rooms x PEOPLE people against mock-webex answering every request
# after LATENCY ms: requests sent (counted from -v), wall time, and `provision -f --check` of the
# export (its exit must be 0). See bench/RESULTS.md.
# usage: bench/export.sh [ROOMS] [PEOPLE] [LATENCY]   (default 50 20 100; BUILD=release for a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${1:-50}
people=${2:-20}
latency=${3:-100}
. bench/setup.sh
build_products -c "${BUILD:-debug}"

start_mock --latency-ms "$latency"
api=(--api-url "$base" --token bot-token)

# ROOMS rooms of PEOPLE people, the first a moderator, every fifth room locked, in two teams and none.
{
    echo "teams:"
    for t in 1 2; do echo "  - {name: Bench team $t, members: [person1@example.com]}"; done
    echo "rooms:"
    for r in $(seq 1 "$rooms"); do
        echo "  - title: Bench room $r"
        case $((r % 3)) in 1) echo "    team: Bench team 1" ;; 2) echo "    team: Bench team 2" ;; esac
        [ $((r % 5)) -eq 0 ] && echo "    locked: true"
        echo "    moderators: [person1@example.com]"
        echo "    participants:"
        for p in $(seq 1 "$people"); do echo "      - person$p@example.com"; done
    done
} >"$out/spaces.yaml"
"$bin/spark-space" provision -f "$out/spaces.yaml" "${api[@]}" -q -o tsv >/dev/null

/usr/bin/time -f "%e %M" -o "$out/export.time" "$bin/spark-space" provision export --all "${api[@]}" -v \
    >"$out/export.yaml" 2>"$out/export.err"
requests=$(grep -cE '^spark-space: GET ' "$out/export.err" || true)
read -r wall rss <"$out/export.time"
"$bin/spark-space" provision -f "$out/export.yaml" --check "${api[@]}" -q -o tsv >"$out/check.out" && check=0 || check=$?

printf '%-44s %8s %9s %8s %6s %9s\n' "export --all ($rooms rooms x $people people, ${latency} ms)" "wall s" "requests" "rss KB" "lines" "check rc"
printf '%-44s %8s %9s %8s %6s %9s\n' "" "$wall" "$requests" "$rss" "$(wc -l <"$out/export.yaml")" "$check"
