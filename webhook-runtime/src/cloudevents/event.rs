//! The typed CloudEvent a handler receives.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use time::OffsetDateTime;

/// The CloudEvents specification version of an event. Only 1.0 is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SpecVersion {
    /// CloudEvents 1.0 (`"specversion": "1.0"`).
    #[default]
    V1_0,
}

impl SpecVersion {
    /// The attribute value, `"1.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_0 => "1.0",
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of an extension attribute.
///
/// In structured mode an extension keeps its JSON type (string, boolean or integer); in binary
/// mode every value arrives as a header and is a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExtensionValue {
    /// A string (also URI, URI-reference, binary and timestamp values, which JSON carries as strings).
    String(String),
    /// A boolean.
    Boolean(bool),
    /// A 32-bit signed integer.
    Integer(i32),
}

impl ExtensionValue {
    /// The value as a string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ExtensionValue::String(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for ExtensionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtensionValue::String(s) => f.write_str(s),
            ExtensionValue::Boolean(b) => write!(f, "{b}"),
            ExtensionValue::Integer(i) => write!(f, "{i}"),
        }
    }
}

impl From<&str> for ExtensionValue {
    fn from(value: &str) -> Self {
        ExtensionValue::String(value.to_owned())
    }
}

impl From<String> for ExtensionValue {
    fn from(value: String) -> Self {
        ExtensionValue::String(value)
    }
}

impl From<bool> for ExtensionValue {
    fn from(value: bool) -> Self {
        ExtensionValue::Boolean(value)
    }
}

impl From<i32> for ExtensionValue {
    fn from(value: i32) -> Self {
        ExtensionValue::Integer(value)
    }
}

/// A CloudEvent whose data has been decoded into `T`.
///
/// As a handler parameter, `CloudEvent<T>` makes the handler run once per event (a batch calls it
/// for each event in order, stopping at the first failure); `Vec<CloudEvent<T>>` makes it run once
/// with the whole batch. `T` is any `serde::de::DeserializeOwned` type; `serde_json::Value` takes
/// the data as it is, `bytes::Bytes` the raw data, and `Option<T>` is `None` when the event carries
/// no data.
///
/// Every attribute of the core specification has an accessor; extensions are in
/// [`extensions`](CloudEvent::extensions). Deliveries are at least once: `(source, id)` identifies
/// an event for deduplication.
///
/// Build one by hand to unit-test a handler:
///
/// ```
/// use webhook_runtime::CloudEvent;
///
/// let event = CloudEvent::new("A234-1234-1234", "/orders", "com.example.order.created", 42u32)
///     .with_subject("order/42")
///     .with_extension("tenant", "acme");
/// assert_eq!(event.id(), "A234-1234-1234");
/// assert_eq!(event.extension("tenant").and_then(|v| v.as_str()), Some("acme"));
/// assert_eq!(*event.data(), 42);
/// ```
#[derive(Clone, PartialEq)]
pub struct CloudEvent<T = serde_json::Value> {
    /// `id`, `source`, `type`, `subject` and `dataschema`, in one allocation.
    pub(crate) texts: TextAttributes,
    pub(crate) specversion: SpecVersion,
    pub(crate) datacontenttype: Option<Cow<'static, str>>,
    pub(crate) time: Option<OffsetDateTime>,
    pub(crate) extensions: BTreeMap<String, ExtensionValue>,
    pub(crate) data: T,
}

impl<T: fmt::Debug> fmt::Debug for CloudEvent<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudEvent")
            .field("id", &self.id())
            .field("source", &self.source())
            .field("specversion", &self.specversion)
            .field("ty", &self.ty())
            .field("datacontenttype", &self.datacontenttype())
            .field("dataschema", &self.dataschema())
            .field("subject", &self.subject())
            .field("time", &self.time)
            .field("extensions", &self.extensions)
            .field("data", &self.data)
            .finish()
    }
}

