//! The limits `serve` applies to connections, with their defaults and why.

use std::time::Duration;

use tokio::sync::Semaphore;

/// The limits [`serve`](super::serve()) applies to connections; [`ServeLimits::default`] gives the documented
/// defaults, the builder methods change one each.
///
/// ```
/// use std::time::Duration;
/// use webhook_runtime::serve::ServeLimits;
///
/// let limits = ServeLimits::default()
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(2048);
/// assert_eq!(limits.get_header_read_timeout(), Duration::from_secs(5));
/// assert_eq!(limits.get_max_connections(), 2048);
/// assert!(limits.get_keep_alive());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeLimits {
    header_read_timeout: Duration,
    max_connections: usize,
    keep_alive: bool,
}

impl ServeLimits {
    /// The default [header read timeout](ServeLimits::header_read_timeout), which is also the
    /// idle keep-alive timeout: 10 seconds.
    ///
    /// A sender writes its request head in one go: it arrives within milliseconds, and 10 s
    /// leaves room for a very slow link many times over. A client that sends nothing, or half a
    /// head, or leaves a kept-alive connection idle, holds a connection slot for at most 10 s.
    /// As an idle timeout it keeps a connection across a burst of deliveries (senders send a
    /// burst back to back, and retry after seconds to minutes); Apache closes idle keep-alive
    /// connections after 5 s by default, and HTTP clients reopen a pooled connection that the
    /// server closed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// assert_eq!(ServeLimits::DEFAULT_HEADER_READ_TIMEOUT, Duration::from_secs(10));
    /// ```
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

    /// The default [cap on open connections](ServeLimits::max_connections): 512.
    ///
    /// The usual limit of open files of a process on Linux is 1024 (`ulimit -n`, and systemd's
    /// default soft `LimitNOFILE`); 512 connections leave the other half to the application (its
    /// files, its Redis or database connections, its outgoing requests) so that accepting never
    /// fails with `Too many open files`. A webhook receiver serves a few senders, each with a
    /// handful of connections: 512 is far above what they open. Raise it together with the
    /// limit of open files.
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// assert_eq!(ServeLimits::DEFAULT_MAX_CONNECTIONS, 512);
    /// ```
    pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

    /// The defaults: [`DEFAULT_HEADER_READ_TIMEOUT`](Self::DEFAULT_HEADER_READ_TIMEOUT),
    /// [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS), keep-alive on (the same as
    /// [`ServeLimits::default`], usable in a `const`).
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// const LIMITS: ServeLimits = ServeLimits::new();
    /// assert_eq!(LIMITS, ServeLimits::default());
    /// ```
    pub const fn new() -> Self {
        Self {
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            keep_alive: true,
        }
    }

    /// How long a connection may take to deliver a whole request head (request line and header
    /// fields) from the moment the server waits for one: from the connection's accept, and, on
    /// a kept-alive connection, from the end of the previous response. A connection that has
    /// not delivered a whole head by then is closed without an answer.
    ///
    /// This is therefore also the **idle keep-alive timeout**: hyper starts this one timer as
    /// soon as it waits for the next request, so a kept-alive connection on which nothing comes
    /// is closed after this long (hyper has no separate idle timer for HTTP/1). The body is not
    /// covered: the routes' body timeout (`with_body_timeout`, 30 s by default) is.
    ///
    /// Default: [`DEFAULT_HEADER_READ_TIMEOUT`](Self::DEFAULT_HEADER_READ_TIMEOUT) (10 s).
    ///
    /// # Panics
    ///
    /// If `timeout` is zero (every connection would be closed before its first request).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// let limits = ServeLimits::default().header_read_timeout(Duration::from_secs(30));
    /// assert_eq!(limits.get_header_read_timeout(), Duration::from_secs(30));
    /// ```
    #[must_use]
    pub const fn header_read_timeout(mut self, timeout: Duration) -> Self {
        assert!(
            !timeout.is_zero(),
            "the header read timeout must not be zero"
        );
        self.header_read_timeout = timeout;
        self
    }

    /// The most connections served at once. Beyond it, a few more connections (a sixteenth of
    /// `max`, at least one) are **answered 503 with `Retry-After: 1`** and closed, a clear answer
    /// that every sender retries. Past those, new connections **wait in the listener's accept
    /// backlog** until a slot frees (a finished exchange, a client that leaves, or the header
    /// read timeout), then are served as usual; the kernel completes their TCP handshake
    /// meanwhile, up to the listen backlog. So the server never holds more than `max` plus a
    /// sixteenth sockets, a flood of connections cannot make the refusals themselves exhaust the
    /// open files, and a burst above the cap is answered at once as far as that is cheap.
    ///
    /// Default: [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS) (512).
    ///
    /// # Panics
    ///
    /// If `max` is zero (nothing would be served) or above
    /// [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// let limits = ServeLimits::default().max_connections(4096);
    /// assert_eq!(limits.get_max_connections(), 4096);
    /// ```
    #[must_use]
    pub const fn max_connections(mut self, max: usize) -> Self {
        assert!(max > 0, "the connection cap must not be zero");
        assert!(
            max <= Semaphore::MAX_PERMITS,
            "the connection cap must not exceed Semaphore::MAX_PERMITS"
        );
        self.max_connections = max;
        self
    }

    /// Whether a connection is kept open for further requests after a response (HTTP/1.1
    /// keep-alive). With `false`, every response carries `Connection: close` and the connection
    /// is closed after it.
    ///
    /// Default: `true`: senders deliver bursts on one connection, and an idle connection is
    /// closed after the [header read timeout](Self::header_read_timeout) anyway.
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// let limits = ServeLimits::default().keep_alive(false);
    /// assert!(!limits.get_keep_alive());
    /// ```
    #[must_use]
    pub const fn keep_alive(mut self, keep_alive: bool) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// The [header read timeout](Self::header_read_timeout) (also the idle keep-alive timeout).
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// assert_eq!(
    ///     ServeLimits::default().get_header_read_timeout(),
    ///     ServeLimits::DEFAULT_HEADER_READ_TIMEOUT
    /// );
    /// ```
    pub const fn get_header_read_timeout(&self) -> Duration {
        self.header_read_timeout
    }

    /// The [cap on open connections](Self::max_connections).
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// assert_eq!(
    ///     ServeLimits::default().get_max_connections(),
    ///     ServeLimits::DEFAULT_MAX_CONNECTIONS
    /// );
    /// ```
    pub const fn get_max_connections(&self) -> usize {
        self.max_connections
    }

    /// Whether [keep-alive](Self::keep_alive) is on.
    ///
    /// ```
    /// use webhook_runtime::serve::ServeLimits;
    ///
    /// assert!(ServeLimits::default().get_keep_alive());
    /// ```
    pub const fn get_keep_alive(&self) -> bool {
        self.keep_alive
    }
}

impl Default for ServeLimits {
    /// [`ServeLimits::new`]: the documented defaults.
    fn default() -> Self {
        Self::new()
    }
}
