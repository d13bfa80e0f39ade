//! What a webhook handler may look like: its event parameter, its other parameters (axum
//! extractors of request parts) and what it returns, with the compiler messages of ours that
//! name the fix when a handler does not fit (D12).

use std::future::Future;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};

use crate::cloudevents::CloudEvent;
use crate::eventgrid::{CustomInput, EventGridEvent};
use crate::message::Incoming;

/// The event parameter of a handler: the events it is made of, and how a delivery's events are
/// split into calls.
///
/// `CloudEvent<T>`, `Incoming<T>`, `EventGridEvent<T>` and `CustomInput<T>` are called once per
/// event, in order; a `Vec` of one of them once with all of them.
///
/// ```
/// use webhook_runtime::{CloudEvent, route::EventParam};
///
/// let events = || (1..=3).map(|n| CloudEvent::new(n.to_string(), "/shop", "order", n)).collect();
/// // Three calls of a per-event handler, one of a batch handler.
/// assert_eq!(CloudEvent::<i32>::calls(events()).len(), 3);
/// assert_eq!(Vec::<CloudEvent<i32>>::calls(events()).len(), 1);
/// ```
pub trait EventParam: Sized + Send + 'static {
    /// The event type this parameter is made of.
    type Event: DeliveredEvent;
    /// The calls a delivery makes.
    type Calls: ExactSizeIterator<Item = Self> + Send;
    /// Splits a delivery's events into the arguments of successive calls.
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, route::EventParam};
    ///
    /// let events = vec![CloudEvent::new("1", "/shop", "order", ()), CloudEvent::new("2", "/shop", "order", ())];
    /// let mut calls = Vec::<CloudEvent<()>>::calls(events);
    /// assert_eq!(calls.next().map(|batch| batch.len()), Some(2));
    /// assert!(calls.next().is_none());
    /// ```
    fn calls(events: Vec<Self::Event>) -> Self::Calls;
    /// How many events this argument holds.
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, route::EventParam};
    ///
    /// let event = CloudEvent::new("1", "/shop", "order", ());
    /// assert_eq!(event.count(), 1);
    /// assert_eq!(vec![event.clone(), event].count(), 2);
    /// ```
    fn count(&self) -> usize;
}

/// What the route reads of an event before the handler gets it: the attributes that identify it
/// (for deduplication, logs and the dead-letter hook).
///
/// ```
/// use webhook_runtime::{CloudEvent, route::DeliveredEvent};
///
/// // One log line for any kind of event.
/// fn label(event: &impl DeliveredEvent) -> String {
///     format!("{} {}", event.event_type_name().unwrap_or("-"), event.event_id().unwrap_or("-"))
/// }
/// assert_eq!(label(&CloudEvent::new("A1", "/shop", "order.created", ())), "order.created A1");
/// ```
pub trait DeliveredEvent: Send + 'static {
    /// The event's `id`, if it has one.
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, CustomInput, route::DeliveredEvent};
    ///
    /// assert_eq!(CloudEvent::new("A1", "/shop", "order", ()).event_id(), Some("A1"));
    /// // A publisher's own object has no id the route knows of.
    /// assert_eq!(CustomInput::new(()).event_id(), None);
    /// ```
    fn event_id(&self) -> Option<&str>;
    /// The CloudEvents `source` (none for Event Grid events and plain messages).
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, Incoming, Message, route::DeliveredEvent};
    ///
    /// assert_eq!(CloudEvent::new("A1", "/shop", "order", ()).event_source(), Some("/shop"));
    /// assert_eq!(Incoming::Message(Message::new(())).event_source(), None);
    /// ```
    fn event_source(&self) -> Option<&str>;
    /// The event's type.
    ///
    /// ```
    /// use webhook_runtime::{CloudEvent, route::DeliveredEvent};
    ///
    /// assert_eq!(CloudEvent::new("A1", "/shop", "order", ()).event_type_name(), Some("order"));
    /// ```
    fn event_type_name(&self) -> Option<&str>;
}

impl<T: Send + 'static> DeliveredEvent for CloudEvent<T> {
    fn event_id(&self) -> Option<&str> {
        Some(self.id())
    }
    fn event_source(&self) -> Option<&str> {
        Some(self.source())
    }
    fn event_type_name(&self) -> Option<&str> {
        Some(self.ty())
    }
}

impl<T: Send + 'static> DeliveredEvent for EventGridEvent<T> {
    fn event_id(&self) -> Option<&str> {
        Some(self.id())
    }
    fn event_source(&self) -> Option<&str> {
        None
    }
    fn event_type_name(&self) -> Option<&str> {
        Some(self.event_type())
    }
}

/// The publisher's own object carries nothing the route can read (G1): no key for deduplication,
/// nothing to log but its position.
impl<T: Send + 'static> DeliveredEvent for CustomInput<T> {
    fn event_id(&self) -> Option<&str> {
        None
    }
    fn event_source(&self) -> Option<&str> {
        None
    }
    fn event_type_name(&self) -> Option<&str> {
        None
    }
}

impl<T: Send + 'static> DeliveredEvent for Incoming<T> {
    fn event_id(&self) -> Option<&str> {
        match self {
            Incoming::Event(event) => Some(event.id()),
            Incoming::Message(_) => None,
        }
    }
    fn event_source(&self) -> Option<&str> {
        match self {
            Incoming::Event(event) => Some(event.source()),
            Incoming::Message(_) => None,
        }
    }
    fn event_type_name(&self) -> Option<&str> {
        match self {
            Incoming::Event(event) => Some(event.ty()),
            Incoming::Message(_) => None,
        }
    }
}

