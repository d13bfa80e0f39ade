//! The settings only a CloudEvents route has: the handshake's origins and rate, their
//! enforcement on deliveries, the sender and its dead letters.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use super::{CallbackHook, Config, ConfigError, DeadLetterHook, Schema, hook_shown};
use crate::auth::HandshakeAuth;
use crate::handshake::CallbackOffer;
use crate::origin::{AllowedOrigins, OriginError};
use crate::outcome::{DeadLetter, Sender};

/// What only a CloudEvents route has: the handshake's origins and rate, their enforcement on
/// deliveries, the sender and its dead letters. Set through [`CloudEventsConfig`](crate::CloudEventsConfig).
///
/// ```
/// use webhook_runtime::{AllowedOrigins, CloudEventsConfig, Sender};
///
/// let config = CloudEventsConfig::new()
///     .with_origins(AllowedOrigins::parse(["*.eventmesh.example.com"]).unwrap())
///     .with_sender(Sender::SapEventMesh);
/// assert_eq!(config.sender(), Some(Sender::SapEventMesh));
/// ```
#[derive(Clone, Default)]
pub struct CloudEventsSettings {
    origins: AllowedOrigins,
    rate: Option<NonZeroU32>,
    on_callback: Option<CallbackHook>,
    enforce_origins: bool,
    enforce_rate: bool,
    #[cfg(feature = "redis")]
    shared_rate: Option<crate::rate::RedisRate>,
    sender: Option<Sender>,
    handshake_auth: Option<HandshakeAuth>,
    on_dead_letter: Option<DeadLetterHook>,
}

impl Config<CloudEventsSettings> {
    /// Sets the origins granted in the OPTIONS handshake.
    ///
    /// ```
    /// use webhook_runtime::{AllowedOrigins, CloudEventsConfig};
    ///
    /// let config = CloudEventsConfig::new().with_origins(AllowedOrigins::parse(["eventemitter.example.com"]).unwrap());
    /// ```
    pub fn with_origins(mut self, origins: AllowedOrigins) -> Self {
        self.schema.origins = origins;
        self
    }

    /// The origins granted in the handshake.
    pub fn origins(&self) -> &AllowedOrigins {
        &self.schema.origins
    }

    /// Sets the rate (requests per minute) granted in `WebHook-Allowed-Rate`; `0` means unlimited.
    ///
    /// ```
    /// use webhook_runtime::CloudEventsConfig;
    ///
    /// assert_eq!(CloudEventsConfig::new().with_rate(120).rate().map(|r| r.get()), Some(120));
    /// assert_eq!(CloudEventsConfig::new().with_rate(0).rate(), None);
    /// ```
    pub fn with_rate(mut self, per_minute: u32) -> Self {
        self.schema.rate = NonZeroU32::new(per_minute);
        self
    }

    /// The configured rate, if limited.
    pub fn rate(&self) -> Option<NonZeroU32> {
        self.schema.rate
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
        self.schema.on_callback = Some(Arc::new(hook));
        self
    }

    pub(crate) fn callback_hook(&self) -> Option<&CallbackHook> {
        self.schema.on_callback.as_ref()
    }

    /// Requires deliveries to carry `WebHook-Request-Origin` (spec v1.0.2) or `Origin` (v1.0,
    /// v1.0.1) matching the allowed origins (W4/P5): 403 otherwise.
    ///
    /// ```
    /// use webhook_runtime::CloudEventsConfig;
    ///
    /// let config = CloudEventsConfig::new().with_origin_enforcement();
    /// assert!(config.enforces_origins());
    /// ```
    pub fn with_origin_enforcement(mut self) -> Self {
        self.schema.enforce_origins = true;
        self
    }

    /// Whether deliveries must come from an allowed origin.
    pub fn enforces_origins(&self) -> bool {
        self.schema.enforce_origins
    }

    /// Enforces the granted rate: beyond `rate` deliveries per minute, 429 with `Retry-After`
    /// (W11). The count is per process (and per route): replicas behind a load balancer each allow
    /// the full rate, unless they share it with `with_shared_rate` (feature `redis`).
    ///
    /// ```
    /// use webhook_runtime::CloudEventsConfig;
    ///
    /// let config = CloudEventsConfig::new().with_rate(600).with_rate_enforcement();
    /// assert!(config.enforces_rate());
    /// ```
    pub fn with_rate_enforcement(mut self) -> Self {
        self.schema.enforce_rate = true;
        self
    }

    /// Counts the enforced rate in Redis, per route and sender origin, so that replicas share
    /// one grant (feature `redis`; see [`crate::rate`], which also says what happens while Redis
    /// is down). Takes effect with [`Config::with_rate_enforcement`].
    #[cfg(feature = "redis")]
    pub fn with_shared_rate(mut self, shared: crate::rate::RedisRate) -> Self {
        self.schema.shared_rate = Some(shared);
        self
    }

    /// The shared rate limiter, if any.
    #[cfg(feature = "redis")]
    pub fn shared_rate(&self) -> Option<&crate::rate::RedisRate> {
        self.schema.shared_rate.as_ref()
    }

