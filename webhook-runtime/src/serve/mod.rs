//! Serving a [`Router`] on the internet: [`serve`] is `axum::serve` with limits on slow and idle
//! connections and on how many connections are open at once ([`ServeLimits`]), and the same
//! graceful shutdown.
//!
//! `axum::serve` sets no timeout on reading a request head and no cap on connections: a client
//! that connects and sends nothing, or half a request head, or leaves a keep-alive connection
//! idle, holds its socket (a file descriptor) for as long as it likes, and enough of them stop
//! the server from accepting anything (`Too many open files`). [`serve`] is built from hyper's
//! own knobs: hyper's HTTP/1 connection ([`hyper::server::conn::http1::Builder`]) with its
//! header read timeout on tokio's timer, a [`tokio::sync::Semaphore`] permit held by each
//! connection, and hyper-util's [`GracefulShutdown`].
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use webhook_runtime::serve::{ServeLimits, serve};
//!
//! # async fn run() -> std::io::Result<()> {
//! let app = Router::new().route("/", get(|| async { "hello" }));
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//! serve(listener, app, ServeLimits::default())
//!     .with_graceful_shutdown(async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await
//! # }
//! ```
//!
//! What it serves: HTTP/1.0 and HTTP/1.1 (as `axum::serve` with axum's `http1` feature), each
//! request carrying [`ConnectInfo<SocketAddr>`](ConnectInfo) of its peer, so that the
//! `ConnectInfo` extractor works as with `into_make_service_with_connect_info`. Not served:
//! HTTP/2 and protocol upgrades (WebSocket); webhook senders speak HTTP/1.1.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

mod framing;
mod limits;

use self::framing::framing_refusal;
pub use self::limits::ServeLimits;
use crate::rejection::Rejection;

/// Serves `router` on the connections of `listener` within `limits`, until the process ends;
/// [`Serve::with_graceful_shutdown`] adds a signal that stops it.
///
/// Await it (it is [`IntoFuture`]), as `axum::serve(listener, router)`. Each accepted connection
/// runs on a task of its own. The future never resolves without a shutdown signal; errors
/// accepting a connection do not end it (a connection reset before it was accepted is skipped;
/// any other error, such as `Too many open files`, is logged and accepting resumes after one
/// second, as `axum::serve` does).
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use webhook_runtime::serve::{ServeLimits, serve};
///
/// # async fn run() -> std::io::Result<()> {
/// let app = Router::new().route("/hooks", post(|| async {}));
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// serve(listener, app, ServeLimits::default().max_connections(2048)).await
/// # }
/// ```
pub fn serve(listener: TcpListener, router: Router, limits: ServeLimits) -> Serve {
    Serve {
        listener,
        router,
        limits,
    }
}

/// A server made by [`serve`]: await it to serve, or add a shutdown signal with
/// [`Serve::with_graceful_shutdown`].
///
/// ```no_run
/// use axum::Router;
/// use webhook_runtime::serve::{Serve, ServeLimits, serve};
///
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// let server: Serve = serve(listener, Router::new(), ServeLimits::default());
/// server.await
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a server does nothing until awaited"]
pub struct Serve {
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
}

impl Serve {
    /// Stops the server gracefully when `signal` resolves: the listener is closed at once (new
    /// connections are refused), idle connections are closed, each connection answers the
    /// request it is serving and then closes, and the server's future resolves once every
    /// connection has closed.
    ///
    /// A connection that is still sending its request head holds the shutdown until it
    /// finishes it or the [header read timeout](ServeLimits::header_read_timeout) closes it; a
    /// request whose handler never finishes holds it for good: race the future against a grace
    /// period of your own to bound the wait (dropping the runtime then closes what is left).
    ///
    /// ```no_run
    /// use axum::{Router, routing::post};
    /// use webhook_runtime::serve::{ServeLimits, serve};
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let app = Router::new().route("/hooks", post(|| async {}));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// serve(listener, app, ServeLimits::default())
    ///     .with_graceful_shutdown(async {
    ///         let _ = tokio::signal::ctrl_c().await;
    ///     })
    ///     .await
    /// # }
    /// ```
    ///
    /// The quickstart (`examples/quickstart.rs`) adds a grace period and a second-signal cut.
    pub fn with_graceful_shutdown<F>(self, signal: F) -> WithGracefulShutdown<F>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        WithGracefulShutdown {
            serve: self,
            signal,
        }
    }

    /// The address the listener is bound to.
    ///
    /// ```no_run
    /// use axum::Router;
    /// use webhook_runtime::serve::{ServeLimits, serve};
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let server = serve(listener, Router::new(), ServeLimits::default());
    /// println!("listening on http://{}", server.local_addr()?);
    /// server.await
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(
            self.listener,
            self.router,
            self.limits,
            std::future::pending(),
        ))
    }
}

