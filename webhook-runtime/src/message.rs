//! Plain messages: bodies that are not CloudEvents, as SAP Event Mesh pushes for queues fed by
//! publishers that do not use CloudEvents (protocol.md §1, D7).
//!
//! A route takes them when its handler's event parameter is [`Incoming<T>`] (with
//! `#[webhook(..., plain = true)]`): a CloudEvent arrives as [`Incoming::Event`], anything else as
//! [`Incoming::Message`] whose data is the whole body, typed like event data (JSON unless the
//! `Content-Type` says otherwise; an empty body is "no data").
//!
//! ```
//! use webhook_runtime::{Incoming, Message};
//!
//! // A handler's logic tested with a plain message, as a queue without CloudEvents delivers it.
//! let incoming = Incoming::Message(Message::new(serde_json::json!({"order_id": "o-1"})));
//! assert_eq!(incoming.data()["order_id"], "o-1");
//! ```

use http::HeaderMap;
use http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::cloudevents::{self, CloudEvent, CloudEventsDelivery, Mode};
use crate::data::{self, DataSource};
use crate::rejection::Rejection;

/// A plain (non-CloudEvents) message: its typed body and its `Content-Type`.
///
/// ```
/// use webhook_runtime::{Incoming, Message};
///
/// // A handler taking `Incoming<T>` can be unit-tested with either kind of input.
/// async fn orders(incoming: Incoming<u32>) -> u32 {
///     *incoming.data()
/// }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(orders(Incoming::Message(Message::new(7))).await, 7);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Message<T = serde_json::Value> {
    pub(crate) content_type: Option<String>,
    pub(crate) data: T,
}

impl<T> Message<T> {
    /// A message, to unit-test a handler.
    ///
    /// ```
    /// use webhook_runtime::Message;
    ///
    /// let message = Message::new(serde_json::json!({"order_id": "A1"}));
    /// assert_eq!(message.data()["order_id"], "A1");
    /// ```
    pub fn new(data: T) -> Self {
        Self {
            content_type: None,
            data,
        }
    }

    /// The body's `Content-Type`, when sent.
    ///
    /// ```
    /// use webhook_runtime::Message;
    ///
    /// assert_eq!(Message::new(()).content_type(), None);
    /// ```
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The typed body.
    ///
    /// ```
    /// use webhook_runtime::Message;
    ///
    /// assert_eq!(Message::new("hello").data(), &"hello");
    /// ```
    pub fn data(&self) -> &T {
        &self.data
    }

    /// Takes the typed body.
    ///
    /// ```
    /// use webhook_runtime::Message;
    ///
    /// let body: String = Message::new("hello".to_owned()).into_data();
    /// assert_eq!(body, "hello");
    /// ```
    pub fn into_data(self) -> T {
        self.data
    }
}

/// What a route that also takes plain messages receives: a CloudEvent or a plain message.
///
/// ```
/// use webhook_runtime::{Incoming, webhook};
///
/// #[derive(serde::Deserialize)]
/// struct Order { order_id: String }
///
/// #[webhook(origins = ["*"], schema = cloudevents, plain = true)]
/// async fn orders(incoming: Incoming<Order>) {
///     let order = incoming.data();
///     match &incoming {
///         Incoming::Event(event) => println!("event {} for {}", event.id(), order.order_id),
///         Incoming::Message(_) => println!("plain message for {}", order.order_id),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming<T = serde_json::Value> {
    /// A CloudEvent (structured, binary or one event of a batch).
    Event(CloudEvent<T>),
    /// A body that is not a CloudEvent.
    Message(Message<T>),
}

impl<T> Incoming<T> {
    /// The typed data, whichever it is.
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, Incoming, Message};
    ///
    /// let event = Incoming::Event(CloudEvent::new("A1", "/shop", "order", 5));
    /// let message = Incoming::Message(Message::new(5));
    /// assert_eq!(event.data(), message.data());
    /// ```
    pub fn data(&self) -> &T {
        match self {
            Incoming::Event(event) => event.data(),
            Incoming::Message(message) => message.data(),
        }
    }

    /// Takes the typed data.
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, Incoming};
    ///
    /// let incoming = Incoming::Event(CloudEvent::new("A1", "/shop", "order", vec![1, 2]));
    /// assert_eq!(incoming.into_data(), vec![1, 2]);
    /// ```
    pub fn into_data(self) -> T {
        match self {
            Incoming::Event(event) => event.into_data(),
            Incoming::Message(message) => message.into_data(),
        }
    }
}

/// Decodes a delivery of a route that takes plain messages: `mode` is `None` for a body that is
/// not a CloudEvent.
///
/// ```
/// use http::HeaderMap;
/// use webhook_runtime::cloudevents::{CloudEventsDelivery, Mode};
/// use webhook_runtime::message::decode_incoming;
/// use webhook_runtime::Incoming;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("content-type", "application/json".parse().unwrap());
/// let mode = Mode::detect_or_plain(&headers).unwrap();
/// let Ok(CloudEventsDelivery::Events(incoming)) = decode_incoming::<serde_json::Value>(mode, &headers, br#"{"n":1}"#) else {
///     panic!("not decoded");
/// };
/// assert!(matches!(&incoming[0], Incoming::Message(m) if m.data()["n"] == 1));
/// ```
pub fn decode_incoming<T: DeserializeOwned>(
    mode: Option<Mode>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<CloudEventsDelivery<Incoming<T>>, Rejection> {
    let Some(mode) = mode else {
        let content_type = match headers.get(CONTENT_TYPE) {
            Some(value) => Some(
                value
                    .to_str()
                    .map_err(|_| Rejection::bad_request("Content-Type is not visible ASCII"))?
                    .to_owned(),
            ),
            None => None,
        };
        let source = DataSource::from_bytes(body, content_type.as_deref());
        return Ok(CloudEventsDelivery::Events(
            data::decode(source, content_type.as_deref(), "")?
                .map(|data| Incoming::Message(Message { content_type, data }))
                .into_iter()
                .collect(),
        ));
    };
    Ok(
        match cloudevents::decode_delivery::<T>(mode, headers, body)? {
            CloudEventsDelivery::Events(events) => {
                CloudEventsDelivery::Events(events.into_iter().map(Incoming::Event).collect())
            }
            CloudEventsDelivery::EventGridValidation(request) => {
                CloudEventsDelivery::EventGridValidation(request)
            }
        },
    )
}
