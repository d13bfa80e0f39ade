//! A [`DedupStore`] in Redis, shared by replicas behind a load balancer (feature `redis`).

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, RedisError, Script};

use super::{Claim, DedupStore, StoreError, StoreFuture};

/// The prefix of the Redis keys of a [`RedisStore`] unless [`RedisStore::with_prefix`] says
/// otherwise.
const DEFAULT_PREFIX: &str = "webhook:dedup:";

/// The value of a claimed key, until it is completed or released.
const IN_FLIGHT: &str = "inflight";
/// The value of a completed key, for its window.
const DONE: &str = "done";

/// Claims `KEYS[1]` for `ARGV[1]` milliseconds when nobody holds it: 0 claimed, 1 done, 2 in
/// flight. One script, so the claim is one atomic step across replicas (keys do not expire
/// while a script runs).
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"
        if redis.call('SET', KEYS[1], '{IN_FLIGHT}', 'NX', 'PX', ARGV[1]) then
            return 0
        end
        if redis.call('GET', KEYS[1]) == '{DONE}' then
            return 1
        end
        return 2
        "
    ))
});

/// Deletes `KEYS[1]` only while it is in flight, so a release never erases a completed record.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"
        if redis.call('GET', KEYS[1]) == '{IN_FLIGHT}' then
            return redis.call('DEL', KEYS[1])
        end
        return 0
        "
    ))
});

/// The longest expiry sent to Redis (about 285 000 years), well below what it rejects.
const MAX_MILLIS: u64 = 1 << 53;

/// A deduplication store in Redis, for replicas behind a load balancer: each event's key is one
/// Redis key (under a prefix, `webhook:dedup:` by default) holding `inflight` for the lease of a
/// claim or `done` for the window, with the expiry set by Redis.
///
/// A claim is one Lua script (`SET … NX PX`, else `GET`), atomic across replicas; a release
/// deletes the key only while it is still in flight, so it never erases a completed record. The
/// connection is a [`ConnectionManager`], which reconnects by itself; while Redis cannot be
/// reached, every operation fails with a [`StoreError`] and deliveries are answered 503 with
/// `Retry-After`, so senders deliver again later.
///
/// `redis://` and `unix://` URLs are supported, and `rediss://` (TLS, the server's certificate
/// verified against the system's root certificates or [`RedisStore::connect_with_root_certificate`]'s)
/// with feature `redis-tls`. Cloning a store shares its connection.
///
/// ```no_run
/// use std::time::Duration;
/// use webhook_runtime::CloudEventsConfig;
/// use webhook_runtime::dedup::{Dedup, RedisStore, StoreError};
///
/// # async fn run() -> Result<(), StoreError> {
/// // Every replica connects to the same Redis and remembers handled events for 10 minutes.
/// let store = RedisStore::connect("redis://:password@redis.internal:6379/0")
///     .await?
///     .with_prefix("orders:dedup:");
/// let config = CloudEventsConfig::new().with_dedup(Dedup::new(store, Duration::from_secs(600)));
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
}

