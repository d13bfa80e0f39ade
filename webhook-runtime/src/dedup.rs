//! Optional deduplication of redelivered events (D8: every sender delivers at least once).
//!
//! With [`Config::with_dedup`](crate::Config::with_dedup), an event whose handler succeeded
//! within the window is acknowledged again without calling the handler. Events are keyed by
//! (`source`, `id`) for CloudEvents and by `id` for Event Grid, within the route's path; plain
//! messages have no id and are always handled. An event whose handler failed (an answer that is
//! not 2xx, a panic, a dropped request) is not recorded, so its redelivery runs again. While one
//! delivery of an event is being handled, another delivery of it is answered "retry later"
//! (503 with `Retry-After: 1`), so concurrent duplicates call the handler once.
//!
//! ```
//! use std::time::Duration;
//! use webhook_runtime::CloudEventsConfig;
//! use webhook_runtime::dedup::{Dedup, MemoryStore};
//!
//! // Remember up to 100 000 events for 10 minutes, in this process.
//! let config = CloudEventsConfig::new().with_dedup(Dedup::new(MemoryStore::new(100_000), Duration::from_secs(600)));
//! ```
//!
//! The store is behind the [`DedupStore`] trait: [`MemoryStore`] serves one process; replicas
//! behind a load balancer share a store such as `RedisStore` (feature `redis`; `rediss://` with
//! `redis-tls`).

use std::collections::{HashMap, VecDeque};
use std::fmt::{self, Write as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod claims;
#[cfg(feature = "redis")]
mod redis;
pub(crate) use claims::{ClaimRefused, Claims, claim_delivery};
#[cfg(feature = "redis")]
pub use redis::RedisStore;
#[cfg(feature = "redis")]
pub(crate) use redis::{connection_manager, invalid_url};

/// A boxed future returned by a [`DedupStore`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where processed events are remembered.
///
/// Keys are opaque strings made by the route (at most [`MAX_KEY_LEN`] bytes). Each method is one
/// atomic step: a store shared by replicas must make `claim` atomic across them.
///
/// ```
/// use std::time::Duration;
/// use webhook_runtime::dedup::{Claim, DedupStore, MemoryStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryStore::new(10);
/// let lease = Duration::from_secs(60);
/// assert_eq!(store.claim("/orders id A1", lease).await, Ok(Claim::Claimed));
/// // A second delivery while the first is handled waits for it.
/// assert_eq!(store.claim("/orders id A1", lease).await, Ok(Claim::InFlight));
/// # });
/// ```
pub trait DedupStore: Send + Sync + 'static {
    /// Claims `key` for handling: [`Claim::Claimed`] when nobody holds it (the claim lapses after
    /// `lease` if never completed or released), [`Claim::Done`] when it completed within its
    /// window, [`Claim::InFlight`] while another claim holds it.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{Claim, DedupStore, MemoryStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = MemoryStore::new(10);
    /// assert_eq!(store.claim("A1", Duration::from_secs(60)).await, Ok(Claim::Claimed));
    /// # });
    /// ```
    fn claim<'a>(&'a self, key: &'a str, lease: Duration) -> StoreFuture<'a, Claim>;
    /// Records `key` as handled for `window`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{Claim, DedupStore, MemoryStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (store, minute) = (MemoryStore::new(10), Duration::from_secs(60));
    /// store.claim("A1", minute).await.unwrap();
    /// store.complete("A1", minute).await.unwrap();
    /// assert_eq!(store.claim("A1", minute).await, Ok(Claim::Done));
    /// # });
    /// ```
    fn complete<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, ()>;
    /// Drops the claim on `key` (its handler failed), so a redelivery is handled again.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{Claim, DedupStore, MemoryStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (store, minute) = (MemoryStore::new(10), Duration::from_secs(60));
    /// store.claim("A1", minute).await.unwrap();
    /// store.release("A1").await.unwrap();
    /// assert_eq!(store.claim("A1", minute).await, Ok(Claim::Claimed));
    /// # });
    /// ```
    fn release<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;
}

