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
#[derive(Debug, Clone, PartialEq)]
pub struct CloudEvent<T = serde_json::Value> {
    pub(crate) id: String,
    pub(crate) source: String,
    pub(crate) specversion: SpecVersion,
    pub(crate) ty: String,
    pub(crate) datacontenttype: Option<Cow<'static, str>>,
    pub(crate) dataschema: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) time: Option<OffsetDateTime>,
    pub(crate) extensions: BTreeMap<String, ExtensionValue>,
    pub(crate) data: T,
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
            id: id.into(),
            source: source.into(),
            specversion: SpecVersion::V1_0,
            ty: ty.into(),
            datacontenttype: None,
            dataschema: None,
            subject: None,
            time: None,
            extensions: BTreeMap::new(),
            data,
        }
    }

    /// Sets `subject`.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
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
        self.dataschema = Some(schema.into());
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
        &self.id
    }

    /// `source`: the context in which the event happened (a URI-reference).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `specversion`.
    pub fn specversion(&self) -> SpecVersion {
        self.specversion
    }

    /// `type`: the kind of event, e.g. `com.example.order.created`.
    pub fn ty(&self) -> &str {
        &self.ty
    }

    /// `datacontenttype`: the media type of the data, when stated (binary mode: `Content-Type`).
    pub fn datacontenttype(&self) -> Option<&str> {
        self.datacontenttype.as_deref()
    }

    /// `dataschema`: the schema the data adheres to (an absolute URI).
    pub fn dataschema(&self) -> Option<&str> {
        self.dataschema.as_deref()
    }

    /// `subject`: the subject of the event within `source`.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
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
            id: self.id,
            source: self.source,
            specversion: self.specversion,
            ty: self.ty,
            datacontenttype: self.datacontenttype,
            dataschema: self.dataschema,
            subject: self.subject,
            time: self.time,
            extensions: self.extensions,
            data: f(self.data),
        }
    }
}
