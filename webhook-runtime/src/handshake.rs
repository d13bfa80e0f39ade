//! The CloudEvents / SAP Event Mesh OPTIONS abuse-protection handshake (protocol.md §2, D1–D5, D21).
//!
//! [`evaluate`] is a pure function of the allow-list, the configured rate and the request
//! headers; [`HandshakeAnswer`] turns into the HTTP answer.
//!
//! ```
//! use http::HeaderMap;
//! use webhook_runtime::AllowedOrigins;
//! use webhook_runtime::handshake::{evaluate, HandshakeAnswer};
//!
//! let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
//! let mut headers = HeaderMap::new();
//! headers.insert("webhook-request-origin", "eventemitter.example.com".parse().unwrap());
//! headers.insert("webhook-request-rate", "300".parse().unwrap());
//! match evaluate(&origins, std::num::NonZeroU32::new(120), &headers).unwrap() {
//!     HandshakeAnswer::Consent { allowed_origin, allowed_rate, .. } => {
//!         assert_eq!(allowed_origin, "eventemitter.example.com");
//!         assert_eq!(allowed_rate, "120");
//!     }
//!     HandshakeAnswer::NotAHandshake => unreachable!(),
//! }
//! ```

use std::num::NonZeroU32;

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};

use crate::origin::{AllowedOrigins, OriginGrant};
use crate::rejection::Rejection;

/// `WebHook-Request-Origin` (P4).
pub const WEBHOOK_REQUEST_ORIGIN: HeaderName = HeaderName::from_static("webhook-request-origin");
/// `WebHook-Request-Rate` (P10).
pub const WEBHOOK_REQUEST_RATE: HeaderName = HeaderName::from_static("webhook-request-rate");
/// `WebHook-Request-Callback` (P6).
pub const WEBHOOK_REQUEST_CALLBACK: HeaderName =
    HeaderName::from_static("webhook-request-callback");
/// `WebHook-Allowed-Origin` (P11, P14).
pub const WEBHOOK_ALLOWED_ORIGIN: HeaderName = HeaderName::from_static("webhook-allowed-origin");
/// `WebHook-Allowed-Rate` (P15).
pub const WEBHOOK_ALLOWED_RATE: HeaderName = HeaderName::from_static("webhook-allowed-rate");

/// The `Allow` value of a webhook route (P13).
pub const ALLOW: HeaderValue = HeaderValue::from_static("OPTIONS, POST");

/// The outcome of an OPTIONS request that passed every check.
///
/// ```
/// use webhook_runtime::AllowedOrigins;
/// use webhook_runtime::handshake::{HandshakeAnswer, evaluate};
///
/// let origins = AllowedOrigins::parse(["*"]).unwrap();
/// // A plain OPTIONS request, e.g. a CORS preflight or a probe.
/// let answer = evaluate(&origins, None, &http::HeaderMap::new()).unwrap();
/// assert_eq!(answer, HandshakeAnswer::NotAHandshake);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeAnswer {
    /// No `WebHook-Request-Origin`: not a handshake (D2). Answered 204 with `Allow` only.
    NotAHandshake,
    /// Consent (P11/P14): answered 200 with the consent headers (D1).
    Consent {
        /// The value of `WebHook-Allowed-Origin`: the request's own bytes, or `*`.
        allowed_origin: HeaderValue,
        /// The value of `WebHook-Allowed-Rate`: a number or `*` (D4).
        allowed_rate: HeaderValue,
        /// `WebHook-Request-Callback`, when sent and made of visible ASCII (never fetched, D5).
        callback: Option<HeaderValue>,
    },
}

