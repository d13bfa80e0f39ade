//! `#[derive(EventTypes)]`: an enum whose variants are keyed by event type.
//!
//! The expansion is a `serde::Deserialize` impl that asks the deserializer for an enum named
//! `webhook_runtime::EventTypes`; the runtime's data deserializer answers with the event's type as
//! the variant and its data as the content. The mapping from type strings to variants is checked
//! here, at compile time.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

use crate::errors::Errors;

/// What the enum does with an event type it does not list.
enum Unknown {
    Reject,
    Skip,
    /// The catch-all variant (by index).
    Other(usize),
}

/// One variant: its event type (`None` for the catch-all) and whether it holds the data.
struct Variant {
    ident: syn::Ident,
    event_type: Option<LitStr>,
    data: Option<syn::Type>,
}

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let expansion =
        check(&input, &mut errors).map(|(variants, unknown)| expand(&input, &variants, &unknown));
    match expansion {
        Some(expansion) if errors.is_empty() => expansion,
        _ => {
            let stub = stub(&input);
            let errors = errors.to_compile_error();
            quote!(#stub #errors)
        }
    }
}

/// The impls emitted when the enum is wrong, so code that uses it reports nothing more than the
/// real mistake (only where they can compile: a non-generic enum).
fn stub(input: &DeriveInput) -> TokenStream {
    if !matches!(input.data, Data::Enum(_)) || !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let name = &input.ident;
    let rt = quote!(::webhook_runtime::__private);
    quote! {
        impl<'de> #rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::serde::Deserializer<'de>>(_: D) -> ::core::result::Result<Self, D::Error> {
                ::core::result::Result::Err(#rt::serde::de::Error::custom("#[derive(EventTypes)] reported an error"))
            }
        }
        impl ::webhook_runtime::EventTypes for #name {
            const EVENT_TYPES: &'static [&'static str] = &[];
        }
    }
}

fn check(input: &DeriveInput, errors: &mut Errors) -> Option<(Vec<Variant>, Unknown)> {
    let Data::Enum(data) = &input.data else {
        errors.push(
            input.ident.span(),
            "#[derive(EventTypes)] applies to an enum with a variant per event type",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        errors.push(
            input.generics.span(),
            "#[derive(EventTypes)] enums cannot be generic",
        );
    }
    let mut policy: Option<(Unknown, Span)> = None;
    let mut policy_given = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("events")) {
        policy_given = true;
        let result = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("unknown") {
                return Err(meta.error("unknown option: write `#[events(unknown = reject)]` or `#[events(unknown = skip)]`"));
            }
            let value: syn::Ident = meta.value()?.parse()?;
            let choice = match value.to_string().as_str() {
                "reject" => Unknown::Reject,
                "skip" => Unknown::Skip,
                _ => {
                    return Err(syn::Error::new(
                        value.span(),
                        "`unknown` is `reject` (answer 400) or `skip` (acknowledge without calling the handler); \
                         for a catch-all, mark a variant `#[event(other)]`",
                    ));
                }
            };
            if policy.is_some() {
                return Err(meta.error("`unknown` is specified more than once"));
            }
            policy = Some((choice, meta.path.span()));
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error.span(), error);
        }
    }
    let mut variants: Vec<Variant> = Vec::new();
    let mut other: Option<usize> = None;
    for variant in &data.variants {
        let data_ty = match &variant.fields {
            Fields::Unit => None,
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                Some(fields.unnamed[0].ty.clone())
            }
            fields => {
                errors.push(
                    fields.span(),
                    "a variant holds the event's data in one unnamed field, `Created(BlobCreated)`, or nothing",
                );
                None
            }
        };
        let mut event_type: Option<LitStr> = None;
        let mut is_other = false;
        let mut marked = false;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("event")) {
            marked = true;
            let result = attr.parse_args_with(|input: syn::parse::ParseStream<'_>| {
                if input.peek(LitStr) {
                    event_type = Some(input.parse()?);
                } else {
                    let word: syn::Ident = input.parse()?;
                    if word != "other" {
                        return Err(syn::Error::new(
                            word.span(),
                            "write `#[event(\"Type.Name\")]` or `#[event(other)]`",
                        ));
                    }
                    is_other = true;
                }
                Ok(())
            });
            if let Err(error) = result {
                errors.push(error.span(), error);
            }
        }
        if !marked {
            errors.push(
                variant.ident.span(),
                "each variant needs `#[event(\"Type.Name\")]` (the event type it receives) or `#[event(other)]`",
            );
        }
        if let Some(ty) = &event_type {
            if ty.value().is_empty() {
                errors.push(ty.span(), "an event type cannot be empty");
            } else if variants.iter().any(|v| {
                v.event_type
                    .as_ref()
                    .is_some_and(|t| t.value() == ty.value())
            }) {
                errors.push(
                    ty.span(),
                    format!("event type {:?} is mapped twice", ty.value()),
                );
            }
        }
        if is_other {
            if other.is_some() {
                errors.push(
                    variant.ident.span(),
                    "only one variant can be `#[event(other)]`",
                );
            }
            other = Some(variants.len());
        }
        variants.push(Variant {
            ident: variant.ident.clone(),
            event_type,
            data: data_ty,
        });
    }
    let unknown = match (policy, other) {
        (Some((_, span)), Some(_)) => {
            errors.push(
                span,
                "an `#[event(other)]` variant already receives unknown types: remove `unknown`",
            );
            return None;
        }
        (Some((choice, _)), None) => choice,
        (None, Some(index)) => Unknown::Other(index),
        // A malformed `#[events(...)]` was reported already.
        (None, None) if policy_given => return None,
        (None, None) => {
            errors.push(
                input.ident.span(),
                "choose what an unlisted event type does: `#[events(unknown = reject)]` (400), \
                 `#[events(unknown = skip)]` (acknowledged, handler not called), or an `#[event(other)]` variant",
            );
            return None;
        }
    };
    Some((variants, unknown))
}

