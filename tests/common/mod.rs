//! Shared by the end-to-end tests (`tests/quickstart.rs`, `tests/sdk_interop.rs`,
//! `tests/eventgrid_sdk.rs`): the quickstart example run as a child process on a free loopback
//! port, a small raw HTTP/1.1 client, and the setup of the SDKs the interop tests drive.
//!
//! Every child is killed and reaped by its own handle: [`Quickstart::stop`] does it explicitly,
//! and the `Drop` guard does it when a test panics first.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The origin the quickstart's `/cloudevents` route allows.
#[allow(dead_code)] // tests/sdk_interop.rs: the SDK scripts carry their own
pub const ORIGIN: &str = "eventemitter.example.com";

/// How long a test waits for something that should come at once before it fails instead of
/// hanging (a guard against hangs, not an assertion on timing).
const PATIENCE: Duration = Duration::from_secs(120);

/// The package root (where `Cargo.toml` of the examples and tests lives).
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory: `CARGO_TARGET_DIR` when set (a relative one is taken from the
/// package root), else `<package root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => manifest_dir().join(dir),
        _ => manifest_dir().join("target"),
    }
}

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
        let mut command = Command::new(quickstart_binary());
        for (name, value) in vars {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        let child = command
            .env("PORT", "0")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
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
    #[allow(dead_code)] // tests/quickstart.rs sends through `send` only
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
    #[allow(dead_code)] // tests/sdk_interop.rs: the SDK scripts send
    pub fn send(&self, request: Vec<u8>) -> http::Response {
        http::exchange(self.port, request).unwrap_or_else(|error| {
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

/// A raw HTTP/1.1 client over `std::net::TcpStream` (no HTTP client crate is a dependency).
#[allow(dead_code)] // tests/sdk_interop.rs: the SDK scripts send
pub mod http {
    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::net::{Shutdown, TcpStream};
    use std::thread;

    use super::{ORIGIN, PATIENCE};

    /// An HTTP answer as read off the wire.
    #[derive(Debug)]
    pub struct Response {
        /// The status code.
        pub status: u16,
        /// Header fields in the order received (names as sent).
        pub headers: Vec<(String, String)>,
        /// The body (chunked encoding removed).
        pub body: Vec<u8>,
    }

    impl Response {
        /// The first value of a header, by case-insensitive name.
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        /// Whether any header of that name (case-insensitive) is present.
        pub fn has_header(&self, name: &str) -> bool {
            self.header(name).is_some()
        }

        /// The body as text (lossy).
        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.body).into_owned()
        }
    }

    /// A raw HTTP/1.1 request: the request line, `Host`, `Connection: close`, the given headers,
    /// `Content-Length` when there is a body or the method is POST, then the body.
    pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut raw = head.into_bytes();
        raw.extend_from_slice(body);
        raw
    }

    /// A POST of a structured-mode event (`application/cloudevents+json`) from the allowed origin.
    pub fn post_structured(body: &[u8]) -> Vec<u8> {
        request(
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

    /// Sends `raw` on a new loopback connection to `port` and reads one answer.
    ///
    /// The request is written from another thread while the answer is read, so a server that
    /// answers before reading the whole request (413 from `Content-Length`, 431) is seen answering;
    /// an error writing the rest of such a request is not an error of the exchange.
    pub fn exchange(port: u16, raw: Vec<u8>) -> io::Result<Response> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(PATIENCE))?;
        let mut writer = stream.try_clone()?;
        let write = thread::spawn(move || writer.write_all(&raw).and_then(|()| writer.flush()));
        let answer = read_response(&stream);
        let written = write.join().expect("the request writer panicked");
        let _ = stream.shutdown(Shutdown::Both);
        match (answer, written) {
            (Ok(response), _) => Ok(response),
            (Err(read), Err(write)) => Err(io::Error::new(
                read.kind(),
                format!("{read} (writing the request also failed: {write})"),
            )),
            (Err(read), Ok(())) => Err(read),
        }
    }

    fn invalid(message: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, message.into())
    }

    /// Reads one HTTP/1.1 response: head, then a body framed by `Content-Length`, chunked encoding
    /// or the end of the connection.
    fn read_response(stream: &TcpStream) -> io::Result<Response> {
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        if reader.read_line(&mut status_line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before any answer",
            ));
        }
        let mut parts = status_line.trim_end().splitn(3, ' ');
        let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
            return Err(invalid(format!("bad status line {status_line:?}")));
        };
        if !version.starts_with("HTTP/1.") {
            return Err(invalid(format!("bad status line {status_line:?}")));
        }
        let status: u16 = code
            .parse()
            .map_err(|_| invalid(format!("bad status code in {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Err(invalid("the connection closed inside the header section"));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        if status == 204 || status == 304 || (100..200).contains(&status) {
            return Ok(response);
        }
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        if chunked {
            response.body = read_chunked(&mut reader)?;
        } else if let Some(length) = response.header("content-length") {
            let length: usize = length
                .parse()
                .map_err(|_| invalid(format!("bad Content-Length {length:?}")))?;
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            response.body = body;
        } else {
            reader.read_to_end(&mut response.body)?;
        }
        Ok(response)
    }

    fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = size_line.trim_end().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size.trim(), 16)
                .map_err(|_| invalid(format!("bad chunk size {size_line:?}")))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                        return Ok(body);
                    }
                }
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            let mut crlf = [0; 2];
            reader.read_exact(&mut crlf)?;
        }
    }
}

