#!/usr/bin/env bash
# Runs the whole test suite in parallel processes (`make test`): what `swift test` runs, one
# test after the other in one process, here spread over JOBS processes of the test bundle.
#
# Why processes and not `swift test --parallel`: that starts one process per test (~25 ms of
# start-up each, 700 times). Here a unit is one end-to-end test (they wait on servers, shells
# and child processes, so they overlap well) or one whole suite of the unit-test modules (fast;
# one start-up each). Units run longest first when an earlier run left its times in .build/;
# otherwise in the bundle's order. A unit that crashes or hangs (TIMEOUT seconds) is a failure
# of its own and does not take the others down.
#
#   Tests/run-parallel.sh [FILTER]    FILTER: an extended regex over Module.Suite/test names
#   JOBS=N (default: 3 per core), TIMEOUT=S (default 600), KEEP=1 keeps the logs.
set -uo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests >/tmp/spark-space-build.$$ 2>&1 || { cat /tmp/spark-space-build.$$; rm -f /tmp/spark-space-build.$$; exit 1; }
rm -f /tmp/spark-space-build.$$
bundle="$(swift build --show-bin-path)/spark-spacePackageTests.xctest"
times=".build/test-times"
jobs="${JOBS:-$(( $(nproc) * 3 ))}"
filter="${1:-.}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/spark-space-tests.XXXXXX")"
started=$(date +%s.%N)

# The units: end-to-end tests one by one, the other modules' suites whole.
"$bundle" --list-tests | grep '/' | grep -E -- "$filter" | awk -F/ '
    /^EndToEndTests\./ { print; next }
    !($1 in seen) { seen[$1] = 1; print $1 }' > "$logs/units"
expected=$("$bundle" --list-tests | grep '/' | grep -cE -- "$filter")
if [ -s "$times" ]; then
    # Longest first by the last run's seconds; units not seen before go first (unknown).
    awk 'NR == FNR { t[$2] = $1; next } { print ($1 in t ? t[$1] : 1e9), $1 }' "$times" "$logs/units" \
        | sort -k1,1 -gr | cut -d' ' -f2 > "$logs/order"
else
    cp "$logs/units" "$logs/order"
fi

run_unit() {
    local unit=$1 log="$logs/$(printf '%s' "$1" | tr '/' '_').log" begin end
    begin=$(date +%s.%N)
    timeout -k 10 "$TIMEOUT" "$bundle" "$unit" >"$log" 2>&1
    echo "$?" >"$log.rc"
    end=$(date +%s.%N)
    awk -v b="$begin" -v e="$end" -v u="$unit" 'BEGIN { printf "%.2f %s\n", e - b, u }' >"$log.time"
}
export -f run_unit
export logs bundle TIMEOUT="${TIMEOUT:-600}"

tr '\n' '\0' < "$logs/order" | xargs -0 -P "$jobs" -n 1 bash -c 'run_unit "$1"' _

# Results: every unit's exit status, its XCTest summary, failures and crashes.
executed=0 failed=0
failures=()
while read -r unit; do
    log="$logs/$(printf '%s' "$unit" | tr '/' '_').log"
    rc=$(cat "$log.rc" 2>/dev/null || echo missing)
    count=$(grep -E "^	 Executed [0-9]+ tests?," "$log" | tail -1 | awk '{print $2}')
    executed=$(( executed + ${count:-0} ))
    if [ "$rc" != 0 ]; then
        failed=$(( failed + 1 ))
        failures+=("$unit")
        echo "---- $unit (exit $rc)"
        grep -E "error: |failed \(|Fatal error|Crash|signal" "$log" | head -40
        [ "$rc" = 124 ] && echo "(timed out after ${TIMEOUT:-600} s)"
        [ -z "$count" ] && tail -20 "$log"
    fi
done < "$logs/units"
cat "$logs"/*.time > "$times.new" 2>/dev/null && mv "$times.new" "$times"
elapsed=$(awk -v b="$started" -v e="$(date +%s.%N)" 'BEGIN { print e - b }')

printf 'Executed %d of %d tests in %d units, %d jobs, %.1f s' "$executed" "$expected" "$(wc -l < "$logs/units")" "$jobs" "$elapsed"
if [ "$failed" -gt 0 ] || [ "$executed" -ne "$expected" ]; then
    printf ': %d units failed\n' "$failed"
    printf '  %s\n' "${failures[@]}"
    [ "$executed" -ne "$expected" ] && echo "  some tests did not run to their end"
    echo "logs: $logs"
    exit 1
fi
echo ": all passed"
[ "${KEEP:-0}" = 1 ] && echo "logs: $logs" || rm -rf "$logs"
