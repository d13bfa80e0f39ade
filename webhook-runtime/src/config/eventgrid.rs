//! The settings only an Event Grid route has: the subscriptions it expects, how it answers
//! validations, and the deletion hook.

use std::fmt;
use std::sync::Arc;

use super::{Config, ConfigError, DeletionHook, Schema, hook_shown};
use crate::eventgrid::{DeletionNotice, ManualValidation, ValidationSettings};

/// What only an Event Grid route has: the subscriptions it expects, how it answers validations,
/// and the deletion hook. Set through [`EventGridConfig`](crate::EventGridConfig).
///
/// ```
/// use webhook_runtime::EventGridConfig;
///
/// let config = EventGridConfig::new().with_subscriptions(["orders", "refunds"]);
/// assert!(config.accepts_subscription(Some(b"Orders")));
/// ```
#[derive(Clone, Default)]
pub struct EventGridSettings {
    subscriptions: Box<[Box<str>]>,
    validation: ValidationSettings,
    on_deletion: Option<DeletionHook>,
}

impl Config<EventGridSettings> {
    /// Restricts the route to these subscriptions (`aeg-subscription-name`, compared ASCII
    /// case-insensitively): others are refused with 403, validations included, so someone who
    /// learns the URL cannot subscribe it to their own topic. Empty: any subscription.
    ///
    /// ```
    /// use webhook_runtime::EventGridConfig;
    ///
    /// let config = EventGridConfig::new().with_subscriptions(["orders"]);
    /// assert!(!config.accepts_subscription(Some(b"someone-elses")));
    /// ```
    pub fn with_subscriptions<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.schema.subscriptions = names.into_iter().map(|n| n.as_ref().into()).collect();
        self
    }

    /// The Event Grid subscriptions accepted; empty means any.
    pub fn subscriptions(&self) -> impl Iterator<Item = &str> {
        self.schema.subscriptions.iter().map(|s| &**s)
    }

    /// Whether an `aeg-subscription-name` value is accepted.
    ///
    /// ```
    /// use webhook_runtime::EventGridConfig;
    ///
    /// // No list: any subscription, even a request without the header.
    /// assert!(EventGridConfig::new().accepts_subscription(None));
    /// ```
    pub fn accepts_subscription(&self, name: Option<&[u8]>) -> bool {
        let subscriptions = &self.schema.subscriptions;
        subscriptions.is_empty()
            || name.is_some_and(|name| {
                subscriptions
                    .iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(name))
            })
    }

    /// Leaves subscription validation to the application: the validation POST is answered 200
    /// without a `validationResponse`, and `hook` receives the `validationUrl` to GET (within
    /// Event Grid's window) once the subscription is confirmed as expected. The runtime never
    /// fetches the URL itself.
    pub fn on_manual_validation(
        mut self,
        hook: impl Fn(&ManualValidation<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.schema.validation.on_manual_validation = Some(Arc::new(hook));
        self
    }

    /// Has the runtime complete subscription validation by GETting the `validationUrl` itself
    /// (cargo feature `validation-get`, D14): the validation POST is answered 200 without a
    /// `validationResponse`, and once that answer has been sent the URL is fetched once, without
    /// redirects, only if it is `https` on an Event Grid host (see
    /// [`event_grid_validation_url`](crate::eventgrid::event_grid_validation_url)); any other URL
    /// is refused with 400 and logged. It needs `subscriptions` (protocol.md §3: only for an
    /// expected subscription): without a list, validations are refused with 403.
    #[cfg(feature = "validation-get")]
    pub fn with_validation_get(mut self, client: crate::eventgrid::ValidationGet) -> Self {
        self.schema.validation.get = Some(client);
        self
    }

    /// How the route answers a subscription validation besides the synchronous way.
    pub(crate) fn validation(&self) -> &ValidationSettings {
        &self.schema.validation
    }

    /// Calls `hook` when Event Grid announces that a subscription was deleted (the delivery is
    /// acknowledged with 200 whether or not a hook is set).
    pub fn on_deletion(
        mut self,
        hook: impl Fn(&DeletionNotice, Option<&str>) + Send + Sync + 'static,
    ) -> Self {
        self.schema.on_deletion = Some(Arc::new(hook));
        self
    }

    pub(crate) fn deletion_hook(&self) -> Option<&DeletionHook> {
        self.schema.on_deletion.as_ref()
    }
}

impl Schema for EventGridSettings {
    const OTHER_VARIABLES: &'static [&'static str] = &[
        "ORIGINS",
        "RATE",
        "ENFORCE_ORIGINS",
        "HANDSHAKE_AUTH",
        "ENFORCE_RATE",
        "SENDER",
    ];
    const NAME: &'static str = "Event Grid";

    fn apply_vars(
        &mut self,
        prefix: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let name = |suffix: &str| format!("{prefix}_{suffix}");
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
            self.subscriptions = names.into_iter().map(Box::from).collect();
        }
        Ok(())
    }
}

impl fmt::Debug for EventGridSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventGridSettings")
            .field("subscriptions", &self.subscriptions)
            .field(
                "on_manual_validation",
                &hook_shown(&self.validation.on_manual_validation),
            )
            .field("on_deletion", &hook_shown(&self.on_deletion))
            .finish()
    }
}