/// The text attributes of an event, stored one after another in one string: a decoded event
/// costs one allocation for them instead of one each.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TextAttributes {
    /// `id`, `source`, `type`, `subject`, `dataschema`, in this order, without separators.
    text: String,
    /// Where each attribute ends in `text` (an absent one is empty).
    ends: [usize; 5],
    /// Bit 0: `subject` is present; bit 1: `dataschema` is.
    present: u8,
}

impl TextAttributes {
    const ID: usize = 0;
    const SOURCE: usize = 1;
    const TYPE: usize = 2;
    const SUBJECT: usize = 3;
    const DATASCHEMA: usize = 4;

    /// The attributes, copied into one string.
    pub(crate) fn new(
        id: &str,
        source: &str,
        ty: &str,
        subject: Option<&str>,
        dataschema: Option<&str>,
    ) -> Self {
        let parts = [
            id,
            source,
            ty,
            subject.unwrap_or_default(),
            dataschema.unwrap_or_default(),
        ];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0; 5];
        for (end, part) in ends.iter_mut().zip(parts) {
            text.push_str(part);
            *end = text.len();
        }
        TextAttributes {
            text,
            ends,
            present: u8::from(subject.is_some()) | u8::from(dataschema.is_some()) << 1,
        }
    }

    fn get(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1],
        };
        &self.text[start..self.ends[index]]
    }

    fn optional(&self, index: usize) -> Option<&str> {
        (self.present & 1 << (index - Self::SUBJECT) != 0).then(|| self.get(index))
    }

    /// The same attributes with the optional one at `index` (`SUBJECT` or `DATASCHEMA`) set to
    /// `value`.
    fn with(&self, index: usize, value: Option<&str>) -> Self {
        let mut optional = [
            self.optional(Self::SUBJECT),
            self.optional(Self::DATASCHEMA),
        ];
        optional[index - Self::SUBJECT] = value;
        let [subject, dataschema] = optional;
        TextAttributes::new(
            self.get(Self::ID),
            self.get(Self::SOURCE),
            self.get(Self::TYPE),
            subject,
            dataschema,
        )
    }
}