/// A `WebHook-Request-Callback` offered in a granted handshake, handed to the hook of
/// [`CloudEventsConfig::on_callback`](crate::CloudEventsConfig::on_callback).
///
/// ```
/// use webhook_runtime::CloudEventsConfig;
/// use webhook_runtime::handshake::CallbackOffer;
///
/// // Record the offer for an operator to confirm by hand; never fetch it from here.
/// let config = CloudEventsConfig::new().on_callback(|offer: &CallbackOffer<'_>| {
///     tracing::info!(origin = offer.origin, callback = offer.callback, "handshake callback offered");
/// });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CallbackOffer<'a> {
    /// The requesting origin, as sent.
    pub origin: &'a str,
    /// The callback URL, as sent. Never fetched by the runtime.
    pub callback: &'a str,
}

/// Evaluates a handshake request against the allow-list and the configured rate.
///
/// Checks run in the order of D1 (authentication, which comes first, is applied by the route):
/// several `WebHook-Request-Origin` headers (400), origin not allowed (403), invalid
/// `WebHook-Request-Rate` (400), then consent.
///
/// ```
/// use std::num::NonZeroU32;
/// use http::{HeaderMap, StatusCode};
/// use webhook_runtime::AllowedOrigins;
/// use webhook_runtime::handshake::{WEBHOOK_REQUEST_ORIGIN, evaluate};
///
/// let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert(WEBHOOK_REQUEST_ORIGIN, "intruder.example.com".parse().unwrap());
/// let refused = evaluate(&origins, NonZeroU32::new(120), &headers).unwrap_err();
/// assert_eq!(refused.status(), StatusCode::FORBIDDEN);
/// ```
pub fn evaluate(
    origins: &AllowedOrigins,
    rate: Option<NonZeroU32>,
    headers: &HeaderMap,
) -> Result<HandshakeAnswer, Rejection> {
    let rate = rate.map(|r| (r, HeaderValue::from(r.get())));
    evaluate_with(origins, rate.as_ref(), headers)
}

/// [`evaluate`], given the configured rate with its header value.
fn evaluate_with(
    origins: &AllowedOrigins,
    rate: Option<&(NonZeroU32, HeaderValue)>,
    headers: &HeaderMap,
) -> Result<HandshakeAnswer, Rejection> {
    let request = HandshakeHeaders::read(headers);
    let Some(origin) = request.origin.first else {
        return Ok(HandshakeAnswer::NotAHandshake);
    };
    if request.origin.repeated {
        return Err(Rejection::bad_request(
            "several WebHook-Request-Origin headers: send exactly one",
        ));
    }
    let allowed_origin = match origins.grant(origin.as_bytes()) {
        Some(OriginGrant::Echo) => origin.clone(),
        Some(OriginGrant::Wildcard) => HeaderValue::from_static("*"),
        None => {
            return Err(Rejection::forbidden(
                "WebHook-Request-Origin is not allowed to deliver to this endpoint",
            ));
        }
    };
    let requested = requested_rate(request.rate)?;
    let allowed_rate = match (rate, requested) {
        (Some((r, _)), Some(q)) if q < *r => HeaderValue::from(q.get()),
        (Some((_, value)), _) => value.clone(),
        (None, _) => HeaderValue::from_static("*"),
    };
    let callback = request
        .callback
        .first
        .filter(|v| webhook_core::is_visible_ascii(v.as_bytes()))
        .cloned();
    Ok(HandshakeAnswer::Consent {
        allowed_origin,
        allowed_rate,
        callback,
    })
}

/// The first value of a request header, and whether it came more than once.
#[derive(Default, Clone, Copy)]
struct Sent<'a> {
    first: Option<&'a HeaderValue>,
    repeated: bool,
}

impl<'a> Sent<'a> {
    fn push(&mut self, value: &'a HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.repeated = true;
        }
    }
}

/// The handshake's request headers, read in one pass over the map: hashing each of the three
/// custom names to look it up costs more than comparing the names of a request's few headers.
#[derive(Default)]
struct HandshakeHeaders<'a> {
    origin: Sent<'a>,
    rate: Sent<'a>,
    callback: Sent<'a>,
}