/// The state of a key when claimed.
///
/// ```
/// use webhook_runtime::dedup::Claim;
///
/// // Only a fresh claim calls the handler; the others are answered without it.
/// let call_handler = |claim: Claim| claim == Claim::Claimed;
/// assert!(!call_handler(Claim::Done));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the key now and handles the event.
    Claimed,
    /// The event was handled within the window: acknowledge it again.
    Done,
    /// Another delivery of the event is being handled.
    InFlight,
}

/// A store that failed (e.g. its server is unreachable); the delivery is answered 503.
///
/// ```
/// use webhook_runtime::dedup::StoreError;
///
/// let error = StoreError("connection refused".to_owned());
/// assert_eq!(error.to_string(), "deduplication store failed: connection refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deduplication store failed: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Keys longer than this (a very long `source` + `id`) are not deduplicated: the event is handled
/// every time, which at-least-once delivery allows, and no store holds unbounded keys.
pub const MAX_KEY_LEN: usize = 1024;

/// How long a claim lasts when its delivery neither completes nor releases it (a crashed
/// replica): 5 minutes.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(300);

/// The deduplication settings of a route: a store, how long handled events are remembered, and
/// how long a claim lasts.
///
/// ```
/// use std::time::Duration;
/// use webhook_runtime::dedup::{Dedup, MemoryStore};
///
/// let dedup = Dedup::new(MemoryStore::new(10_000), Duration::from_secs(600));
/// assert_eq!(dedup.window(), Duration::from_secs(600));
/// ```
#[derive(Clone)]
pub struct Dedup {
    pub(crate) store: Arc<dyn DedupStore>,
    pub(crate) window: Duration,
    pub(crate) lease: Duration,
}

impl Dedup {
    /// Remembers handled events in `store` for `window`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{Dedup, MemoryStore};
    ///
    /// // Event Grid retries for up to 24 hours.
    /// let dedup = Dedup::new(MemoryStore::new(100_000), Duration::from_secs(24 * 3600));
    /// ```
    pub fn new(store: impl DedupStore, window: Duration) -> Self {
        Self::shared(Arc::new(store), window)
    }

    /// [`Dedup::new`] with a store shared with other routes (keys include the route's path).
    ///
    /// ```
    /// use std::{sync::Arc, time::Duration};
    /// use webhook_runtime::CloudEventsConfig;
    /// use webhook_runtime::dedup::{Dedup, MemoryStore};
    ///
    /// let store = Arc::new(MemoryStore::new(100_000));
    /// let window = Duration::from_secs(600);
    /// let orders = CloudEventsConfig::new().with_dedup(Dedup::shared(store.clone(), window));
    /// let refunds = CloudEventsConfig::new().with_dedup(Dedup::shared(store, window));
    /// ```
    pub fn shared(store: Arc<dyn DedupStore>, window: Duration) -> Self {
        Self {
            store,
            window,
            lease: DEFAULT_LEASE,
        }
    }

