//! Validation of context attributes shared by the structured and binary decoders (protocol.md §4, C1).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::event::{CloudEvent, ExtensionValue, SpecVersion, TextAttributes};
use crate::data::{self, DataSource};
use crate::interned::interned;
use crate::rejection::{Rejection, quoted};

/// How an attribute is named in a reason: `attribute `id`` or `header `ce-id``.
#[derive(Clone, Copy)]
pub(crate) enum Carrier {
    Json,
    Header,
}

impl Carrier {
    pub(crate) fn name(self, attribute: &str) -> String {
        match self {
            Carrier::Json => format!("attribute `{attribute}`"),
            Carrier::Header => format!("header `ce-{attribute}`"),
        }
    }
}

/// Whether `name` is a valid attribute name: lower-case ASCII letters and digits, non-empty.
///
/// ```
/// use webhook_runtime::cloudevents::is_attribute_name;
///
/// assert!(is_attribute_name("traceparent"));
/// assert!(!is_attribute_name("traceParent"));
/// assert!(!is_attribute_name("trace-parent"));
/// ```
pub fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The attributes of one event, gathered as strings before validation: borrowed from the body
/// or the headers when they hold no escapes, so that `specversion` and `time`, which the event
/// does not keep as text, are never copied.
#[derive(Default)]
pub(crate) struct Attributes<'a> {
    pub(crate) specversion: Option<Cow<'a, str>>,
    pub(crate) id: Option<Cow<'a, str>>,
    pub(crate) source: Option<Cow<'a, str>>,
    pub(crate) ty: Option<Cow<'a, str>>,
    pub(crate) datacontenttype: Option<Cow<'a, str>>,
    pub(crate) dataschema: Option<Cow<'a, str>>,
    pub(crate) subject: Option<Cow<'a, str>>,
    pub(crate) time: Option<Cow<'a, str>>,
    pub(crate) extensions: BTreeMap<String, ExtensionValue>,
}

impl<'a> Attributes<'a> {
    /// The slot of a context attribute, or `None` for an extension.
    pub(crate) fn slot(&mut self, name: &str) -> Option<&mut Option<Cow<'a, str>>> {
        self.numbered_slot(name).map(|(_, slot)| slot)
    }

    /// The slot of a context attribute with its number (0–7, for duplicate detection), or
    /// `None` for an extension.
    pub(crate) fn numbered_slot(&mut self, name: &str) -> Option<(u8, &mut Option<Cow<'a, str>>)> {
        Some(match name {
            "specversion" => (0, &mut self.specversion),
            "id" => (1, &mut self.id),
            "source" => (2, &mut self.source),
            "type" => (3, &mut self.ty),
            "datacontenttype" => (4, &mut self.datacontenttype),
            "dataschema" => (5, &mut self.dataschema),
            "subject" => (6, &mut self.subject),
            "time" => (7, &mut self.time),
            _ => return None,
        })
    }

    /// Checks every attribute and decodes the data into `T`; `None` when `T` skips the event.
    pub(crate) fn into_event<T: DeserializeOwned>(
        self,
        carrier: Carrier,
        data: DataSource<'_>,
    ) -> Result<Option<CloudEvent<T>>, Rejection> {
        self.into_event_with(carrier, |content_type, ty| {
            data::decode(data, content_type, ty)
        })
    }

    /// Checks every attribute, then gets the data from `data` (given the `datacontenttype` and
    /// the `type`); `None` when the data skips the event.
    pub(crate) fn into_event_with<T>(
        self,
        carrier: Carrier,
        data: impl FnOnce(Option<&str>, &str) -> Result<Option<T>, Rejection>,
    ) -> Result<Option<CloudEvent<T>>, Rejection> {
        let specversion = required(self.specversion, "specversion", carrier)?;
        if *specversion != *"1.0" {
            return Err(Rejection::bad_request(format!(
                "unsupported specversion {}: this receiver implements CloudEvents 1.0",
                quoted(&specversion)
            )));
        }
        let id = required(self.id, "id", carrier)?;
        let source = required(self.source, "source", carrier)?;
        if !is_uri_reference(&source) {
            return Err(Rejection::bad_request(format!(
                "{} must be a URI-reference (no spaces or control characters)",
                carrier.name("source")
            )));
        }
        let ty = required(self.ty, "type", carrier)?;
        let datacontenttype =
            optional(self.datacontenttype, "datacontenttype", carrier)?.map(interned);
        let dataschema = optional(self.dataschema, "dataschema", carrier)?;
        if let Some(schema) = &dataschema
            && !is_absolute_uri(schema)
        {
            return Err(Rejection::bad_request(format!(
                "{} must be an absolute URI",
                carrier.name("dataschema")
            )));
        }
        let subject = optional(self.subject, "subject", carrier)?;
        let time = match optional(self.time, "time", carrier)? {
            Some(time) => Some(OffsetDateTime::parse(&time, &Rfc3339).map_err(|_| {
                Rejection::bad_request(format!(
                    "{} must be an RFC 3339 timestamp",
                    carrier.name("time")
                ))
            })?),
            None => None,
        };
        let Some(data) = data(datacontenttype.as_deref(), &ty)? else {
            return Ok(None);
        };
        Ok(Some(CloudEvent {
            texts: TextAttributes::new(
                &id,
                &source,
                &ty,
                subject.as_deref(),
                dataschema.as_deref(),
            ),
            specversion: SpecVersion::V1_0,
            datacontenttype,
            time,
            extensions: self.extensions,
            data,
        }))
    }
}