/// Each event type is a parameter called once per event, and a `Vec` of it one called once per
/// delivery.
macro_rules! event_params {
    ($($event:ident),*) => {$(
        impl<T: Send + 'static> EventParam for $event<T> {
            type Event = $event<T>;
            type Calls = std::vec::IntoIter<$event<T>>;
            fn calls(events: Vec<$event<T>>) -> Self::Calls {
                events.into_iter()
            }
            fn count(&self) -> usize {
                1
            }
        }

        impl<T: Send + 'static> EventParam for Vec<$event<T>> {
            type Event = $event<T>;
            type Calls = std::option::IntoIter<Vec<$event<T>>>;
            fn calls(events: Vec<$event<T>>) -> Self::Calls {
                Some(events).into_iter()
            }
            fn count(&self) -> usize {
                self.len()
            }
        }
    )*};
}

event_params!(CloudEvent, Incoming, EventGridEvent, CustomInput);

/// An ordinary async function (or closure) that handles a webhook's events: its first parameter
/// is the event parameter ([`EventParam`]), the others (up to eight) are axum extractors of
/// request parts, and it returns anything `IntoResponse` (an [`Outcome`](crate::Outcome) included).
///
/// `X` is the tuple of the extractor types; it is inferred from the function.
///
/// ```
/// use axum::extract::State;
/// use webhook_runtime::{CloudEvent, Outcome, route::WebhookHandler};
///
/// async fn orders(_event: CloudEvent<String>, State(_db): State<()>) -> Outcome {
///     Outcome::Ack
/// }
///
/// // What the route builders ask of `orders`.
/// fn check<E, X, H: WebhookHandler<E, X, ()>>(_handler: H) {}
/// check(orders);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a webhook handler",
    label = "expected an async fn taking the event first, then axum `FromRequestParts` extractors",
    note = "e.g. `async fn orders(event: CloudEvent<Order>, State(db): State<Db>) -> Outcome`; the event parameter is `CloudEvent<T>`, `Incoming<T>`, `EventGridEvent<T>`, `CustomInput<T>` or a `Vec` of one, and the return type must implement `IntoResponse`"
)]
pub trait WebhookHandler<E, X, S>: Clone + Send + Sync + 'static {
    /// What the handler returns.
    type Output: IntoResponse;
    /// The handler's future.
    type Future: Future<Output = Self::Output> + Send;
    /// Calls the handler with an event argument and the extracted parameters.
    ///
    /// ```
    /// use axum::extract::State;
    /// use webhook_runtime::{CloudEvent, route::WebhookHandler};
    ///
    /// async fn orders(event: CloudEvent<u32>, State(factor): State<u32>) -> String {
    ///     (event.data() * factor).to_string()
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let event = CloudEvent::new("A1", "/shop", "order", 21);
    /// // The tuple is the extractors, as the route extracts them from the request.
    /// let answer = WebhookHandler::<_, _, u32>::call(&orders, event, (State(2),)).await;
    /// assert_eq!(answer, "42");
    /// # });
    /// ```
    fn call(&self, event: E, extractors: X) -> Self::Future;
}

macro_rules! webhook_handlers {
    ($($x:ident),*) => {
        #[allow(non_snake_case, reason = "the extractor values are named by their types")]
        impl<F, Fut, E, S, $($x,)*> WebhookHandler<E, ($($x,)*), S> for F
        where
            F: Fn(E, $($x,)*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send,
            Fut::Output: IntoResponse,
            $($x: FromRequestParts<S> + Send + 'static,)*
        {
            type Output = Fut::Output;
            type Future = Fut;
            fn call(&self, event: E, ($($x,)*): ($($x,)*)) -> Fut {
                self(event, $($x,)*)
            }
        }
    };
}

webhook_handlers!();
webhook_handlers!(X1);
webhook_handlers!(X1, X2);
webhook_handlers!(X1, X2, X3);
webhook_handlers!(X1, X2, X3, X4);
webhook_handlers!(X1, X2, X3, X4, X5);
webhook_handlers!(X1, X2, X3, X4, X5, X6);
webhook_handlers!(X1, X2, X3, X4, X5, X6, X7);
webhook_handlers!(X1, X2, X3, X4, X5, X6, X7, X8);

/// What one call of a handler answered, as a delivery's calls read it.
pub enum HandlerAnswer {
    /// The handler returns `()`: handled, nothing to say (204 if it answers for the delivery).
    Handled,
    /// Anything else, as the handler's `IntoResponse` made it.
    Response(Response),
}

/// A handler's output as an [`HandlerAnswer`]: every `IntoResponse` type, and `HandlerAnswer` itself.
pub trait IntoHandlerAnswer {
    /// Converts the output.
    fn into_handler_answer(self) -> HandlerAnswer;
}

impl<R: IntoResponse> IntoHandlerAnswer for R {
    fn into_handler_answer(self) -> HandlerAnswer {
        HandlerAnswer::Response(self.into_response())
    }
}

impl IntoHandlerAnswer for HandlerAnswer {
    fn into_handler_answer(self) -> HandlerAnswer {
        self
    }
}