    /// How long a claim lasts when its delivery never finishes (default [`DEFAULT_LEASE`]).
    ///
    /// Make it longer than the handler can take: once a claim has lapsed, a redelivery of the
    /// event is handled beside the first delivery. A delivery that fails after its lease leaves
    /// the key alone (a redelivery may hold it by then); a success is still recorded.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{Dedup, MemoryStore};
    ///
    /// // A handler that may take several minutes (a slow downstream system).
    /// let dedup = Dedup::new(MemoryStore::new(1_000), Duration::from_secs(3600))
    ///     .with_lease(Duration::from_secs(15 * 60));
    /// ```
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long handled events are remembered.
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{Dedup, MemoryStore};
    ///
    /// let dedup = Dedup::new(MemoryStore::new(10), Duration::from_secs(60));
    /// assert_eq!(dedup.window().as_secs(), 60);
    /// ```
    pub fn window(&self) -> Duration {
        self.window
    }
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dedup")
            .field("window", &self.window)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// The key of an event at a route: `None` when it has no id or the key would be too long.
pub(crate) fn key(route: &str, source: Option<&str>, id: Option<&str>) -> Option<String> {
    let id = id?;
    let mut key = String::with_capacity(route.len() + id.len() + 24);
    key.push_str(route);
    match source {
        // The length makes (source, id) pairs unambiguous whatever bytes they hold.
        Some(source) => {
            key.push_str(" ce ");
            let _ = write!(key, "{} ", source.len());
            key.push_str(source);
        }
        None => key.push_str(" id "),
    }
    key.push_str(id);
    (key.len() <= MAX_KEY_LEN).then_some(key)
}

/// A bounded in-memory store for one process.
///
/// Holds at most `capacity` keys: when full, the oldest entry is forgotten first (an event
/// redelivered after that is handled again, which at-least-once delivery allows), so memory stays
/// bounded under a flood of unique ids (at most `capacity` × ([`MAX_KEY_LEN`] + overhead)).
///
/// ```
/// # use std::time::Duration;
/// use webhook_runtime::dedup::{Claim, DedupStore, MemoryStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (store, minute) = (MemoryStore::new(1), Duration::from_secs(60));
/// store.claim("A1", minute).await.unwrap();
/// store.claim("A2", minute).await.unwrap();
/// // Full: A1 was forgotten to make room for A2.
/// assert_eq!(store.len(), 1);
/// assert_eq!(store.claim("A1", minute).await, Ok(Claim::Claimed));
/// # });
/// ```
pub struct MemoryStore {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Arc<str>, Entry>,
    /// Keys in insertion order, with the generation they were inserted with.
    order: VecDeque<(Arc<str>, u64)>,
    next_generation: u64,
}

struct Entry {
    state: State,
    expires: Instant,
    generation: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    InFlight,
    Done,
}

impl MemoryStore {
    /// A store of at most `capacity` keys (at least 1).
    ///
    /// ```
    /// use webhook_runtime::dedup::MemoryStore;
    ///
    /// assert_eq!(format!("{:?}", MemoryStore::new(0)), "MemoryStore { capacity: 1, len: 0 }");
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    /// Keys held now (expired ones included until they are evicted or claimed again).
    ///
    /// ```
    /// # use std::time::Duration;
    /// use webhook_runtime::dedup::{DedupStore, MemoryStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = MemoryStore::new(10);
    /// store.claim("A1", Duration::from_secs(60)).await.unwrap();
    /// assert_eq!(store.len(), 1);
    /// # });
    /// ```
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// No key is held.
    ///
    /// ```
    /// use webhook_runtime::dedup::MemoryStore;
    ///
    /// assert!(MemoryStore::new(10).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves the maps consistent (no partial update spans an
        // unwinding call), so a poisoned lock is used as is.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn claim_now(&self, key: &str, lease: Duration) -> Claim {
        let now = Instant::now();
        let mut entries = self.lock();
        if let Some(entry) = entries.map.get(key)
            && entry.expires > now
        {
            return match entry.state {
                State::Done => Claim::Done,
                State::InFlight => Claim::InFlight,
            };
        }
        entries.insert(key, State::InFlight, now + lease, self.capacity);
        Claim::Claimed
    }

    fn set(&self, key: &str, state: Option<State>, ttl: Duration) {
        let now = Instant::now();
        let mut entries = self.lock();
        match state {
            Some(state) => entries.insert(key, state, now + ttl, self.capacity),
            None => {
                entries.map.remove(key);
            }
        }
    }
}