// `required` and `optional` are inlined with their checks, their refusals kept out of line.

#[inline]
fn required<'a>(
    value: Option<Cow<'a, str>>,
    name: &str,
    carrier: Carrier,
) -> Result<Cow<'a, str>, Rejection> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        other => Err(missing_or_empty(other.is_none(), name, carrier)),
    }
}

#[cold]
fn missing_or_empty(missing: bool, name: &str, carrier: Carrier) -> Rejection {
    Rejection::bad_request(if missing {
        format!("missing required {}", carrier.name(name))
    } else {
        format!("{} must not be empty", carrier.name(name))
    })
}

#[inline]
fn optional<'a>(
    value: Option<Cow<'a, str>>,
    name: &str,
    carrier: Carrier,
) -> Result<Option<Cow<'a, str>>, Rejection> {
    match value {
        Some(v) if v.is_empty() => Err(empty_optional(name, carrier)),
        other => Ok(other),
    }
}

#[cold]
fn empty_optional(name: &str, carrier: Carrier) -> Rejection {
    Rejection::bad_request(format!(
        "{} must not be empty when present",
        carrier.name(name)
    ))
}

/// A lenient URI-reference check: no whitespace, no control characters.
fn is_uri_reference(value: &str) -> bool {
    // Printable ASCII (above the space, below DEL) decides in one branch-free pass (the compiler
    // vectorizes it for longer values); anything else is looked at as characters.
    let mut other = false;
    for b in value.bytes() {
        other |= !(b'!'..=b'~').contains(&b);
    }
    if !other {
        return true;
    }
    !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An absolute URI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), `:`, then a
/// URI-reference.
fn is_absolute_uri(value: &str) -> bool {
    let Some((scheme, _)) = value.split_once(':') else {
        return false;
    };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && is_uri_reference(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names() {
        assert!(is_attribute_name("myext1"));
        assert!(!is_attribute_name(""));
        assert!(!is_attribute_name("my_ext"));
        assert!(!is_attribute_name("myExt"));
    }

    #[test]
    fn absolute_uris() {
        assert!(is_absolute_uri("https://example.com/schema"));
        assert!(is_absolute_uri("urn:example:schema"));
        assert!(!is_absolute_uri("/schema"));
        assert!(!is_absolute_uri("1http://x"));
        assert!(!is_absolute_uri("https://a b"));
    }

    #[test]
    fn uri_references_have_no_whitespace_or_controls() {
        assert!(is_uri_reference("/orders/é?x=1#y"));
        for bad in [
            "/a b",
            "/a\tb",
            "/a\u{7f}",
            "/a\u{a0}b",
            "/a\u{85}",
            "/a\u{2028}",
        ] {
            assert!(!is_uri_reference(bad), "{bad:?}");
        }
    }
}
