#!/usr/bin/env bash
# An archive of many rooms (issue 28): `archive --all` of ROOMS rooms × MESSAGES messages on the
# mock API with a round trip of --latency-ms, the first run and a no-change re-run (requests
# from -v, wall time), next to walking the same rooms one by one with walk-messages.
# Target: the re-run sends at most one request per room plus the room listing. See bench/RESULTS.md.
# usage: [ROOMS=20] [LATENCY_MS=100] [BUILD=release|debug] bench/archive.sh [MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-10000}
rooms=${ROOMS:-20}
latency=${LATENCY_MS:-100}
runs=1

if [ "${BUILD:-release}" = release ]; then
    read -r -a flags < <(make -s release-flags)
else
    flags=()
fi
. bench/setup.sh
build_products "${flags[@]}"

start_mock --rooms "$rooms" --messages "$messages" --latency-ms "$latency"
auth=(--api-url "$base" --audit-token audit-token --token bot-token)

. bench/measure.sh

row() {  # NAME WALL RSS_KB ERRFILE...
    local name=$1 wall=$2 rss=$3; shift 3
    local requests
    requests=$(cat "$@" | grep -c '^spark-space: [A-Z]* /' || true)
    printf '%-44s %8s %8.1f %9s\n' "$name" "$wall" "$(echo "$rss / 1024" | bc -l)" "$requests"
}

printf '%-44s %8s %8s %9s\n' "$rooms rooms x $messages messages, ${latency} ms/request" "wall s" "peak MB" "requests"
read -r wall rss < <(measure first "$spark" archive "$out/archive" --all -v "${auth[@]}")
row "archive --all (first run, --parallel 4)" "$wall" "$rss" "$out/first.err"
read -r wall rss < <(measure again "$spark" archive "$out/archive" --all -v "${auth[@]}")
row "archive --all (no-change re-run)" "$wall" "$rss" "$out/again.err"
tail -n 1 "$out/again.err" | sed 's/^/    /'
read -r wall rss < <(measure first8 "$spark" archive "$out/archive8" --all -v --parallel 8 "${auth[@]}")
row "archive --all (first run, --parallel 8)" "$wall" "$rss" "$out/first8.err"
read -r wall rss < <(measure html "$spark" archive "$out/archive" --all -v --html "${auth[@]}")
row "archive --all --html (no news, pages written)" "$wall" "$rss" "$out/html.err"
read -r wall rss < <(measure html2 "$spark" archive "$out/archive" --all -v --html "${auth[@]}")
row "archive --all --html (no news, pages kept)" "$wall" "$rss" "$out/html2.err"

# The same rooms walked one by one (what an archive without `archive` is): a walk-messages per room.
"$spark" rooms list --limit 0 -o tsv --fields id "${auth[@]}" >"$out/ids"
start=$(date +%s.%N)
peak=0
: >"$out/walks.err"
while read -r id; do
    read -r _ rss < <(measure walk "$spark" walk-messages "$id" -o ndjson -v "${auth[@]}" </dev/null)
    cat "$out/walk.err" >>"$out/walks.err"
    [ "$rss" -gt "$peak" ] && peak=$rss
done <"$out/ids"
wall=$(echo "$(date +%s.%N) - $start" | bc -l)
row "walk-messages one room after another" "$(printf '%.2f' "$wall")" "$peak" "$out/walks.err"
same=yes
for dir in "$out"/archive/*/; do
    [ "$(wc -l <"$dir/messages.ndjson")" = "$messages" ] || same=NO
done
echo "every room holds $messages lines: $same"
