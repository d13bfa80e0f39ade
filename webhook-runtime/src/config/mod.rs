//! Run-time configuration of a webhook route (D10): the settings every route has, and those of
//! its schema. A CloudEvents route is configured by a [`CloudEventsConfig`], an Event Grid route
//! by an [`EventGridConfig`]; each offers only what its route uses.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

mod cloudevents;
mod eventgrid;
#[cfg(feature = "jwt")]
mod tokens;

use crate::auth::{Authenticate, Credentials};
use crate::dedup::Dedup;
use crate::eventgrid::DeletionNotice;
use crate::handshake::CallbackOffer;
use crate::outcome::DeadLetter;

pub use self::cloudevents::CloudEventsSettings;
pub use self::eventgrid::EventGridSettings;

/// Default body limit of a CloudEvents route: 1 MiB (D9).
pub const DEFAULT_CLOUDEVENTS_BODY_LIMIT: usize = 1024 * 1024;

/// How long a route waits for a body to arrive by default: 30 s (Event Grid's own limit for an
/// answer), so slow or truncated bodies cannot hold a worker forever.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many events one delivery may hold by default: 5,000, Event Grid's own largest batch.
/// A batch or array within the body limit can still hold far more small events (a 2 MiB Event
/// Grid array ~17,000), and each is a handler call.
pub const DEFAULT_MAX_EVENTS: usize = 5_000;

/// The token variables (read by `tokens.rs`), refused by name without the `jwt` feature.
#[cfg(not(feature = "jwt"))]
const TOKEN_VARIABLES: &[&str] = &[
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_SCOPE",
    "ENTRA_TENANT",
    "ENTRA_AUDIENCE",
    "ENTRA_CLOUD",
    "XSUAA_URL",
    "XSUAA_AUDIENCE",
    "XSUAA_SCOPE",
    "JWKS_URL",
];

pub(crate) type CallbackHook = Arc<dyn Fn(&CallbackOffer<'_>) + Send + Sync>;
pub(crate) type DeletionHook = Arc<dyn Fn(&DeletionNotice, Option<&str>) + Send + Sync>;
pub(crate) type DeadLetterHook = Arc<dyn Fn(&DeadLetter<'_>) + Send + Sync>;

/// The settings of one webhook route: those every route has, and those of its schema `S`
/// ([`CloudEventsSettings`] or [`EventGridSettings`]). Name it by its aliases,
/// [`CloudEventsConfig`] and [`EventGridConfig`]; `Config::new()` takes its schema from the
/// settings set on it or from the route it is given to.
///
/// `#[webhook]` turns its attribute into a configuration (the companion's `config()`), so the
/// literals in source are the defaults; a deployment overrides them from the environment or from
/// any configuration source and builds the route with `route_with(config)`.
///
/// ```
/// use webhook_runtime::{AllowedOrigins, CloudEventsConfig, EventGridConfig};
///
/// let config = CloudEventsConfig::new()
///     .with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap())
///     .with_rate(120)
///     .with_body_limit(256 * 1024);
/// assert_eq!(config.rate().map(|r| r.get()), Some(120));
///
/// // The same from configuration values, e.g. the process environment:
/// let vars = [("ORDERS_ORIGINS", "a.example.com, *.example.org"), ("ORDERS_RATE", "60")];
/// let config = CloudEventsConfig::new()
///     .with_vars("ORDERS", |name| {
///         vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
///     })
///     .unwrap();
/// assert_eq!(config.rate().map(|r| r.get()), Some(60));
///
/// // An Event Grid route has subscriptions, not origins:
/// let grid = EventGridConfig::new().with_subscriptions(["orders"]);
/// assert_eq!(grid.subscriptions().collect::<Vec<_>>(), ["orders"]);
/// ```
#[derive(Clone, Default)]
pub struct Config<S = CloudEventsSettings> {
    body_limit: Option<usize>,
    body_timeout: Option<Duration>,
    max_events: Option<usize>,
    credentials: Credentials,
    authenticator: Option<Arc<dyn Authenticate>>,
    #[cfg(feature = "jwt")]
    jwt: Option<crate::auth::jwt::JwtVerifier>,
    dedup: Option<Dedup>,
    schema: S,
}

/// The configuration of a CloudEvents route (CloudEvents webhook senders, SAP Event Mesh, Event
/// Grid with the CloudEvents schema).
pub type CloudEventsConfig = Config<CloudEventsSettings>;

/// The configuration of an Event Grid route (Event Grid schema).
pub type EventGridConfig = Config<EventGridSettings>;

/// A route schema's own settings: [`CloudEventsSettings`] or [`EventGridSettings`].
pub trait Schema: Clone + Default + fmt::Debug + Send + Sync + 'static + sealed::Sealed {
    /// Overrides the settings whose variables `lookup` finds (see [`Config::with_vars`]).
    #[doc(hidden)]
    fn apply_vars(
        &mut self,
        prefix: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError>;

    /// The variable suffixes of the other schema, refused on this one.
    #[doc(hidden)]
    const OTHER_VARIABLES: &'static [&'static str];

    /// The schema's name, for error messages.
    #[doc(hidden)]
    const NAME: &'static str;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::CloudEventsSettings {}
    impl Sealed for super::EventGridSettings {}
}

/// A configuration value that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    variable: String,
    reason: String,
}