/// Setting up the SDKs that the interoperability tests (`tests/sdk_interop.rs`,
/// `tests/eventgrid_sdk.rs`) drive: installed once under the cargo target directory and reused.
/// When an interpreter or a package install is not available the test skips (see [`sdk::Skip`]).
#[allow(dead_code)] // tests/quickstart.rs installs no SDK
pub mod sdk {
    use std::fs::{self, File};
    use std::io;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};

    use super::target_dir;

    /// Why a test cannot run here: only a missing interpreter or a failed package install. The
    /// test then prints `SKIPPED: <reason>` on stderr and passes; any other failure fails it.
    pub struct Skip(pub String);

    pub fn skip(reason: impl Into<String>) -> Skip {
        Skip(reason.into())
    }

    /// The last lines of a failed command's output, for a skip reason or a panic message.
    pub fn tail(output: &Output) -> String {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }

    /// Runs a setup command; `Ok(None)` when it could not be started at all.
    pub fn run(command: &mut Command) -> io::Result<Option<Output>> {
        match command.stdin(Stdio::null()).output() {
            Ok(output) => Ok(Some(output)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Holds an exclusive lock on `<target>/<name>.lock` while an SDK directory is made, so that
    /// two test processes sharing the target directory do not install into it at once.
    pub fn setup_lock(name: &str) -> File {
        let target = target_dir();
        fs::create_dir_all(&target).expect("the target directory could not be created");
        let lock = File::create(target.join(format!("{name}.lock"))).expect("lock file");
        lock.lock().expect("the SDK setup lock could not be taken");
        lock
    }

    /// The Python of `<target>/<venv>`, made with `python3 -m venv` and holding each
    /// `(distribution, version)` of `pins` at exactly that version (installed with pip when the
    /// venv does not hold them yet). Made under the lock `<target>/<venv>.lock`.
    pub fn python_venv(venv: &str, pins: &[(&str, &str)]) -> Result<PathBuf, Skip> {
        let _lock = setup_lock(venv);
        let dir = target_dir().join(venv);
        let python = if cfg!(windows) {
            dir.join("Scripts").join("python.exe")
        } else {
            dir.join("bin").join("python")
        };
        let requirements: Vec<String> = pins
            .iter()
            .map(|(name, version)| format!("{name}=={version}"))
            .collect();
        let expected = pins
            .iter()
            .map(|(_, version)| *version)
            .collect::<Vec<_>>()
            .join(" ");
        let probe = format!(
            "import importlib.metadata as m, sys; \
             sys.stdout.write(' '.join(m.version(d) for d in {:?}))",
            pins.iter().map(|(name, _)| *name).collect::<Vec<_>>()
        );
        let installed = |python: &Path| {
            run(Command::new(python).args(["-c", &probe]))
                .ok()
                .flatten()
                .is_some_and(|out| out.status.success() && out.stdout == expected.as_bytes())
        };
        if python.is_file() && installed(&python) {
            return Ok(python);
        }
        if !python.is_file() {
            let made = run(Command::new("python3").arg("-m").arg("venv").arg(&dir))
                .expect("python3 could not be run");
            match made {
                None => return Err(skip("python3 is not installed (not on PATH)")),
                Some(out) if !out.status.success() => {
                    return Err(skip(format!(
                        "python3 -m venv {} failed: {}",
                        dir.display(),
                        tail(&out)
                    )));
                }
                Some(_) => {}
            }
        }
        let pip = run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
            ])
            .args(&requirements))
        .expect("the virtualenv's python could not be run");
        match pip {
            None => return Err(skip(format!("{} is missing", python.display()))),
            Some(out) if !out.status.success() => {
                return Err(skip(format!(
                    "pip install {} failed: {}",
                    requirements.join(" "),
                    tail(&out)
                )));
            }
            Some(_) => {}
        }
        assert!(
            installed(&python),
            "pip installed {} into {} but the venv does not hold those versions",
            requirements.join(" "),
            dir.display()
        );
        Ok(python)
    }
}

