//! Run-time configuration of a webhook route (D10).

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use std::time::Duration;

use crate::auth::{Authenticate, Credentials};
use crate::dedup::Dedup;
use crate::eventgrid::{DeletionNotice, ManualValidation, ValidationSettings};
use crate::handshake::CallbackOffer;
use crate::origin::{AllowedOrigins, OriginError};
use crate::outcome::{DeadLetter, Sender};

/// Default body limit of a CloudEvents route: 1 MiB (D9).
pub const DEFAULT_CLOUDEVENTS_BODY_LIMIT: usize = 1024 * 1024;

type CallbackHook = Arc<dyn Fn(&CallbackOffer<'_>) + Send + Sync>;
type DeletionHook = Arc<dyn Fn(&DeletionNotice, Option<&str>) + Send + Sync>;
type DeadLetterHook = Arc<dyn Fn(&DeadLetter<'_>) + Send + Sync>;

/// The settings of one webhook route.
///
/// `#[webhook]` turns its attribute into a `Config` (the companion's `config()`), so the literals
/// in source are the defaults; a deployment overrides them from the environment or from any
/// configuration source and builds the route with `route_with(config)`.
///
/// ```
/// use webhook_runtime::{AllowedOrigins, Config};
///
/// let config = Config::new()
///     .with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap())
///     .with_rate(120)
///     .with_body_limit(256 * 1024);
/// assert_eq!(config.rate().map(|r| r.get()), Some(120));
///
/// // The same from configuration values, e.g. the process environment:
/// let vars = [("ORDERS_ORIGINS", "a.example.com, *.example.org"), ("ORDERS_RATE", "60")];
/// let config = Config::new()
///     .with_vars("ORDERS", |name| {
///         vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
///     })
///     .unwrap();
/// assert_eq!(config.rate().map(|r| r.get()), Some(60));
/// ```
#[derive(Clone, Default)]
pub struct Config {
    origins: AllowedOrigins,
    rate: Option<NonZeroU32>,
    body_limit: Option<usize>,
    subscriptions: Box<[Box<str>]>,
    on_callback: Option<CallbackHook>,
    validation: ValidationSettings,
    on_deletion: Option<DeletionHook>,
    credentials: Credentials,
    authenticator: Option<Arc<dyn Authenticate>>,
    enforce_origins: bool,
    enforce_rate: bool,
    body_timeout: Option<Duration>,
    sender: Option<Sender>,
    dedup: Option<Dedup>,
    on_dead_letter: Option<DeadLetterHook>,
}

/// How long a route waits for a body to arrive by default: 30 s (Event Grid's own limit for an
/// answer), so slow or truncated bodies cannot hold a worker forever.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A configuration value that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    variable: String,
    reason: String,
}

impl ConfigError {
    fn new(variable: &str, reason: impl fmt::Display) -> Self {
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

impl Config {
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
    /// | variable | meaning |
    /// |---|---|
    /// | `<PREFIX>_ORIGINS` | comma-separated allow-list (`a.example.com, *.example.org` or `*`) |
    /// | `<PREFIX>_RATE` | requests per minute granted in the handshake; `*` or empty: unlimited |
    /// | `<PREFIX>_BODY_LIMIT` | largest accepted body, in bytes |
    /// | `<PREFIX>_SUBSCRIPTIONS` | comma-separated Event Grid subscription names; empty: any |
    /// | `<PREFIX>_BASIC` | comma-separated `user:password` pairs accepted as HTTP Basic |
    /// | `<PREFIX>_BEARER` | comma-separated tokens accepted as Bearer or `access_token` |
    /// | `<PREFIX>_API_KEY_HEADER`, `<PREFIX>_API_KEYS` | a header name and its comma-separated accepted values |
    /// | `<PREFIX>_ENFORCE_ORIGINS`, `<PREFIX>_ENFORCE_RATE` | `true` or `false` |
    /// | `<PREFIX>_BODY_TIMEOUT_SECS` | seconds a body may take to arrive |
    /// | `<PREFIX>_SENDER` | `cloudevents`, `eventgrid` or `sap_event_mesh` (see [`Sender`]) |
    ///
    /// When any of the credential variables is set, they replace the credentials configured so far.
    pub fn with_vars(
        mut self,
        prefix: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let name = |suffix: &str| format!("{prefix}_{suffix}");
        let var = name("ORIGINS");
        if let Some(value) = lookup(&var) {
            let entries = value.split(',').map(str::trim).filter(|e| !e.is_empty());
            self.origins = AllowedOrigins::parse(entries)
                .map_err(|e: OriginError| ConfigError::new(&var, e))?;
        }
        let var = name("RATE");
        if let Some(value) = lookup(&var) {
            let value = value.trim();
            self.rate = match value {
                "" | "*" => None,
                _ => Some(value.parse::<NonZeroU32>().map_err(|_| {
                    ConfigError::new(
                        &var,
                        "expected a positive integer (requests per minute) or `*`",
                    )
                })?),
            };
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
        let var = name("SUBSCRIPTIONS");
        if let Some(value) = lookup(&var) {
            let names: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect();
            if let Some(bad) = names
                .iter()
                .find(|n| !webhook_core::is_subscription_name(n))
            {
                return Err(ConfigError::new(
                    &var,
                    format!(
                        "`{bad}` is not an Event Grid subscription name (3 to 64 letters, digits and `-`)"
                    ),
                ));
            }
            self = self.with_subscriptions(names);
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
        for (suffix, flag) in [
            ("ENFORCE_ORIGINS", &mut self.enforce_origins),
            ("ENFORCE_RATE", &mut self.enforce_rate),
        ] {
            let var = name(suffix);
            if let Some(value) = lookup(&var) {
                *flag = match value.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(ConfigError::new(&var, "expected `true` or `false`")),
                };
            }
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
        let var = name("SENDER");
        if let Some(value) = lookup(&var) {
            self.sender = Some(value.parse().map_err(|e| ConfigError::new(&var, e))?);
        }
        Ok(self)
    }

    /// Sets the origins granted in the OPTIONS handshake.
    pub fn with_origins(mut self, origins: AllowedOrigins) -> Self {
        self.origins = origins;
        self
    }

    /// Sets the rate (requests per minute) granted in `WebHook-Allowed-Rate`; `0` means unlimited.
    pub fn with_rate(mut self, per_minute: u32) -> Self {
        self.rate = NonZeroU32::new(per_minute);
        self
    }

    /// Sets the largest accepted body, in bytes; larger deliveries are answered 413.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Calls `hook` when a handshake carries `WebHook-Request-Callback` (P6).
    ///
    /// The runtime never fetches the callback URL itself: it comes from the caller, so fetching it
    /// would be server-side request forgery (D5). Consent is given synchronously in any case; the
    /// hook is for applications that want to record or act on the offer.
    pub fn on_callback(
        mut self,
        hook: impl Fn(&CallbackOffer<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_callback = Some(Arc::new(hook));
        self
    }

    /// Restricts an Event Grid route to these subscriptions (`aeg-subscription-name`, compared
    /// ASCII case-insensitively): others are refused with 403, validations included, so someone
    /// who learns the URL cannot subscribe it to their own topic. Empty: any subscription.
    pub fn with_subscriptions<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.subscriptions = names.into_iter().map(|n| n.as_ref().into()).collect();
        self
    }

    /// Leaves Event Grid subscription validation to the application: the validation POST is
    /// answered 200 without a `validationResponse`, and `hook` receives the `validationUrl` to GET
    /// (within Event Grid's window) once the subscription is confirmed as expected. The runtime
    /// never fetches the URL itself.
    pub fn on_manual_validation(
        mut self,
        hook: impl Fn(&ManualValidation<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.validation.on_manual_validation = Some(Arc::new(hook));
        self
    }

    /// Has the runtime complete Event Grid subscription validation by GETting the
    /// `validationUrl` itself (cargo feature `validation-get`, D14): the validation POST is
    /// answered 200 without a `validationResponse`, and once that answer has been sent the URL is
    /// fetched once, without redirects, only if it is `https` on an Event Grid host (see
    /// [`event_grid_validation_url`](crate::eventgrid::event_grid_validation_url)); any other URL
    /// is refused with 400 and logged. It needs `subscriptions` (protocol.md §3: only for an expected
    /// subscription): without a list, validations are refused with 403.
    #[cfg(feature = "validation-get")]
    pub fn with_validation_get(mut self, client: crate::eventgrid::ValidationGet) -> Self {
        self.validation.get = Some(client);
        self
    }

    /// Calls `hook` when Event Grid announces that a subscription was deleted (the delivery is
    /// acknowledged with 200 whether or not a hook is set).
    pub fn on_deletion(
        mut self,
        hook: impl Fn(&DeletionNotice, Option<&str>) + Send + Sync + 'static,
    ) -> Self {
        self.on_deletion = Some(Arc::new(hook));
        self
    }

    /// The Event Grid subscriptions accepted; empty means any.
    pub fn subscriptions(&self) -> impl Iterator<Item = &str> {
        self.subscriptions.iter().map(|s| &**s)
    }

    /// Whether an `aeg-subscription-name` value is accepted.
    pub fn accepts_subscription(&self, name: Option<&[u8]>) -> bool {
        self.subscriptions.is_empty()
            || name.is_some_and(|name| {
                self.subscriptions
                    .iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(name))
            })
    }

    /// How the route answers an Event Grid subscription validation besides the synchronous way.
    pub(crate) fn validation(&self) -> &ValidationSettings {
        &self.validation
    }

    pub(crate) fn deletion_hook(&self) -> Option<&DeletionHook> {
        self.on_deletion.as_ref()
    }

    /// Requires one of these credentials on every request, the OPTIONS handshake included (SAP
    /// Event Mesh sends its Authorization there too): 401 otherwise, checked before anything else.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Adds a check of one's own (e.g. Entra ID JWT validation); a request passes when it or one
    /// of the [`Credentials`] accepts it.
    pub fn with_authenticator(mut self, authenticator: impl Authenticate) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Requires deliveries to carry `WebHook-Request-Origin` (spec v1.0.2) or `Origin` (v1.0,
    /// v1.0.1) matching the allowed origins (W4/P5): 403 otherwise.
    pub fn with_origin_enforcement(mut self) -> Self {
        self.enforce_origins = true;
        self
    }

    /// Enforces the granted rate: beyond `rate` deliveries per minute, 429 with `Retry-After`
    /// (W11). The count is per process (and per route): replicas behind a load balancer each allow
    /// the full rate.
    pub fn with_rate_enforcement(mut self) -> Self {
        self.enforce_rate = true;
        self
    }

    /// How long a body may take to arrive (default [`DEFAULT_BODY_TIMEOUT`]); slower bodies get
    /// 408.
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = Some(timeout);
        self
    }

    /// Says who delivers to this route, which decides how an [`Outcome`](crate::Outcome) is
    /// answered (protocol.md §6). Default: [`Sender::CloudEvents`] on a CloudEvents route; an Event Grid
    /// schema route always serves [`Sender::EventGrid`].
    pub fn with_sender(mut self, sender: Sender) -> Self {
        self.sender = Some(sender);
        self
    }

    /// The sender set with [`Config::with_sender`], if any.
    pub fn sender(&self) -> Option<Sender> {
        self.sender
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

    /// Calls `hook` with each event its handler rejected ([`Outcome::Reject`](crate::Outcome))
    /// on a route whose sender redelivers every refusal (SAP Event Mesh): the event is
    /// acknowledged, and the hook keeps or reports it. Default: one `warn` log line.
    pub fn on_dead_letter(
        mut self,
        hook: impl Fn(&DeadLetter<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_dead_letter = Some(Arc::new(hook));
        self
    }

    pub(crate) fn dead_letter_hook(&self) -> Option<&DeadLetterHook> {
        self.on_dead_letter.as_ref()
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub(crate) fn authenticator(&self) -> Option<&dyn Authenticate> {
        self.authenticator.as_deref()
    }

    /// Whether deliveries must come from an allowed origin.
    pub fn enforces_origins(&self) -> bool {
        self.enforce_origins
    }

    /// Whether the granted rate is enforced.
    pub fn enforces_rate(&self) -> bool {
        self.enforce_rate
    }

    /// How long a body may take to arrive.
    pub fn body_timeout(&self) -> Duration {
        self.body_timeout.unwrap_or(DEFAULT_BODY_TIMEOUT)
    }

    /// The origins granted in the handshake.
    pub fn origins(&self) -> &AllowedOrigins {
        &self.origins
    }

    /// The configured rate, if limited.
    pub fn rate(&self) -> Option<NonZeroU32> {
        self.rate
    }

    /// The configured body limit, if set; each schema has its own default.
    pub fn body_limit(&self) -> Option<usize> {
        self.body_limit
    }

    pub(crate) fn callback_hook(&self) -> Option<&CallbackHook> {
        self.on_callback.as_ref()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("origins", &self.origins)
            .field("rate", &self.rate)
            .field("body_limit", &self.body_limit)
            .field("subscriptions", &self.subscriptions)
            .field("on_callback", &self.on_callback.as_ref().map(|_| "<hook>"))
            .field(
                "on_manual_validation",
                &self
                    .validation
                    .on_manual_validation
                    .as_ref()
                    .map(|_| "<hook>"),
            )
            .field("on_deletion", &self.on_deletion.as_ref().map(|_| "<hook>"))
            .field("credentials", &self.credentials)
            .field(
                "authenticator",
                &self.authenticator.as_ref().map(|_| "<authenticator>"),
            )
            .field("enforce_origins", &self.enforce_origins)
            .field("enforce_rate", &self.enforce_rate)
            .field("body_timeout", &self.body_timeout())
            .field("sender", &self.sender)
            .field("dedup", &self.dedup)
            .field(
                "on_dead_letter",
                &self.on_dead_letter.as_ref().map(|_| "<hook>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let base = Config::new()
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
        let err = Config::new()
            .with_vars("X", vars(&[("X_RATE", "-3")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_RATE");
        let err = Config::new()
            .with_vars("X", vars(&[("X_ORIGINS", "https://a.example.com")]))
            .unwrap_err();
        assert!(err.to_string().contains("not a URL"), "{err}");
        let err = Config::new()
            .with_vars("X", vars(&[("X_BODY_LIMIT", "0")]))
            .unwrap_err();
        assert_eq!(err.variable(), "X_BODY_LIMIT");
    }
}