impl<'a> HandshakeHeaders<'a> {
    fn read(headers: &'a HeaderMap) -> Self {
        let mut read = Self::default();
        for (name, value) in headers {
            if *name == WEBHOOK_REQUEST_ORIGIN {
                read.origin.push(value);
            } else if *name == WEBHOOK_REQUEST_RATE {
                read.rate.push(value);
            } else if *name == WEBHOOK_REQUEST_CALLBACK {
                read.callback.push(value);
            }
        }
        read
    }
}

/// Parses `WebHook-Request-Rate` (D21): ASCII digits only, 1 to 2^32−1, at most one header.
fn requested_rate(sent: Sent<'_>) -> Result<Option<NonZeroU32>, Rejection> {
    let Some(value) = sent.first else {
        return Ok(None);
    };
    let invalid = || {
        Rejection::bad_request(
            "WebHook-Request-Rate must be one positive integer (requests per minute, at most 4294967295)",
        )
    };
    if sent.repeated {
        return Err(invalid());
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return Err(invalid());
    }
    // Digits only: no sign, no space; leading zeros are allowed, as `u32`'s parser allows them.
    let mut rate: u32 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return Err(invalid());
        }
        rate = rate
            .checked_mul(10)
            .and_then(|r| r.checked_add(u32::from(b - b'0')))
            .ok_or_else(invalid)?;
    }
    NonZeroU32::new(rate).map(Some).ok_or_else(invalid)
}

impl IntoResponse for HandshakeAnswer {
    fn into_response(self) -> Response {
        self.respond(|| consent_headers(HeaderValue::from_static("*")))
    }
}

impl HandshakeAnswer {
    /// The answer; a consent sets its values in the map `consent` makes ([`consent_headers`]).
    fn respond(self, consent: impl FnOnce() -> HeaderMap) -> Response {
        let (status, headers) = match self {
            HandshakeAnswer::NotAHandshake => {
                let mut headers = HeaderMap::new();
                headers.insert(header::ALLOW, ALLOW);
                (StatusCode::NO_CONTENT, headers)
            }
            HandshakeAnswer::Consent {
                allowed_origin,
                allowed_rate,
                ..
            } => {
                // Setting the values in place rather than inserting them saves hashing the
                // names and probing the map for each.
                let mut consent = consent();
                let mut origin = Some(allowed_origin);
                let mut rate = Some(allowed_rate);
                for (name, value) in consent.iter_mut() {
                    let slot = if name == WEBHOOK_ALLOWED_ORIGIN {
                        &mut origin
                    } else if name == WEBHOOK_ALLOWED_RATE {
                        &mut rate
                    } else {
                        continue;
                    };
                    if let Some(set) = slot.take() {
                        *value = set;
                    }
                }
                (StatusCode::OK, consent)
            }
        };
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }
}

/// A consent's headers (P11, P13, P15), the origin to be set and the rate `rate`, and the
/// empty body's `Content-Length` (which axum would otherwise add, growing a cloned map).
fn consent_headers(rate: HeaderValue) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::ALLOW, ALLOW);
    headers.insert(WEBHOOK_ALLOWED_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(WEBHOOK_ALLOWED_RATE, rate);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    headers
}

/// How a route answers handshakes, made when the route is built: the configured rate's header
/// value and a consent's header map, which each consent clones and sets (rather than formatting
/// the rate and inserting three headers).
#[derive(Debug, Clone)]
pub(crate) struct Responder {
    /// The configured rate and its header value.
    rate: Option<(NonZeroU32, HeaderValue)>,
    consent: HeaderMap,
}

impl Responder {
    pub(crate) fn new(rate: Option<NonZeroU32>) -> Self {
        let rate = rate.map(|r| (r, HeaderValue::from(r.get())));
        let consent = consent_headers(
            rate.as_ref()
                .map_or_else(|| HeaderValue::from_static("*"), |(_, value)| value.clone()),
        );
        Self { rate, consent }
    }