/// Helpers of `tests/auth.rs`, `tests/hardening.rs` and `tests/abuse.rs`: HTTP Basic
/// credentials, request bodies that break off, an axum application served on loopback by the
/// test process itself, raw exchanges read to the end of the connection, and the quickstart
/// started with extra environment variables.
#[allow(dead_code)] // each test file uses a part
pub mod kit {
    use std::convert::Infallible;
    use std::future::Future;
    use std::io::{self, Read, Write};
    use std::net::{Shutdown, TcpStream};
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use axum::body::{Body, Bytes, HttpBody};
    use http_body_util::combinators::MapErr;
    use http_body_util::{BodyExt, Full};

    use super::PATIENCE;

    /// `Basic <base64(user:password)>` (RFC 7617).
    pub fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
    }

    /// Standard base64 with padding (the base64 crate is not a dev-dependency).
    pub fn base64(input: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
            let bits = (byte(0) << 16) | (byte(1) << 8) | byte(2);
            for i in 0..4 {
                out.push(if i <= chunk.len() {
                    char::from(ALPHABET[((bits >> (18 - 6 * i)) & 63) as usize])
                } else {
                    '='
                });
            }
        }
        out
    }

    /// The first chunk of a [`broken_off`] body. `http_body::Frame` is not reachable from the
    /// dev-dependencies, so frames come from a `Full` body and their type is named through the
    /// output of `BodyExt::frame`'s future.
    type Chunk = MapErr<Full<Bytes>, fn(Infallible) -> io::Error>;
    type Polled = <http_body_util::combinators::Frame<'static, Chunk> as Future>::Output;

    /// What a [`broken_off`] body does after its first chunk.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Then {
        /// Never sends anything more and never ends (a sender that stalls).
        Stall,
        /// Fails, as hyper's body does when the connection closes before `Content-Length` bytes.
        Fail,
        /// Sends the rest after a pause, then ends (a slow sender).
        After(Duration, &'static str),
        /// Ends there.
        End,
    }

    struct BrokenOff {
        first: Option<Chunk>,
        then: Then,
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    }

    impl HttpBody for BrokenOff {
        type Data = Bytes;
        type Error = io::Error;

        fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Polled> {
            if let Some(first) = self.first.as_mut() {
                match Pin::new(first).poll_frame(cx) {
                    Poll::Ready(None) => self.first = None,
                    frame => return frame,
                }
            }
            match self.then {
                Then::After(pause, rest) => {
                    let sleep = self
                        .pause
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
                    std::task::ready!(sleep.as_mut().poll(cx));
                    self.first = Some(chunk(rest));
                    self.then = Then::End;
                    self.poll_frame(cx)
                }
                Then::End => Poll::Ready(None),
                Then::Stall => Poll::Pending,
                Then::Fail => Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the body broke off",
                )))),
            }
        }
    }

    fn chunk(bytes: impl Into<Bytes>) -> Chunk {
        fn never(never: Infallible) -> io::Error {
            match never {}
        }
        Full::new(bytes.into()).map_err(never as fn(Infallible) -> io::Error)
    }

    /// A request body that yields `first` and then stalls forever, fails, or ends after a
    /// pause.
    pub fn broken_off(first: impl Into<Bytes>, then: Then) -> Body {
        Body::new(BrokenOff {
            first: Some(chunk(first)),
            then,
            pause: None,
        })
    }

    /// An axum application served by this test process on a free loopback port
    /// (`axum::serve` on `127.0.0.1:0`); [`Loopback::stop`] ends it.
    pub struct Loopback {
        port: u16,
        task: tokio::task::JoinHandle<io::Result<()>>,
    }

    impl Loopback {
        pub async fn start(app: axum::Router) -> Self {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .expect("a loopback port could not be bound");
            let port = listener.local_addr().expect("bound").port();
            let task = tokio::spawn(async move { axum::serve(listener, app).await });
            Self { port, task }
        }

        pub fn port(&self) -> u16 {
            self.port
        }

        /// Stops serving: fails if the server had already ended on its own (an error or a panic
        /// of `axum::serve`), else aborts it and waits until it is gone.
        pub async fn stop(self) {
            if self.task.is_finished() {
                panic!(
                    "the loopback server ended on its own: {:?}",
                    self.task.await
                );
            }
            self.task.abort();
            let ended = self.task.await;
            assert!(ended.as_ref().is_err_and(|e| e.is_cancelled()), "{ended:?}");
        }

        /// [`super::http::exchange`] from a blocking thread, so that the server keeps running
        /// on this runtime meanwhile.
        pub async fn send(&self, raw: Vec<u8>) -> io::Result<super::http::Response> {
            let port = self.port;
            tokio::task::spawn_blocking(move || super::http::exchange(port, raw))
                .await
                .expect("the client thread panicked")
        }

        /// [`until_closed`] from a blocking thread.
        pub async fn send_until_closed(
            &self,
            raw: Vec<u8>,
            half_close: bool,
        ) -> io::Result<Vec<u8>> {
            let port = self.port;
            tokio::task::spawn_blocking(move || until_closed(port, &raw, half_close))
                .await
                .expect("the client thread panicked")
        }
    }

    /// Writes `raw` on a new loopback connection to `port` (then, with `half_close`, closes the
    /// sending half) and returns every byte the server wrote until it closed the connection:
    /// for pipelined requests whose last says `Connection: close`, or for a request whose body
    /// is cut short.
    pub fn until_closed(port: u16, raw: &[u8], half_close: bool) -> io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(PATIENCE))?;
        stream.write_all(raw)?;
        if half_close {
            stream.shutdown(Shutdown::Write)?;
        }
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Ok(answer)
    }

    /// The status codes of the responses in `raw`, in order: every `HTTP/1.x NNN` at the start
    /// of a line (good enough for answers whose bodies are short reasons).
    pub fn statuses(raw: &[u8]) -> Vec<u16> {
        let text = String::from_utf8_lossy(raw);
        text.lines()
            .filter_map(|line| {
                let rest = line.strip_prefix("HTTP/1.")?;
                rest.get(2..5)?.parse().ok()
            })
            .collect()
    }
}

/// Helpers of `tests/probe.rs`: the probe example built once per test process, like the
/// quickstart.
#[allow(dead_code)] // only tests/probe.rs uses it
pub mod probe {
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    use super::build_example;

    /// The probe example, built once per test process.
    pub fn binary() -> &'static Path {
        static BINARY: OnceLock<PathBuf> = OnceLock::new();
        BINARY.get_or_init(|| build_example("probe"))
    }
}
