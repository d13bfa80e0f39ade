//! The load test, `scripts/load.sh`, run from `cargo test`: it builds the quickstart in release
//! mode, serves it on a free loopback port and fires a fixed number of deliveries at it with oha
//! (`cargo install oha --locked`) or wrk (`apt-get install -y wrk`).
//!
//! Ignored: it is a load test, not a unit test. Run it with
//! `cargo test --test load -- --ignored --nocapture`. It asserts the script's exit status only,
//! which is zero exactly when every request was answered 2xx, the server printed one JSON line per
//! event (with wrk: each event id exactly once) and its memory did not grow with the event count;
//! the timings the script reports are never asserted.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// The two tests load the same machine: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `scripts/load.sh` with `args`; panics with its report unless it exits 0.
fn load(args: &[&str]) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/load.sh");
    let output = Command::new("bash")
        .arg(&script)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{} could not be run: {error}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "scripts/load.sh {} exited with {}:\n{stdout}\n{stderr}",
        args.join(" "),
        output.status
    );
}

#[test]
#[ignore = "load test: run with `cargo test --test load -- --ignored` (needs oha or wrk)"]
fn cloudevents_20000_requests_at_32_connections_are_all_2xx_and_printed_once() {
    load(&["-n", "20000", "-c", "32"]);
}

#[test]
#[ignore = "load test: run with `cargo test --test load -- --ignored` (needs oha or wrk)"]
fn eventgrid_500_deliveries_of_100_events_are_all_2xx_and_printed_once() {
    load(&["--eventgrid", "-n", "500", "-c", "32"]);
}

/// At scale: a million structured events, each with an id of its own (wrk), each answered 2xx
/// and printed exactly once, and the server's resident memory not growing with the count (the
/// script's checks). The figures it prints are in `BENCHMARKS.md`.
#[test]
#[ignore = "load test: run with `cargo test --test load -- --ignored` (needs wrk)"]
fn one_million_structured_events_are_each_printed_once_in_bounded_memory() {
    load(&["-n", "1000000", "-c", "32", "--loadgen", "wrk"]);
}