    /// Whether the granted rate is enforced.
    pub fn enforces_rate(&self) -> bool {
        self.schema.enforce_rate
    }

    /// Says who delivers to this route, which decides how an [`Outcome`](crate::Outcome) is
    /// answered (protocol.md §6). Default: [`Sender::CloudEvents`]. (An Event Grid schema route
    /// always serves [`Sender::EventGrid`].)
    ///
    /// ```
    /// use webhook_runtime::{CloudEventsConfig, Sender};
    ///
    /// // Event Grid delivering in the CloudEvents schema: its own retry rules apply.
    /// let config = CloudEventsConfig::new().with_sender(Sender::EventGrid);
    /// ```
    pub fn with_sender(mut self, sender: Sender) -> Self {
        self.schema.sender = Some(sender);
        self
    }

    /// The sender set with [`Config::with_sender`], if any.
    pub fn sender(&self) -> Option<Sender> {
        self.schema.sender
    }

    /// How the OPTIONS handshake is authenticated (D26), instead of the default of the route's
    /// sender ([`HandshakeAuth`]).
    ///
    /// ```
    /// use webhook_runtime::CloudEventsConfig;
    /// use webhook_runtime::auth::HandshakeAuth;
    ///
    /// let config = CloudEventsConfig::new().with_handshake_auth(HandshakeAuth::NotChecked);
    /// assert_eq!(config.handshake_auth(), HandshakeAuth::NotChecked);
    /// ```
    pub fn with_handshake_auth(mut self, policy: HandshakeAuth) -> Self {
        self.schema.handshake_auth = Some(policy);
        self
    }

    /// How the OPTIONS handshake is authenticated: as set, else [`HandshakeAuth::CheckedWhenPresent`]
    /// for [`Sender::EventGrid`] and [`HandshakeAuth::Required`] for the others.
    ///
    /// ```
    /// use webhook_runtime::{CloudEventsConfig, Sender};
    /// use webhook_runtime::auth::HandshakeAuth;
    ///
    /// let grid = CloudEventsConfig::new().with_sender(Sender::EventGrid);
    /// assert_eq!(grid.handshake_auth(), HandshakeAuth::CheckedWhenPresent);
    /// ```
    pub fn handshake_auth(&self) -> HandshakeAuth {
        self.schema
            .handshake_auth
            .unwrap_or(match self.schema.sender.unwrap_or_default() {
                Sender::EventGrid => HandshakeAuth::CheckedWhenPresent,
                Sender::CloudEvents | Sender::SapEventMesh => HandshakeAuth::Required,
            })
    }

    /// Calls `hook` with each event its handler rejected ([`Outcome::Reject`](crate::Outcome))
    /// on a route whose sender redelivers every refusal (SAP Event Mesh): the event is
    /// acknowledged, and the hook keeps or reports it. Default: one `warn` log line.
    ///
    /// ```
    /// use webhook_runtime::{CloudEventsConfig, Sender};
    ///
    /// let config = CloudEventsConfig::new()
    ///     .with_sender(Sender::SapEventMesh)
    ///     .on_dead_letter(|letter| eprintln!("dead letter {:?}: {}", letter.event.id, letter.reason));
    /// ```
    pub fn on_dead_letter(
        mut self,
        hook: impl Fn(&DeadLetter<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.schema.on_dead_letter = Some(Arc::new(hook));
        self
    }

    pub(crate) fn dead_letter_hook(&self) -> Option<&DeadLetterHook> {
        self.schema.on_dead_letter.as_ref()
    }
}

impl Schema for CloudEventsSettings {
    const OTHER_VARIABLES: &'static [&'static str] = &["SUBSCRIPTIONS"];
    const NAME: &'static str = "CloudEvents";

    fn apply_vars(
        &mut self,
        prefix: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
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
        let var = name("SENDER");
        if let Some(value) = lookup(&var) {
            self.sender = Some(value.parse().map_err(|e| ConfigError::new(&var, e))?);
        }
        let var = name("HANDSHAKE_AUTH");
        if let Some(value) = lookup(&var) {
            self.handshake_auth = Some(value.parse().map_err(|e| ConfigError::new(&var, e))?);
        }
        Ok(())
    }
}

impl CloudEventsSettings {
    fn shared_rate_shown(&self) -> Option<&'static str> {
        #[cfg(feature = "redis")]
        if self.shared_rate.is_some() {
            return Some("redis");
        }
        None
    }
}

impl fmt::Debug for CloudEventsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudEventsSettings")
            .field("origins", &self.origins)
            .field("rate", &self.rate)
            .field("on_callback", &hook_shown(&self.on_callback))
            .field("enforce_origins", &self.enforce_origins)
            .field("enforce_rate", &self.enforce_rate)
            .field("shared_rate", &self.shared_rate_shown())
            .field("sender", &self.sender)
            .field("handshake_auth", &self.handshake_auth)
            .field("on_dead_letter", &hook_shown(&self.on_dead_letter))
            .finish()
    }
}
