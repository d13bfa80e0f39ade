//! Event Grid subscription validation, every way it is answered (protocol.md §3, D14): the validation
//! event's data, the synchronous answer (200 with the code), the application's manual hook, the
//! runtime's own GET of `validationUrl` (feature `validation-get`, in [`get`]), and the validation
//! event that Event Grid sends as a CloudEvent.
//!
//! Validation runs once per subscription, so this module is written for clarity, not speed.

#[cfg(feature = "validation-get")]
mod get;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

#[cfg(feature = "validation-get")]
pub use get::event_grid_validation_url;
#[cfg(feature = "validation-get")]
pub use get::{EVENT_GRID_DOMAINS, ValidationGet, ValidationGetBuilder, ValidationGetError};

use super::EVENT_GRID_ORIGINS;
use crate::origin::AllowedOrigins;
use crate::rejection::Rejection;

/// `eventType` of the subscription validation event.
pub const VALIDATION_EVENT_TYPE: &str = "Microsoft.EventGrid.SubscriptionValidationEvent";

/// A subscription validation event's data. Its `Debug` output hides the code and the URL (which
/// carries the code too): they prove ownership of the endpoint and never reach a log (D15).
///
/// ```
/// use webhook_runtime::eventgrid::ValidationRequest;
///
/// let request: ValidationRequest = serde_json::from_str(r#"{"validationCode":"512d38b6"}"#).unwrap();
/// assert_eq!(request.validation_code, "512d38b6");
/// // The code proves ownership of the endpoint: it stays out of logs.
/// assert!(!format!("{request:?}").contains("512d38b6"));
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationRequest {
    /// The code to echo back in `validationResponse`.
    pub validation_code: String,
    /// The URL a manual validation GETs (API 2018-05-01-preview and later).
    #[serde(default)]
    pub validation_url: Option<String>,
}

impl std::fmt::Debug for ValidationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidationRequest")
            .field("validation_code", &"<redacted>")
            .field(
                "validation_url",
                &self.validation_url.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The body of the synchronous answer: `{"validationResponse":"<code>"}`, property name in
/// camelCase as Event Grid reads it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidationResponse<'a> {
    validation_response: &'a str,
}

impl ValidationRequest {
    /// The synchronous answer (protocol.md §3): **200** with `{"validationResponse": "<code>"}` (202
    /// would fail the validation).
    ///
    /// ```
    /// use webhook_runtime::eventgrid::ValidationRequest;
    ///
    /// let request = ValidationRequest { validation_code: "512d38b6".into(), validation_url: None };
    /// let response = request.respond();
    /// assert_eq!(response.status(), http::StatusCode::OK);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// ```
    pub fn respond(&self) -> Response {
        let body = serde_json::to_vec(&ValidationResponse {
            validation_response: &self.validation_code,
        })
        .unwrap_or_default();
        let mut response = Response::new(axum::body::Body::from(body));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }

    /// Reads the data of a validation event: an object, or a JSON string holding one (how Event
    /// Grid sends it inside a CloudEvent to Azure Function-style destinations, protocol.md §3).
    pub(crate) fn from_data(raw: &[u8]) -> Result<Self, Rejection> {
        let invalid = |e: serde_json::Error| {
            Rejection::bad_request(format!("invalid subscription validation data: {e}"))
        };
        if raw.trim_ascii_start().first() == Some(&b'"') {
            let inner: String = serde_json::from_slice(raw).map_err(invalid)?;
            serde_json::from_str(&inner).map_err(invalid)
        } else {
            serde_json::from_slice(raw).map_err(invalid)
        }
    }
}

/// An Event Grid subscription validation left to the application (see
/// [`EventGridConfig::on_manual_validation`](crate::EventGridConfig::on_manual_validation)).
///
/// ```
/// use webhook_runtime::EventGridConfig;
/// use webhook_runtime::eventgrid::ManualValidation;
///
/// // Hand the URL to an operator, who opens it once the subscription is confirmed as expected.
/// let config = EventGridConfig::new().on_manual_validation(|validation: &ManualValidation<'_>| {
///     let name = validation.subscription_name.unwrap_or("?");
///     let url = validation.request.validation_url.as_deref().unwrap_or("");
///     # let _ = (name, url);
/// });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ManualValidation<'a> {
    /// The `aeg-subscription-name` of the request, as sent.
    pub subscription_name: Option<&'a str>,
    /// The validation event's data: its code and `validationUrl`.
    pub request: &'a ValidationRequest,
}

/// The application's manual-validation hook.
pub(crate) type ManualValidationHook = Arc<dyn Fn(&ManualValidation<'_>) + Send + Sync>;

/// How a route answers a validation beyond the synchronous answer: the application's hook, and
/// the runtime's own GET (feature `validation-get`).
#[derive(Clone, Default)]
pub(crate) struct ValidationSettings {
    pub(crate) on_manual_validation: Option<ManualValidationHook>,
    #[cfg(feature = "validation-get")]
    pub(crate) get: Option<ValidationGet>,
}

/// Answers a subscription validation on an Event Grid schema route: by the runtime's own GET
/// (feature `validation-get`), by the application's hook (an empty 200), or synchronously with
/// the code. `lists_subscriptions`: whether the route names the subscriptions it expects, which
/// the GET requires (protocol.md §3: only for an expected subscription).
#[cfg_attr(not(feature = "validation-get"), expect(unused_variables))]
pub(crate) fn answer(
    settings: &ValidationSettings,
    request: &ValidationRequest,
    subscription: Option<&str>,
    lists_subscriptions: bool,
) -> Response {
    if let Some(hook) = &settings.on_manual_validation {
        hook(&ManualValidation {
            subscription_name: subscription,
            request,
        });
    }
    #[cfg(feature = "validation-get")]
    if let Some(client) = &settings.get {
        return get::answer(client, request, lists_subscriptions);
    }
    if settings.on_manual_validation.is_some() {
        StatusCode::OK.into_response()
    } else {
        request.respond()
    }
}

/// Answers a validation event that Event Grid sent as a CloudEvent (to a CloudEvents schema
/// route): only a route whose allow-list admits Event Grid as a sender echoes the code.
pub(crate) fn answer_cloudevent(origins: &AllowedOrigins, request: &ValidationRequest) -> Response {
    if EVENT_GRID_ORIGINS
        .iter()
        .any(|o| origins.grant(o.as_bytes()).is_some())
    {
        request.respond()
    } else {
        Rejection::forbidden(
            "an Event Grid validation event, but Event Grid is not an allowed origin of this endpoint",
        )
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer is the JSON object Event Grid reads, with the code escaped as JSON needs.
    #[test]
    fn s3_validation_answer_is_a_camel_case_json_object() {
        for code in [
            "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
            "",
            "a\"b",
            "a\\b",
            "line\n",
            "caf\u{e9}",
        ] {
            let request = ValidationRequest {
                validation_code: code.to_owned(),
                validation_url: None,
            };
            let response = request.respond();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            let body = futures_util::FutureExt::now_or_never(axum::body::to_bytes(
                response.into_body(),
                usize::MAX,
            ))
            .expect("a full body")
            .unwrap();
            let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(answer, serde_json::json!({ "validationResponse": code }));
        }
    }

    #[test]
    fn validation_data_as_a_json_string() {
        let raw = br#""{\"validationCode\":\"abc\"}""#;
        assert_eq!(
            ValidationRequest::from_data(raw).unwrap().validation_code,
            "abc"
        );
    }
}