/// A server made by [`Serve::with_graceful_shutdown`]: await it to serve until the signal, then
/// until every connection has closed.
///
/// ```no_run
/// use axum::Router;
/// use tokio::sync::oneshot;
/// use webhook_runtime::serve::{ServeLimits, serve};
///
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// let (stop, stopped) = oneshot::channel::<()>();
/// let server = serve(listener, Router::new(), ServeLimits::default())
///     .with_graceful_shutdown(async move {
///         let _ = stopped.await;
///     });
/// let running = tokio::spawn(server.into_future());
/// // ... later: stop accepting, finish the requests in flight.
/// let _ = stop.send(());
/// running.await.expect("the server panicked")
/// # }
/// ```
#[must_use = "a server does nothing until awaited"]
pub struct WithGracefulShutdown<F> {
    serve: Serve,
    signal: F,
}

impl<F> WithGracefulShutdown<F> {
    /// The address the listener is bound to (see [`Serve::local_addr`]).
    ///
    /// ```no_run
    /// use axum::Router;
    /// use webhook_runtime::serve::{ServeLimits, serve};
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let server = serve(listener, Router::new(), ServeLimits::default())
    ///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; });
    /// println!("listening on http://{}", server.local_addr()?);
    /// server.await
    /// # }
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.serve.local_addr()
    }
}

impl<F> fmt::Debug for WithGracefulShutdown<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithGracefulShutdown")
            .field("serve", &self.serve)
            .finish_non_exhaustive()
    }
}

impl<F> IntoFuture for WithGracefulShutdown<F>
where
    F: Future<Output = ()> + Send + 'static,
{
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let Serve {
            listener,
            router,
            limits,
        } = self.serve;
        Box::pin(run(listener, router, limits, self.signal))
    }
}

/// The accept loop: a permit first (waiting while `max_connections` are open), then a
/// connection; on `signal`, the listener is dropped and every connection shut down gracefully.
async fn run(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    signal: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.get_max_connections()));
    let overflow = Arc::new(Semaphore::new(overflow_slots(limits.get_max_connections())));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.get_header_read_timeout())
        .keep_alive(limits.get_keep_alive());
    // Connections beyond the cap are answered 503 once and closed.
    let mut refusing = http1::Builder::new();
    refusing
        .timer(TokioTimer::new())
        .header_read_timeout(limits.get_header_read_timeout())
        .keep_alive(false);
    let mut signal = pin!(signal);
    loop {
        // A slot to serve in; else one to refuse in; else wait (in the kernel's accept backlog)
        // for a slot to serve in. Decided before accepting, so no socket is held undecided.
        let slot = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => Slot::Serve(permit),
            Err(_) => match Arc::clone(&overflow).try_acquire_owned() {
                Ok(permit) => Slot::Refuse(permit),
                Err(_) => tokio::select! {
                    () = &mut signal => break,
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => Slot::Serve(permit),
                        // The semaphore is never closed.
                        Err(_) => break,
                    },
                },
            },
        };
        let (stream, remote) = tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) if is_connection_error(&error) => continue,
                Err(error) => {
                    // Most likely `Too many open files`: wait for some to close.
                    tracing::error!(%error, "accept error");
                    tokio::select! {
                        () = &mut signal => break,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            },
        };
        let permit = match slot {
            Slot::Serve(permit) => permit,
            Slot::Refuse(permit) => {
                let service = service_fn(|_: http::Request<Incoming>| async {
                    Ok::<_, std::convert::Infallible>(
                        Rejection::new(
                            http::StatusCode::SERVICE_UNAVAILABLE,
                            "the server is at its connection limit: deliver again shortly",
                        )
                        .with_retry_after(1)
                        .into_response(),
                    )
                });
                let connection =
                    graceful.watch(refusing.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = connection.await;
                    drop(permit);
                });
                continue;
            }
        };
        let router = router.clone();
        let service = service_fn(move |mut request: http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let refusal = framing_refusal(&request);
            let router = router.clone();
            async move {
                match refusal {
                    Some(refusal) => Ok(refusal.into_response()),
                    None => router.oneshot(request).await,
                }
            }
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // A header read timeout, a client gone or a malformed request: nothing to answer.
                tracing::debug!(%error, %remote, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// What an accepted connection may do.
enum Slot {
    /// Be served: one of the `max_connections` slots.
    Serve(tokio::sync::OwnedSemaphorePermit),
    /// Be answered 503 and closed: one of the few slots beyond the cap.
    Refuse(tokio::sync::OwnedSemaphorePermit),
}

/// How many connections beyond the cap are answered 503 (with `Retry-After`) rather than left
/// in the accept backlog: a sixteenth of the cap, at least one. Bounded, so that a flood of
/// connections cannot turn the refusals themselves into an exhaustion of open files.
fn overflow_slots(max_connections: usize) -> usize {
    (max_connections / 16).max(1)
}

/// Errors of one connection attempt, not of the listener (as `axum::serve` skips them).
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
