//! The answer the runtime gives when it refuses a request before the handler runs.

use std::borrow::Cow;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// A refusal: a 4xx status and a one-line, plain-text reason naming the rule or attribute.
///
/// Every request the runtime turns away gets one of these; the handler is not called.
///
/// A reason is bounded, as it is sent back and logged: a quoted run (between `"` or backticks)
/// longer than 64 bytes is cut to its first 64 (at a character boundary) and marked `…`, and the
/// whole reason is cut to 512 bytes the same way; so text a request sends is never echoed whole.
///
/// ```
/// use webhook_runtime::Rejection;
/// use axum::response::IntoResponse;
///
/// let rejection = Rejection::bad_request("missing required attribute `id`");
/// assert_eq!(rejection.status(), 400);
/// let response = rejection.into_response();
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: StatusCode,
    reason: Cow<'static, str>,
    retry_after: Option<u64>,
    /// The request's body was not read to its end: the connection cannot carry another request.
    unread_body: bool,
}

impl Rejection {
    /// A rejection with any status and reason.
    pub fn new(status: StatusCode, reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            reason: bounded_reason(reason.into()),
            retry_after: None,
            unread_body: false,
        }
    }

    /// Adds `Retry-After: <seconds>` to the answer (429 and 503 carry it, W11).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Marks a refusal made before the request's body was read to its end: the answer carries
    /// `Connection: close`, so a client does not send its next request on a connection the
    /// server closes (hyper does not reuse a connection whose body was left unread).
    pub(crate) fn unread_body(mut self) -> Self {
        self.unread_body = true;
        self
    }

    /// The `Retry-After` seconds, if any.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// 400: the request is malformed; retrying the same request cannot help.
    pub fn bad_request(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    /// 403: the sender is not allowed (an origin outside the allow-list).
    pub fn forbidden(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, reason)
    }

    /// 413: the body is larger than the route's limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than this endpoint's limit of {limit} bytes"),
        )
    }

    /// 415: the body is not in a format this route understands (W12).
    pub fn unsupported_media_type(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, reason)
    }

    /// The status code of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The one-line reason sent as the body.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Prefixes the reason with the position of the offending event in a batch.
    pub(crate) fn in_event(self, index: usize) -> Self {
        Self {
            reason: bounded_reason(format!("event {index}: {}", self.reason).into()),
            ..self
        }
    }
}

/// The most bytes of a value from the request that a reason quotes (or a span field records).
pub(crate) const QUOTE_LIMIT: usize = 64;

/// The most bytes of a reason.
pub(crate) const REASON_LIMIT: usize = 512;

/// What marks a value that was cut.
const ELLIPSIS: char = '…';

/// The first `limit` bytes of `value` or fewer, cut at a character boundary, and whether
/// anything was left out.
fn prefix(value: &str, limit: usize) -> (&str, bool) {
    if value.len() <= limit {
        return (value, false);
    }
    // A UTF-8 character is at most 4 bytes, so a boundary is among the last four offsets.
    // (`str::floor_char_boundary` does this from Rust 1.91, above the crate's rust-version.)
    let end = (limit.saturating_sub(3)..=limit)
        .rev()
        .find(|&end| value.is_char_boundary(end))
        .unwrap_or(0);
    (&value[..end], true)
}

/// A value from the request, as a reason quotes it: between backticks, at most its first
/// [`QUOTE_LIMIT`] bytes, followed by `…` when it was cut.
pub(crate) fn quoted(value: &str) -> Quoted<'_> {
    let (shown, cut) = prefix(value, QUOTE_LIMIT);
    Quoted { shown, cut }
}

/// See [`quoted`].
pub(crate) struct Quoted<'a> {
    shown: &'a str,
    cut: bool,
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`")?;
        f.write_str(self.shown)?;
        if self.cut {
            write!(f, "{ELLIPSIS}")?;
        }
        f.write_str("`")
    }
}

/// A value from the request as a span field records it: at most its first [`QUOTE_LIMIT`]
/// bytes, followed by `…` when it was cut.
pub(crate) fn bounded(value: &str) -> Cow<'_, str> {
    match prefix(value, QUOTE_LIMIT) {
        (whole, false) => Cow::Borrowed(whole),
        (shown, true) => Cow::Owned(format!("{shown}{ELLIPSIS}")),
    }
}

/// A reason as [`Rejection`] keeps it: every quoted run (between `"` or backticks, as our own
/// messages and serde's quote values) cut to [`QUOTE_LIMIT`] bytes, then the whole to
/// [`REASON_LIMIT`] bytes, each cut marked `…`. A reason that needs neither is kept as it is.
fn bounded_reason(reason: Cow<'static, str>) -> Cow<'static, str> {
    let long_run = |(start, end): (usize, usize)| end - start > QUOTE_LIMIT;
    if reason.len() <= REASON_LIMIT && !quoted_runs(&reason).any(long_run) {
        return reason;
    }
    let mut out = String::with_capacity(reason.len().min(REASON_LIMIT + 8));
    let mut copied = 0;
    for (start, end) in quoted_runs(&reason) {
        let (shown, cut) = prefix(&reason[start..end], QUOTE_LIMIT);
        out.push_str(&reason[copied..start]);
        out.push_str(shown);
        if cut {
            out.push(ELLIPSIS);
        }
        copied = end;
    }
    out.push_str(&reason[copied..]);
    let (shown, cut) = prefix(&out, REASON_LIMIT);
    if cut {
        let mut whole = shown.to_owned();
        whole.push(ELLIPSIS);
        return Cow::Owned(whole);
    }
    Cow::Owned(out)
}

/// The byte ranges of the quoted runs of `reason`, delimiters excluded: each `"` or backtick
/// opens a run that the next matching delimiter closes (a run left open ends with the reason).
fn quoted_runs(reason: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let open = at + reason.get(at..)?.find(['"', '`'])?;
        let delimiter = reason.as_bytes()[open];
        let start = open + 1;
        let end = closing(&reason[start..], delimiter).map_or(reason.len(), |close| start + close);
        at = end + 1;
        Some((start, end))
    })
}