    /// [`evaluate`] with this route's rate.
    pub(crate) fn evaluate(
        &self,
        origins: &AllowedOrigins,
        headers: &HeaderMap,
    ) -> Result<HandshakeAnswer, Rejection> {
        evaluate_with(origins, self.rate.as_ref(), headers)
    }

    /// The HTTP answer, as [`HandshakeAnswer::into_response`] makes it.
    pub(crate) fn respond(&self, answer: HandshakeAnswer) -> Response {
        answer.respond(|| self.consent.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    fn consent(answer: HandshakeAnswer) -> (HeaderValue, HeaderValue) {
        match answer {
            HandshakeAnswer::Consent {
                allowed_origin,
                allowed_rate,
                ..
            } => (allowed_origin, allowed_rate),
            other => panic!("expected consent, got {other:?}"),
        }
    }

    #[test]
    fn d4_rate_grant_table() {
        let origins = AllowedOrigins::any();
        let r = NonZeroU32::new(120);
        let cases = [
            (r, Some("300"), "120"),
            (r, Some("60"), "60"),
            (r, None, "120"),
            (None, Some("60"), "*"),
            (None, None, "*"),
        ];
        for (configured, requested, expected) in cases {
            let mut pairs = vec![("webhook-request-origin", "a.example.com")];
            if let Some(q) = requested {
                pairs.push(("webhook-request-rate", q));
            }
            let (_, rate) = consent(evaluate(&origins, configured, &headers(&pairs)).unwrap());
            assert_eq!(
                rate, expected,
                "configured {configured:?}, requested {requested:?}"
            );
        }
    }

    #[test]
    fn d21_invalid_rates_are_400() {
        let origins = AllowedOrigins::any();
        for bad in ["0", "-1", "1.5", "+5", " 5", "4294967296", "abc", ""] {
            let h = headers(&[
                ("webhook-request-origin", "a.example.com"),
                ("webhook-request-rate", bad),
            ]);
            let err = evaluate(&origins, None, &h).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        }
        let h = headers(&[
            ("webhook-request-origin", "a.example.com"),
            ("webhook-request-rate", "4294967295"),
        ]);
        assert!(evaluate(&origins, None, &h).is_ok());
    }

    /// The digit loop reads a rate as `u32`'s parser does, leading zeros and overflow included.
    #[test]
    fn d21_rate_is_read_as_u32_s_parser_reads_digits() {
        let origins = AllowedOrigins::any();
        let most = NonZeroU32::new(u32::MAX);
        for sent in [
            "1",
            "0001",
            "60",
            "4294967295",
            "04294967295",
            "4294967296",
            "42949672950",
            "99999999999",
            "18446744073709551616",
            "0",
            "000",
            "1 ",
            "1_0",
        ] {
            let h = headers(&[
                ("webhook-request-origin", "a.example.com"),
                ("webhook-request-rate", sent),
            ]);
            let expected = sent
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| sent.parse::<NonZeroU32>().ok())
                .flatten();
            match (evaluate(&origins, most, &h), expected) {
                (Ok(answer), Some(rate)) => {
                    assert_eq!(consent(answer).1, rate.to_string().as_str(), "{sent:?}")
                }
                (Err(err), None) => assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{sent:?}"),
                (answer, expected) => panic!("{sent:?}: {answer:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn d1_origin_is_checked_before_rate() {
        let origins = AllowedOrigins::parse(["a.example.com"]).unwrap();
        let h = headers(&[
            ("webhook-request-origin", "b.example.com"),
            ("webhook-request-rate", "x"),
        ]);
        assert_eq!(
            evaluate(&origins, None, &h).unwrap_err().status(),
            StatusCode::FORBIDDEN
        );
    }

    /// A repeated `WebHook-Request-Origin` or `WebHook-Request-Rate` is refused (D21).
    #[test]
    fn d21_several_origin_or_rate_headers_are_400() {
        let origins = AllowedOrigins::any();
        for pairs in [
            [
                ("webhook-request-origin", "a.example.com"),
                ("webhook-request-origin", "b.example.com"),
            ]
            .as_slice(),
            &[
                ("webhook-request-origin", "a.example.com"),
                ("webhook-request-rate", "60"),
                ("webhook-request-rate", "60"),
            ],
        ] {
            assert_eq!(
                evaluate(&origins, None, &headers(pairs))
                    .unwrap_err()
                    .status(),
                StatusCode::BAD_REQUEST,
                "{pairs:?}"
            );
        }
    }

    /// The callback offered is the first one sent, among the request's other headers.
    #[test]
    fn p6_callback_is_the_first_sent() {
        let h = headers(&[
            ("host", "hooks.example.com"),
            ("webhook-request-callback", "https://a.example.com/ok?x=1"),
            ("webhook-request-origin", "a.example.com"),
            ("x-forwarded-for", "10.0.0.1"),
            ("webhook-request-callback", "https://b.example.com/"),
        ]);
        let origins = AllowedOrigins::parse(["a.example.com"]).unwrap();
        match evaluate(&origins, None, &h).unwrap() {
            HandshakeAnswer::Consent {
                allowed_origin,
                callback,
                ..
            } => {
                assert_eq!(allowed_origin, "a.example.com");
                assert_eq!(callback.unwrap(), "https://a.example.com/ok?x=1");
            }
            other => panic!("expected consent, got {other:?}"),
        }
    }

    #[test]
    fn p14_echo_keeps_request_bytes() {
        let origins = AllowedOrigins::parse(["eventemitter.example.com"]).unwrap();
        let h = headers(&[("webhook-request-origin", "EventEmitter.Example.com")]);
        let (origin, _) = consent(evaluate(&origins, None, &h).unwrap());
        assert_eq!(origin, "EventEmitter.Example.com");
    }

    /// A route's [`Responder`] (rate formatted once, consent map cloned and set) answers as
    /// [`evaluate`] and [`HandshakeAnswer::into_response`] do.
    #[test]
    fn p11_p15_d4_route_responder_answers_as_into_response() {
        let origins = AllowedOrigins::parse(["a.example.com"]).unwrap();
        for configured in [None, NonZeroU32::new(120)] {
            let responder = Responder::new(configured);
            for requested in [None, Some("60"), Some("120"), Some("300"), Some("x")] {
                for origin in [None, Some("A.example.com"), Some("b.example.com")] {
                    let mut pairs = Vec::new();
                    pairs.extend(origin.map(|o| ("webhook-request-origin", o)));
                    pairs.extend(requested.map(|q| ("webhook-request-rate", q)));
                    let h = headers(&pairs);
                    let expected = evaluate(&origins, configured, &h);
                    let answer = responder.evaluate(&origins, &h);
                    assert_eq!(answer, expected, "{configured:?} {pairs:?}");
                    let (Ok(answer), Ok(expected)) = (answer, expected) else {
                        continue;
                    };
                    let ours = responder.respond(answer);
                    let theirs = expected.into_response();
                    assert_eq!(ours.status(), theirs.status(), "{configured:?} {pairs:?}");
                    assert_eq!(ours.headers(), theirs.headers(), "{configured:?} {pairs:?}");
                    if let Some(origin) = origin.filter(|_| ours.status() == StatusCode::OK) {
                        assert_eq!(ours.headers()[WEBHOOK_ALLOWED_ORIGIN], origin);
                        let rate = ours.headers()[WEBHOOK_ALLOWED_RATE].to_str().unwrap();
                        match (configured, requested) {
                            (None, _) => assert_eq!(rate, "*"),
                            (Some(_), Some("60")) => assert_eq!(rate, "60"),
                            (Some(_), _) => assert_eq!(rate, "120"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn d2_no_origin_is_not_a_handshake() {
        let answer = evaluate(&AllowedOrigins::any(), None, &HeaderMap::new()).unwrap();
        assert_eq!(answer, HandshakeAnswer::NotAHandshake);
    }
}