impl RedisStore {
    /// Connects to the Redis server at `url` (`redis://[user][:password@]host[:port][/db]`).
    ///
    /// Fails when the URL is invalid or the server cannot be reached now (after a few quick
    /// retries); the error does not repeat the URL or its credentials. Once connected, a lost
    /// connection is re-established by itself. Operations time out after half a second, and a
    /// connection attempt after one second.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|_| invalid_url())?;
        Self::connect_client(client).await
    }

    /// [`RedisStore::connect`] over TLS (`rediss://`) to a server whose certificate is issued by
    /// the CA of `root_pem` (PEM) rather than one the system trusts, as a private Redis may
    /// have. Feature `redis-tls`.
    #[cfg(feature = "redis-tls")]
    pub async fn connect_with_root_certificate(
        url: &str,
        root_pem: &[u8],
    ) -> Result<Self, StoreError> {
        let certificates = ::redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(root_pem.to_vec()),
        };
        let client = Client::build_with_tls(url, certificates).map_err(|_| invalid_url())?;
        Self::connect_client(client).await
    }

    async fn connect_client(client: Client) -> Result<Self, StoreError> {
        Ok(Self::from_connection_manager(
            connection_manager(client).await?,
        ))
    }

    /// A store on a connection the application set up itself (its own retry, timeouts or TLS
    /// settings of the `redis` crate).
    pub fn from_connection_manager(connection: ConnectionManager) -> Self {
        Self {
            connection,
            prefix: DEFAULT_PREFIX.to_owned(),
        }
    }

    /// Puts the store's keys under `prefix` instead of `webhook:dedup:`, to keep apart the
    /// records of applications sharing a Redis.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The prefix of the store's Redis keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn redis_key(&self, key: &str) -> String {
        let mut redis_key = String::with_capacity(self.prefix.len() + key.len());
        redis_key.push_str(&self.prefix);
        redis_key.push_str(key);
        redis_key
    }
}

/// A connection to the server of `client` with this crate's retry and timeouts (also used by
/// the shared rate limiter): operations time out after half a second, a connection attempt
/// after one second; the error never repeats the password.
pub(crate) async fn connection_manager(client: Client) -> Result<ConnectionManager, StoreError> {
    let password = client
        .get_connection_info()
        .redis_settings()
        .password()
        .map(str::to_owned);
    let config = ConnectionManagerConfig::new()
        .set_number_of_retries(3)
        .set_max_delay(Duration::from_secs(1))
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_millis(500)));
    let connection = ConnectionManager::new_with_config(client, config)
        .await
        .map_err(|error| {
            let mut message = format!("cannot connect to Redis: {error}");
            // The client does not put credentials in its errors; make sure of it.
            if let Some(password) = password.filter(|p| !p.is_empty()) {
                message = message.replace(&password, "***");
            }
            StoreError(message)
        })?;
    Ok(connection)
}

/// A duration in whole milliseconds for `PX`: at least 1 (Redis rejects 0), at most
/// [`MAX_MILLIS`].
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(MAX_MILLIS)
        .clamp(1, MAX_MILLIS)
}

/// The URL could not be used; the error does not repeat it (it may hold a password).
pub(crate) fn invalid_url() -> StoreError {
    let tls = if cfg!(feature = "redis-tls") {
        ""
    } else {
        "; rediss:// needs feature redis-tls"
    };
    StoreError(format!(
        "the Redis URL is invalid (redis://[user][:password@]host[:port][/db]{tls})"
    ))
}

fn store_error(operation: &str, error: &RedisError) -> StoreError {
    StoreError(format!("Redis {operation} failed: {error}"))
}

impl DedupStore for RedisStore {
    fn claim<'a>(&'a self, key: &'a str, lease: Duration) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let state: i64 = CLAIM
                .key(self.redis_key(key))
                .arg(millis(lease))
                .invoke_async(&mut connection)
                .await
                .map_err(|error| store_error("claim", &error))?;
            match state {
                0 => Ok(Claim::Claimed),
                1 => Ok(Claim::Done),
                2 => Ok(Claim::InFlight),
                other => Err(StoreError(format!(
                    "Redis claim answered an unexpected state {other}"
                ))),
            }
        })
    }

    fn complete<'a>(&'a self, key: &'a str, window: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            ::redis::cmd("SET")
                .arg(self.redis_key(key))
                .arg(DONE)
                .arg("PX")
                .arg(millis(window))
                .exec_async(&mut connection)
                .await
                .map_err(|error| store_error("complete", &error))
        })
    }

    fn release<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let _deleted: i64 = RELEASE
                .key(self.redis_key(key))
                .invoke_async(&mut connection)
                .await
                .map_err(|error| store_error("release", &error))?;
            Ok(())
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection's own Debug output names the server; the store shows its prefix only.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d8_durations_become_valid_px_values() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_micros(300)), 1);
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), MAX_MILLIS);
    }
}
