#!/usr/bin/env bash
# Benchmarks spark-space against the Python SDKs and a minimal client, all on the
# project's mock API on loopback. Prints a results table; see bench/RESULTS.md.
# usage: [RUNS=3] bench/run.sh [SIZES...]   (default: 2000 20000 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 20000 200000)

# The same flags as `make` (the release build that gets installed).
read -r -a flags < <(make -s release-flags)
. bench/setup.sh
build_products "${flags[@]}"

venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q ciscosparkapi==0.10.1 webexteamssdk==1.7
fi
py="$venv/bin/python"

runs=${RUNS:-3}
. bench/measure.sh

printf '%-28s %10s %10s %12s\n' "walk (messages)" "wall s" "peak MB" "lines"
for n in "${sizes[@]}"; do
    start_mock --messages "$n"
    for tool in floor spark ciscosparkapi webexteamssdk; do
        case $tool in
        floor) read -r wall rss < <(measure floor "$py" bench/floor_walk.py "$base" "$room" audit-token) ;;
        spark) read -r wall rss < <(measure spark "$spark" walk-messages "$room" -o ndjson \
                   --api-url "$base" --audit-token audit-token --token bot-token) ;;
        *) read -r wall rss < <(measure "$tool" "$py" bench/sdk_walk.py "$tool" "$base" "$room" audit-token) ;;
        esac
        lines=$(wc -l <"$out/$tool.out")
        [ "$tool" = floor ] && read -r lines floor_net <"$out/floor.err"
        printf '%-28s %10s %10.1f %12s\n' "$tool $n" "$wall" "$(echo "$rss / 1024" | bc -l)" "$lines"
        eval "wall_${tool}_$n=$wall"
    done
    stop_mock
    printf '%-28s %10s\n' "floor fetch+parse only" "$floor_net"
    printf '%-28s %10.3f\n' "ratio spark/ciscosparkapi" "$(eval echo "\$wall_spark_$n / \$wall_ciscosparkapi_$n" | bc -l)"
    printf '%-28s %10.3f\n' "ratio spark/floor" "$(eval echo "\$wall_spark_$n / \$wall_floor_$n" | bc -l)"
done

echo
echo "start-up (hyperfine mean, ms)"
hyperfine -N --warmup 3 --runs 30 --export-json "$out/startup.json" \
    "$spark --version" "$spark help" "$py -c 'import webexteamssdk'" >/dev/null 2>&1
"$py" - "$out/startup.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"  {r['command'][-40:]:<42} {r['mean'] * 1000:8.1f}")
PY

echo
echo "bulk add 500 participants, mock answering 429 (Retry-After: 1) on every 50th membership POST"
start_mock --messages 0 --throttle-every 50 --retry-after 1
seq 1 500 | sed 's/.*/user&@example.com/' >"$out/emails"
runs=1  # a second run would find everyone added already
read -r wall rss < <(measure bulk "$spark" participants add "$room" - --api-url "$base" --token bot-token \
    -q -v <"$out/emails")
members=$("$spark" participants list "$room" --api-url "$base" --token bot-token -o tsv | grep -c '^user' || true)
stop_mock
throttled=$(grep -c ' 429 ' "$out/bulk.err" || true)
echo "  wall ${wall}s; $throttled answers were 429 (1 s each, 4 requests at a time: ≥ $(( (throttled + 3) / 4 )) s of waiting); members present: $members/500"
