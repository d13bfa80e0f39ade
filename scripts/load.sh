#!/usr/bin/env bash
# Load test of the quickstart: builds it in release mode, serves it on a free loopback port, fires
# a fixed number of real HTTP deliveries at it, and checks that every one was answered 2xx and
# printed exactly once.
#
#   scripts/load.sh                      # 20000 structured CloudEvents to /cloudevents, 32 connections
#   scripts/load.sh -n 100000 -c 64      # more requests, more connections
#   scripts/load.sh --eventgrid -n 500   # 500 Event Grid deliveries of 100 events each to /eventgrid
#   scripts/load.sh --loadgen wrk        # force the load generator (default: oha, else wrk)
#
# Load generators (one is needed):
#   oha   cargo install oha --locked     (preferred: exact request count with -n)
#   wrk   apt-get install -y wrk         (fallback: Debian's wrk 4.1 with a Lua script)
# With oha every request carries a body picked at random from a file of distinct events (oha's
# -Z), so event ids repeat; the quickstart does not deduplicate, so the count check is unaffected.
# With wrk every request carries a fresh id (thread-request counter) and the Lua script stops
# each wrk thread once its share of responses has arrived.
#
# Reports requests sent, non-2xx responses, transport errors, requests/s, p50/p99 latency, the
# JSON lines the server printed on stdout, and the server's resident memory sampled through the
# run (VmRSS every 0.2 s: idle, after 10% and 50% of the events, at the end, peak). Exits 0 only
# if no response was non-2xx, no request failed, lines printed == requests sent × events per
# request, with wrk every event id was printed exactly once, and the memory at the end is at
# most twice what it was after the first 10% (so it does not grow with the event count).
# Timings are reported, never checked.
#
#   scripts/load.sh -n 1000000 --loadgen wrk   # one million structured events, each id once
#
# Environment: RUST_LOG for the server (default here: warn, so that per-event logs on stderr are
# not part of the measurement; RUST_LOG=info is the quickstart's default),
# LOAD_KEEP=1 keeps the work directory (server stdout/stderr, bodies, generator output),
# LOAD_MAX_SECONDS bounds the wrk run (default 600), CARGO overrides the cargo binary.
set -euo pipefail
set -o errtrace # the ERR trap below also reports failures inside functions

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh disable=SC1091
source "$root/scripts/lib.sh"

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

mode=cloudevents
requests=
concurrency=32
loadgen=${LOADGEN:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --eventgrid) mode=eventgrid ;;
        --cloudevents) mode=cloudevents ;;
        -n) requests=${2:?-n needs a number}; shift ;;
        -c) concurrency=${2:?-c needs a number}; shift ;;
        --loadgen) loadgen=${2:?--loadgen needs oha or wrk}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "load.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$requests" ]; then
    if [ "$mode" = eventgrid ]; then requests=500; else requests=20000; fi
fi
case "$requests$concurrency" in
    *[!0-9]*) echo "load.sh: -n and -c take positive integers" >&2; exit 2 ;;
esac
if [ "$requests" -lt 1 ] || [ "$concurrency" -lt 1 ]; then
    echo "load.sh: -n and -c take positive integers" >&2
    exit 2
fi

if [ "$mode" = eventgrid ]; then
    batch=100
    path=/eventgrid
else
    batch=1
    path=/cloudevents
fi

# The load generator: oha if present, else wrk (cargo install puts oha in ~/.cargo/bin).
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if [ -z "$loadgen" ]; then
    if command -v oha > /dev/null; then
        loadgen=oha
    elif command -v wrk > /dev/null; then
        loadgen=wrk
    else
        echo "load.sh: no load generator: install one of" >&2
        echo "  cargo install oha --locked" >&2
        echo "  apt-get install -y wrk" >&2
        exit 2
    fi
fi
case "$loadgen" in
    oha | wrk) ;;
    *) echo "load.sh: --loadgen takes oha or wrk, not $loadgen" >&2; exit 2 ;;
esac
if ! command -v "$loadgen" > /dev/null; then
    echo "load.sh: $loadgen not found (oha: cargo install oha --locked; wrk: apt-get install -y wrk)" >&2
    exit 2
fi
if [ "$loadgen" = oha ] && ! command -v python3 > /dev/null; then
    echo "load.sh: python3 is needed to read oha's JSON report" >&2
    exit 2
fi

