#!/usr/bin/env bash
# Runs the whole test suite in parallel processes (`make test`): what `swift test` runs, one
# test after the other in one process, here spread over JOBS processes of the test bundle.
#
# Why processes and not `swift test --parallel`: that starts one process per test (~25 ms of
# start-up each, 700 times, on two cores). Here a unit is a few end-to-end tests of one suite
# (they wait on servers, shells and child processes, so they overlap well; a slow one alone) or
# one whole suite of the unit-test modules. Each run leaves every test's seconds in
# .build/test-times for the next run to cut and order its units by. A unit that crashes or hangs
# (TIMEOUT seconds) is a failure of its own and does not take the others down.
#
#   Tests/run-parallel.sh [FILTER]    FILTER: an extended regex over Module.Suite/test names
#   JOBS=N (default: 4 per core, at most 32), TIMEOUT=S (default 600), KEEP=1 keeps the logs.
set -uo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests >/tmp/spark-space-build.$$ 2>&1 || { cat /tmp/spark-space-build.$$; rm -f /tmp/spark-space-build.$$; exit 1; }
rm -f /tmp/spark-space-build.$$
bundle="$(swift build --show-bin-path)/spark-spacePackageTests.xctest"
times=".build/test-times"
jobs="${JOBS:-$(( $(nproc) * 4 > 32 ? 32 : $(nproc) * 4 ))}"
filter="${1:-.}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/spark-space-tests.XXXXXX")"
started=$(date +%s.%N)

# The units. End-to-end tests go in runs of their suite's tests worth at most ~2 s by the last run's
# times (a test not timed yet counts 1 s; with no times at all, runs of 3), so a slow test is a
# unit of its own and quick ones share a start-up; the other modules' suites are whole. Units
# are then ordered longest first, so no long one starts last.
"$bundle" --list-tests | grep '/' | grep -E -- "$filter" > "$logs/tests"
expected=$(wc -l < "$logs/tests")
[ -s "$times" ] || : > "$times"
awk -v timed="$([ -s "$times" ] && echo 1 || echo 0)" '
    FILENAME == ARGV[1] { t[$2] = $1; next }
    function flush() { if (unit != "") print weight, unit; unit = ""; weight = 0; n = 0 }
    {
        split($0, parts, "/"); suite = parts[1]
        w = ($0 in t) ? t[$0] : 1
        if (suite !~ /^EndToEndTests\./) {   # the tests of the suite FILTER selected, all in one unit
            if (suite != last) flush()
            unit = unit (unit == "" ? "" : ",") $0; weight += w; last = suite; next
        }
        if (suite != last || n == (timed ? 1000 : 3) || (timed && n > 0 && weight + w > 2)) flush()
        unit = unit (unit == "" ? "" : ",") $0; weight += w; n++; last = suite
    }
    END { flush() }' "$times" "$logs/tests" | sort -k1,1 -gr | cut -d' ' -f2 > "$logs/units"

# Runs one unit (a comma-separated list of tests) into its own log, named by its first test.
run_unit() {
    local log="$logs/$(printf '%s' "${1%%,*}" | tr '/' '_').log"
    timeout -k 10 "$TIMEOUT" "$bundle" "$1" >"$log" 2>&1
    echo "$?" >"$log.rc"
}
export -f run_unit
export logs bundle TIMEOUT="${TIMEOUT:-600}"

tr '\n' '\0' < "$logs/units" | xargs -0 -P "$jobs" -n 1 bash -c 'run_unit "$1"' _

# Results: every unit's exit status, its XCTest summary, failures and crashes.
executed=0 failed=0
failures=()
while read -r unit; do
    log="$logs/$(printf '%s' "${unit%%,*}" | tr '/' '_').log"
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
# Each test's seconds for the next run's units ("Test Case 'Suite.test' passed (1.234 seconds)").
cat "$logs"/*.log | sed -n "s/^Test Case '\([^.]*\)\.\([^']*\)' [a-z]* (\([0-9.]*\) seconds).*/\3 \1\/\2/p" \
    | awk 'NR == FNR { split($0, p, "/"); m = p[1]; sub(/\..*/, "", m); full[substr(p[1], length(m) + 2) "/" p[2]] = $0; next }
           ($2 in full) { print $1, full[$2] }' "$logs/tests" - > "$times.new"
# Keep the times of tests this run did not run (a FILTER).
awk 'FILENAME == ARGV[1] { seen[$2] = 1; print; next } !($2 in seen)' "$times.new" "$times" > "$times.all" \
    && mv "$times.all" "$times" && rm -f "$times.new"
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