fn expand(input: &DeriveInput, variants: &[Variant], unknown: &Unknown) -> TokenStream {
    let name = &input.ident;
    let rt = quote!(::webhook_runtime::__private);
    let listed: Vec<(usize, &Variant, &LitStr)> = variants
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.event_type.as_ref().map(|t| (i, v, t)))
        .collect();
    let keys: Vec<_> = listed
        .iter()
        .map(|(i, _, _)| format_ident!("__T{}", *i))
        .collect();
    let types: Vec<_> = listed.iter().map(|(_, _, t)| *t).collect();
    let build = |variant: &Variant| {
        let ident = &variant.ident;
        match &variant.data {
            Some(ty) => {
                quote!(#rt::serde::de::VariantAccess::newtype_variant::<#ty>(__variant).map(#name::#ident))
            }
            None => {
                quote!(#rt::serde::de::VariantAccess::unit_variant(__variant).map(|()| #name::#ident))
            }
        }
    };
    let arms = listed.iter().zip(&keys).map(|((_, variant, _), key)| {
        let build = build(variant);
        quote!(__Type::#key => #build,)
    });
    let list = types
        .iter()
        .map(|t| format!("`{}`", t.value()))
        .collect::<Vec<_>>()
        .join(", ");
    let unknown_arm = match unknown {
        Unknown::Reject => quote! {
            __Type::__Unknown(__type) => ::core::result::Result::Err(#rt::serde::de::Error::custom(
                ::core::format_args!("{}`{}`: this endpoint handles {}", #rt::UNKNOWN_EVENT_TYPE, __type, #list),
            )),
        },
        Unknown::Skip => quote! {
            __Type::__Unknown(_) => ::core::result::Result::Err(#rt::serde::de::Error::custom(#rt::SKIP_EVENT)),
        },
        Unknown::Other(index) => {
            let build = build(&variants[*index]);
            quote!(__Type::__Unknown(_) => #build,)
        }
    };
    let expecting = format!("an event of type {list}");
    quote! {
        const _: () = {
            #[allow(non_camel_case_types)]
            enum __Type {
                #(#keys,)*
                __Unknown(::std::string::String),
            }

            struct __TypeVisitor;

            impl<'de> #rt::serde::de::Visitor<'de> for __TypeVisitor {
                type Value = __Type;

                fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str("an event type")
                }

                fn visit_str<E: #rt::serde::de::Error>(self, value: &str) -> ::core::result::Result<__Type, E> {
                    ::core::result::Result::Ok(match value {
                        #(#types => __Type::#keys,)*
                        other => __Type::__Unknown(::std::string::ToString::to_string(other)),
                    })
                }
            }

            impl<'de> #rt::serde::Deserialize<'de> for __Type {
                fn deserialize<D: #rt::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                    d.deserialize_identifier(__TypeVisitor)
                }
            }

            struct __Visitor;

            impl<'de> #rt::serde::de::Visitor<'de> for __Visitor {
                type Value = #name;

                fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(#expecting)
                }

                fn visit_enum<A: #rt::serde::de::EnumAccess<'de>>(self, data: A) -> ::core::result::Result<#name, A::Error> {
                    let (__type, __variant) = #rt::serde::de::EnumAccess::variant::<__Type>(data)?;
                    match __type {
                        #(#arms)*
                        #unknown_arm
                    }
                }
            }

            impl<'de> #rt::serde::Deserialize<'de> for #name {
                fn deserialize<D: #rt::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                    d.deserialize_enum(#rt::EVENT_TYPES_ENUM, &[#(#types),*], __Visitor)
                }
            }

            impl ::webhook_runtime::EventTypes for #name {
                const EVENT_TYPES: &'static [&'static str] = &[#(#types),*];
            }
        };
    }
}
