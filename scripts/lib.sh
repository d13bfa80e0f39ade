# shellcheck shell=bash
# The caller's variables (concurrency, requests, gen_pid) are read here, and this file's results
# (sent, non2xx, …) are read there:
# shellcheck disable=SC2034,SC2154
# Shared by scripts/load.sh and scripts/e2e.sh (sourced, not run): driving wrk and reading the
# summary line its Lua script prints.

# wrk_threads: how many wrk threads to use for $requests requests over $concurrency
# connections: at most one per core, and a divisor of the connection count.
wrk_threads() {
    local threads
    threads="$(nproc)"
    [ "$threads" -gt "$concurrency" ] && threads=$concurrency
    [ "$threads" -gt "$requests" ] && threads=$requests
    while [ $((concurrency % threads)) -ne 0 ]; do threads=$((threads - 1)); done
    echo "$threads"
}

# wrk_finish SCRIPT PREFIX DONE_DIR OUTPUT START THREADS: waits until every wrk thread ($gen_pid)
# has left its marker in DONE_DIR (all of its responses are in), interrupts wrk's fixed-duration
# sleep, then reads the line starting with PREFIX from OUTPUT into sent, non2xx,
# transport_errors, unanswered, rps (from START to the last marker), p50_ms and p99_ms.
wrk_finish() {
    local script=$1 prefix=$2 done_dir=$3 output=$4 start=$5 threads=$6
    while kill -0 "$gen_pid" 2> /dev/null; do
        if [ "$(find "$done_dir" -type f | wc -l)" -ge "$threads" ]; then
            kill -INT "$gen_pid" 2> /dev/null || true
            break
        fi
        sleep 0.01
    done
    wait "$gen_pid"
    gen_pid=
    local line
    line="$(grep "^$prefix " "$output" || true)"
    if [ -z "$line" ]; then
        echo "$script: wrk printed no summary:" >&2
        cat "$output" >&2
        exit 1
    fi
    local responses=0 duration_us=0 p50_us=0 p99_us=0 field
    for field in $line; do
        case "$field" in
            sent=*) sent=${field#*=} ;;
            responses=*) responses=${field#*=} ;;
            non2xx=*) non2xx=${field#*=} ;;
            transport_errors=*) transport_errors=${field#*=} ;;
            duration_us=*) duration_us=${field#*=} ;;
            p50_us=*) p50_us=${field#*=} ;;
            p99_us=*) p99_us=${field#*=} ;;
        esac
    done
    unanswered=$((sent - responses))
    # wrk's own duration runs until the SIGINT; the rate is taken from the start of wrk to the
    # last thread's marker (its last response) instead.
    local finish
    finish="$(find "$done_dir" -type f -printf '%T@\n' | sort -n | tail -n 1)"
    if [ -n "$finish" ]; then
        rps="$(awk -v r="$responses" -v s="$start" -v f="$finish" 'BEGIN { printf "%.1f", r / (f - s) }')"
    else
        rps="$(awk -v r="$responses" -v d="$duration_us" 'BEGIN { printf "%.1f", r / (d / 1e6) }')"
    fi
    p50_ms="$(awk -v v="$p50_us" 'BEGIN { printf "%.3f", v / 1000 }')"
    p99_ms="$(awk -v v="$p99_us" 'BEGIN { printf "%.3f", v / 1000 }')"
}
