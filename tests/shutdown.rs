//! Graceful shutdown of the quickstart example (`cargo run --example quickstart`): the real binary
//! runs as a child process on a free loopback port, a delivery is left half sent, the process is
//! signalled (SIGTERM, then SIGINT as Ctrl-C sends it), and the rest of the delivery is sent. The
//! delivery must still be answered 2xx and printed, new connections must be refused, and the
//! process must exit with status 0.
//!
//! The child is spawned here rather than with `common::process::Quickstart`, which only kills its child:
//! these tests need its PID (to signal it) and its exit status.

#![cfg(unix)]

pub mod common;

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::PATIENCE;
use common::process::{order_line, post_structured, quickstart_command};

const TYPE: &str = "com.example.order.created";

/// How long the process may take to act on a signal (print that it is shutting down).
const SIGNAL_WITHIN: Duration = Duration::from_secs(10);

/// How long the process may take to exit once its last request is answered.
const EXIT_WITHIN: Duration = Duration::from_secs(5);

/// Time for the server to surely have accepted the connection and read the request head (the
/// handler is then waiting for the rest of the body), and, after the signal, for the signal to
/// surely have been acted on.
const SETTLE: Duration = Duration::from_millis(300);

/// What the quickstart writes on stderr when a shutdown signal arrives.
const SHUTTING_DOWN: &str = "shutting down: finishing requests in flight";

/// A quickstart child process whose PID and exit status the test can use: killed and reaped
/// when dropped (a test that panics leaves no process behind).
struct Server {
    child: Child,
    port: u16,
    /// Every stderr line so far.
    log: Arc<Mutex<String>>,
    /// Every stderr line, as it comes.
    stderr_lines: Receiver<String>,
    stdout: Option<JoinHandle<Vec<String>>>,
}

impl Server {
    /// Starts the quickstart with `PORT=0` and waits for its `listening on` line.
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`Server::start`] with more environment variables.
    fn start_with(env: &[(&str, &str)]) -> Self {
        let vars: Vec<(&str, Option<&str>)> = env
            .iter()
            .map(|&(name, value)| (name, Some(value)))
            .collect();
        let mut child = quickstart_command(&vars)
            .spawn()
            .expect("the quickstart example could not be started");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, stderr_lines) = mpsc::channel();
        let log = Arc::new(Mutex::new(String::new()));
        let server_log = Arc::clone(&log);
        // Stderr is drained until the child exits, so that logging never blocks it.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = server_log.lock().unwrap_or_else(PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
                drop(log);
                let _ = tx.send(line);
            }
        });
        let stdout = thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        let mut server = Server {
            child,
            port: 0,
            log,
            stderr_lines,
            stdout: Some(stdout),
        };
        let line = server.wait_for_stderr("listening on http://127.0.0.1:", PATIENCE);
        server.port = listening_port(&line)
            .unwrap_or_else(|| panic!("no port in the `listening on` line {line:?}"));
        server
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the quickstart printed on stderr so far.
    fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits at most `within` for a stderr line containing `needle` and returns it.
    fn wait_for_stderr(&mut self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(error) => {
                    let exit = self.child.try_wait();
                    panic!(
                        "the quickstart never printed {needle:?} on stderr ({error}; exit status: \
                         {exit:?}); its stderr:\n{}",
                        self.log()
                    )
                }
            }
        }
    }

    /// Sends `signal` (a `kill` signal name: `TERM`, `INT`) to the quickstart.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .stdin(Stdio::null())
            .status()
            .expect("`kill` could not be run");
        assert!(status.success(), "kill -{signal} {}: {status}", self.pid());
    }

    /// Whether the process is still running.
    fn is_running(&mut self) -> bool {
        self.child
            .try_wait()
            .expect("the child could not be polled")
            .is_none()
    }

    /// Waits at most `within` for the process to exit and returns its status and its stdout
    /// lines; fails if it is still running then.
    fn wait_exit(&mut self, within: Duration) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self
                .child
                .try_wait()
                .expect("the child could not be polled")
            {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the quickstart was still running {within:?} after its last answer; its \
                 stderr:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(20));
        };
        let stdout = self
            .stdout
            .take()
            .map(|reader| reader.join().expect("the stdout reader panicked"))
            .unwrap_or_default();
        (status, stdout)
    }
}

impl Server {
    /// Waits at most `within` for the quickstart to say that it cut its shutdown short for
    /// `why`, then for it to exit with status 1 (not 0: connections were closed unanswered);
    /// returns its stdout lines.
    fn assert_cut_short(&mut self, why: &str, within: Duration) -> Vec<String> {
        let line = self.wait_for_stderr("connections still open were closed", within);
        assert!(line.contains(why), "{line}");
        let (exit, stdout) = self.wait_exit(EXIT_WITHIN);
        assert_eq!(
            exit.code(),
            Some(1),
            "a shutdown cut short must not exit 0: {exit}; its stderr:\n{}",
            self.log()
        );
        stdout
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // An error here means it has already exited; `wait` reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of a `... listening on http://127.0.0.1:<port>` line.
fn listening_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once("listening on http://127.0.0.1:")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A structured-mode order event.
fn structured_event(id: &str, order_id: &str, amount: &str) -> String {
    format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"https://eventemitter.example.com/orders","type":"{TYPE}","datacontenttype":"application/json","data":{{"order_id":"{order_id}","amount":{amount}}}}}"#
    )
}

