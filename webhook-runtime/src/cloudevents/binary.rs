//! Binary mode: attributes in `ce-` headers, the body is the data (protocol.md §4, H8–H11, D22).

use std::borrow::Cow;
use std::fmt;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use super::attributes::{Attributes, Carrier, is_attribute_name};
use super::event::{CloudEvent, ExtensionValue};
use crate::data::DataSource;
use crate::rejection::{Rejection, quoted};

/// Why a `ce-` header value could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderValueError {
    /// A quoted string with a dangling `\`.
    BadQuoting,
    /// The percent-decoded bytes are not UTF-8 (e.g. `%C0%A0`).
    NotUtf8,
}

impl fmt::Display for HeaderValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderValueError::BadQuoting => "the quoted string ends with a lone `\\`",
            HeaderValueError::NotUtf8 => "the percent-decoded value is not UTF-8",
        })
    }
}

impl std::error::Error for HeaderValueError {}

/// Decodes a `ce-` header value: unquotes an RFC 7230 quoted string, then percent-decodes once.
///
/// Lower-case hex and needlessly encoded characters are accepted; a `%` not followed by two hex
/// digits is kept as it is (the JavaScript, Go and Java SDKs do not encode, so `100%` arrives
/// raw); decoded bytes that are not UTF-8 are refused.
///
/// ```
/// use webhook_runtime::cloudevents::decode_header_value;
///
/// assert_eq!(decode_header_value(b"caf%C3%A9").unwrap(), "café");
/// assert_eq!(decode_header_value(b"%e2%82%ac").unwrap(), "€");
/// assert_eq!(decode_header_value(b"\"a \\\"b\\\"\"").unwrap(), "a \"b\"");
/// assert_eq!(decode_header_value(b"100%").unwrap(), "100%");
/// assert!(decode_header_value(b"%C0%A0").is_err());
/// ```
pub fn decode_header_value(raw: &[u8]) -> Result<Cow<'_, str>, HeaderValueError> {
    // Most values are neither quoted nor percent-encoded: one search for `%` (memchr) instead
    // of percent-decoding byte by byte.
    if raw.first() != Some(&b'"') && !raw.contains(&b'%') {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| HeaderValueError::NotUtf8);
    }
    let unquoted: Cow<'_, [u8]> = match raw {
        [b'"', inner @ .., b'"'] if raw.len() >= 2 => Cow::Owned(unquote(inner)?),
        _ => Cow::Borrowed(raw),
    };
    let decoded: Cow<'_, [u8]> = match unquoted {
        Cow::Borrowed(bytes) => percent_encoding::percent_decode(bytes).into(),
        Cow::Owned(bytes) => Cow::Owned(percent_encoding::percent_decode(&bytes).collect()),
    };
    match decoded {
        Cow::Borrowed(bytes) => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| HeaderValueError::NotUtf8),
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| HeaderValueError::NotUtf8),
    }
}

/// [`decode_header_value`] of a header's value. A value of visible ASCII that is neither quoted
/// nor holds a `%` is the text itself, checked by `HeaderValue::to_str`, which is cheaper than
/// `from_utf8` on the short values of `ce-` headers (this runs per header of every binary
/// delivery).
#[inline]
fn decode_ce_header(value: &HeaderValue) -> Result<Cow<'_, str>, HeaderValueError> {
    if let Ok(text) = value.to_str() {
        // Branch-free too.
        let mut escaped = text.starts_with('"');
        for b in text.bytes() {
            escaped |= b == b'%';
        }
        if !escaped {
            return Ok(Cow::Borrowed(text));
        }
    }
    decode_header_value(value.as_bytes())
}

fn unquote(inner: &[u8]) -> Result<Vec<u8>, HeaderValueError> {
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter();
    while let Some(&b) = bytes.next() {
        if b == b'\\' {
            out.push(*bytes.next().ok_or(HeaderValueError::BadQuoting)?);
        } else {
            out.push(b);
        }
    }
    Ok(out)
}

