//! Parsing the attribute: `name = value` pairs, interpreted into [`Settings`] with every error
//! collected.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, ExprLit, Lit, LitStr, MetaNameValue, Token};

use crate::errors::Errors;

/// Every argument name, for "did you mean" and "expected one of".
pub(crate) const ARGUMENTS: &[&str] = &[
    "origins",
    "schema",
    "rate",
    "body_limit",
    "subscriptions",
    "plain",
    "sender",
];

/// The senders a route can serve (what its answers mean, protocol.md §6).
pub(crate) const SENDERS: &[&str] = &["cloudevents", "eventgrid", "sap_event_mesh"];

/// The schemas a route can serve.
pub(crate) const SCHEMAS: &[&str] = &["cloudevents", "eventgrid"];

/// The raw attribute: a comma-separated list of `name = value`.
pub(crate) struct RawArgs(Punctuated<MetaNameValue, Token![,]>);

impl Parse for RawArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Punctuated::parse_terminated(input).map(RawArgs)
    }
}

/// The schema of a route.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schema {
    CloudEvents,
    EventGrid,
}

impl Schema {
    /// The event type a handler of this schema takes (with `plain = true`: `Incoming`).
    pub(crate) fn event_type(self, plain: bool) -> &'static str {
        match (self, plain) {
            (Schema::CloudEvents, false) => "CloudEvent",
            (Schema::CloudEvents, true) => "Incoming",
            (Schema::EventGrid, _) => "EventGridEvent",
        }
    }

    /// Whether a handler of this schema may take event type `kind`: an Event Grid route also
    /// takes `CustomInput`, for a subscription that delivers the topic's custom input schema.
    pub(crate) fn accepts(self, kind: &str, plain: bool) -> bool {
        kind == self.event_type(plain) || (self == Schema::EventGrid && kind == "CustomInput")
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Schema::CloudEvents => "cloudevents",
            Schema::EventGrid => "eventgrid",
        }
    }
}

/// The allow-list: string literals checked here, or a path to a `&[&str]` (such as
/// `webhook_runtime::eventgrid::EVENT_GRID_ORIGINS`) checked when the route is built.
pub(crate) enum Origins {
    Literals(Vec<LitStr>),
    Path(syn::ExprPath),
}

/// The attribute, checked.
pub(crate) struct Settings {
    pub(crate) schema: Schema,
    pub(crate) origins: Origins,
    pub(crate) subscriptions: Vec<LitStr>,
    pub(crate) plain: bool,
    pub(crate) rate: Option<u32>,
    pub(crate) body_limit: Option<u64>,
    /// The sender named in the attribute, as its runtime variant name.
    pub(crate) sender: Option<syn::Ident>,
}

