//! What the server refuses of a request's framing itself, before the application: a missing or
//! doubled `Host`, and transfer codings it does not understand (RFC 9112).

use http::header;

use crate::rejection::Rejection;

/// What the server refuses of a request's framing before the application sees it, where hyper
/// lets it through: a Host header missing from an HTTP/1.1 request, or sent twice (400, RFC 9112
/// §3.2: the server MUST answer 400), and a transfer coding other than `chunked` alone (501, RFC
/// 9112 §6.1: hyper reads `gzip, chunked` as plain chunked, so the application would get a
/// compressed body as if it were the content).
pub(super) fn framing_refusal<B>(request: &http::Request<B>) -> Option<Rejection> {
    let hosts = request.headers().get_all(header::HOST).iter().count();
    if hosts > 1 || (hosts == 0 && request.version() == http::Version::HTTP_11) {
        return Some(Rejection::bad_request(
            "an HTTP/1.1 request carries exactly one Host header",
        ));
    }
    let mut codings = request
        .headers()
        .get_all(header::TRANSFER_ENCODING)
        .iter()
        .flat_map(|value| value.as_bytes().split(|b| *b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|coding| !coding.is_empty());
    let chunked_alone = match (codings.next(), codings.next()) {
        (None, _) => true,
        (Some(coding), None) => coding.eq_ignore_ascii_case(b"chunked"),
        _ => false,
    };
    if !chunked_alone {
        return Some(Rejection::new(
            http::StatusCode::NOT_IMPLEMENTED,
            "only the chunked transfer coding is understood",
        ));
    }
    None
}