/// Decodes a binary-mode event from its headers and body.
///
/// `Content-Type` is the `datacontenttype`; without one, data is JSON when the handler asks for a
/// JSON-decoded type (the Python SDK sends none). An empty body is "no data". `None` when the
/// data type skips the event.
pub(crate) fn decode_binary<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<CloudEvent<T>>, Rejection> {
    let mut attributes = Attributes::default();
    // One pass: `HeaderMap::iter` yields the values of a name one after another, so a repeated
    // `ce-` header is the same name twice in a row.
    let mut previous: Option<&http::HeaderName> = None;
    let mut content_type = None;
    for (name, value) in headers {
        let Some(attribute) = name.as_str().strip_prefix("ce-") else {
            // The first `Content-Type`, as `HeaderMap::get` would give it, without a lookup.
            if *name == CONTENT_TYPE && content_type.is_none() {
                content_type = Some(value);
            }
            continue;
        };
        if previous == Some(name) {
            return Err(Rejection::bad_request(format!(
                "header {} appears more than once",
                quoted(name.as_str())
            )));
        }
        previous = Some(name);
        // A context attribute's name is valid: only an extension's needs the check.
        let slot = attributes.slot(attribute);
        if slot.is_none() && !is_attribute_name(attribute) {
            return Err(Rejection::bad_request(format!(
                "header {}: {} is not a valid attribute name (lower-case ASCII letters and digits)",
                quoted(name.as_str()),
                quoted(attribute)
            )));
        }
        match attribute {
            "datacontenttype" => {
                return Err(Rejection::bad_request(
                    "header `ce-datacontenttype` is not allowed in binary mode: the data content type is Content-Type",
                ));
            }
            "data" => {
                return Err(Rejection::bad_request(
                    "header `ce-data` is not allowed: `data` is not an attribute name",
                ));
            }
            _ => {}
        }
        let value = decode_ce_header(value).map_err(|e| {
            Rejection::bad_request(format!("header {}: {e}", quoted(name.as_str())))
        })?;
        match slot {
            Some(slot) => *slot = Some(value),
            None => {
                attributes.extensions.insert(
                    attribute.to_owned(),
                    ExtensionValue::String(value.into_owned()),
                );
            }
        }
    }
    if let Some(content_type) = content_type {
        let content_type = content_type
            .to_str()
            .map_err(|_| Rejection::bad_request("Content-Type is not visible ASCII"))?;
        attributes.datacontenttype = Some(Cow::Borrowed(content_type));
    }
    let data = DataSource::from_bytes(body, attributes.datacontenttype.as_deref());
    attributes.into_event(Carrier::Header, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Content-Type` is read in the same pass as the `ce-` headers: wherever it comes among
    /// them, its first value is the `datacontenttype`, as `HeaderMap::get` gives it.
    #[test]
    fn h8_content_type_is_the_datacontenttype_wherever_it_comes() {
        let attributes = [
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            ("ce-source", "/s"),
            ("ce-type", "t"),
        ];
        for at in 0..=attributes.len() {
            let mut headers = HeaderMap::new();
            for (i, (name, value)) in attributes.iter().enumerate() {
                if i == at {
                    headers.append(CONTENT_TYPE, "text/plain; charset=utf-8".parse().unwrap());
                    headers.append(CONTENT_TYPE, "application/json".parse().unwrap());
                }
                headers.append(*name, value.parse().unwrap());
            }
            if at == attributes.len() {
                headers.append(CONTENT_TYPE, "text/plain; charset=utf-8".parse().unwrap());
            }
            let event = decode_binary::<String>(&headers, b"hello")
                .unwrap()
                .unwrap();
            assert_eq!(
                event.datacontenttype(),
                Some("text/plain; charset=utf-8"),
                "Content-Type before attribute {at}"
            );
            assert_eq!(event.data(), "hello");
            assert_eq!(event.ty(), "t");
        }
    }

    /// H10: a header's value decodes as its bytes do, whichever path it takes.
    #[test]
    fn h10_header_values_decode_as_their_bytes() {
        let values: [&[u8]; 14] = [
            b"plain",
            b"",
            b"1.0",
            b"com.example.order.created",
            b"a b\tc",
            b"100%",
            b"caf%C3%A9",
            b"\"quoted\"",
            b"\"",
            b"\"a\\\"",
            b"x\"y",
            "caf\u{e9}".as_bytes(),
            b"\xFF",
            b"%C0%A0",
        ];
        for raw in values {
            let Ok(value) = HeaderValue::from_bytes(raw) else {
                continue;
            };
            assert_eq!(
                decode_ce_header(&value),
                decode_header_value(raw),
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn h10_percent_decoding_once() {
        assert_eq!(decode_header_value(b"%2541").unwrap(), "%41");
        assert_eq!(decode_header_value(b"%41%42").unwrap(), "AB");
        assert_eq!(decode_header_value(b"%").unwrap(), "%");
        assert_eq!(decode_header_value(b"%zz").unwrap(), "%zz");
        assert_eq!(decode_header_value(b"%4").unwrap(), "%4");
    }

    #[test]
    fn h10_quoted_then_percent_decoded() {
        assert_eq!(
            decode_header_value(b"\"%22quoted%22\"").unwrap(),
            "\"quoted\""
        );
        assert_eq!(decode_header_value(b"\"\"").unwrap(), "");
        assert_eq!(decode_header_value(b"\"").unwrap(), "\"");
        assert_eq!(
            decode_header_value(b"\"a\\\""),
            Err(HeaderValueError::BadQuoting)
        );
    }

    #[test]
    fn h10_invalid_utf8_is_refused() {
        assert_eq!(
            decode_header_value(b"%C0%A0"),
            Err(HeaderValueError::NotUtf8)
        );
        assert_eq!(decode_header_value(b"%FF"), Err(HeaderValueError::NotUtf8));
        // Without `%` or quotes the value is taken as it is, and still checked.
        assert_eq!(decode_header_value(b"\xFF"), Err(HeaderValueError::NotUtf8));
        assert_eq!(
            decode_header_value(b"\xC0\xA0"),
            Err(HeaderValueError::NotUtf8)
        );
        assert_eq!(decode_header_value("café".as_bytes()).unwrap(), "café");
        assert!(matches!(
            decode_header_value(b"plain"),
            Ok(Cow::Borrowed("plain"))
        ));
    }
}
