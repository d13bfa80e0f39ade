//! Azure Event Grid: the Event Grid event schema, subscription validation and deletion
//! (protocol.md §3, §5, D23), and subscriptions that deliver the topic's custom input schema
//! (G1, G2).
//!
//! [`decode`] is a plain function over `http` types and bytes: it classifies a POST by its
//! `aeg-event-type` header and checks it. [`decode_custom_input`] does the same for a custom
//! input schema subscription, whose events are the publisher's own objects.
//!
//! ```
//! use http::HeaderMap;
//! use webhook_runtime::eventgrid::{decode, EventGridDelivery};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("aeg-event-type", "SubscriptionValidation".parse().unwrap());
//! let body = br#"[{"id":"1","topic":"/t","subject":"","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent",
//!   "eventTime":"2022-10-28T04:23:35.1981776Z","dataVersion":"1","metadataVersion":"1",
//!   "data":{"validationCode":"512d38b6","validationUrl":"https://rp-eastus2.eventgrid.azure.net:553/x"}}]"#;
//! match decode::<serde_json::Value>(&headers, body).unwrap() {
//!     EventGridDelivery::Validation(request) => assert_eq!(request.validation_code, "512d38b6"),
//!     _ => unreachable!(),
//! }
//! ```

mod custom_input;
mod decode;
mod decode_custom;
mod deletion;
mod event;
mod headers;
mod one_pass;
pub(crate) mod validation;

use http::HeaderName;

pub use custom_input::CustomInput;
#[cfg(feature = "sonic-rs")]
pub(crate) use decode::decode_with;
pub use decode::{Delivery, EventGridDelivery, decode};
pub use decode_custom::{CustomInputDelivery, decode_custom_input};
pub use deletion::{DELETION_EVENT_TYPE, DeletionNotice};
pub use event::EventGridEvent;
pub use headers::EventGridHeaders;
pub(crate) use validation::ValidationSettings;
#[cfg(feature = "validation-get")]
pub use validation::{
    EVENT_GRID_DOMAINS, ValidationGet, ValidationGetBuilder, ValidationGetError,
    event_grid_validation_url,
};
pub use validation::{ManualValidation, VALIDATION_EVENT_TYPE, ValidationRequest};

/// The `WebHook-Request-Origin` values Event Grid sends when it delivers CloudEvents: the public
/// cloud and the sovereign clouds (protocol.md §1). Use them as the allow-list of a CloudEvents route
/// that Event Grid delivers to, so the route keeps working on government clouds:
///
/// ```
/// use webhook_runtime::{AllowedOrigins, eventgrid::EVENT_GRID_ORIGINS};
///
/// let origins = AllowedOrigins::parse(EVENT_GRID_ORIGINS).unwrap();
/// assert!(origins.grant(b"eventgrid.azure.us").is_some());
/// ```
pub const EVENT_GRID_ORIGINS: &[&str] = &[
    "eventgrid.azure.net",
    "eventgrid.azure.us",
    "eventgrid.azure.cn",
    "eventgrid.azure.eaglex.ic.gov",
    "eventgrid.azure.microsoft.scloud",
];

/// Default body limit of an Event Grid route: 2 MiB, enough for Event Grid's largest event
/// (1 MB) plus the array around it; Event Grid never retries a 413 (D9).
pub const DEFAULT_EVENTGRID_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The header naming the kind of an Event Grid delivery (parsed once, not per request).
pub(crate) const AEG_EVENT_TYPE: HeaderName = HeaderName::from_static("aeg-event-type");

/// The header naming the event subscription that delivers.
pub(crate) const AEG_SUBSCRIPTION_NAME: HeaderName =
    HeaderName::from_static("aeg-subscription-name");
