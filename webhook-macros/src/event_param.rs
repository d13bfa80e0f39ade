//! Which parameter of a handler is the event, and what to say when it is of the wrong schema or
//! missing. The event parameter is recognised by its type name only, so a type that is not one
//! of the event types is taken as an axum extractor; the messages here catch the likely mistakes
//! behind that (a misspelt event type, the user's data type written without its event wrapper).

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, PathArguments, Signature, Type};

use crate::args::{Schema, distance};

/// The event types, by the name a handler writes.
const EVENT_TYPES: &[&str] = &["CloudEvent", "EventGridEvent", "Incoming", "CustomInput"];

/// Recognises `CloudEvent<T>` / `EventGridEvent<T>` / `Incoming<T>` / `CustomInput<T>` (one call
/// per event) and a `Vec` of them (one call per delivery) by the last path segment, returning the
/// event type and `T` when written. The runtime's `EventParam` trait, not the macro, decides how
/// each is called.
pub(crate) fn event_param(ty: &Type) -> Option<(&'static str, Option<Type>)> {
    let known = |name: &str| EVENT_TYPES.iter().copied().find(|k| *k == name);
    let (name, arg) = last_segment(ty)?;
    match name.as_str() {
        "Vec" => {
            let (inner_name, data) = last_segment(&arg?)?;
            known(&inner_name).map(|kind| (kind, data))
        }
        other => known(other).map(|kind| (kind, arg)),
    }
}

/// Why event type `kind` does not fit the route, when it does not.
pub(crate) fn schema_mismatch(kind: &str, schema: Schema, plain: bool) -> Option<String> {
    if schema.accepts(kind, plain) {
        return None;
    }
    let expected = schema.event_type(plain);
    Some(match (kind, plain) {
        ("Incoming", false) => format!(
            "`Incoming` takes plain messages too: add `plain = true` to the attribute, or take `{expected}<T>`"
        ),
        ("CustomInput", _) => format!(
            "`CustomInput` is an Event Grid event in a topic's custom input schema: write \
             `schema = eventgrid`, or take `{expected}<T>`"
        ),
        (_, true) => format!(
            "with `plain = true` the handler takes `Incoming<T>` (a CloudEvent or a plain message), not `{kind}`"
        ),
        _ => format!(
            "`{kind}` does not match `schema = {}`: take `{expected}<T>` (or a `Vec` of them)",
            schema.name()
        ),
    })
}

/// The error for a handler without an event parameter, and where it goes: at a parameter whose
/// type name is a near miss of an event type ("did you mean"); on an Event Grid route, at the
/// first parameter, which is likely the event's data written without `EventGridEvent` or
/// `CustomInput` (G2: the custom input schema is never assumed); otherwise at the parentheses.
pub(crate) fn missing(sig: &Signature, schema: Option<(Schema, bool)>) -> (Span, String) {
    let (schema, plain) = schema.unwrap_or((Schema::CloudEvents, false));
    let ty = schema.event_type(plain);
    let types = || {
        sig.inputs.iter().filter_map(|input| match input {
            FnArg::Typed(typed) => Some(&*typed.ty),
            FnArg::Receiver(_) => None,
        })
    };
    for param in types() {
        if let Some((span, written, meant)) = misspelt(param) {
            return (
                span,
                format!(
                    "`{written}` is not an event type: did you mean `{meant}`? The event parameter is \
                     `{ty}<T>` (one call per event) or `Vec<{ty}<T>>` (one call per delivery)"
                ),
            );
        }
    }
    if schema == Schema::EventGrid
        && let Some(first) = types().next()
    {
        let written = compact(first);
        return (
            first.span(),
            format!(
                "no event parameter: `{written}` is taken as an axum extractor. If it is the event, take \
                 `EventGridEvent<{written}>` (the Event Grid schema), or `CustomInput<{written}>` if the \
                 subscription delivers the topic's custom input schema; a `Vec` of either takes the whole delivery"
            ),
        );
    }
    (
        sig.paren_token.span.join(),
        format!(
            "no event parameter: add `event: {ty}<T>` (one call per event) or \
             `events: Vec<{ty}<T>>` (one call per delivery)"
        ),
    )
}

/// A parameter type whose name (or, in a `Vec`, whose element's name) is within two edits of an
/// event type's, ignoring case, without being one: its span, the name written and the one meant.
fn misspelt(ty: &Type) -> Option<(Span, String, &'static str)> {
    let (name, arg) = last_segment(ty)?;
    let (name, span) = match (name.as_str(), arg) {
        ("Vec", Some(inner)) => (last_segment(&inner)?.0, inner.span()),
        _ => (name, ty.span()),
    };
    let lower = name.to_ascii_lowercase();
    EVENT_TYPES
        .iter()
        .map(|known| (distance(&lower, &known.to_ascii_lowercase()), *known))
        .filter(|(d, known)| *d <= 2 && name != *known)
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| (span, name, known))
}

fn last_segment(ty: &Type) -> Option<(String, Option<Type>)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    let arg = match &segment.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        }),
        _ => None,
    };
    Some((segment.ident.to_string(), arg))
}

/// A type as written, without the spaces that token printing puts around `<`, `>` and `::`.
fn compact(ty: &Type) -> String {
    ty.to_token_stream()
        .to_string()
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ::", "::")
        .replace(":: ", "::")
        .replace(" ,", ",")
        .replace("& ", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(ty: &str) -> Type {
        syn::parse_str(ty).unwrap()
    }

    #[test]
    fn event_types_and_vecs_of_them_are_recognised() {
        for (ty, kind) in [
            ("EventGridEvent<Order>", "EventGridEvent"),
            ("Vec<webhook_runtime::CustomInput<Order>>", "CustomInput"),
            ("CustomInput", "CustomInput"),
            ("Incoming<serde_json::Value>", "Incoming"),
        ] {
            assert_eq!(event_param(&parsed(ty)).map(|(k, _)| k), Some(kind), "{ty}");
        }
        for ty in ["Order", "Vec<Order>", "State<Db>", "CustomInputs<Order>"] {
            assert!(event_param(&parsed(ty)).is_none(), "{ty}");
        }
    }

    #[test]
    fn near_misses_of_event_types_are_named() {
        for (ty, meant) in [
            ("EventGridEvents<Order>", "EventGridEvent"),
            ("EventGridEvnt<Order>", "EventGridEvent"),
            ("Vec<Cloudevent<Order>>", "CloudEvent"),
            ("CustomInputs<Order>", "CustomInput"),
        ] {
            assert_eq!(
                misspelt(&parsed(ty)).map(|(_, _, m)| m),
                Some(meant),
                "{ty}"
            );
        }
        for ty in [
            "Order",
            "State<Db>",
            "HeaderMap",
            "EventGridHeaders",
            "EventGridEvent<Order>",
        ] {
            assert!(misspelt(&parsed(ty)).is_none(), "{ty}");
        }
    }

    #[test]
    fn types_are_written_back_compactly() {
        for ty in [
            "Order",
            "Vec<orders::Order>",
            "Option<(u8, String)>",
            "&'static str",
        ] {
            assert_eq!(compact(&parsed(ty)), ty);
        }
    }
}