# Build first, so that compiling is not part of anything measured.
echo "load.sh: building the quickstart (release)" >&2
(cd "$root" && "${CARGO:-cargo}" build --release --example quickstart)
server_bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/quickstart"
case "$server_bin" in /*) ;; *) server_bin="$root/$server_bin" ;; esac
if [ ! -x "$server_bin" ]; then
    echo "load.sh: $server_bin was not built" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/webhook-load.XXXXXX")"
server_pid=
gen_pid=
sampler_pid=
passed=0
# Only the processes this script started are stopped, by their own PIDs, on every exit path.
cleanup() {
    local status=$?
    if [ -n "$sampler_pid" ] && kill -0 "$sampler_pid" 2> /dev/null; then
        kill -TERM "$sampler_pid" 2> /dev/null || true
        wait "$sampler_pid" 2> /dev/null || true
    fi
    if [ -n "$gen_pid" ] && kill -0 "$gen_pid" 2> /dev/null; then
        kill -TERM "$gen_pid" 2> /dev/null || true
        wait "$gen_pid" 2> /dev/null || true
    fi
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
        kill -TERM "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
    fi
    if [ "$passed" = 1 ] && [ "${LOAD_KEEP:-0}" != 1 ]; then
        rm -rf "$work"
    else
        echo "load.sh: work directory kept: $work" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo "load.sh: failed at line $LINENO" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# The server, on a port the kernel picks; its stdout (one JSON line per event) goes to a file.
# Both files exist before the server starts: the background child opens them asynchronously.
: > "$work/server.stdout"
: > "$work/server.stderr"
PORT=0 RUST_LOG="${RUST_LOG:-warn}" "$server_bin" > "$work/server.stdout" 2> "$work/server.stderr" &
server_pid=$!
port=
for _ in $(seq 1 300); do
    port="$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$work/server.stderr" | head -n 1)"
    [ -n "$port" ] && break
    if ! kill -0 "$server_pid" 2> /dev/null; then
        echo "load.sh: the quickstart exited before listening:" >&2
        cat "$work/server.stderr" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "load.sh: no listening line from the quickstart within 30 s" >&2
    exit 1
fi
url="http://127.0.0.1:$port$path"

# The server's resident memory, sampled every 0.2 s through the run beside how much it has
# printed (bytes of stdout, read from the file's size: counting lines would read the whole file
# each time). Each line: "<VmRSS kB> <stdout bytes>".
sample_memory() {
    local rss
    while rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status" 2> /dev/null)" && [ -n "$rss" ]; do
        echo "$rss $(stat -c %s "$work/server.stdout")"
        sleep 0.2
    done
}
sample_memory > "$work/memory" &
sampler_pid=$!
echo "load.sh: quickstart (pid $server_pid) on $url; $loadgen: $requests requests, $concurrency connections, $batch event(s) each" >&2

sent=0
non2xx=0
transport_errors=0
unanswered=0
rps=
p50_ms=
p99_ms=
gen_version=

run_oha() {
    gen_version="$(oha --version | head -n 1)"
    # Distinct bodies, one a line; oha picks one at random for each request (-Z), so ids repeat.
    local lines=$((requests < 20000 ? requests : 20000))
    if [ "$mode" = eventgrid ]; then
        awk -v lines="$lines" -v batch="$batch" 'BEGIN {
            for (i = 1; i <= lines; i++) {
                s = "["
                for (k = 1; k <= batch; k++) {
                    if (k > 1) s = s ","
                    s = s sprintf("{\"id\":\"load-%d-%d\",\"subject\":\"/blobServices/default/containers/load/blobs/%d-%d.txt\",\"eventType\":\"Microsoft.Storage.BlobCreated\",\"eventTime\":\"2024-05-01T10:00:00Z\",\"dataVersion\":\"1\",\"data\":{\"api\":\"PutBlob\",\"url\":\"https://acct.blob.core.windows.net/load/%d-%d.txt\",\"contentType\":\"text/plain\",\"contentLength\":5}}", i, k, i, k, i, k)
                }
                print s "]"
            }
        }' > "$work/bodies"
        oha -n "$requests" -c "$concurrency" --no-tui --output-format json -o "$work/oha.json" \
            -m POST -T application/json -H "aeg-event-type: Notification" \
            -H "aeg-subscription-name: quickstart" -Z "$work/bodies" "$url" &
    else
        awk -v lines="$lines" 'BEGIN {
            for (i = 1; i <= lines; i++)
                printf "{\"specversion\":\"1.0\",\"id\":\"load-%d\",\"source\":\"/load\",\"type\":\"com.example.order.created\",\"data\":{\"order_id\":\"o-%d\",\"amount\":%d.5}}\n", i, i, i % 1000
        }' > "$work/bodies"
        oha -n "$requests" -c "$concurrency" --no-tui --output-format json -o "$work/oha.json" \
            -m POST -T application/cloudevents+json -Z "$work/bodies" "$url" &
    fi
    gen_pid=$!
    wait "$gen_pid"
    gen_pid=
    # Sent = every result oha recorded: responses of any status plus transport errors.
    eval "$(python3 - "$work/oha.json" << 'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
statuses = {int(k): v for k, v in report["statusCodeDistribution"].items()}
errors = sum(report["errorDistribution"].values())
answered = sum(statuses.values())
non2xx = sum(v for k, v in statuses.items() if not 200 <= k < 300)
latency = report["latencyPercentiles"]
def ms(value):
    return "n/a" if value is None else "%.3f" % (value * 1000)
print("sent=%d non2xx=%d transport_errors=%d" % (answered + errors, non2xx, errors))
print("rps=%.1f p50_ms=%s p99_ms=%s" % (report["summary"]["requestsPerSec"], ms(latency["p50"]), ms(latency["p99"])))
EOF
    )"
}

run_wrk() {
    gen_version="$({ wrk -v 2>&1 || true; } | head -n 1 | sed 's/ Copyright.*//')"
    # Each wrk thread sends its share of the requests, each with a fresh id, then idles its
    # connections (delay()), and stops once all of its responses are in; a marker file tells
    # this script, which then interrupts wrk's fixed-duration sleep with SIGINT.
    local threads
    threads="$(wrk_threads)"
    mkdir "$work/done"
    cat > "$work/load.lua" << 'EOF'