/// The status code of the first response in `raw` (`HTTP/1.x NNN ...`).
fn status_of(raw: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(raw);
    let rest = text.strip_prefix("HTTP/1.")?;
    rest.get(2..5)?.parse().ok()
}

/// Whether a new connection to `port` is refused (nothing listens there any more).
fn refused(port: u16) -> io::Result<bool> {
    match TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(5)) {
        Ok(_) => Ok(false),
        Err(error) if error.kind() == ErrorKind::ConnectionRefused => Ok(true),
        Err(error) => Err(error),
    }
}

/// Sends half of a delivery, signals the quickstart with `signal`, sends the rest, and checks
/// that the delivery is answered 2xx and printed, that new connections are refused from the
/// signal on, and that the process then exits with status 0.
fn delivery_in_flight_survives(signal: &str) {
    let mut server = Server::start();
    let port = server.port;
    let id = format!("shutdown-{signal}");
    let body = structured_event(&id, "o-1", "1.5");
    let raw = post_structured(body.as_bytes());
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("the request has a head")
        + 4;
    let split = head_end + body.len() / 2;
    assert!(split > head_end && split < raw.len(), "a body to split");

    // The head and half of the body: the handler is now waiting for the rest.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the quickstart");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("set a read timeout");
    stream
        .write_all(&raw[..split])
        .expect("send the first half");
    stream.flush().expect("flush the first half");
    thread::sleep(SETTLE);
    assert!(
        server.is_running(),
        "the quickstart exited before the signal; its stderr:\n{}",
        server.log()
    );

    server.signal(signal);
    server.wait_for_stderr(SHUTTING_DOWN, SIGNAL_WITHIN);
    thread::sleep(SETTLE);
    assert!(
        server.is_running(),
        "the quickstart exited on SIG{signal} with a request still in flight; its stderr:\n{}",
        server.log()
    );
    assert!(
        refused(port).expect("a new connection neither succeeded nor was refused"),
        "the quickstart still accepts connections after SIG{signal}"
    );

    // The rest of the body: the delivery in flight is answered.
    stream.write_all(&raw[split..]).unwrap_or_else(|e| {
        panic!(
            "the rest of the body could not be sent after SIG{signal}: {e}; its stderr:\n{}",
            server.log()
        )
    });
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    let status = status_of(&answer);
    assert!(
        status.is_some_and(|s| (200..300).contains(&s)),
        "the delivery in flight at SIG{signal} was not answered 2xx: {read:?}, {:?}; its \
         stderr:\n{}",
        String::from_utf8_lossy(&answer),
        server.log()
    );
    assert_eq!(status, Some(204), "{}", String::from_utf8_lossy(&answer));

    let (exit, stdout) = server.wait_exit(EXIT_WITHIN);
    let log = server.log();
    assert_eq!(
        exit.code(),
        Some(0),
        "the quickstart did not exit 0 after SIG{signal}: {exit}; its stderr:\n{log}"
    );
    assert_eq!(
        stdout,
        [order_line(&id, TYPE, "o-1", "1.5")],
        "the delivery in flight was not printed; its stderr:\n{log}"
    );
    assert!(
        refused(port).expect("a new connection neither succeeded nor was refused"),
        "something still listens on {port} after the quickstart exited"
    );
}

#[test]
fn sigterm_finishes_the_delivery_in_flight_then_exits_0() {
    delivery_in_flight_survives("TERM");
}

#[test]
fn sigint_ctrl_c_finishes_the_delivery_in_flight_then_exits_0() {
    delivery_in_flight_survives("INT");
}

/// Opens a connection and sends a request head without its end (no blank line): hyper is still
/// reading the head, so the connection is not idle and a graceful shutdown waits for it.
fn half_a_head(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the quickstart");
    stream
        .write_all(b"POST /cloudevents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
        .expect("send half a head");
    stream.flush().expect("flush half a head");
    stream
}

/// A client that never finishes its request head holds a graceful shutdown only for the grace
/// (`SHUTDOWN_GRACE_SECS`): then the quickstart closes what is still open and exits with status 1.
#[test]
fn a_head_never_finished_holds_the_shutdown_only_for_the_grace() {
    let mut server = Server::start_with(&[("SHUTDOWN_GRACE_SECS", "1")]);
    let _stream = half_a_head(server.port);
    thread::sleep(SETTLE);

    server.signal("TERM");
    server.wait_for_stderr(SHUTTING_DOWN, SIGNAL_WITHIN);
    let stdout = server.assert_cut_short("the grace of 1s ran out", PATIENCE);
    assert!(stdout.is_empty(), "{stdout:?}");
}

/// A second Ctrl-C (or SIGTERM) during a graceful shutdown ends it at once, long before the
/// default grace (30 s), closing what is still open; the exit status is 1.
#[test]
fn a_second_signal_ends_the_shutdown_at_once() {
    let mut server = Server::start();
    let _stream = half_a_head(server.port);
    thread::sleep(SETTLE);

    server.signal("TERM");
    server.wait_for_stderr(SHUTTING_DOWN, SIGNAL_WITHIN);
    thread::sleep(SETTLE);
    assert!(
        server.is_running(),
        "the quickstart exited before the grace with a connection still open; its stderr:\n{}",
        server.log()
    );

    server.signal("INT");
    server.assert_cut_short("a second signal (SIGINT)", SIGNAL_WITHIN);
}