impl Entries {
    fn insert(&mut self, key: &str, state: State, expires: Instant, capacity: usize) {
        let generation = self.next_generation;
        self.next_generation += 1;
        if let Some(entry) = self.map.get_mut(key) {
            entry.state = state;
            entry.expires = expires;
            return;
        }
        while self.map.len() >= capacity {
            self.evict_oldest();
        }
        let key: Arc<str> = Arc::from(key);
        self.order.push_back((Arc::clone(&key), generation));
        self.map.insert(
            key,
            Entry {
                state,
                expires,
                generation,
            },
        );
        // Entries removed by `release` leave stale positions in `order`; compact when they
        // outnumber the live ones so the queue stays bounded too.
        if self.order.len() > 2 * capacity {
            let map = &self.map;
            self.order.retain(|(key, generation)| {
                map.get(key).is_some_and(|e| e.generation == *generation)
            });
        }
    }

    /// Forgets the oldest live entry.
    fn evict_oldest(&mut self) {
        while let Some((key, generation)) = self.order.pop_front() {
            if self
                .map
                .get(&key)
                .is_some_and(|entry| entry.generation == generation)
            {
                self.map.remove(&key);
                return;
            }
        }
        // `order` always holds every live key; an empty queue means an empty map.
        self.map.clear();
    }
}

impl DedupStore for MemoryStore {
    fn claim<'a>(&'a self, key: &'a str, lease: Duration) -> StoreFuture<'a, Claim> {
        let claim = self.claim_now(key, lease);
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn complete<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, ()> {
        self.set(key, Some(State::Done), window);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        self.set(key, None, Duration::ZERO);
        Box::pin(std::future::ready(Ok(())))
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<T>(future: StoreFuture<'_, T>) -> T {
        futures_util::FutureExt::now_or_never(future)
            .expect("the memory store answers at once")
            .expect("the memory store does not fail")
    }

    const LONG: Duration = Duration::from_secs(60);

    #[test]
    fn d8_claim_complete_then_done_within_window() {
        let store = MemoryStore::new(10);
        assert_eq!(block(store.claim("a", LONG)), Claim::Claimed);
        assert_eq!(block(store.claim("a", LONG)), Claim::InFlight);
        block(store.complete("a", LONG));
        assert_eq!(block(store.claim("a", LONG)), Claim::Done);
    }

    #[test]
    fn d8_released_key_is_claimed_again() {
        let store = MemoryStore::new(10);
        assert_eq!(block(store.claim("a", LONG)), Claim::Claimed);
        block(store.release("a"));
        assert_eq!(block(store.claim("a", LONG)), Claim::Claimed);
    }

    #[test]
    fn d8_window_and_lease_lapse() {
        let store = MemoryStore::new(10);
        assert_eq!(block(store.claim("a", Duration::ZERO)), Claim::Claimed);
        // A lapsed lease is claimable again.
        assert_eq!(block(store.claim("a", LONG)), Claim::Claimed);
        block(store.complete("a", Duration::ZERO));
        assert_eq!(block(store.claim("a", LONG)), Claim::Claimed);
    }

    #[test]
    fn d8_memory_stays_bounded_under_unique_ids() {
        let store = MemoryStore::new(100);
        for i in 0..10_000 {
            let key = format!("k{i}");
            assert_eq!(block(store.claim(&key, LONG)), Claim::Claimed);
            if i % 3 == 0 {
                block(store.release(&key));
            } else {
                block(store.complete(&key, LONG));
            }
            assert!(store.len() <= 100);
            assert!(store.lock().order.len() <= 201, "order queue grew");
        }
        // The newest keys are remembered, the oldest forgotten.
        assert_eq!(block(store.claim("k9998", LONG)), Claim::Done);
        assert_eq!(block(store.claim("k1", LONG)), Claim::Claimed);
    }

    #[test]
    fn d8_keys_separate_source_and_id_and_route() {
        let a = key("/r", Some("ab"), Some("c")).unwrap();
        let b = key("/r", Some("a"), Some("bc")).unwrap();
        assert_ne!(a, b);
        assert_ne!(key("/r", None, Some("x")), key("/s", None, Some("x")));
        assert_eq!(key("/r", Some("s"), None), None);
        assert_eq!(key("/r", None, Some(&"x".repeat(MAX_KEY_LEN))), None);
    }
}