local total    = tonumber(os.getenv("LOAD_TOTAL"))
local nthreads = tonumber(os.getenv("LOAD_THREADS"))
local batch    = tonumber(os.getenv("LOAD_BATCH"))
local eventgrid = os.getenv("LOAD_MODE") == "eventgrid"
local donedir  = os.getenv("LOAD_DONE_DIR")
local path     = os.getenv("LOAD_PATH")

-- Main state: number the threads, and sum their counters at the end.
local threads = {}
function setup(thread)
    table.insert(threads, thread)
    thread:set("index", #threads)
end

-- Thread states: globals, so that done() can read them with thread:get.
sent, scheduled, responses, non2xx, quota = 0, 0, 0, 0, 0

function init(args)
    quota = math.floor(total / nthreads)
    if index <= total % nthreads then quota = quota + 1 end
end

-- Called once before every request: after this thread's share, park the connection.
function delay()
    if scheduled < quota then
        scheduled = scheduled + 1
        return 0
    end
    return 3600000
end

local function cloudevent(n)
    return string.format('{"specversion":"1.0","id":"load-%d-%d","source":"/load","type":"com.example.order.created","data":{"order_id":"o-%d-%d","amount":%d.5}}', index, n, index, n, n % 1000)
end

local function eventgrid_batch(n)
    local events = {}
    for k = 1, batch do
        events[k] = string.format('{"id":"load-%d-%d-%d","subject":"/blobServices/default/containers/load/blobs/%d-%d-%d.txt","eventType":"Microsoft.Storage.BlobCreated","eventTime":"2024-05-01T10:00:00Z","dataVersion":"1","data":{"api":"PutBlob","url":"https://acct.blob.core.windows.net/load/%d-%d-%d.txt","contentType":"text/plain","contentLength":5}}', index, n, k, index, n, k, index, n, k)
    end
    return "[" .. table.concat(events, ",") .. "]"
end

function request()
    -- wrk calls request() once before the run, on the first thread, to count the requests in
    -- the string it returns; that call precedes every delay() and sends nothing.
    if scheduled == 0 then
        return wrk.format("POST", path, {}, "")
    end
    sent = sent + 1
    if eventgrid then
        return wrk.format("POST", path, {
            ["Content-Type"] = "application/json",
            ["aeg-event-type"] = "Notification",
            ["aeg-subscription-name"] = "quickstart",
        }, eventgrid_batch(sent))
    end
    return wrk.format("POST", path, { ["Content-Type"] = "application/cloudevents+json" }, cloudevent(sent))
end

function response(status, headers, body)
    responses = responses + 1
    if status < 200 or status > 299 then non2xx = non2xx + 1 end
    if responses == quota then
        local marker = io.open(donedir .. "/thread-" .. index, "w")
        if marker then marker:close() end
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local s, r, n = 0, 0, 0
    for _, thread in ipairs(threads) do
        s = s + thread:get("sent")
        r = r + thread:get("responses")
        n = n + thread:get("non2xx")
    end
    local e = summary.errors
    io.write(string.format("LOAD sent=%d responses=%d non2xx=%d transport_errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
        s, r, n, e.connect + e.read + e.write + e.timeout, summary.duration,
        latency:percentile(50), latency:percentile(99)))
end
EOF
    local start
    start="$(date +%s.%N)"
    LOAD_TOTAL=$requests LOAD_THREADS=$threads LOAD_BATCH=$batch LOAD_MODE=$mode \
        LOAD_DONE_DIR="$work/done" LOAD_PATH="$path" \
        wrk -t "$threads" -c "$concurrency" -d "${LOAD_MAX_SECONDS:-600}s" --timeout 30s \
        -s "$work/load.lua" "http://127.0.0.1:$port" > "$work/wrk.out" 2>&1 &
    gen_pid=$!
    wrk_finish load.sh LOAD "$work/done" "$work/wrk.out" "$start" "$threads"
}