impl<T> CloudEvent<T> {
    /// An event with the required attributes and `data`; the optional ones are unset.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        ty: impl Into<String>,
        data: T,
    ) -> Self {
        Self {
            texts: TextAttributes::new(&id.into(), &source.into(), &ty.into(), None, None),
            specversion: SpecVersion::V1_0,
            datacontenttype: None,
            time: None,
            extensions: BTreeMap::new(),
            data,
        }
    }

    /// Sets `subject`.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.texts = self
            .texts
            .with(TextAttributes::SUBJECT, Some(&subject.into()));
        self
    }

    /// Sets `time`.
    pub fn with_time(mut self, time: OffsetDateTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Sets `datacontenttype`.
    pub fn with_datacontenttype(mut self, content_type: impl Into<String>) -> Self {
        self.datacontenttype = Some(Cow::Owned(content_type.into()));
        self
    }

    /// Sets `dataschema`.
    pub fn with_dataschema(mut self, schema: impl Into<String>) -> Self {
        self.texts = self
            .texts
            .with(TextAttributes::DATASCHEMA, Some(&schema.into()));
        self
    }

    /// Sets an extension attribute.
    pub fn with_extension(
        mut self,
        name: impl Into<String>,
        value: impl Into<ExtensionValue>,
    ) -> Self {
        self.extensions.insert(name.into(), value.into());
        self
    }

    /// `id`: identifies the event; unique per `source`.
    pub fn id(&self) -> &str {
        self.texts.get(TextAttributes::ID)
    }

    /// `source`: the context in which the event happened (a URI-reference).
    pub fn source(&self) -> &str {
        self.texts.get(TextAttributes::SOURCE)
    }

    /// `specversion`.
    pub fn specversion(&self) -> SpecVersion {
        self.specversion
    }

    /// `type`: the kind of event, e.g. `com.example.order.created`.
    pub fn ty(&self) -> &str {
        self.texts.get(TextAttributes::TYPE)
    }

    /// `datacontenttype`: the media type of the data, when stated (binary mode: `Content-Type`).
    pub fn datacontenttype(&self) -> Option<&str> {
        self.datacontenttype.as_deref()
    }

    /// `dataschema`: the schema the data adheres to (an absolute URI).
    pub fn dataschema(&self) -> Option<&str> {
        self.texts.optional(TextAttributes::DATASCHEMA)
    }

    /// `subject`: the subject of the event within `source`.
    pub fn subject(&self) -> Option<&str> {
        self.texts.optional(TextAttributes::SUBJECT)
    }

    /// `time`: when the event happened.
    pub fn time(&self) -> Option<OffsetDateTime> {
        self.time
    }

    /// One extension attribute by name.
    pub fn extension(&self, name: &str) -> Option<&ExtensionValue> {
        self.extensions.get(name)
    }

    /// Every extension attribute, by name.
    pub fn extensions(&self) -> &BTreeMap<String, ExtensionValue> {
        &self.extensions
    }

    /// The decoded data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The decoded data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Takes the data, dropping the attributes.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Converts the data, keeping the attributes.
    pub fn map_data<U>(self, f: impl FnOnce(T) -> U) -> CloudEvent<U> {
        CloudEvent {
            texts: self.texts,
            specversion: self.specversion,
            datacontenttype: self.datacontenttype,
            time: self.time,
            extensions: self.extensions,
            data: f(self.data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every attribute reads back as it was given, wherever the packing put it, and setting an
    /// optional one later changes only that one.
    #[test]
    fn c1_text_attributes_read_back_as_given() {
        let values = ["", "a", "é/ü", "A234-1234-1234"];
        let options = [
            None,
            Some(""),
            Some("s/ü"),
            Some("https://example.com/schema"),
        ];
        for id in values {
            for source in values {
                for subject in options {
                    for dataschema in options {
                        let texts = TextAttributes::new(id, source, "t.y", subject, dataschema);
                        assert_eq!(texts.get(0), id);
                        assert_eq!(texts.get(1), source);
                        assert_eq!(texts.get(2), "t.y");
                        assert_eq!(texts.optional(TextAttributes::SUBJECT), subject);
                        assert_eq!(texts.optional(TextAttributes::DATASCHEMA), dataschema);
                        let changed = texts.with(TextAttributes::SUBJECT, Some("new"));
                        assert_eq!(changed.optional(TextAttributes::SUBJECT), Some("new"));
                        assert_eq!(changed.optional(TextAttributes::DATASCHEMA), dataschema);
                        assert_eq!(
                            (changed.get(0), changed.get(1), changed.get(2)),
                            (id, source, "t.y")
                        );
                    }
                }
            }
        }
    }

    /// Equality is equality of the attributes: the same text split differently, or an absent
    /// attribute against an empty one, is another event.
    #[test]
    fn c1_events_are_equal_when_their_attributes_are() {
        let event = |id: &str, source: &str| CloudEvent::new(id, source, "t", 1);
        assert_eq!(event("ab", "c"), event("ab", "c"));
        assert_ne!(event("ab", "c"), event("a", "bc"));
        assert_ne!(event("a", "b"), event("a", "b").with_subject(""));
        assert_eq!(
            event("a", "b").with_subject("s").with_dataschema("urn:x"),
            event("a", "b").with_dataschema("urn:x").with_subject("s")
        );
        let shown = format!("{:?}", event("a", "b").with_subject("s"));
        assert!(shown.contains(r#"id: "a""#), "{shown}");
        assert!(shown.contains(r#"subject: Some("s")"#), "{shown}");
        assert!(shown.contains("dataschema: None"), "{shown}");
    }
}
