# Sourced by the bench scripts (needs $out and $runs).
# measure NAME CMD... -> "wall_s peak_rss_kb" of CMD with stdout to $out/NAME.out: the
# median wall time and the largest peak RSS of $runs runs (the machine is shared and
# single runs swing by a third; the first one also pays for cold caches).
measure() {
    local name=$1; shift
    for i in $(seq 1 "$runs"); do
        /usr/bin/time -f "%e %M" -o "$out/$name.time.$i" "$@" >"$out/$name.out" 2>"$out/$name.err"
    done
    cat "$out/$name".time.* | sort -n | awk -v n="$runs" '
        { wall[NR] = $1; if ($2 > rss) rss = $2 }
        END { print wall[int((n + 1) / 2)], rss }'
    rm -f "$out/$name".time.*
}
