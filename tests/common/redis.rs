//! A `redis-server` started by a test on a free loopback port and killed when dropped (the
//! Redis store and shared-rate tests). Where the binary is not installed, starting says so and
//! the test passes without checking anything.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` of a test on a loopback port, killed (by its own process id) on drop.
pub struct RedisServer {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

impl RedisServer {
    /// Starts a server on a free port with `extra` arguments (e.g. `--requirepass`); `None` (with
    /// a line saying why the test is skipped) when `redis-server` is not installed.
    pub fn start_with(extra: &[&str]) -> Option<Self> {
        let mut last = String::new();
        for _ in 0..5 {
            match Self::start_on(free_port(), extra) {
                Ok(server) => return Some(server),
                Err(Start::NotInstalled) => {
                    // Written to the process's stderr, not captured by the test harness.
                    let _ = writeln!(
                        std::io::stderr(),
                        "skipped: redis-server is not installed (apt-get install redis-server)"
                    );
                    return None;
                }
                // The port was taken in the meantime: try another.
                Err(Start::Failed(why)) => last = why,
            }
        }
        panic!("redis-server did not start on any of 5 free ports: {last}");
    }

    /// Starts a server on `port`, waiting until it answers `PING`.
    pub fn start_on(port: u16, extra: &[&str]) -> Result<Self, Start> {
        let port_arg = port.to_string();
        let mut args = vec![
            "--port",
            &port_arg,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ];
        args.extend_from_slice(extra);
        let child = match Command::new("redis-server")
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(Start::NotInstalled);
            }
            Err(error) => panic!("redis-server could not be started: {error}"),
        };
        let mut server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(Start::Failed(format!("redis-server exited: {status}")));
            }
            if ping(port) {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Dropping `server` kills it.
        Err(Start::Failed(
            "redis-server did not answer PING within 10 s".into(),
        ))
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server now (as dropping it does), returning its port.
    pub fn stop(self) -> u16 {
        self.port
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Why a server did not start.
pub enum Start {
    /// `redis-server` is not on the PATH.
    NotInstalled,
    /// It started but did not answer (the port was taken, say).
    Failed(String),
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Whether a server on `port` answers `PING` with `+PONG` (an unauthenticated `-NOAUTH` counts
/// as an answer too: the server is up).
pub fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok()
        && (line.starts_with("+PONG") || line.starts_with("-NOAUTH"))
}
