#!/usr/bin/env bash
# Events per second and latency (REST write -> printed line) of `listen --websocket` on
# loopback, and the RSS of a listener held for 10,000 events. See bench/RESULTS.md.
# usage: bench/websocket.sh [N_LATENCY] [N_HELD]   (default 500 10000)
# SPARK=... MOCK=... use those binaries instead of a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SPARK:-}" ] || [ -z "${MOCK:-}" ]; then
    read -r -a flags < <(make -s release-flags)
    swift build "${flags[@]}" --product spark-space >/dev/null
    swift build "${flags[@]}" --product mock-webex >/dev/null
    bin=$(swift build "${flags[@]}" --show-bin-path)
    SPARK=${SPARK:-$bin/spark-space}
    MOCK=${MOCK:-$bin/mock-webex}
fi
exec python3 bench/websocket_bench.py "$SPARK" "$MOCK" "${1:-500}" "${2:-10000}"