impl RawArgs {
    /// Interprets the arguments; every problem is recorded in `errors`. Returns settings usable
    /// for expansion (with defaults where an argument was wrong), so one mistake gives one error.
    pub(crate) fn interpret(self, errors: &mut Errors) -> Settings {
        let mut seen: Vec<String> = Vec::new();
        let mut spans: Vec<(String, Span)> = Vec::new();
        let mut schema = None;
        let mut origins = None;
        let mut rate = None;
        let mut body_limit = None;
        let mut subscriptions = Vec::new();
        let mut plain = false;
        let mut sender = None;
        for arg in self.0 {
            let Some(name) = arg.path.get_ident().map(ToString::to_string) else {
                errors.push(
                    arg.path.span(),
                    format!("expected an argument name, one of {}", list(ARGUMENTS)),
                );
                continue;
            };
            if !ARGUMENTS.contains(&name.as_str()) {
                let hint = match closest(&name, ARGUMENTS) {
                    Some(near) => {
                        // The misspelt argument stands for `near`: no "missing `near`" on top.
                        seen.push(near.to_owned());
                        format!("unknown argument `{name}`: did you mean `{near}`?")
                    }
                    None => format!(
                        "unknown argument `{name}`, expected one of {}",
                        list(ARGUMENTS)
                    ),
                };
                errors.push(arg.path.span(), hint);
                continue;
            }
            if seen.contains(&name) {
                errors.push(
                    arg.path.span(),
                    format!("`{name}` is specified more than once"),
                );
                continue;
            }
            seen.push(name.clone());
            spans.push((name.clone(), arg.path.span()));
            match name.as_str() {
                "schema" => schema = Some(parse_schema(&arg.value, errors)),
                "origins" => origins = Some(parse_origins(&arg.value, errors)),
                "rate" => {
                    rate = parse_positive(
                        &arg.value,
                        "rate",
                        "requests per minute; omit `rate` for no limit",
                        u32::MAX.into(),
                        errors,
                    )
                    .and_then(|r| u32::try_from(r).ok())
                }
                "body_limit" => {
                    body_limit =
                        parse_positive(&arg.value, "body_limit", "bytes", usize::MAX as u64, errors)
                }
                "subscriptions" => subscriptions = parse_subscriptions(&arg.value, errors),
                "plain" => plain = parse_bool(&arg.value, "plain", errors),
                "sender" => sender = parse_sender(&arg.value, errors),
                _ => unreachable!("every name of ARGUMENTS is handled"),
            }
        }
        let given = |name: &str| spans.iter().find(|(n, _)| n == name).map(|(_, span)| *span);
        let schema = match schema {
            Some(Some(schema)) => schema,
            // A wrong schema was reported; check nothing that depends on it.
            Some(None) => {
                return Settings::fallback(origins, rate, body_limit, subscriptions);
            }
            None if seen.iter().any(|n| n == "schema") => Schema::CloudEvents,
            None => {
                errors.push(
                    Span::call_site(),
                    format!(
                        "missing `schema`: write `schema = …` with one of {}",
                        list(SCHEMAS)
                    ),
                );
                return Settings::fallback(origins, rate, body_limit, subscriptions);
            }
        };
        match schema {
            Schema::CloudEvents => {
                if origins.is_none() && !seen.iter().any(|n| n == "origins") {
                    errors.push(
                        Span::call_site(),
                        "missing `origins`: the OPTIONS handshake needs an allow-list, e.g. \
                         `origins = [\"eventemitter.example.com\"]`, or `origins = [\"*\"]` to allow any sender",
                    );
                }
                if let Some(span) = given("subscriptions") {
                    errors.push(
                        span,
                        "`subscriptions` applies to `schema = eventgrid` (Event Grid's aeg-subscription-name); \
                         a CloudEvents route admits senders by `origins`",
                    );
                }
            }
            Schema::EventGrid => {
                if let Some(span) = given("sender")
                    && sender.as_ref().is_some_and(|s| s != "EventGrid")
                {
                    errors.push(
                        span,
                        "`schema = eventgrid` is delivered by Azure Event Grid only: \
                         remove `sender`, or write `sender = eventgrid`",
                    );
                }
                for name in ["origins", "rate", "plain"] {
                    if let Some(span) = given(name) {
                        errors.push(
                            span,
                            format!(
                                "`{name}` has no effect with `schema = eventgrid`: Event Grid delivers arrays of Event Grid \
                                 events and validates a subscription with a POSTed validation event, not the OPTIONS \
                                 handshake (restrict it with `subscriptions`)"
                            ),
                        );
                    }
                }
            }
        }
        Settings {
            schema,
            origins: origins.unwrap_or(Origins::Literals(Vec::new())),
            subscriptions,
            plain,
            rate,
            body_limit,
            sender,
        }
    }
}

impl Settings {
    fn fallback(
        origins: Option<Origins>,
        rate: Option<u32>,
        body_limit: Option<u64>,
        subscriptions: Vec<LitStr>,
    ) -> Settings {
        Settings {
            schema: Schema::CloudEvents,
            origins: origins.unwrap_or(Origins::Literals(Vec::new())),
            subscriptions,
            plain: false,
            rate,
            body_limit,
            sender: None,
        }
    }
}

fn parse_schema(value: &Expr, errors: &mut Errors) -> Option<Schema> {
    let ident = match value {
        Expr::Path(path) => path.path.get_ident(),
        _ => None,
    };
    match ident.map(ToString::to_string).as_deref() {
        Some("cloudevents") => Some(Schema::CloudEvents),
        Some("eventgrid") => Some(Schema::EventGrid),
        Some(other) => {
            errors.push(
                value.span(),
                format!(
                    "unknown schema `{other}`: valid values are {}",
                    list(SCHEMAS)
                ),
            );
            None
        }
        None => {
            errors.push(
                value.span(),
                format!("`schema` takes a name, one of {}", list(SCHEMAS)),
            );
            None
        }
    }
}

