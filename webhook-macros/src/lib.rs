//! The `#[webhook]` attribute macro. Use it through `webhook-runtime`, which re-exports it:
//! the generated code names that crate.
//!
//! ```
//! use webhook_runtime::{EventGridEvent, webhook};
//!
//! #[webhook(schema = eventgrid, subscriptions = ["orders"])]
//! async fn orders(event: EventGridEvent<String>) {
//!     println!("{} {}", event.event_type(), event.data());
//! }
//!
//! assert_eq!(orders::config().subscriptions().collect::<Vec<_>>(), ["orders"]);
//! ```

mod args;
mod check;
mod errors;
mod event_param;
mod events;
mod expand;

use proc_macro::TokenStream;

/// (The attribute is defined in the `webhook-macros` crate and documented where
/// `webhook-runtime` re-exports it.)
///
/// ```
/// use webhook_runtime::{CloudEvent, webhook};
///
/// #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
/// async fn orders(event: CloudEvent<String>) {
///     println!("{}: {}", event.id(), event.data());
/// }
///
/// // The attribute's literals are the defaults of the route's configuration.
/// assert_eq!(orders::config().rate().map(|r| r.get()), Some(120));
/// ```
#[proc_macro_attribute]
pub fn webhook(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::webhook(attr.into(), item.into()).into()
}

/// (The derive is defined in the `webhook-macros` crate and documented where `webhook-runtime`
/// re-exports it.)
///
/// ```
/// use webhook_runtime::EventTypes;
///
/// #[derive(EventTypes)]
/// #[events(unknown = reject)]
/// enum Shop {
///     #[event("shop.order.placed")]
///     Placed(String),
///     #[event("shop.order.cancelled")]
///     Cancelled,
/// }
///
/// assert_eq!(Shop::EVENT_TYPES, ["shop.order.placed", "shop.order.cancelled"]);
/// ```
#[proc_macro_derive(EventTypes, attributes(event, events))]
pub fn derive_event_types(input: TokenStream) -> TokenStream {
    events::derive(input.into()).into()
}
