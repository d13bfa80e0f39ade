//! The `aeg-*` delivery headers, as an extractor (protocol.md §5).

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use http::HeaderMap;
use http::request::Parts;

/// The `aeg-*` headers of an Event Grid delivery, for handlers that want them:
/// add a parameter `delivery: EventGridHeaders`.
///
/// `delivery_count` is the number of earlier attempts (0 on the first), the handle for
/// at-least-once processing.
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::eventgrid::EventGridHeaders;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("aeg-subscription-name", "ORDERS".parse().unwrap());
/// headers.insert("aeg-delivery-count", "2".parse().unwrap());
/// let delivery = EventGridHeaders::from_headers(&headers);
/// assert_eq!(delivery.subscription_name.as_deref(), Some("ORDERS"));
/// assert_eq!(delivery.delivery_count, Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventGridHeaders {
    /// `aeg-event-type`: `Notification`, `SubscriptionValidation` or `SubscriptionDeletion`.
    pub event_type: Option<String>,
    /// `aeg-subscription-name` (Event Grid sends it upper-cased).
    pub subscription_name: Option<String>,
    /// `aeg-delivery-count`: earlier attempts of this delivery.
    pub delivery_count: Option<u32>,
    /// `aeg-metadata-version`.
    pub metadata_version: Option<String>,
    /// `aeg-data-version`.
    pub data_version: Option<String>,
    /// `aeg-output-event-id`.
    pub output_event_id: Option<String>,
}

impl EventGridHeaders {
    /// Reads the `aeg-*` headers; absent or non-text values are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            event_type: text("aeg-event-type"),
            subscription_name: text("aeg-subscription-name"),
            delivery_count: text("aeg-delivery-count").and_then(|v| v.trim().parse().ok()),
            metadata_version: text("aeg-metadata-version"),
            data_version: text("aeg-data-version"),
            output_event_id: text("aeg-output-event-id"),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for EventGridHeaders {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self::from_headers(&parts.headers))
    }
}
