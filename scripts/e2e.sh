#!/usr/bin/env bash
# End-to-end comparison of the quickstart with a hand-written equivalent (examples/hand_written.rs,
# plain axum + serde): builds both in release mode, and for each scenario starts each server
# afresh on a free loopback port, fires the same real HTTP load at it, and reports both side by side.
#
#   scripts/e2e.sh                         # default sizes (below), 32 connections, oha if present
#   scripts/e2e.sh -c 16                   # fewer connections
#   scripts/e2e.sh --loadgen wrk           # force the load generator (default: oha, else wrk)
#   E2E_STRUCTURED=20000 E2E_EVENTGRID=500 E2E_BATCH=100 scripts/e2e.sh   # a quick run
#
# Scenarios (requests per server, env var, default):
#   structured  E2E_STRUCTURED=200000 one structured CloudEvent per request to /cloudevents
#   eventgrid   E2E_EVENTGRID=10000   Event Grid notifications of 100 events to /eventgrid
#   batch       E2E_BATCH=2000        CloudEvents batches (application/cloudevents-batch+json) of
#                                     1000 events of 1 KiB each: 1 025 001 bytes, under the
#                                     1 MiB (1 048 576 bytes) default limit of /cloudevents (D9)
#
# Measured per scenario and server: requests/s, p50 and p99 latency (the generator's), non-2xx
# responses, transport errors, the server's resident memory when idle (VmRSS after start) and its
# peak (VmHWM from /proc/PID/status after the run: the kernel's high-water mark, so nothing is
# missed between samples), and the JSON lines it printed on stdout (one per event delivered).
# Exits 0 only if every request got a 2xx, none failed, and every server printed exactly
# requests × events-per-request lines. Timings are reported, never checked.
#
# Load generators (one is needed): oha (cargo install oha --locked; preferred: exact request
# count with -n, bodies picked at random from a file of distinct ones with -Z) or wrk
# (apt-get install -y wrk; a Lua script gives each thread its share and cycles through the same
# bodies). Server and generator share the machine: on 2 cores, read the figures as a comparison
# of the two servers under the same conditions, not as capacity.
#
# Environment: RUST_LOG for the servers (default here: warn, so per-event logs on stderr are not
# part of the measurement), E2E_KEEP=1 keeps the work directory (server stdout/stderr, bodies,
# generator output), E2E_SCENARIOS (default "structured eventgrid batch") picks scenarios,
# E2E_MAX_SECONDS bounds a wrk run (default 600), CARGO overrides the cargo binary,
# CARGO_TARGET_DIR is honoured.
set -euo pipefail
set -o errtrace # the ERR trap below also reports failures inside functions

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh disable=SC1091
source "$root/scripts/lib.sh"

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

concurrency=32
loadgen=${LOADGEN:-}
while [ $# -gt 0 ]; do
    case "$1" in
        -c) concurrency=${2:?-c needs a number}; shift ;;
        --loadgen) loadgen=${2:?--loadgen needs oha or wrk}; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "e2e.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
n_structured=${E2E_STRUCTURED:-200000}
n_eventgrid=${E2E_EVENTGRID:-10000}
n_batch=${E2E_BATCH:-2000}
scenarios=${E2E_SCENARIOS:-structured eventgrid batch}
for value in "$concurrency" "$n_structured" "$n_eventgrid" "$n_batch"; do
    case "$value" in
        '' | *[!0-9]*) echo "e2e.sh: -c and E2E_* sizes take positive integers" >&2; exit 2 ;;
    esac
    if [ "$value" -lt 1 ]; then
        echo "e2e.sh: -c and E2E_* sizes take positive integers" >&2
        exit 2
    fi
done
for scenario in $scenarios; do
    case "$scenario" in
        structured | eventgrid | batch) ;;
        *) echo "e2e.sh: unknown scenario in E2E_SCENARIOS: $scenario" >&2; exit 2 ;;
    esac
done

