//! `webhook_runtime::serve` over loopback: slow and idle connections are closed after the header
//! read timeout, connections beyond the cap wait to be accepted until a slot frees, and a graceful
//! shutdown still drains the request in flight. Every server is started and stopped by its test,
//! with short limits (a 1 s header read timeout) so that the file runs in a few seconds.
//!
//! The clients are blocking `std::net` sockets driven from the test's own thread; the server runs
//! on the runtime's worker threads.

pub mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use common::PATIENCE;
use common::raw_http::{Response, read_response};
use tokio::sync::{Notify, oneshot};
use webhook_runtime::serve::{ServeLimits, serve};

/// The header read timeout of these tests.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a client waits for the server to close a connection that the timeout should close
/// (the timeout and a wide margin for a loaded machine).
const CLOSED_WITHIN: Duration = Duration::from_secs(5);

/// Less than this since the client's last byte, and the connection was not closed by the timeout
/// (a margin under `HEADER_READ_TIMEOUT` for timer granularity).
const NOT_BEFORE: Duration = Duration::from_millis(800);

/// How long a connection beyond the cap is watched for an answer that must not come.
const WAITING: Duration = Duration::from_millis(1500);

/// A server of `webhook_runtime::serve` on a free loopback port, stopped (gracefully) by
/// [`Server::shut_down`] or aborted when dropped.
struct Server {
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    async fn start(app: Router, limits: ServeLimits) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("a loopback port could not be bound");
        let port = listener.local_addr().expect("bound").port();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = serve(listener, app, limits).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        let task = tokio::spawn(server.into_future());
        Self {
            port,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// A new client connection, reads bounded by [`PATIENCE`].
    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the server");
        stream
            .set_read_timeout(Some(PATIENCE))
            .expect("set a read timeout");
        stream
    }

    /// Sends the shutdown signal; the server's future is then awaited with [`Server::stopped`].
    fn signal(&mut self) {
        let _ = self.stop.take().expect("signalled once").send(());
    }

    /// Waits at most `within` for the server's future to resolve after [`Server::signal`].
    async fn stopped(&mut self, within: Duration) -> std::io::Result<()> {
        let task = self.task.take().expect("awaited once");
        tokio::time::timeout(within, task)
            .await
            .expect("the server did not stop in time")
            .expect("the server panicked")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn app() -> Router {
    Router::new().route("/", get(|| async { "hello" })).route(
        "/peer",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
    )
}

/// A GET of `path` that keeps the connection alive.
fn get_request(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes()
}

fn send(stream: &mut TcpStream, raw: &[u8]) {
    stream.write_all(raw).expect("send");
    stream.flush().expect("flush");
}

/// Waits at most [`CLOSED_WITHIN`] for the server to close `stream` without writing anything,
/// and returns how long that took.
fn closed_without_answer(stream: &mut TcpStream) -> Duration {
    let start = Instant::now();
    stream
        .set_read_timeout(Some(CLOSED_WITHIN))
        .expect("set a read timeout");
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) => {}
        Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
        Err(error) => panic!(
            "the connection was still open after {CLOSED_WITHIN:?} ({error}); received {:?}",
            String::from_utf8_lossy(&received)
        ),
    }
    assert!(
        received.is_empty(),
        "the server answered: {:?}",
        String::from_utf8_lossy(&received)
    );
    start.elapsed()
}

fn limits() -> ServeLimits {
    ServeLimits::default().header_read_timeout(HEADER_READ_TIMEOUT)
}

