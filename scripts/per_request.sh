#!/usr/bin/env bash
# Per-request cost of each contender of a bench scenario, from the benches' profile loop
# (WEBHOOK_BENCH_LOOP, benches/common): figures that criterion's wall time on a shared VM is too
# noisy to give at the 5% level.
#
#   scripts/per_request.sh instructions cloudevents structured ours hand_written noop serde_floor
#   scripts/per_request.sh wall eventgrid eventgrid_validation ours hand_written noop serde_floor
#
# instructions: valgrind's callgrind count for 3000 requests minus the count for 1000, / 2000
#               (the difference cancels the set-up; the same binary gives the same count).
# wall:         time for 220000 requests minus time for 20000, / 200000, the minimum over
#               WALL_REPS (default 7) repetitions, the contenders interleaved; in microseconds.
#
# Builds the bench first (cargo bench --no-run), with the features in BENCH_FEATURES if set (e.g.
# BENCH_FEATURES=webhook-runtime/metrics). Needs valgrind for `instructions`.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 instructions|wall <bench> <scenario> <contender>..." >&2
    exit 2
}
[ $# -ge 4 ] || usage
what=$1 bench=$2 scenario=$3
shift 3
case $what in instructions | wall) ;; *) usage ;; esac

binary=$(cargo bench --bench "$bench" ${BENCH_FEATURES:+--features "$BENCH_FEATURES"} --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$binary" ] || {
    echo "no bench executable for $bench" >&2
    exit 1
}

# The loop's instruction count for $2 requests of contender $1.
count() {
    local out
    out=$(mktemp)
    WEBHOOK_BENCH_LOOP="$scenario/$1" WEBHOOK_BENCH_REQUESTS=$2 \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" --bench 2>"$out" >/dev/null
    # The bench may start a child process: the largest count is the loop's.
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out" | sort -n | tail -n 1
    rm -f "$out"
}

# Seconds taken by $2 requests of contender $1.
seconds() {
    local start end
    start=$(date +%s.%N)
    WEBHOOK_BENCH_LOOP="$scenario/$1" WEBHOOK_BENCH_REQUESTS=$2 "$binary" --bench >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

case $what in
instructions)
    for contender in "$@"; do
        small=$(count "$contender" 1000)
        large=$(count "$contender" 3000)
        echo "$scenario/$contender $(((large - small) / 2000)) instructions per request"
    done
    ;;
wall)
    declare -A best
    for _ in $(seq "${WALL_REPS:-7}"); do
        for contender in "$@"; do
            small=$(seconds "$contender" 20000)
            large=$(seconds "$contender" 220000)
            per=$(echo "($large - $small) / 200000 * 1000000" | bc -l)
            if [ -z "${best[$contender]:-}" ] || [ "$(echo "$per < ${best[$contender]}" | bc -l)" = 1 ]; then
                best[$contender]=$per
            fi
        done
    done
    for contender in "$@"; do
        printf '%s/%s %.3f us per request (minimum of %s)\n' "$scenario" "$contender" "${best[$contender]}" "${WALL_REPS:-7}"
    done
    ;;
esac
