# Sourced by the bench scripts, from the repository's top folder.
# build_products FLAGS... -> builds spark-space and mock-webex with FLAGS and sets $bin (their folder),
# $spark and $out (a scratch folder removed on exit, together with a mock still running).
build_products() {
    swift build "$@" --product spark-space >/dev/null
    swift build "$@" --product mock-webex >/dev/null
    bin=$(swift build "$@" --show-bin-path)
    spark="$bin/spark-space"
    out=$(mktemp -d)
    trap 'rm -rf "$out"; [ -n "${mock_pid:-}" ] && kill "$mock_pid" 2>/dev/null || true' EXIT
}

# start_mock ARGS... -> runs mock-webex ARGS and waits for its first line: $base (the API URL) and
# $room (the second word, where the mock names a room).
start_mock() {
    "$bin/mock-webex" "$@" >"$out/mock.line" &
    mock_pid=$!
    for _ in $(seq 1 600); do [ -s "$out/mock.line" ] && break; sleep 0.1; done
    read -r base room <"$out/mock.line"
}

stop_mock() { kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; mock_pid=; }
