//! [`RedisRate`]: the granted rate counted in Redis, shared by replicas (feature `redis`).

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use ::redis::aio::ConnectionManager;
use ::redis::{Client, Script};

use crate::dedup::{StoreError, connection_manager, invalid_url};

/// The prefix of the Redis keys of a [`RedisRate`] unless [`RedisRate::with_prefix`] says
/// otherwise.
const DEFAULT_PREFIX: &str = "webhook:rate:";

/// One admission by the generic cell rate algorithm, on the Redis server's clock (replicas'
/// clocks may differ): `KEYS[1]` holds the theoretical arrival time in microseconds,
/// `ARGV[1]` is the emission interval and `ARGV[2]` the window, in microseconds. Returns 0 when
/// admitted, else the microseconds to wait. One script, so an admission is one atomic step.
static ADMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local interval = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local after = tat + interval
        if after > now + window then
            return after - window - now
        end
        redis.call('SET', KEYS[1], string.format('%d', after), 'PX', math.ceil((after - now) / 1000) + 1)
        return 0
        ",
    )
});

/// The granted rate counted in Redis, so that replicas behind a load balancer share one grant
/// (per route and sender origin) instead of each admitting the whole of it. Give it to a route
/// that enforces its rate with
/// [`CloudEventsConfig::with_shared_rate`](crate::CloudEventsConfig::with_shared_rate).
///
/// Each admission is one Lua script (GCRA on the server's clock) under the key
/// `<prefix><route path>:<origin>` (prefix `webhook:rate:` by default; the origin is `*` unless
/// the route enforces origins, so a sender cannot escape its grant by naming new origins); the
/// key expires when the
/// grant is whole again. While Redis cannot be reached a replica falls back to its own
/// per-process limiter (see [`crate::rate`]).
///
/// ```no_run
/// use webhook_runtime::CloudEventsConfig;
/// use webhook_runtime::dedup::StoreError;
/// use webhook_runtime::rate::RedisRate;
///
/// # async fn run() -> Result<(), StoreError> {
/// let shared = RedisRate::connect("redis://redis.internal:6379/0").await?;
/// let config = CloudEventsConfig::new()
///     .with_rate(120)
///     .with_rate_enforcement()
///     .with_shared_rate(shared);
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisRate {
    connection: ConnectionManager,
    prefix: String,
}

impl RedisRate {
    /// Connects to the Redis server at `url` (`redis://[user][:password@]host[:port][/db]`),
    /// with the retry and timeouts of [`RedisStore::connect`](crate::dedup::RedisStore::connect).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|_| invalid_url())?;
        Ok(Self::from_connection_manager(
            connection_manager(client).await?,
        ))
    }

    /// A limiter on a connection the application set up itself.
    pub fn from_connection_manager(connection: ConnectionManager) -> Self {
        Self {
            connection,
            prefix: DEFAULT_PREFIX.to_owned(),
        }
    }

    /// Puts the limiter's keys under `prefix` instead of `webhook:rate:`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// One admission under `key` for a grant of `per_minute`: `Ok(None)` admitted,
    /// `Ok(Some(wait))` refused for `wait`, `Err` when Redis could not say.
    pub(crate) async fn admit(
        &self,
        key: &str,
        per_minute: u32,
    ) -> Result<Option<Duration>, StoreError> {
        let window = super::WINDOW;
        let interval = window / per_minute.max(1);
        let mut connection = self.connection.clone();
        let wait: i64 = ADMIT
            .key(format!("{}{key}", self.prefix))
            .arg(micros(interval))
            .arg(micros(window))
            .invoke_async(&mut connection)
            .await
            .map_err(|error| StoreError(format!("Redis rate admission failed: {error}")))?;
        Ok((wait > 0).then(|| Duration::from_micros(wait.unsigned_abs())))
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

impl fmt::Debug for RedisRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRate")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
