//! Interoperability with the official CloudEvents SDKs: events made by the Python SDK (PyPI
//! `cloudevents`) and the JavaScript SDK (npm `cloudevents`), sent in binary, structured and
//! batch mode to the quickstart example running as a child process, must reach its handler, in
//! order, with their ids and data.
//!
//! The SDKs are installed once under the cargo target directory (`<target>/sdk-venv`,
//! `<target>/sdk-node`) and reused. When the interpreter or the package install is not available
//! a test prints `SKIPPED: <reason>` on stderr and passes; any other failure fails it.

pub mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::manifest_dir;
use common::process::{Quickstart, order_line};
use common::sdk::{Skip, node_modules, python_venv};

/// The Python SDK version these tests pin (its API is checked by `tests/sdk/send_python.py`).
const PYTHON_SDK: &str = "2.2.0";
/// The JavaScript SDK version these tests pin.
const NODE_SDK: &str = "10.0.0";

const TYPE: &str = "com.example.order.created";

/// The Python of `<target>/sdk-venv`, made with `python3 -m venv` and holding `cloudevents`
/// at [`PYTHON_SDK`].
fn python_with_sdk() -> Result<PathBuf, Skip> {
    python_venv("sdk-venv", &[("cloudevents", PYTHON_SDK)])
}

/// `<target>/sdk-node/node_modules` holding `cloudevents` at [`NODE_SDK`].
fn node_with_sdk() -> Result<PathBuf, Skip> {
    node_modules("sdk-node", "cloudevents", NODE_SDK)
}

/// Runs an SDK sender script against a fresh quickstart and returns the quickstart's stdout lines.
fn deliver_with(mut sender: Command, name: &str) -> Vec<String> {
    let server = Quickstart::start();
    let url = format!("http://127.0.0.1:{}/cloudevents", server.port());
    let sent = sender
        .arg(&url)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("{name} could not be started: {error}"));
    let stopped = server.stop();
    let report = format!(
        "{name} ({}):\n{}{}\nquickstart stderr:\n{}",
        sent.status,
        String::from_utf8_lossy(&sent.stdout),
        String::from_utf8_lossy(&sent.stderr),
        stopped.stderr
    );
    assert!(sent.status.success(), "{report}");
    eprintln!("{report}");
    stopped.stdout
}

#[test]
fn sdk_python_binary_structured_batch_reach_the_handler_in_order() {
    let python = match python_with_sdk() {
        Ok(python) => python,
        Err(Skip(reason)) => {
            eprintln!("SKIPPED: {reason}");
            return;
        }
    };
    let mut sender = Command::new(python);
    sender.arg(manifest_dir().join("tests/sdk/send_python.py"));
    let lines = deliver_with(sender, "send_python.py");
    // The events of tests/sdk/send_python.py, in the order it sends them.
    assert_eq!(
        lines,
        [
            order_line("py-binary-1", TYPE, "py-order-1", "12.5"),
            order_line("py-structured-1", TYPE, "py-order-2", "99.75"),
            order_line("py-batch-1", TYPE, "py-order-3", "0.5"),
            order_line("py-batch-2", TYPE, "py-order-4", "1234.25"),
        ]
    );
}

#[test]
fn sdk_javascript_binary_structured_batch_reach_the_handler_in_order() {
    let modules = match node_with_sdk() {
        Ok(modules) => modules,
        Err(Skip(reason)) => {
            eprintln!("SKIPPED: {reason}");
            return;
        }
    };
    let mut sender = Command::new("node");
    sender
        .env("NODE_PATH", modules)
        .arg(manifest_dir().join("tests/sdk/send_node.js"));
    let lines = deliver_with(sender, "send_node.js");
    // The events of tests/sdk/send_node.js, in the order it sends them.
    assert_eq!(
        lines,
        [
            order_line("js-binary-1", TYPE, "js-order-1", "7.25"),
            order_line("js-structured-1", TYPE, "js-order-2", "42.5"),
            order_line("js-batch-1", TYPE, "js-order-3", "0.25"),
            order_line("js-batch-2", TYPE, "js-order-4", "512.75"),
        ]
    );
}
