//! Interoperability with the Azure SDK for Python (PyPI `azure-eventgrid`): Event Grid events
//! published by its `EventGridPublisherClient` straight to the quickstart's `/eventgrid` route
//! (the quickstart running as a child process) must reach the handler, in order, with their ids,
//! type and data; a publish without the subscription the route expects must be refused.
//!
//! The sender is `tests/sdk/send_eventgrid.py`. The SDK is installed once under the cargo target
//! directory (`<target>/eventgrid-venv`) and reused. When python3, its venv module or the
//! package install is not available a test prints `SKIPPED: <reason>` on stderr and passes; any
//! other failure fails it.
//!
//! What the SDK sends (4.22.1, basic tier, `EventGridEvent`s): `POST <url>?api-version=2018-01-01`
//! with `Content-Type: application/json; charset=utf-8`, `aeg-sas-key: <key>` (the
//! `AzureKeyCredential`), `x-ms-client-request-id`, the per-call headers (here
//! `aeg-subscription-name`) and a JSON array of events (`id`, `subject`, `data`, `eventType`,
//! `eventTime`, `dataVersion`; no `topic`, no `metadataVersion`). It sends no `aeg-event-type`,
//! so it is a notification (D23).
//!
//! Labels (D6, D23, ...) are defined in `docs/protocol.md`.

pub mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::manifest_dir;
use common::process::Quickstart;
use common::sdk::{Skip, python_venv};

/// The SDK version these tests pin (its API is checked by `tests/sdk/send_eventgrid.py`).
const AZURE_EVENTGRID: &str = "4.22.1";
/// The azure-core version the script was checked with: per-call `headers`, `raw_*_hook`,
/// `retry_total` and `permit_redirects` are its pipeline's.
const AZURE_CORE: &str = "1.41.0";

const BLOB_CREATED: &str = "Microsoft.Storage.BlobCreated";
const CONTAINER: &str = "https://quickstartaccount.blob.core.windows.net/uploads";

/// The Python of `<target>/eventgrid-venv`, holding `azure-eventgrid` and `azure-core` at the
/// pinned versions.
fn python_with_sdk() -> Result<PathBuf, Skip> {
    python_venv(
        "eventgrid-venv",
        &[
            ("azure-eventgrid", AZURE_EVENTGRID),
            ("azure-core", AZURE_CORE),
        ],
    )
}

/// What one run of the script left behind.
struct Run {
    /// The quickstart's stdout: one JSON line per event its handler received.
    events: Vec<String>,
    /// The script's `STATUS <label> <code>` lines: the HTTP status each SDK call got.
    statuses: Vec<String>,
}

/// Runs `send_eventgrid.py <mode> <url>` against a fresh quickstart; panics unless it exits 0.
/// `None` when the SDK cannot be installed here (the caller skips).
fn publish(mode: &str) -> Option<Run> {
    let python = match python_with_sdk() {
        Ok(python) => python,
        Err(Skip(reason)) => {
            eprintln!("SKIPPED: {reason}");
            return None;
        }
    };
    let server = Quickstart::start();
    let url = format!("http://127.0.0.1:{}/eventgrid", server.port());
    let sent = Command::new(python)
        .arg(manifest_dir().join("tests/sdk/send_eventgrid.py"))
        .arg(mode)
        .arg(&url)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("send_eventgrid.py could not be started: {error}"));
    let stopped = server.stop();
    let stdout = String::from_utf8_lossy(&sent.stdout);
    let report = format!(
        "send_eventgrid.py {mode} ({}):\n{stdout}{}\nquickstart stderr:\n{}",
        sent.status,
        String::from_utf8_lossy(&sent.stderr),
        stopped.stderr
    );
    assert!(sent.status.success(), "{report}");
    eprintln!("{report}");
    Some(Run {
        events: stopped.stdout,
        statuses: stdout
            .lines()
            .filter(|line| line.starts_with("STATUS "))
            .map(str::to_owned)
            .collect(),
    })
}

/// The line the quickstart prints for a BlobCreated event on `/eventgrid`; `extra` is the rest
/// of `data` after `api` and `url`, as serde writes it (`,"contentType":...`), or empty.
fn blob_line(id: &str, blob: &str, extra: &str) -> String {
    format!(
        r#"{{"endpoint":"/eventgrid","id":"{id}","type":"{BLOB_CREATED}","data":{{"api":"PutBlob","url":"{CONTAINER}/{blob}"{extra}}}}}"#
    )
}

#[test]
fn d23_sdk_azure_eventgrid_single_and_list_reach_the_handler_in_order() {
    let Some(run) = publish("deliver") else {
        return;
    };
    // The events of tests/sdk/send_eventgrid.py `deliver`, in the order it sends them. Fields the
    // quickstart's data type does not have (`blobType`) are dropped; absent optional ones stay
    // absent.
    assert_eq!(
        run.events,
        [
            blob_line(
                "eg-single-1",
                "report-1.pdf",
                r#","contentType":"application/pdf","contentLength":524288"#
            ),
            blob_line(
                "eg-batch-1",
                "photo-1.png",
                r#","contentType":"image/png","contentLength":1024"#
            ),
            blob_line("eg-batch-2", "notes.txt", ""),
            blob_line("eg-batch-3", "data.csv", r#","contentType":"text/csv""#),
        ]
    );
    // D6: the handler returns `()`, so each delivery is answered 204 (an Event Grid success,
    // §6). The SDK's publisher raises on any status but 200; the script accepts that raise for
    // an empty 204 only.
    assert_eq!(run.statuses, ["STATUS single 204", "STATUS batch 204"]);
}

#[test]
fn sdk_azure_eventgrid_without_the_expected_subscription_is_refused_403() {
    let Some(run) = publish("refused") else {
        return;
    };
    assert_eq!(
        run.statuses,
        [
            "STATUS no-subscription 403",
            "STATUS other-subscription 403"
        ]
    );
    assert!(
        run.events.is_empty(),
        "a refused publish reached the handler: {:?}",
        run.events
    );
}