/// `sender = cloudevents | eventgrid | sap_event_mesh`, as the runtime's variant name.
fn parse_sender(value: &Expr, errors: &mut Errors) -> Option<syn::Ident> {
    let ident = match value {
        Expr::Path(path) => path.path.get_ident(),
        _ => None,
    };
    let variant = match ident.map(ToString::to_string).as_deref() {
        Some("cloudevents") => "CloudEvents",
        Some("eventgrid") => "EventGrid",
        Some("sap_event_mesh") => "SapEventMesh",
        Some(other) => {
            let hint = match closest(other, SENDERS) {
                Some(near) => format!("unknown sender `{other}`: did you mean `{near}`?"),
                None => format!(
                    "unknown sender `{other}`: valid values are {}",
                    list(SENDERS)
                ),
            };
            errors.push(value.span(), hint);
            return None;
        }
        None => {
            errors.push(
                value.span(),
                format!("`sender` takes a name, one of {}", list(SENDERS)),
            );
            return None;
        }
    };
    Some(syn::Ident::new(variant, value.span()))
}

fn parse_origins(value: &Expr, errors: &mut Errors) -> Origins {
    if let Expr::Path(path) = value {
        return Origins::Path(path.clone());
    }
    Origins::Literals(parse_origin_literals(value, errors))
}

fn parse_origin_literals(value: &Expr, errors: &mut Errors) -> Vec<LitStr> {
    let Expr::Array(ExprArray {
        elems,
        bracket_token,
        ..
    }) = value
    else {
        errors.push(
            value.span(),
            "`origins` takes a list of origins, e.g. `origins = [\"eventemitter.example.com\"]`",
        );
        return Vec::new();
    };
    if elems.is_empty() {
        errors.push(
            bracket_token.span.join(),
            "`origins` is empty, so every handshake would be refused: list the senders' origins, or `\"*\"` to allow any",
        );
        return Vec::new();
    }
    let mut origins = Vec::new();
    for elem in elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => match webhook_core::parse_pattern(&lit.value()) {
                Ok(_) => origins.push(lit.clone()),
                Err(e) => errors.push(lit.span(), e.to_string()),
            },
            other => errors.push(
                other.span(),
                "an origin is a string literal, e.g. \"eventemitter.example.com\"",
            ),
        }
    }
    origins
}

fn parse_bool(value: &Expr, name: &str, errors: &mut Errors) -> bool {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => b.value,
        _ => {
            errors.push(value.span(), format!("`{name}` takes `true` or `false`"));
            false
        }
    }
}

fn parse_subscriptions(value: &Expr, errors: &mut Errors) -> Vec<LitStr> {
    let Expr::Array(ExprArray {
        elems,
        bracket_token,
        ..
    }) = value
    else {
        errors.push(
            value.span(),
            "`subscriptions` takes a list of names, e.g. `subscriptions = [\"orders\"]`",
        );
        return Vec::new();
    };
    if elems.is_empty() {
        errors.push(
            bracket_token.span.join(),
            "`subscriptions` is empty: list the expected subscription names, or omit it to accept any",
        );
    }
    let mut names = Vec::new();
    for elem in elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) if webhook_core::is_subscription_name(&lit.value()) => names.push(lit.clone()),
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => errors.push(
                lit.span(),
                "an Event Grid subscription name is 3 to 64 ASCII letters, digits and `-`",
            ),
            other => errors.push(
                other.span(),
                "a subscription name is a string literal, e.g. \"orders\"",
            ),
        }
    }
    names
}

fn parse_positive(
    value: &Expr,
    name: &str,
    unit: &str,
    max: u64,
    errors: &mut Errors,
) -> Option<u64> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) if lit.base10_digits().starts_with('-') => errors.push(
            value.span(),
            format!("`{name}` must be a positive integer ({unit})"),
        ),
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => match lit.base10_parse::<u64>() {
            Ok(0) => errors.push(lit.span(), format!("`{name}` must be at least 1 ({unit})")),
            Ok(n) if n > max => errors.push(lit.span(), format!("`{name}` must be at most {max}")),
            Ok(n) => return Some(n),
            Err(e) => errors.push(lit.span(), e.to_string()),
        },
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => errors.push(
            value.span(),
            format!("`{name}` must be a positive integer ({unit})"),
        ),
        _ => errors.push(
            value.span(),
            format!("`{name}` takes a positive integer literal ({unit})"),
        ),
    }
    None
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest known name within an edit distance of 2 (or a case-insensitive match).
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(&name.to_ascii_lowercase(), c), *c))
        .filter(|(d, c)| *d <= 2.min(c.len() / 2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
