//! Checking the annotated function, collecting every error (see `crate::errors`).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, GenericArgument, Ident, ItemFn, PathArguments, Type, Visibility};

use crate::args::Schema;
use crate::errors::Errors;
use crate::event_param::{self, event_param};

/// A parameter of the handler other than the event: an axum extractor.
pub(crate) struct Extractor {
    pub(crate) ty: Type,
    pub(crate) name: Ident,
}

/// Whether the function is a method (has a `self` parameter): it then sits in an `impl` block,
/// where no companion item can be emitted.
pub(crate) fn is_method(item: &ItemFn) -> bool {
    matches!(item.sig.inputs.first(), Some(FnArg::Receiver(_)))
}

/// The annotated function, as the expansion needs it.
pub(crate) struct Handler {
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) cfgs: Vec<Attribute>,
    /// The event parameter's type, its event type's name (`EventGridEvent`, …), its data type
    /// (when written) and its position.
    pub(crate) event_ty: Type,
    pub(crate) event_kind: &'static str,
    pub(crate) data_ty: Option<Type>,
    pub(crate) event_index: usize,
    pub(crate) extractors: Vec<Extractor>,
    /// The `async` keyword, where a future that is not `Send` is reported.
    pub(crate) future_span: Span,
    /// The span of the return type (the function name when there is none).
    pub(crate) output_span: Span,
    /// No return type, or `-> ()`: the runtime knows the answer without building a response.
    pub(crate) returns_unit: bool,
}

/// Checks the function's signature; `None` when no handler can be built from it.
pub(crate) fn handler(
    item: &ItemFn,
    schema: Option<(Schema, bool)>,
    errors: &mut Errors,
) -> Option<Handler> {
    let sig = &item.sig;
    let mut usable = true;
    // In the order they are written: `const async unsafe extern "C" fn`.
    if let Some(constness) = &sig.constness {
        errors.push(
            constness.span,
            "#[webhook] handlers cannot be `const fn`: remove `const` (a handler runs for each delivery)",
        );
        usable = false;
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(
            unsafety.span,
            "#[webhook] handlers cannot be `unsafe`: remove `unsafe` and put the unsafe operations in an \
             `unsafe` block inside the handler (the route cannot uphold a safety contract)",
        );
        usable = false;
    }
    if let Some(abi) = &sig.abi {
        errors.push(
            abi.extern_token.span,
            "#[webhook] handlers cannot be `extern`: remove the ABI (the route calls the handler as a Rust `async fn`)",
        );
        usable = false;
    }
    if sig.asyncness.is_none() {
        errors.push(sig.fn_token.span, "#[webhook] handlers must be `async fn`");
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let span = match sig.generics.params.first() {
            Some(param) => param.span(),
            None => sig.generics.where_clause.span(),
        };
        errors.push(
            span,
            "#[webhook] handlers cannot be generic: name the event data type and extractors",
        );
        usable = false;
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(
            variadic.dots.spans[0],
            "#[webhook] handlers cannot be variadic: remove `...` (a handler takes the event and axum extractors)",
        );
        usable = false;
    }
    let mut event: Option<(usize, Type, &'static str, Option<Type>)> = None;
    let mut extractors = Vec::new();
    for (index, input) in sig.inputs.iter().enumerate() {
        let typed = match input {
            FnArg::Receiver(receiver) => {
                errors.push(
                    receiver.span(),
                    "#[webhook] cannot be used on a method: write a free `async fn` and call the method from it",
                );
                usable = false;
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        if let Some(impl_trait) = impl_trait(&typed.ty) {
            errors.push(
                impl_trait.impl_token.span,
                "#[webhook] handlers cannot take `impl Trait` parameters: name the type \
                 (the route extracts and decodes one concrete type per parameter)",
            );
            usable = false;
        }
        if let Some((kind, data_ty)) = event_param(&typed.ty) {
            if let Some((schema, plain)) = schema
                && let Some(message) = event_param::schema_mismatch(kind, schema, plain)
            {
                errors.push(typed.ty.span(), message);
                usable = false;
            }
            if event.is_some() {
                errors.push(
                    typed.ty.span(),
                    "a second event parameter: a handler takes one event (one call per event) \
                     or one `Vec` of events (one call per delivery)",
                );
                usable = false;
            } else {
                event = Some((index, (*typed.ty).clone(), kind, data_ty));
            }
        } else {
            extractors.push(Extractor {
                ty: (*typed.ty).clone(),
                name: Ident::new(&format!("__webhook_arg{index}"), Span::mixed_site()),
            });
        }
    }
    let Some((event_index, event_ty, event_kind, data_ty)) = event else {
        let (span, message) = event_param::missing(sig, schema);
        errors.push(span, message);
        return None;
    };
    let output_span = match &sig.output {
        syn::ReturnType::Default => sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    let returns_unit = match &sig.output {
        syn::ReturnType::Default => true,
        syn::ReturnType::Type(_, ty) => matches!(&**ty, Type::Tuple(t) if t.elems.is_empty()),
    };
    usable.then(|| Handler {
        vis: item.vis.clone(),
        ident: sig.ident.clone(),
        cfgs: cfgs(&item.attrs),
        event_ty,
        event_kind,
        data_ty,
        event_index,
        extractors,
        future_span: sig.asyncness.map_or(sig.ident.span(), |a| a.span),
        output_span,
        returns_unit,
    })
}

/// The first `impl Trait` in a parameter's type, at any depth (`Vec<impl Trait>` is one too).
fn impl_trait(ty: &Type) -> Option<&syn::TypeImplTrait> {
    match ty {
        Type::ImplTrait(impl_trait) => Some(impl_trait),
        Type::Array(array) => impl_trait(&array.elem),
        Type::Group(group) => impl_trait(&group.elem),
        Type::Paren(paren) => impl_trait(&paren.elem),
        Type::Ptr(ptr) => impl_trait(&ptr.elem),
        Type::Reference(reference) => impl_trait(&reference.elem),
        Type::Slice(slice) => impl_trait(&slice.elem),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(impl_trait),
        Type::Path(path) => {
            let qself = path.qself.as_ref().and_then(|q| impl_trait(&q.ty));
            qself.or_else(|| {
                path.path
                    .segments
                    .iter()
                    .find_map(|segment| match &segment.arguments {
                        PathArguments::AngleBracketed(args) => {
                            args.args.iter().find_map(|arg| match arg {
                                GenericArgument::Type(ty) => impl_trait(ty),
                                GenericArgument::AssocType(assoc) => impl_trait(&assoc.ty),
                                _ => None,
                            })
                        }
                        _ => None,
                    })
            })
        }
        _ => None,
    }
}

/// The `#[cfg]` attributes of the handler, copied onto its companion (D11).
pub(crate) fn cfgs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::impl_trait;

    #[test]
    fn impl_trait_is_found_at_any_depth_of_a_parameter_type() {
        for ty in [
            "impl Send",
            "Vec<impl Send>",
            "Option<&impl Send>",
            "(u8, [impl Send; 2])",
            "Result<u8, (impl Send)>",
        ] {
            let parsed: syn::Type = syn::parse_str(ty).unwrap();
            assert!(impl_trait(&parsed).is_some(), "{ty}");
        }
    }

    #[test]
    fn a_parameter_type_without_impl_trait_has_none() {
        for ty in ["u8", "Vec<Box<dyn Send>>", "&[u8]", "(u8, String)"] {
            let parsed: syn::Type = syn::parse_str(ty).unwrap();
            assert!(impl_trait(&parsed).is_none(), "{ty}");
        }
    }
}
