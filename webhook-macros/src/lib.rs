//! The `#[webhook]` attribute macro. Use it through `webhook-runtime`, which re-exports it:
//! the generated code names that crate.

mod args;
mod check;
mod expand;

use proc_macro::TokenStream;

/// Turns an `async fn` into a webhook handler with an axum route. See the `webhook-runtime`
/// crate's documentation of `webhook` for the arguments, the generated items and the errors.
#[proc_macro_attribute]
pub fn webhook(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::webhook(attr.into(), item.into()).into()
}
