//! Child processes run and stopped by the tests: the examples of this package and the
//! `webhook-probe` command built by cargo, and the quickstart example run on a free loopback
//! port, with what it is known to allow and print.
//!
//! Every child is killed and reaped by its own handle: [`Quickstart::stop`] does it explicitly,
//! and the `Drop` guard does it when a test panics first.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle};

use super::raw_http::{self, Response};
use super::{PATIENCE, manifest_dir, target_dir};

/// The origin the quickstart's `/cloudevents` route allows.
pub const ORIGIN: &str = "eventemitter.example.com";

/// Builds an example of this package (`cargo build --example <name>`, same manifest, same
/// target directory) and returns the path of its binary.
pub fn build_example(name: &str) -> PathBuf {
    let target = target_dir();
    let output = Command::new(env!("CARGO"))
        .args(["build", "--example", name, "--manifest-path"])
        .arg(manifest_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .current_dir(manifest_dir())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cargo could not be started to build the {name} example: {e}"));
    assert!(
        output.status.success(),
        "`cargo build --example {name}` failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let binary = target
        .join("debug")
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "the {name} binary is not at {}",
        binary.display()
    );
    binary
}

/// The quickstart example, built once per test process.
pub fn quickstart_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build_example("quickstart"))
}

/// The `webhook-probe` command (`cargo build -p webhook-probe --bin webhook-probe`, same
/// manifest, same target directory), built once per test process: the binary that
/// `cargo install` installs, rather than the `probe` example that wraps it.
pub fn probe_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let target = target_dir();
        let output = Command::new(env!("CARGO"))
            .args(["build", "-p", "webhook-probe", "--bin", "webhook-probe"])
            .arg("--manifest-path")
            .arg(manifest_dir().join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .current_dir(manifest_dir())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cargo could not be started to build webhook-probe: {e}"));
        assert!(
            output.status.success(),
            "`cargo build -p webhook-probe` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let binary = target
            .join("debug")
            .join(format!("webhook-probe{}", std::env::consts::EXE_SUFFIX));
        assert!(
            binary.is_file(),
            "the webhook-probe binary is not at {}",
            binary.display()
        );
        binary
    })
}

/// The command that runs the quickstart on a free loopback port (`PORT=0`, printed in its
/// `listening on` line), without colours, stdin closed and stdout and stderr piped to the test;
/// with each of `vars` set (`Some`) or removed (`None`) in its environment, the rest inherited.
pub fn quickstart_command(vars: &[(&str, Option<&str>)]) -> Command {
    let mut command = Command::new(quickstart_binary());
    for (name, value) in vars {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
        .env("PORT", "0")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A running quickstart example: killed and reaped when dropped.
pub struct Quickstart {
    child: Option<Child>,
    port: u16,
    stdout: Option<JoinHandle<Vec<String>>>,
    stderr: Option<JoinHandle<()>>,
    log: Arc<Mutex<String>>,
}

/// What a stopped quickstart printed.
#[derive(Debug)]
pub struct Stopped {
    /// Every line of its standard output, in order (one JSON line per event received).
    pub stdout: Vec<String>,
    /// Its standard error (the `listening on` line and the logs).
    pub stderr: String,
}

impl Quickstart {
    /// Starts the quickstart with `PORT=0` and waits for its `listening on` line.
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// [`Quickstart::start`] with each of `vars` set (`Some`) or removed (`None`) in the child's
    /// environment (e.g. `EVENTMESH_USER`); the rest is inherited.
    pub fn start_with_env(vars: &[(&str, Option<&str>)]) -> Self {
        let child = quickstart_command(vars)
            .spawn()
            .expect("the quickstart example could not be started");
        // The guard exists from here on: a panic below still kills the child.
        let mut server = Quickstart {
            child: Some(child),
            port: 0,
            stdout: None,
            stderr: None,
            log: Arc::new(Mutex::new(String::new())),
        };
        let child = server.child.as_mut().expect("just set");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        server.stdout = Some(thread::spawn(move || read_lines(stdout)));

        // Stderr is drained until the child exits, so that logging never blocks it on a full
        // pipe; the port is taken from the `listening on` line.
        let (port_tx, port_rx) = mpsc::channel();
        let log = Arc::clone(&server.log);
        server.stderr = Some(thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = Vec::new();
            let mut port_tx = Some(port_tx);
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&line);
                if let Some(port) = listening_port(&text)
                    && let Some(tx) = port_tx.take()
                {
                    let _ = tx.send(port);
                }
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_str(&text);
                line.clear();
            }
        }));
        match port_rx.recv_timeout(PATIENCE) {
            Ok(port) => server.port = port,
            Err(error) => panic!(
                "the quickstart never printed `listening on http://127.0.0.1:<port>` ({error}); \
                 its stderr:\n{}",
                server.log()
            ),
        }
        server
    }

    /// The loopback port the quickstart listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// What the quickstart printed on stderr so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends one raw request on a fresh connection and reads the answer.
    pub fn send(&self, request: Vec<u8>) -> Response {
        raw_http::exchange(self.port, request).unwrap_or_else(|error| {
            panic!(
                "no HTTP answer from the quickstart: {error}; its stderr:\n{}",
                self.log()
            )
        })
    }

    /// Kills the quickstart, reaps it and returns everything it printed.
    pub fn stop(mut self) -> Stopped {
        self.kill();
        let stdout = self
            .stdout
            .take()
            .map(|reader| reader.join().expect("the stdout reader panicked"))
            .unwrap_or_default();
        if let Some(reader) = self.stderr.take() {
            reader.join().expect("the stderr reader panicked");
        }
        Stopped {
            stdout,
            stderr: self.log(),
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // An error here means it has already exited; `wait` reaps it either way.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Quickstart {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every line of a child's stdout until it closes.
fn read_lines(stdout: ChildStdout) -> Vec<String> {
    let mut reader = BufReader::new(stdout);
    let mut lines = Vec::new();
    let mut line = Vec::new();
    while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        let text = String::from_utf8_lossy(&line);
        lines.push(text.trim_end_matches(['\r', '\n']).to_owned());
        line.clear();
    }
    lines
}

/// The port of a `... listening on http://127.0.0.1:<port>` line.
fn listening_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once("listening on http://127.0.0.1:")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The line the quickstart prints for an order event on `/cloudevents` (fields in this order).
/// `amount` is written as serde_json writes the `f64`, e.g. `"12.5"`.
pub fn order_line(id: &str, ty: &str, order_id: &str, amount: &str) -> String {
    format!(
        r#"{{"endpoint":"/cloudevents","id":"{id}","type":"{ty}","data":{{"order_id":"{order_id}","amount":{amount}}}}}"#
    )
}

/// A raw POST of a structured-mode event (`application/cloudevents+json`) to the quickstart's
/// `/cloudevents` route from the origin it allows.
pub fn post_structured(body: &[u8]) -> Vec<u8> {
    raw_http::request(
        "POST",
        "/cloudevents",
        &[
            (
                "Content-Type",
                "application/cloudevents+json; charset=utf-8",
            ),
            ("WebHook-Request-Origin", ORIGIN),
        ],
        body,
    )
}
