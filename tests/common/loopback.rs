//! An axum application served by the test process itself on a free loopback port, for what only
//! a real socket can express (malformed HTTP, header limits, bodies cut short), driven with the
//! [`raw_http`] client.

use std::io;

use super::raw_http::{self, Response};

/// An axum application served by this test process on a free loopback port
/// (`axum::serve` on `127.0.0.1:0`); [`Loopback::stop`] ends it.
pub struct Loopback {
    port: u16,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl Loopback {
    /// Serves `app` on a free loopback port from a task of the current runtime.
    pub async fn start(app: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("a loopback port could not be bound");
        let port = listener.local_addr().expect("bound").port();
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        Self { port, task }
    }

    /// The loopback port it listens on.
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

    /// [`raw_http::exchange`] from a blocking thread, so that the server keeps running
    /// on this runtime meanwhile.
    pub async fn send(&self, raw: Vec<u8>) -> io::Result<Response> {
        let port = self.port;
        tokio::task::spawn_blocking(move || raw_http::exchange(port, raw))
            .await
            .expect("the client thread panicked")
    }

    /// [`raw_http::until_closed`] from a blocking thread.
    pub async fn send_until_closed(&self, raw: Vec<u8>, half_close: bool) -> io::Result<Vec<u8>> {
        let port = self.port;
        tokio::task::spawn_blocking(move || raw_http::until_closed(port, &raw, half_close))
            .await
            .expect("the client thread panicked")
    }
}