impl ConfigError {
    pub(crate) fn new(variable: &str, reason: impl fmt::Display) -> Self {
        Self {
            variable: variable.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// The name of the variable that was rejected.
    pub fn variable(&self) -> &str {
        &self.variable
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.reason)
    }
}

impl std::error::Error for ConfigError {}

impl<S: Schema> Config<S> {
    /// A configuration that refuses every handshake, grants no rate, and uses the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a whole configuration from the environment; see [`Config::with_vars`] for the names.
    pub fn from_env(prefix: &str) -> Result<Self, ConfigError> {
        Self::new().with_env(prefix)
    }

    /// Overrides the settings whose variables are set in the process environment.
    pub fn with_env(self, prefix: &str) -> Result<Self, ConfigError> {
        self.with_vars(prefix, |name| std::env::var(name).ok())
    }

    /// Overrides the settings found by `lookup`, which maps a variable name to its value.
    ///
    /// Every route:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `<PREFIX>_BODY_LIMIT` | largest accepted body, in bytes |
    /// | `<PREFIX>_BODY_TIMEOUT_SECS` | seconds a body may take to arrive |
    /// | `<PREFIX>_MAX_EVENTS` | most events one delivery may hold |
    /// | `<PREFIX>_BASIC` | comma-separated `user:password` pairs accepted as HTTP Basic |
    /// | `<PREFIX>_BEARER` | comma-separated tokens accepted as Bearer or `access_token` |
    /// | `<PREFIX>_API_KEY_HEADER`, `<PREFIX>_API_KEYS` | a header name and its comma-separated accepted values |
    ///
    /// A CloudEvents route ([`CloudEventsConfig`]):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `<PREFIX>_ORIGINS` | comma-separated allow-list (`a.example.com, *.example.org` or `*`) |
    /// | `<PREFIX>_RATE` | requests per minute granted in the handshake; `*` or empty: unlimited |
    /// | `<PREFIX>_ENFORCE_ORIGINS`, `<PREFIX>_ENFORCE_RATE` | `true` or `false` |
    /// | `<PREFIX>_SENDER` | `cloudevents`, `eventgrid` or `sap_event_mesh` (see [`Sender`](crate::Sender)) |
    /// | `<PREFIX>_HANDSHAKE_AUTH` | `required`, `when_present` or `not_checked` (see [`HandshakeAuth`](crate::auth::HandshakeAuth)) |
    ///
    /// An Event Grid route ([`EventGridConfig`]):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `<PREFIX>_SUBSCRIPTIONS` | comma-separated Event Grid subscription names; empty: any |
    ///
    /// Bearer JWTs (feature `jwt`; one family at most, see `auth::jwt::JwtPolicy`):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `<PREFIX>_OIDC_ISSUER`, `<PREFIX>_OIDC_AUDIENCE`, `<PREFIX>_OIDC_SCOPE` | any OpenID Connect issuer (keys by discovery), its accepted audiences and the required scopes (comma-separated) |
    /// | `<PREFIX>_ENTRA_TENANT`, `<PREFIX>_ENTRA_AUDIENCE`, `<PREFIX>_ENTRA_CLOUD` | Entra ID tokens of Event Grid: tenant, audiences (app id URI, app id), `public`, `us_government` or `china` |
    /// | `<PREFIX>_XSUAA_URL`, `<PREFIX>_XSUAA_AUDIENCE`, `<PREFIX>_XSUAA_SCOPE` | SAP XSUAA tokens (SAP Event Mesh): the service URL, audiences, required scopes |
    /// | `<PREFIX>_JWKS_URL` | where the keys are fetched instead |
    ///
    /// When any of the credential variables is set, they replace the credentials configured so far.
    /// A variable of the other schema is an error: the route would not use it.
    pub fn with_vars(
        mut self,
        prefix: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let name = |suffix: &str| format!("{prefix}_{suffix}");
        for suffix in S::OTHER_VARIABLES {
            let var = name(suffix);
            if lookup(&var).is_some() {
                return Err(ConfigError::new(
                    &var,
                    format!("is not a setting of a {} route", S::NAME),
                ));
            }
        }
        let var = name("BODY_LIMIT");
        if let Some(value) = lookup(&var) {
            let limit = value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|l| *l > 0)
                .ok_or_else(|| ConfigError::new(&var, "expected a positive number of bytes"))?;
            self.body_limit = Some(limit);
        }
        let list = |var: &str| {
            lookup(var).map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
        };
        let (basic, bearer) = (name("BASIC"), name("BEARER"));
        let (key_header, keys) = (name("API_KEY_HEADER"), name("API_KEYS"));
        let basic_pairs = list(&basic);
        let tokens = list(&bearer);
        let key_values = list(&keys);
        let header = lookup(&key_header);
        if basic_pairs.is_some() || tokens.is_some() || key_values.is_some() || header.is_some() {
            let mut credentials = Credentials::new();
            for pair in basic_pairs.unwrap_or_default() {
                let (user, password) = pair
                    .split_once(':')
                    .ok_or_else(|| ConfigError::new(&basic, "expected `user:password` pairs"))?;
                credentials = credentials.basic(user, password);
            }
            for token in tokens.unwrap_or_default() {
                credentials = credentials.bearer(token);
            }
            match (header, key_values) {
                (Some(header), Some(values)) => {
                    for value in values {
                        credentials = credentials
                            .api_key(header.trim(), value)
                            .map_err(|e| ConfigError::new(&key_header, e))?;
                    }
                }
                (None, None) => {}
                (None, Some(_)) => {
                    return Err(ConfigError::new(&key_header, "is needed with API keys"));
                }
                (Some(_), None) => {
                    return Err(ConfigError::new(&keys, "is needed with an API key header"));
                }
            }
            self.credentials = credentials;
        }
        self.apply_token_vars(prefix, &lookup)?;
        let var = name("MAX_EVENTS");
        if let Some(value) = lookup(&var) {
            let max = value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|m| *m > 0)
                .ok_or_else(|| ConfigError::new(&var, "expected a positive number of events"))?;
            self.max_events = Some(max);
        }
        let var = name("BODY_TIMEOUT_SECS");
        if let Some(value) = lookup(&var) {
            let seconds = value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| ConfigError::new(&var, "expected a positive number of seconds"))?;
            self.body_timeout = Some(Duration::from_secs(seconds));
        }
        self.schema.apply_vars(prefix, &lookup)?;
        Ok(self)
    }

    /// Sets the largest accepted body, in bytes; larger deliveries are answered 413.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// The configured body limit, if set; each schema has its own default.
    pub fn body_limit(&self) -> Option<usize> {
        self.body_limit
    }

    /// How long a body may take to arrive (default [`DEFAULT_BODY_TIMEOUT`]); slower bodies get
    /// 408.
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = Some(timeout);
        self
    }

    /// How long a body may take to arrive.
    pub fn body_timeout(&self) -> Duration {
        self.body_timeout.unwrap_or(DEFAULT_BODY_TIMEOUT)
    }

    /// The most events one delivery (a CloudEvents batch, an Event Grid array) may hold
    /// (default [`DEFAULT_MAX_EVENTS`]). A delivery with more is refused whole with 413 before
    /// the handler is called: the request is too large for this endpoint, and no sender retries
    /// a 413 unchanged (Event Grid dead-letters it; Event Grid itself never sends more than
    /// 5,000). `0` is taken as 1.
    ///
    /// ```
    /// # use webhook_runtime::CloudEventsConfig;
    /// assert_eq!(CloudEventsConfig::new().with_max_events(0).max_events(), 1);
    /// ```
    pub fn with_max_events(mut self, max: usize) -> Self {
        self.max_events = Some(max.max(1));
        self
    }

    /// The most events one delivery may hold.
    pub fn max_events(&self) -> usize {
        self.max_events.unwrap_or(DEFAULT_MAX_EVENTS)
    }

    /// Requires one of these credentials on every request, the OPTIONS handshake included (SAP
    /// Event Mesh sends its Authorization there too): 401 otherwise, checked before anything else.
    ///
    /// ```
    /// # use webhook_runtime::{CloudEventsConfig, auth::Credentials};
    /// let config = CloudEventsConfig::new().with_credentials(Credentials::new().basic("eventmesh", "s3cret"));
    /// ```
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Adds a check of one's own (e.g. Entra ID JWT validation); a request passes when it or one
    /// of the [`Credentials`] accepts it.
    pub fn with_authenticator(mut self, authenticator: impl Authenticate) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    pub(crate) fn authenticator(&self) -> Option<&dyn Authenticate> {
        self.authenticator.as_deref()
    }

    /// Accepts bearer JWTs that this verifier accepts (D24), in `Authorization: Bearer` or the
    /// `access_token` query parameter, besides the [`Credentials`] and the authenticator. The
    /// handler reads the claims with [`BearerClaims`](crate::auth::jwt::BearerClaims).
    #[cfg(feature = "jwt")]
    pub fn with_jwt(mut self, verifier: crate::auth::jwt::JwtVerifier) -> Self {
        self.jwt = Some(verifier);
        self
    }

    /// The bearer JWT verifier, if any.
    #[cfg(feature = "jwt")]
    pub fn jwt(&self) -> Option<&crate::auth::jwt::JwtVerifier> {
        self.jwt.as_ref()
    }

    /// Whether the route checks a token of some kind beyond [`Credentials`].
    pub(crate) fn has_token_check(&self) -> bool {
        #[cfg(feature = "jwt")]
        if self.jwt.is_some() {
            return true;
        }
        self.authenticator.is_some()
    }

    /// The `<PREFIX>_OIDC_*`, `_ENTRA_*`, `_XSUAA_*` and `_JWKS_URL` variables: a token policy
    /// replacing the configured one; without the `jwt` feature, refused by name.
    fn apply_token_vars(
        &mut self,
        prefix: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        #[cfg(feature = "jwt")]
        if let Some(policy) = tokens::policy(prefix, lookup)? {
            let verifier = policy
                .build()
                .map_err(|e| ConfigError::new(&format!("{prefix}_*"), e))?;
            self.jwt = Some(verifier);
        }
        #[cfg(not(feature = "jwt"))]
        for suffix in TOKEN_VARIABLES {
            let var = format!("{prefix}_{suffix}");
            if lookup(&var).is_some() {
                return Err(ConfigError::new(
                    &var,
                    "needs the `jwt` feature of webhook-runtime",
                ));
            }
        }
        Ok(())
    }

    /// Deduplicates redelivered events (see [`crate::dedup`]).
    pub fn with_dedup(mut self, dedup: Dedup) -> Self {
        self.dedup = Some(dedup);
        self
    }

    /// The deduplication settings, if any.
    pub fn dedup(&self) -> Option<&Dedup> {
        self.dedup.as_ref()
    }
}

