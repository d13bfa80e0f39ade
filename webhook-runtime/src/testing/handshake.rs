//! The sender's side of the OPTIONS abuse-protection handshake (protocol.md §2): the request, and the
//! verdict on the answer.
//!
//! Consent is exactly the answer's `WebHook-Allowed-Origin` equal to the requested origin byte
//! for byte, or `*` (P11, P14); the status code says nothing (P12).

use http::{HeaderMap, HeaderValue, header};

use super::exchange::ReceivedAnswer;
use super::verdict::{Failure, HandshakeStatus, Violation};
use crate::handshake::{
    WEBHOOK_ALLOWED_ORIGIN, WEBHOOK_ALLOWED_RATE, WEBHOOK_REQUEST_CALLBACK, WEBHOOK_REQUEST_ORIGIN,
    WEBHOOK_REQUEST_RATE,
};

/// The headers of a handshake request (authorization is added by the sender).
///
/// # Panics
///
/// If the origin or the callback is not a valid header value (a test's own mistake).
pub(crate) fn request_headers(
    origin: &str,
    rate: Option<u32>,
    callback: Option<&str>,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(WEBHOOK_REQUEST_ORIGIN, header_value(origin, "origin"));
    if let Some(rate) = rate {
        headers.insert(WEBHOOK_REQUEST_RATE, HeaderValue::from(rate));
    }
    if let Some(callback) = callback {
        headers.insert(WEBHOOK_REQUEST_CALLBACK, header_value(callback, "callback"));
    }
    headers
}

pub(crate) fn header_value(value: &str, what: &str) -> HeaderValue {
    HeaderValue::from_str(value)
        .unwrap_or_else(|_| panic!("the {what} {value:?} cannot be sent as a header value"))
}

/// The sender's verdict on a handshake answer, with the violations seen on a consent.
pub(crate) fn judge(
    origin: &str,
    rate_requested: bool,
    answer: &ReceivedAnswer,
) -> (HandshakeStatus, Vec<Violation>) {
    let allowed: Vec<&HeaderValue> = answer
        .headers
        .get_all(WEBHOOK_ALLOWED_ORIGIN)
        .iter()
        .collect();
    match allowed.as_slice() {
        [] => (
            HandshakeStatus::Failed(redirect_failure(answer).unwrap_or(Failure::NoConsent {
                status: answer.status,
            })),
            Vec::new(),
        ),
        [value] if value.as_bytes() == origin.as_bytes() || value.as_bytes() == b"*" => (
            HandshakeStatus::Completed,
            consent_violations(rate_requested, &answer.headers),
        ),
        values => (
            HandshakeStatus::Failed(Failure::OriginMismatch {
                requested: origin.to_owned(),
                allowed: values
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            Vec::new(),
        ),
    }
}

/// P15 (`WebHook-Allowed-Rate`) and P13 (`Allow` lists POST) on a consent.
fn consent_violations(rate_requested: bool, headers: &HeaderMap) -> Vec<Violation> {
    let mut violations = Vec::new();
    match headers.get(WEBHOOK_ALLOWED_RATE) {
        None if rate_requested => violations.push(Violation::MissingAllowedRate),
        None => {}
        Some(value) => {
            let valid = value.as_bytes() == b"*"
                || (!value.is_empty()
                    && value.as_bytes().iter().all(u8::is_ascii_digit)
                    && value.as_bytes().iter().any(|&b| b != b'0'));
            if !valid {
                violations.push(Violation::InvalidAllowedRate(
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                ));
            }
        }
    }
    let allows_post = headers.get_all(header::ALLOW).iter().any(|value| {
        value
            .as_bytes()
            .split(|&b| b == b',')
            .any(|method| method.trim_ascii().eq_ignore_ascii_case(b"POST"))
    });
    if !allows_post {
        violations.push(Violation::AllowWithoutPost);
    }
    violations
}

/// The failure of a redirect answer (never followed), when the answer is one.
pub(crate) fn redirect_failure(answer: &ReceivedAnswer) -> Option<Failure> {
    answer.status.is_redirection().then(|| Failure::Redirected {
        status: answer.status,
        location: answer.header("location").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::StatusCode;

    fn answer(status: u16, headers: &[(&str, &str)]) -> ReceivedAnswer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        ReceivedAnswer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::new(),
        }
    }

    #[test]
    fn p14_consent_is_the_exact_origin_or_a_star() {
        let full = [("allow", "OPTIONS, POST"), ("webhook-allowed-rate", "*")];
        for allowed in ["Emitter.Example.com", "*"] {
            let mut headers = full.to_vec();
            headers.push(("webhook-allowed-origin", allowed));
            let (status, violations) = judge("Emitter.Example.com", false, &answer(200, &headers));
            assert_eq!(status, HandshakeStatus::Completed, "{allowed}");
            assert!(violations.is_empty(), "{violations:?}");
        }
        let (status, _) = judge(
            "Emitter.Example.com",
            false,
            &answer(200, &[("webhook-allowed-origin", "emitter.example.com")]),
        );
        assert!(matches!(
            status,
            HandshakeStatus::Failed(Failure::OriginMismatch { .. })
        ));
    }

    #[test]
    fn p12_status_is_not_consent() {
        let (status, _) = judge("a.example.com", false, &answer(200, &[]));
        assert_eq!(
            status,
            HandshakeStatus::Failed(Failure::NoConsent {
                status: StatusCode::OK
            })
        );
        let (status, _) = judge(
            "a.example.com",
            false,
            &answer(403, &[("webhook-allowed-origin", "a.example.com")]),
        );
        assert_eq!(status, HandshakeStatus::Completed);
    }

    #[test]
    fn p15_p13_violations_on_consent() {
        let (_, violations) = judge(
            "a.example.com",
            true,
            &answer(200, &[("webhook-allowed-origin", "*")]),
        );
        assert_eq!(
            violations,
            [Violation::MissingAllowedRate, Violation::AllowWithoutPost]
        );
        let (_, violations) = judge(
            "a.example.com",
            false,
            &answer(
                200,
                &[
                    ("webhook-allowed-origin", "*"),
                    ("webhook-allowed-rate", "0"),
                    ("allow", "post"),
                ],
            ),
        );
        assert_eq!(violations, [Violation::InvalidAllowedRate("0".to_owned())]);
    }
}