/// Where the run that `delimiter` opened ends in `rest`: the next backtick, or the next `"` not
/// escaped by a `\` (serde quotes strings with Rust's escapes).
fn closing(rest: &str, delimiter: u8) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if delimiter == b'"' => i += 2,
            b if b == delimiter => return Some(i),
            _ => i += 1,
        }
    }
    None
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.reason)
    }
}

impl std::error::Error for Rejection {}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.status == StatusCode::NO_CONTENT {
            // Not a refusal: an event acknowledged without being handled (see `extract`).
            return crate::no_content::no_content();
        }
        // The request's span (see `route`) carries the reason to its log line.
        crate::span::request_span().record("reason", &*self.reason);
        let mut body = self.reason.into_owned();
        body.push('\n');
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        #[cfg(feature = "metrics")]
        response.extensions_mut().insert(crate::metrics::Refused);
        if self.unread_body {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_keeps_a_short_value_whole() {
        assert_eq!(quoted("1.1").to_string(), "`1.1`");
        assert_eq!(quoted("").to_string(), "``");
        let exact = "x".repeat(QUOTE_LIMIT);
        assert_eq!(quoted(&exact).to_string(), format!("`{exact}`"));
    }

    #[test]
    fn quoted_cuts_a_long_value_to_64_bytes_and_marks_it() {
        let long = "a".repeat(500_000);
        assert_eq!(
            quoted(&long).to_string(),
            format!("`{}…`", "a".repeat(QUOTE_LIMIT))
        );
    }

    /// The cut never splits a character: a 3-byte `€` that straddles byte 64 is left out whole.
    #[test]
    fn quoted_cuts_at_a_character_boundary() {
        let value = format!("{}{}", "a".repeat(62), "€".repeat(10));
        assert_eq!(quoted(&value).to_string(), format!("`{}…`", "a".repeat(62)));
        let value = "é".repeat(100);
        assert_eq!(quoted(&value).to_string(), format!("`{}…`", "é".repeat(32)));
        // A 4-byte character straddling the limit, three of its bytes before it.
        let value = format!("{}{}", "a".repeat(61), "𝄞".repeat(5));
        assert_eq!(quoted(&value).to_string(), format!("`{}…`", "a".repeat(61)));
    }

    #[test]
    fn bounded_borrows_a_short_value_and_cuts_a_long_one() {
        assert!(matches!(bounded("order-1"), Cow::Borrowed("order-1")));
        let long = "i".repeat(2 * 1024 * 1024);
        assert_eq!(bounded(&long), format!("{}…", "i".repeat(QUOTE_LIMIT)));
    }

    /// A reason made elsewhere (serde's messages quote input strings) has its quoted runs cut.
    #[test]
    fn rejection_cuts_the_quoted_runs_of_a_reason() {
        let long = "x".repeat(1000);
        let serde_like =
            format!("invalid type: string \"{long}\", expected u32 at line 1 column 1010");
        let rejection = Rejection::bad_request(serde_like);
        assert_eq!(
            rejection.reason(),
            format!(
                "invalid type: string \"{}…\", expected u32 at line 1 column 1010",
                "x".repeat(QUOTE_LIMIT)
            )
        );
        let escaped = format!("string \"a\\\"{long}\" then `{long}` end");
        assert_eq!(
            Rejection::bad_request(escaped).reason(),
            format!(
                "string \"a\\\"{}…\" then `{}…` end",
                "x".repeat(QUOTE_LIMIT - 3),
                "x".repeat(QUOTE_LIMIT)
            )
        );
        let unclosed = format!("value `{long}");
        assert_eq!(
            Rejection::bad_request(unclosed).reason(),
            format!("value `{}…", "x".repeat(QUOTE_LIMIT))
        );
    }

    /// What `quoted` made is kept as it is.
    #[test]
    fn rejection_keeps_what_quoted_made() {
        let long = "€".repeat(1000);
        let reason = format!("unsupported specversion {}: use 1.0", quoted(&long));
        assert_eq!(Rejection::bad_request(reason.clone()).reason(), reason);
        let short = "a short reason with `a` and \"b\"";
        assert_eq!(Rejection::bad_request(short).reason(), short);
    }

    #[test]
    fn rejection_caps_the_whole_reason() {
        let long = "word ".repeat(1000);
        let rejection = Rejection::bad_request(long).in_event(7);
        assert!(rejection.reason().len() <= REASON_LIMIT + '…'.len_utf8());
        assert!(rejection.reason().starts_with("event 7: word"));
        assert!(rejection.reason().ends_with('…'));
    }
}
