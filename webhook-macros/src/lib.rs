//! The `#[webhook]` attribute macro. Use it through `webhook-runtime`, which re-exports it:
//! the generated code names that crate.

mod args;
mod check;
mod errors;
mod event_param;
mod events;
mod expand;

use proc_macro::TokenStream;

/// (The attribute is defined in the `webhook-macros` crate and documented where
/// `webhook-runtime` re-exports it.)
#[proc_macro_attribute]
pub fn webhook(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::webhook(attr.into(), item.into()).into()
}

/// (The derive is defined in the `webhook-macros` crate and documented where `webhook-runtime`
/// re-exports it.)
#[proc_macro_derive(EventTypes, attributes(event, events))]
pub fn derive_event_types(input: TokenStream) -> TokenStream {
    events::derive(input.into()).into()
}