# The load generator: oha if present, else wrk (cargo install puts oha in ~/.cargo/bin).
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if [ -z "$loadgen" ]; then
    if command -v oha > /dev/null; then
        loadgen=oha
    elif command -v wrk > /dev/null; then
        loadgen=wrk
    else
        echo "e2e.sh: no load generator: install one of" >&2
        echo "  cargo install oha --locked" >&2
        echo "  apt-get install -y wrk" >&2
        exit 2
    fi
fi
case "$loadgen" in
    oha | wrk) ;;
    *) echo "e2e.sh: --loadgen takes oha or wrk, not $loadgen" >&2; exit 2 ;;
esac
if ! command -v "$loadgen" > /dev/null; then
    echo "e2e.sh: $loadgen not found (oha: cargo install oha --locked; wrk: apt-get install -y wrk)" >&2
    exit 2
fi
if ! command -v python3 > /dev/null; then
    echo "e2e.sh: python3 is needed (request bodies, oha's JSON report)" >&2
    exit 2
fi
if [ ! -r /proc/self/status ]; then
    echo "e2e.sh: /proc/PID/status is needed for the memory figures (Linux)" >&2
    exit 2
fi

# Build first, so that compiling is not part of anything measured.
echo "e2e.sh: building the quickstart and hand_written (release)" >&2
(cd "$root" && "${CARGO:-cargo}" build --release --example quickstart --example hand_written)
bin_dir="${CARGO_TARGET_DIR:-$root/target}/release/examples"
case "$bin_dir" in /*) ;; *) bin_dir="$root/$bin_dir" ;; esac
for server in quickstart hand_written; do
    if [ ! -x "$bin_dir/$server" ]; then
        echo "e2e.sh: $bin_dir/$server was not built" >&2
        exit 1
    fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/webhook-e2e.XXXXXX")"
server_pid=
gen_pid=
passed=0
# Only the processes this script started are stopped, by their own PIDs, on every exit path.
cleanup() {
    local status=$?
    if [ -n "$gen_pid" ] && kill -0 "$gen_pid" 2> /dev/null; then
        kill -TERM "$gen_pid" 2> /dev/null || true
        wait "$gen_pid" 2> /dev/null || true
    fi
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
        kill -TERM "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
    fi
    if [ "$passed" = 1 ] && [ "${E2E_KEEP:-0}" != 1 ]; then
        rm -rf "$work"
    else
        echo "e2e.sh: work directory kept: $work" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo "e2e.sh: failed at line $LINENO" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# Request bodies, one a line, the same file for both servers. Prints the events per body.
make_bodies() { # scenario lines file
    python3 - "$1" "$2" "$3" << 'EOF'
import json, sys
scenario, lines, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
LIMIT = 1048576  # the quickstart's default CloudEvents body limit (D9)
NOTE = "Leave the parcel at the back door, next to the blue bin; ring twice. " * 20
def compact(value):
    return json.dumps(value, separators=(",", ":"))
with open(path, "w") as out:
    for i in range(1, lines + 1):
        if scenario == "structured":
            events = 1
            body = compact({"specversion": "1.0", "id": "load-%d" % i, "source": "/load",
                            "type": "com.example.order.created",
                            "data": {"order_id": "o-%d" % i, "amount": i % 1000 + 0.5}})
        elif scenario == "eventgrid":
            events = 100
            body = compact([{
                "id": "load-%d-%d" % (i, k),
                "topic": "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
                "subject": "/blobServices/default/containers/load/blobs/%d-%d.txt" % (i, k),
                "eventType": "Microsoft.Storage.BlobCreated",
                "eventTime": "2024-05-01T10:00:00Z",
                "data": {"api": "PutBlob",
                         "url": "https://acct.blob.core.windows.net/load/%d-%d.txt" % (i, k),
                         "contentType": "text/plain", "contentLength": 5},
                "dataVersion": "1", "metadataVersion": "1"} for k in range(1, events + 1)])
        else:
            # 1000 events of exactly 1024 bytes each: the order data plus a note it ignores.
            events = 1000
            batch = []
            for k in range(1, events + 1):
                event = {"specversion": "1.0", "id": "batch-%06d-%04d" % (i, k), "source": "/load",
                         "type": "com.example.order.created", "datacontenttype": "application/json",
                         "data": {"order_id": "o-%06d-%04d" % (i, k), "amount": k + 0.5, "note": ""}}
                pad = 1024 - len(compact(event))
                event["data"]["note"] = NOTE[:pad]
                text = compact(event)
                assert len(text) == 1024, len(text)
                batch.append(text)
            body = "[" + ",".join(batch) + "]"
            assert len(body) < LIMIT, len(body)
        out.write(body + "\n")
print(events)
EOF
}

# Scenario parameters: requests, path, content type, extra headers (one "Name: value" a line).
scenario_setup() {
    extra_headers=()
    case "$1" in
        structured)
            requests=$n_structured path=/cloudevents content_type=application/cloudevents+json
            body_lines=$((requests < 20000 ? requests : 20000))
            ;;
        eventgrid)
            requests=$n_eventgrid path=/eventgrid content_type="application/json; charset=utf-8"
            extra_headers=("aeg-event-type: Notification" "aeg-subscription-name: QUICKSTART"
                "aeg-delivery-count: 0" "aeg-metadata-version: 1" "aeg-data-version: 1")
            body_lines=$((requests < 500 ? requests : 500))
            ;;
        batch)
            requests=$n_batch path=/cloudevents content_type=application/cloudevents-batch+json
            body_lines=$((requests < 8 ? requests : 8))
            ;;
    esac
}

status_field() { # pid field: the field of /proc/PID/status in KiB ("" if gone)
    sed -n "s/^$2:[[:space:]]*\([0-9][0-9]*\) kB$/\1/p" "/proc/$1/status" 2> /dev/null || true
}

start_server() { # name dir: starts it on a free port, sets server_pid and port
    local name=$1 dir=$2
    # Both files exist before the server starts: the background child opens them asynchronously.
    : > "$dir/server.stdout"
    : > "$dir/server.stderr"
    PORT=0 RUST_LOG="${RUST_LOG:-warn}" "$bin_dir/$name" > "$dir/server.stdout" 2> "$dir/server.stderr" &
    server_pid=$!
    port=
    for _ in $(seq 1 300); do
        port="$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$dir/server.stderr" | head -n 1)"
        [ -n "$port" ] && break
        if ! kill -0 "$server_pid" 2> /dev/null; then
            echo "e2e.sh: $name exited before listening:" >&2
            cat "$dir/server.stderr" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "e2e.sh: no listening line from $name within 30 s" >&2
        exit 1
    fi
}

stop_server() { # SIGINT (graceful shutdown), then SIGTERM after 10 s, SIGKILL after 5 more
    local signal tries
    for signal in INT TERM KILL; do
        kill -"$signal" "$server_pid" 2> /dev/null || true
        [ "$signal" = INT ] && tries=100 || tries=50
        for _ in $(seq 1 "$tries"); do
            kill -0 "$server_pid" 2> /dev/null || break 2
            sleep 0.1
        done
    done
    wait "$server_pid" 2> /dev/null || true
    server_pid=
}

run_oha() { # dir url: sets sent non2xx transport_errors unanswered rps p50_ms p99_ms
    local dir=$1 url=$2 header
    local args=(-n "$requests" -c "$concurrency" --no-tui --output-format json -o "$dir/oha.json"
        -m POST -T "$content_type" -Z "$bodies")
    for header in "${extra_headers[@]}"; do args+=(-H "$header"); done
    oha "${args[@]}" "$url" > "$dir/oha.out" 2>&1 &
    gen_pid=$!
    wait "$gen_pid"
    gen_pid=
    # Sent = every result oha recorded: responses of any status plus transport errors.
    eval "$(python3 - "$dir/oha.json" << 'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
statuses = {int(k): v for k, v in report["statusCodeDistribution"].items()}
errors = sum(report["errorDistribution"].values())
answered = sum(statuses.values())
non2xx = sum(v for k, v in statuses.items() if not 200 <= k < 300)
latency = report["latencyPercentiles"]
def ms(value):
    return "n/a" if value is None else "%.3f" % (value * 1000)
print("sent=%d non2xx=%d transport_errors=%d unanswered=0" % (answered + errors, non2xx, errors))
print("rps=%.1f p50_ms=%s p99_ms=%s" % (report["summary"]["requestsPerSec"], ms(latency["p50"]), ms(latency["p99"])))
EOF
    )"
}

# wrk: each thread sends its share of the requests, cycling through the bodies file, then parks
# its connections (delay()) and stops once all of its responses are in; a marker file tells this
# script, which then interrupts wrk's fixed-duration sleep with SIGINT (scripts/load.sh's method).
write_wrk_lua() {
    cat > "$work/e2e.lua" << 'EOF'
local total    = tonumber(os.getenv("E2E_TOTAL"))
local nthreads = tonumber(os.getenv("E2E_THREADS"))
local donedir  = os.getenv("E2E_DONE_DIR")
local path     = os.getenv("E2E_PATH")
local bodyfile = os.getenv("E2E_BODIES")
local headers  = { ["Content-Type"] = os.getenv("E2E_CONTENT_TYPE") }
for line in string.gmatch(os.getenv("E2E_HEADERS") or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
end

local threads = {}
function setup(thread)
    table.insert(threads, thread)
    thread:set("index", #threads)
end

sent, scheduled, responses, non2xx, quota = 0, 0, 0, 0, 0
local bodies = {}

function init(args)
    quota = math.floor(total / nthreads)
    if index <= total % nthreads then quota = quota + 1 end
    for line in io.lines(bodyfile) do table.insert(bodies, line) end
end

function delay()
    if scheduled < quota then
        scheduled = scheduled + 1
        return 0
    end
    return 3600000
end

function request()
    -- wrk calls request() once before the run to count the requests in the string it returns;
    -- that call precedes every delay() and sends nothing.
    if scheduled == 0 then
        return wrk.format("POST", path, {}, "")
    end
    sent = sent + 1
    local body = bodies[((sent + index - 2) % #bodies) + 1]
    return wrk.format("POST", path, headers, body)
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
    io.write(string.format("E2E sent=%d responses=%d non2xx=%d transport_errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
        s, r, n, e.connect + e.read + e.write + e.timeout, summary.duration,
        latency:percentile(50), latency:percentile(99)))
end
EOF
}

run_wrk() { # dir url
    local dir=$1 url=$2 threads
    threads="$(wrk_threads)"
    mkdir "$dir/done"
    local start
    start="$(date +%s.%N)"
    E2E_TOTAL=$requests E2E_THREADS=$threads E2E_DONE_DIR="$dir/done" E2E_PATH="$path" \
        E2E_BODIES="$bodies" E2E_CONTENT_TYPE="$content_type" \
        E2E_HEADERS="$(printf '%s\n' "${extra_headers[@]}")" \
        wrk -t "$threads" -c "$concurrency" -d "${E2E_MAX_SECONDS:-600}s" --timeout 30s \
        -s "$work/e2e.lua" "${url%"$path"}" > "$dir/wrk.out" 2>&1 &
    gen_pid=$!
    wrk_finish e2e.sh E2E "$dir/done" "$dir/wrk.out" "$start" "$threads"
}

if [ "$loadgen" = oha ]; then
    gen_version="$(oha --version | head -n 1)"
else
    gen_version="$({ wrk -v 2>&1 || true; } | head -n 1 | sed 's/ Copyright.*//')"
    write_wrk_lua