if [ "$loadgen" = oha ]; then run_oha; else run_wrk; fi

# One last sample with everything printed, then the sampler stops.
sleep 0.3
kill -TERM "$sampler_pid" 2> /dev/null || true
wait "$sampler_pid" 2> /dev/null || true
sampler_pid=

# Stop the server (SIGINT: its graceful shutdown; SIGTERM if it has not exited within 10 s),
# then count what it printed. Every line is printed before the delivery is answered.
kill -INT "$server_pid" 2> /dev/null || true
for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2> /dev/null || break
    sleep 0.1
done
kill -TERM "$server_pid" 2> /dev/null || true
wait "$server_pid" 2> /dev/null || true
server_pid=

lines="$(wc -l < "$work/server.stdout")"
endpoint_lines="$(grep -c "^{\"endpoint\":\"$path\"," "$work/server.stdout" || true)"
distinct_ids="$(sed -n 's/^{"endpoint":"[^"]*","id":"\([^"]*\)".*/\1/p' "$work/server.stdout" | sort -u | wc -l)"
expected=$((sent * batch))

echo "load test: $path via $gen_version, $requests requests x $batch event(s), concurrency $concurrency, server RUST_LOG=${RUST_LOG:-warn}"
echo "  requests sent:       $sent"
echo "  non-2xx responses:   $non2xx"
echo "  transport errors:    $transport_errors (requests without a response: $unanswered)"
echo "  requests/s:          $rps"
echo "  latency p50:         $p50_ms ms"
echo "  latency p99:         $p99_ms ms"
echo "  JSON lines printed:  $lines (expected $expected; $endpoint_lines for $path; $distinct_ids distinct ids)"
# Resident memory: before the first event, after a tenth of the output, after half, at the end,
# and the peak. Growth with the event count would show as a rise from the tenth to the end.
memory="$(awk -v total="$(stat -c %s "$work/server.stdout")" '
    NR == 1 { first = $1 }
    { if ($1 > peak) peak = $1; last = $1 }
    tenth == "" && $2 >= total / 10 { tenth = $1 }
    half == "" && $2 >= total / 2 { half = $1 }
    END {
        if (tenth == "") tenth = last
        if (half == "") half = last
        printf "samples=%d start_kb=%d tenth_kb=%d half_kb=%d end_kb=%d peak_kb=%d\n", NR, first, tenth, half, last, peak
    }' "$work/memory")"
eval "$memory"
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f MiB", kb / 1024 }'; }
echo "  server memory (RSS): $(mib "$start_kb") idle, $(mib "$tenth_kb") after 10% of the events, $(mib "$half_kb") at 50%, $(mib "$end_kb") at the end, peak $(mib "$peak_kb") ($samples samples)"

failures=()
[ "$sent" -eq "$requests" ] || failures+=("sent $sent requests, not $requests")
[ "$non2xx" -eq 0 ] || failures+=("$non2xx non-2xx responses")
[ "$transport_errors" -eq 0 ] || failures+=("$transport_errors transport errors")
[ "$unanswered" -eq 0 ] || failures+=("$unanswered requests without a response")
[ "$lines" -eq "$expected" ] || failures+=("$lines lines printed, not $expected")
[ "$endpoint_lines" -eq "$lines" ] || failures+=("$((lines - endpoint_lines)) lines not from $path")
# wrk sends every event with an id of its own, so each id must be printed exactly once.
if [ "$loadgen" = wrk ] && [ "$distinct_ids" -ne "$expected" ]; then
    failures+=("$distinct_ids distinct ids printed, not $expected")
fi
# Memory that keeps rising with the events: the end above twice the level after the first tenth
# (a generous bound: the allocator keeps freed pages, and buffers settle during the first tenth).
if [ "$end_kb" -gt $((2 * tenth_kb)) ]; then
    failures+=("resident memory grew from $(mib "$tenth_kb") to $(mib "$end_kb") over the run")
fi
if [ "${#failures[@]}" -gt 0 ]; then
    printf '  FAIL: %s\n' "${failures[@]}"
    exit 1
fi
echo "  PASS"
passed=1
