//! The typed Event Grid event a handler receives (protocol.md §5).

use std::borrow::Cow;

use time::OffsetDateTime;

/// An Azure Event Grid event (Event Grid schema) whose data has been decoded into `T`.
///
/// As a handler parameter, `EventGridEvent<T>` makes the handler run once per event of the
/// delivered array, in order, stopping at the first answer that is not 2xx;
/// `Vec<EventGridEvent<T>>` makes it run once with the whole array. Event Grid redelivers the
/// whole array after a failure, so deliveries are at least once: [`id`](Self::id) identifies an
/// event for deduplication.
///
/// ```
/// use webhook_runtime::EventGridEvent;
///
/// let event = EventGridEvent::new("1", "/blobs/a.txt", "Microsoft.Storage.BlobCreated",
///     time::OffsetDateTime::UNIX_EPOCH, "1.0", 7u32);
/// assert_eq!(event.event_type(), "Microsoft.Storage.BlobCreated");
/// assert_eq!(*event.data(), 7);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EventGridEvent<T = serde_json::Value> {
    pub(crate) id: String,
    pub(crate) topic: Option<String>,
    pub(crate) subject: String,
    pub(crate) event_type: String,
    pub(crate) event_time: OffsetDateTime,
    pub(crate) data_version: Cow<'static, str>,
    pub(crate) metadata_version: Option<Cow<'static, str>>,
    pub(crate) data: T,
}

impl<T> EventGridEvent<T> {
    /// An event with every required field; `topic` and `metadataVersion` unset.
    pub fn new(
        id: impl Into<String>,
        subject: impl Into<String>,
        event_type: impl Into<String>,
        event_time: OffsetDateTime,
        data_version: impl Into<String>,
        data: T,
    ) -> Self {
        Self {
            id: id.into(),
            topic: None,
            subject: subject.into(),
            event_type: event_type.into(),
            event_time,
            data_version: Cow::Owned(data_version.into()),
            metadata_version: None,
            data,
        }
    }

    /// Sets `topic`.
    pub fn with_topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }

    /// `id`: unique per event; the key for deduplication.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `topic`: the full resource path of the event source (set by Event Grid).
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// `subject`: the publisher-defined path of the event's subject (may be empty).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// `eventType`, e.g. `Microsoft.Storage.BlobCreated`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// `eventTime`, parsed as RFC 3339.
    pub fn event_time(&self) -> OffsetDateTime {
        self.event_time
    }

    /// `dataVersion` (may be empty).
    pub fn data_version(&self) -> &str {
        &self.data_version
    }

    /// `metadataVersion` (set by Event Grid, `"1"`).
    pub fn metadata_version(&self) -> Option<&str> {
        self.metadata_version.as_deref()
    }

    /// The decoded data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// Takes the data, dropping the other fields.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// Whether an event type is one of Event Grid's own subscription events (validation,
/// deletion), which come alone with their own `aeg-event-type` and never reach a handler (D23).
pub(super) fn is_lifecycle_event_type(event_type: &str) -> bool {
    event_type == super::VALIDATION_EVENT_TYPE || event_type == super::DELETION_EVENT_TYPE
}