fi

failures=()
results="$work/results"
: > "$results"
for scenario in $scenarios; do
    scenario_setup "$scenario"
    bodies="$work/$scenario.bodies"
    events="$(make_bodies "$scenario" "$body_lines" "$bodies")"
    body_bytes="$(head -n 1 "$bodies" | tr -d '\n' | wc -c)"
    for server in quickstart hand_written; do
        dir="$work/$scenario-$server"
        mkdir -p "$dir"
        start_server "$server" "$dir"
        idle_kib="$(status_field "$server_pid" VmRSS)"
        url="http://127.0.0.1:$port$path"
        echo "e2e.sh: $scenario: $server (pid $server_pid) on $url; $loadgen: $requests requests x $events event(s) ($body_bytes bytes), $concurrency connections" >&2
        sent=0 non2xx=0 transport_errors=0 unanswered=0 rps='' p50_ms='' p99_ms=''
        if [ "$loadgen" = oha ]; then run_oha "$dir" "$url"; else run_wrk "$dir" "$url"; fi
        peak_kib="$(status_field "$server_pid" VmHWM)"
        stop_server
        lines="$(wc -l < "$dir/server.stdout")"
        expected=$((sent * events))
        echo "$scenario $server $sent $non2xx $transport_errors $unanswered $rps $p50_ms $p99_ms ${idle_kib:-0} ${peak_kib:-0} $lines $expected" >> "$results"
        [ "$sent" -eq "$requests" ] || failures+=("$scenario/$server: sent $sent requests, not $requests")
        [ "$non2xx" -eq 0 ] || failures+=("$scenario/$server: $non2xx non-2xx responses")
        [ "$transport_errors" -eq 0 ] || failures+=("$scenario/$server: $transport_errors transport errors")
        [ "$unanswered" -eq 0 ] || failures+=("$scenario/$server: $unanswered requests without a response")
        [ "$lines" -eq "$expected" ] || failures+=("$scenario/$server: $lines lines printed, not $expected")
        [ -n "$peak_kib" ] || failures+=("$scenario/$server: no VmHWM (the server exited early?)")
    done
