//! Run-time configuration of a webhook route (SPEC D10).

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::handshake::CallbackOffer;
use crate::origin::{AllowedOrigins, OriginError};

/// Default body limit of a CloudEvents route: 1 MiB (D9).
pub const DEFAULT_CLOUDEVENTS_BODY_LIMIT: usize = 1024 * 1024;

type CallbackHook = Arc<dyn Fn(&CallbackOffer<'_>) + Send + Sync>;

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
    on_callback: Option<CallbackHook>,
}

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
            .field("on_callback", &self.on_callback.as_ref().map(|_| "<hook>"))
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