fn assert_hello(response: &Response) {
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.text(), "hello", "{response:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_head_is_closed_after_the_header_read_timeout() {
    let server = Server::start(app(), limits()).await;
    let mut stream = server.connect();
    send(
        &mut stream,
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl",
    );
    let took = closed_without_answer(&mut stream);
    assert!(took >= NOT_BEFORE, "closed after {took:?} only");
    // The server goes on serving.
    let mut stream = server.connect();
    send(&mut stream, &get_request("/"));
    assert_hello(&read_response(&stream).expect("an answer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let server = Server::start(app(), limits()).await;
    let mut stream = server.connect();
    let took = closed_without_answer(&mut stream);
    assert!(took >= NOT_BEFORE, "closed after {took:?} only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_read_timeout() {
    let server = Server::start(app(), limits()).await;
    let mut stream = server.connect();
    // Two exchanges on the connection: it is kept alive.
    for _ in 0..2 {
        send(&mut stream, &get_request("/"));
        let response = read_response(&stream).expect("an answer");
        assert_hello(&response);
        assert_ne!(response.header("connection"), Some("close"), "{response:?}");
    }
    let took = closed_without_answer(&mut stream);
    assert!(took >= NOT_BEFORE, "closed after {took:?} only");
}

/// Beyond the cap, a few connections (a sixteenth of the cap, at least one) are answered 503
/// with `Retry-After` and closed; past those, connections wait in the accept backlog and are
/// served once a slot frees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_a_connection_is_answered_503_and_past_that_waits_for_a_slot() {
    // A long header read timeout: the connections hold their slots until they close.
    let limits = ServeLimits::default()
        .header_read_timeout(Duration::from_secs(30))
        .max_connections(1);
    let server = Server::start(app(), limits).await;
    let mut first = server.connect();
    send(&mut first, &get_request("/"));
    assert_hello(&read_response(&first).expect("an answer"));

    // The second connection takes the one slot beyond the cap (its request comes later).
    let mut second = server.connect();
    // The third waits in the backlog: made by the kernel, its request sent, nothing served.
    let mut third = server.connect();
    send(&mut third, &get_request("/"));
    third
        .set_read_timeout(Some(WAITING))
        .expect("set a read timeout");
    let mut byte = [0; 1];
    match third.read(&mut byte) {
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("a connection past the refusals was answered or closed: {other:?}"),
    }

    // The first closes: the third is served.
    drop(first);
    third
        .set_read_timeout(Some(PATIENCE))
        .expect("set a read timeout");
    let start = Instant::now();
    assert_hello(&read_response(&third).expect("the waiting connection is served"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "served {:?} after the slot freed",
        start.elapsed()
    );

    // The second, beyond the cap, is answered 503 with Retry-After, then closed.
    send(&mut second, &get_request("/"));
    let refused = read_response(&second).expect("an answer beyond the cap");
    assert_eq!(refused.status, 503, "{refused:?}");
    let retry_after = refused
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .map(|(_, value)| value.as_str());
    assert_eq!(retry_after, Some("1"), "{refused:?}");
    assert!(closed_without_answer(&mut second) < CLOSED_WITHIN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_drains_a_request_in_flight_and_closes_idle_connections() {
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (handler_started, handler_release) = (Arc::clone(&started), Arc::clone(&release));
    let app = app().route(
        "/slow",
        get(move || async move {
            handler_started.notify_one();
            handler_release.notified().await;
            "done"
        }),
    );
    let mut server = Server::start(app, limits().header_read_timeout(PATIENCE)).await;

    let mut idle = server.connect();
    send(&mut idle, &get_request("/"));
    assert_hello(&read_response(&idle).expect("an answer"));

    let mut in_flight = server.connect();
    send(&mut in_flight, &get_request("/slow"));
    tokio::time::timeout(PATIENCE, started.notified())
        .await
        .expect("the handler never started");

    server.signal();
    // The idle connection is closed at once (not after the header read timeout), new
    // connections are refused, and the server waits for the request in flight.
    let took = closed_without_answer(&mut idle);
    assert!(took < CLOSED_WITHIN, "{took:?}");
    let refused = TcpStream::connect(("127.0.0.1", server.port));
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.kind() == ErrorKind::ConnectionRefused),
        "a connection after the shutdown signal: {refused:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !server.task.as_ref().expect("running").is_finished(),
        "the server stopped with a request in flight"
    );

    release.notify_one();
    let response = read_response(&in_flight).expect("the request in flight is answered");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.text(), "done", "{response:?}");
    server.stopped(PATIENCE).await.expect("served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_carry_the_peer_address_as_connect_info() {
    let server = Server::start(app(), limits()).await;
    let mut stream = server.connect();
    send(&mut stream, &get_request("/peer"));
    let response = read_response(&stream).expect("an answer");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.text(),
        stream.local_addr().expect("bound").to_string()
    );
}

/// Sends `raw` on a new connection and returns the answer.
fn answer_to(server: &Server, raw: &str) -> Response {
    let mut stream = server.connect();
    send(&mut stream, raw.as_bytes());
    read_response(&stream).expect("an answer")
}

/// RFC 9112 §3.2: an HTTP/1.1 request without Host, or any request with two, is 400; hyper
/// serves both, so the server layer refuses them before the application.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_exactly_one_host_is_400() {
    let server = Server::start(app(), limits()).await;
    let missing = answer_to(&server, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!(missing.status, 400, "{missing:?}");
    assert!(missing.text().contains("Host"), "{missing:?}");
    let twice = answer_to(
        &server,
        "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
    );
    assert_eq!(twice.status, 400, "{twice:?}");
    // HTTP/1.0 has no Host requirement; one Host is the ordinary case.
    assert_eq!(answer_to(&server, "GET / HTTP/1.0\r\n\r\n").status, 200);
    let one = answer_to(&server, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assert_eq!((one.status, one.text()), (200, "hello".to_owned()));
}

/// RFC 9112 §6.1: a transfer coding the server does not understand is 501. hyper reads
/// `gzip, chunked` as plain chunked, which would hand the application a compressed body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_coding_other_than_chunked_is_501() {
    let server = Server::start(app(), limits()).await;
    let body = "5\r\nhello\r\n0\r\n\r\n";
    let gzip = answer_to(
        &server,
        &format!("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n{body}"),
    );
    assert_eq!(gzip.status, 501, "{gzip:?}");
    let plain = answer_to(
        &server,
        &format!("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{body}"),
    );
    // The route takes GET only: 405 shows the chunked request reached the application.
    assert_eq!(plain.status, 405, "{plain:?}");
}