done

# The side-by-side table (Markdown), ratios quickstart / hand_written.
echo
echo "e2e: quickstart vs hand_written via $gen_version, $concurrency connections, server RUST_LOG=${RUST_LOG:-warn}, $(nproc) cores"
python3 - "$results" << 'EOF'
import sys
rows = [line.split() for line in open(sys.argv[1])]
by = {(r[0], r[1]): r for r in rows}
def num(v):
    try:
        return float(v)
    except ValueError:
        return None
def ratio(a, b):
    a, b = num(a), num(b)
    return "n/a" if a is None or not b else "%.2f" % (a / b)
def mib(kib):
    return "%.1f" % (int(kib) / 1024)
print()
print("| scenario | metric | quickstart | hand_written | quickstart / hand_written |")
print("|---|---|---|---|---|")
for scenario in dict.fromkeys(r[0] for r in rows):
    q, h = by.get((scenario, "quickstart")), by.get((scenario, "hand_written"))
    if not q or not h:
        continue
    metrics = [
        ("requests/s", q[6], h[6]),
        ("p50 (ms)", q[7], h[7]),
        ("p99 (ms)", q[8], h[8]),
        ("non-2xx / errors", "%s / %s" % (q[3], q[4]), "%s / %s" % (h[3], h[4])),
        ("idle RSS (MiB)", mib(q[9]), mib(h[9])),
        ("peak RSS (MiB)", mib(q[10]), mib(h[10])),
        ("lines printed", "%s of %s" % (q[11], q[12]), "%s of %s" % (h[11], h[12])),
    ]
    for name, a, b in metrics:
        r = ratio(a, b) if "/" not in a and "of" not in a else ""
        print("| %s | %s | %s | %s | %s |" % (scenario, name, a, b, r))
EOF
echo
if [ "${#failures[@]}" -gt 0 ]; then
    printf 'FAIL: %s\n' "${failures[@]}"
    exit 1
fi
echo "PASS: every request answered 2xx, no transport errors, one line printed per event"
passed=1