impl<S: Schema> Config<S> {
    fn token_check_shown(&self) -> Option<String> {
        #[cfg(feature = "jwt")]
        if let Some(jwt) = &self.jwt {
            return Some(format!("{jwt:?}"));
        }
        None
    }
}

/// A hook, in `Debug` output.
pub(super) fn hook_shown<T>(hook: &Option<T>) -> Option<&'static str> {
    hook.as_ref().map(|_| "<hook>")
}

impl<S: Schema> fmt::Debug for Config<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout())
            .field("max_events", &self.max_events())
            .field("credentials", &self.credentials)
            .field(
                "authenticator",
                &self.authenticator.as_ref().map(|_| "<authenticator>"),
            )
            .field("tokens", &self.token_check_shown())
            .field("dedup", &self.dedup)
            .field("schema", &self.schema)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::AllowedOrigins;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn d10_env_overrides_literals() {
        let base = CloudEventsConfig::new()
            .with_origins(AllowedOrigins::parse(["a.example.com"]).unwrap())
            .with_rate(120);
        let cfg = base
            .clone()
            .with_vars(
                "X",
                vars(&[
                    ("X_ORIGINS", "b.example.com,*.example.org"),
                    ("X_RATE", "*"),
                ]),
            )
            .unwrap();
        assert_eq!(
            cfg.origins(),
            &AllowedOrigins::parse(["b.example.com", "*.example.org"]).unwrap()
        );
        assert_eq!(cfg.rate(), None);
        let untouched = base.clone().with_vars("X", vars(&[])).unwrap();
        assert_eq!(untouched.rate(), base.rate());
        assert_eq!(untouched.origins(), base.origins());
    }

    #[test]
    fn d10_bad_values_name_the_variable() {
        let err = CloudEventsConfig::new()
            .with_vars("X", vars(&[("X_RATE", "-3")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_RATE");
        let err = CloudEventsConfig::new()
            .with_vars("X", vars(&[("X_ORIGINS", "https://a.example.com")]))
            .unwrap_err();
        assert!(err.to_string().contains("not a URL"), "{err}");
        let err = CloudEventsConfig::new()
            .with_vars("X", vars(&[("X_BODY_LIMIT", "0")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_BODY_LIMIT");
    }

    #[test]
    fn d10_subscriptions_from_the_environment_on_an_event_grid_route() {
        let cfg = EventGridConfig::new()
            .with_subscriptions(["orders"])
            .with_vars("X", vars(&[("X_SUBSCRIPTIONS", "blobs, vaults")]))
            .unwrap();
        assert_eq!(cfg.subscriptions().collect::<Vec<_>>(), ["blobs", "vaults"]);
        let err = EventGridConfig::new()
            .with_vars("X", vars(&[("X_SUBSCRIPTIONS", "a b")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_SUBSCRIPTIONS");
    }

    /// A variable of the other schema names a setting the route would never use: refused, so a
    /// misdirected deployment setting is noticed at start-up rather than silently ignored.
    #[test]
    fn d10_a_variable_of_the_other_schema_is_refused() {
        let err = CloudEventsConfig::new()
            .with_vars("X", vars(&[("X_SUBSCRIPTIONS", "orders")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_SUBSCRIPTIONS");
        assert!(err.to_string().contains("CloudEvents"), "{err}");
        for var in ["X_ORIGINS", "X_RATE", "X_ENFORCE_ORIGINS", "X_SENDER"] {
            let err = EventGridConfig::new()
                .with_vars("X", vars(&[(var, "1")]))
                .unwrap_err();
            assert_eq!(err.variable(), var);
        }
        // The shared variables apply to both.
        let grid = EventGridConfig::new()
            .with_vars("X", vars(&[("X_BODY_LIMIT", "10")]))
            .unwrap();
        assert_eq!(grid.body_limit(), Some(10));
    }

    /// Without the `jwt` feature a token variable names a check the route would not make:
    /// refused, so a deployment does not believe it is protected.
    #[cfg(not(feature = "jwt"))]
    #[test]
    fn d10_token_variables_need_the_jwt_feature() {
        let err = CloudEventsConfig::new()
            .with_vars(
                "X",
                vars(&[("X_OIDC_ISSUER", "https://issuer.example.com")]),
            )
            .unwrap_err();
        assert_eq!(err.variable(), "X_OIDC_ISSUER");
        assert!(err.to_string().contains("jwt"), "{err}");
    }

    #[test]
    fn d8_max_events_from_the_environment_for_either_schema() {
        assert_eq!(CloudEventsConfig::new().max_events(), DEFAULT_MAX_EVENTS);
        let cfg = EventGridConfig::new()
            .with_vars("X", vars(&[("X_MAX_EVENTS", "100")]))
            .unwrap();
        assert_eq!(cfg.max_events(), 100);
        let cfg = CloudEventsConfig::new().with_max_events(0);
        assert_eq!(cfg.max_events(), 1);
        let err = CloudEventsConfig::new()
            .with_vars("X", vars(&[("X_MAX_EVENTS", "0")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_MAX_EVENTS");
    }
}
