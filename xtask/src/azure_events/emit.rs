//! The Rust code of the generated modules: structs, extensible enums, the per-service event
//! enum and its type-name constants, and the module list.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::curated::{Aliases, NumbersAsText};
use super::model::{EnumType, Model, Service, Type, reach, services};
use super::names::{event_variant, field_name, pascal_case, screaming_case};
use super::samples::roundtrip_code;
use super::{HEADER, OUTPUT, ROUNDTRIP};

/// Every generated file, by its path from the workspace root: `mod.rs`, `common.rs` when types
/// are shared, one per service, and the round-trip test.
pub(super) fn generate(
    model: &Model,
    always: &BTreeMap<String, BTreeSet<String>>,
    aliases: &Aliases,
    numbers_as_text: &NumbersAsText,
) -> Result<BTreeMap<String, String>, String> {
    let services = services(model)?;
    // Which services use each model and enum.
    let mut model_users: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut enum_users: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (index, service) in services.iter().enumerate() {
        let (mut models, mut enums) = (BTreeSet::new(), BTreeSet::new());
        for (_, data) in &service.events {
            reach(model, data, &mut models, &mut enums);
        }
        for name in models {
            model_users.entry(name).or_default().insert(index);
        }
        for name in enums {
            enum_users.entry(name).or_default().insert(index);
        }
    }
    for name in model_users.keys() {
        if !model.models.contains_key(name) {
            return Err(format!("model {name} is referred to but not defined"));
        }
    }
    for name in enum_users.keys() {
        if !model.enums.contains_key(name) {
            return Err(format!("enum {name} is referred to but not defined"));
        }
    }
    let mut files = BTreeMap::new();
    let mut common = String::new();
    let mut common_users = BTreeSet::new();
    let mut bodies = vec![String::new(); services.len()];
    // A type used by one service goes in that service's module; one shared by several goes in
    // `common`, compiled when any of their features is on.
    let mut place = |users: &BTreeSet<usize>, code: &str| match users.first() {
        Some(&index) if users.len() == 1 => bodies[index].push_str(code),
        _ => {
            common_users.extend(users.iter().copied());
            common.push_str(&cfg_any(&services, users));
            common.push_str(code);
        }
    };
    for (name, users) in &model_users {
        place(
            users,
            &model_code(model, name, always, aliases, numbers_as_text)?,
        );
    }
    for (name, users) in &enum_users {
        place(users, &enum_code(name, &model.enums[name]));
    }
    let mut module_list = String::new();
    if !common.is_empty() {
        let text = format!(
            "{HEADER}//! Types that the data of several services' events share.\n\n\
             #[allow(unused_imports, reason = \"each type uses some of them\")]\n\
             use super::prelude::*;\n\n{common}"
        );
        files.insert(format!("{OUTPUT}/common.rs"), text);
        writeln!(
            module_list,
            "{}pub mod common;",
            cfg_any(&services, &common_users)
        )
        .unwrap();
    }
    for (index, service) in services.iter().enumerate() {
        let mut text = format!(
            "{HEADER}//! The system events of `{segment}.*`: their data types, the enum over them \
             ([`{en}`]) and their\n//! type names ([`event_types`]). Feature `{feature}`.\n\n\
             #[allow(unused_imports, reason = \"each service uses some of them\")]\n\
             use super::prelude::*;\n",
            segment = service.segment,
            en = service.enum_name,
            feature = service.feature,
        );
        if !common.is_empty() {
            text.push_str(
                "#[allow(unused_imports, reason = \"only some services share types\")]\n",
            );
            text.push_str("use super::common::*;\n");
        }
        text.push('\n');
        text.push_str(&event_enum_code(service));
        text.push_str(&event_types_code(service));
        text.push_str(&bodies[index]);
        files.insert(format!("{OUTPUT}/{}.rs", service.module), text);
        writeln!(
            module_list,
            "#[cfg(feature = \"{}\")]\npub mod {};",
            service.feature, service.module
        )
        .unwrap();
    }
    files.insert(
        ROUNDTRIP.to_owned(),
        roundtrip_code(model, &model_users, &services, aliases, numbers_as_text),
    );
    let source = format!("{} {}", model.source.package, model.source.version);
    files.insert(
        format!("{OUTPUT}/mod.rs"),
        format!(
            "{HEADER}//! From {source}.\n\n\
             /// What every generated module uses.\n\
             #[allow(unused_imports, reason = \"each module uses some of them\")]\n\
             mod prelude {{\n\
             \x20   pub(super) use std::collections::BTreeMap;\n\
             \x20   pub(super) use serde::{{Deserialize, Serialize}};\n\
             \x20   pub(super) use serde_json::Value;\n\
             \x20   pub(super) use time::OffsetDateTime;\n\
             }}\n\n{module_list}"
        ),
    );
    Ok(files)
}

/// `#[cfg(any(feature = ...))]` for the services `users`.
fn cfg_any(services: &[Service], users: &BTreeSet<usize>) -> String {
    let features: Vec<String> = users
        .iter()
        .map(|&i| format!("feature = \"{}\"", services[i].feature))
        .collect();
    format!("#[cfg(any({}))]\n", features.join(", "))
}

fn model_code(
    model: &Model,
    name: &str,
    always: &BTreeMap<String, BTreeSet<String>>,
    aliases: &Aliases,
    numbers_as_text: &NumbersAsText,
) -> Result<String, String> {
    let found = &model.models[name];
    let events: Vec<&str> = model
        .events
        .iter()
        .filter(|e| e.data == name)
        .map(|e| e.ty.as_str())
        .collect();
    let mut code = String::new();
    if events.is_empty() {
        writeln!(code, "/// Azure's `{name}`, a part of system event data.").unwrap();
    } else {
        let listed: Vec<String> = events.iter().map(|e| format!("`{e}`")).collect();
        writeln!(
            code,
            "/// The data of {} events (Azure's `{name}`).",
            listed.join(", ")
        )
        .unwrap();
    }
    if let Some(discriminator) = &found.discriminator {
        writeln!(
            code,
            "///\n/// Azure sends subtypes of it, told apart by `{}`; their fields are not listed here.",
            discriminator.wire
        )
        .unwrap();
    }
    let present = always.get(name);
    // `Default` (the only way to make one outside the crate, as it is non-exhaustive) while
    // every field is an `Option`.
    let all_optional = !found
        .properties
        .iter()
        .any(|p| p.required && present.is_some_and(|set| set.contains(&p.wire)));
    let default = if all_optional { "Default, " } else { "" };
    writeln!(
        code,
        "#[derive(Debug, Clone, PartialEq, {default}Serialize, Deserialize)]\n#[non_exhaustive]"
    )
    .unwrap();
    writeln!(code, "pub struct {name} {{").unwrap();
    let mut seen = BTreeSet::new();
    for property in &found.properties {
        let field = field_name(&property.property);
        if !seen.insert(field.clone()) {
            return Err(format!("{name}: two properties make the field {field}"));
        }
        let always_sent = property.required && present.is_some_and(|p| p.contains(&property.wire));
        let (mut ty, datetime) = rust_type(&property.ty);
        // A model that contains itself (an error's inner error) needs a box.
        if let Type::Model { name: inner } = &property.ty {
            let (mut models, mut enums) = (BTreeSet::new(), BTreeSet::new());
            reach(model, inner, &mut models, &mut enums);
            if models.contains(name) {
                ty = format!("Box<{ty}>");
            }
        }
        let mut doc = format!("`{}`", property.wire);
        if property.required {
            doc.push_str(": always sent, by Azure's definition");
        }
        let also = aliases
            .get(&(name.to_owned(), property.wire.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        if !also.is_empty() {
            let listed: Vec<String> = also.iter().map(|a| format!("`{a}`")).collect();
            write!(
                doc,
                "; also read from {}, as Azure's samples send it",
                listed.join(" or ")
            )
            .unwrap();
        }
        let mut serde = vec![format!("rename = {}", quoted(&property.wire))];
        // Other names Azure sends (tools/azure-events/aliases.json); written under the model's.
        for alias in also {
            serde.push(format!("alias = {}", quoted(alias)));
        }
        // Numbers may come as text (webhook-runtime/src/azure/number.rs); text comes as numbers
        // in the fields of numbers-as-text.json (webhook-runtime/src/azure/text.rs says why not
        // in every string field).
        let number_as_text = numbers_as_text.contains(&(name.to_owned(), property.wire.clone()));
        let reader = match &property.ty {
            Type::Integer {} => Some("crate::azure::number::i64"),
            Type::Number {} => Some("crate::azure::number::f64"),
            Type::String { .. } if number_as_text => Some("crate::azure::text::string"),
            _ => None,
        };
        if number_as_text {
            doc.push_str("; a number is read as its text, as Azure's samples send one");
        }
        writeln!(code, "    /// {doc}.").unwrap();
        if always_sent {
            if datetime {
                serde.push("with = \"crate::azure::datetime\"".to_owned());
            }
            if let Some(reader) = reader {
                serde.push(format!("deserialize_with = \"{reader}\""));
            }
            writeln!(code, "    #[serde({})]", serde.join(", ")).unwrap();
            writeln!(code, "    pub {field}: {ty},").unwrap();
        } else {
            serde.push("default".to_owned());
            serde.push("skip_serializing_if = \"Option::is_none\"".to_owned());
            if datetime {
                serde.push("with = \"crate::azure::datetime::option\"".to_owned());
            }
            if let Some(reader) = reader {
                let (module, function) = reader.rsplit_once("::").expect("a path");
                serde.push(format!(
                    "deserialize_with = \"{module}::option_{function}\""
                ));
            }
            writeln!(code, "    #[serde({})]", serde.join(", ")).unwrap();
            writeln!(code, "    pub {field}: Option<{ty}>,").unwrap();
        }
    }
    code.push_str("}\n\n");
    Ok(code)
}

/// A Rust string literal of `text`.
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// The Rust type of a property, and whether it is a time (which needs its serde module).
fn rust_type(ty: &Type) -> (String, bool) {
    match ty {
        Type::Datetime {} => ("OffsetDateTime".to_owned(), true),
        Type::String {
            format: Some(format),
        } if format == "date-time" => ("OffsetDateTime".to_owned(), true),
        Type::String { .. } => ("String".to_owned(), false),
        Type::Integer {} => ("i64".to_owned(), false),
        Type::Number {} => ("f64".to_owned(), false),
        Type::Boolean {} => ("bool".to_owned(), false),
        Type::Model { name } | Type::Enum { name } => (name.clone(), false),
        // Times inside arrays and maps stay text: they are rare, and a serde module per shape
        // is not worth it.
        Type::Array { items } => (format!("Vec<{}>", inner_type(items)), false),
        // A map of anything is whatever JSON Azure sends (some are not objects on the wire).
        Type::Map { values } if matches!(**values, Type::Any {}) => ("Value".to_owned(), false),
        Type::Map { values } => (format!("BTreeMap<String, {}>", inner_type(values)), false),
        Type::Any {} => ("Value".to_owned(), false),
    }
}

fn inner_type(ty: &Type) -> String {
    match ty {
        Type::Datetime {} => "String".to_owned(),
        other => rust_type(other).0,
    }
}

/// An extensible string enum: the known values, and `Other` for any other (Azure adds values).
fn enum_code(name: &str, found: &EnumType) -> String {
    let mut variants: Vec<(String, String)> = Vec::new();
    let mut used = BTreeSet::new();
    for value in &found.values {
        let mut variant = pascal_case(value);
        if variant == "Other" {
            variant = "OtherValue".to_owned();
        }
        let base = variant.clone();
        let mut n = 2;
        while !used.insert(variant.clone()) {
            variant = format!("{base}{n}");
            n += 1;
        }
        variants.push((variant, value.clone()));
    }
    let mut code = format!(
        "/// Azure's `{name}`: one of the values Azure lists, or another it may add.\n\
         #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]\n\
         #[serde(from = \"String\", into = \"String\")]\n\
         #[non_exhaustive]\n\
         pub enum {name} {{\n"
    );
    for (variant, value) in &variants {
        writeln!(
            code,
            "    /// `{}`.\n    {variant},",
            value.replace('`', "'")
        )
        .unwrap();
    }
    code.push_str("    /// A value not listed when this was generated.\n    Other(String),\n}\n\n");
    writeln!(code, "impl From<String> for {name} {{").unwrap();
    code.push_str("    fn from(value: String) -> Self {\n        match value.as_str() {\n");
    for (variant, value) in &variants {
        writeln!(code, "            {value:?} => Self::{variant},").unwrap();
    }
    code.push_str("            _ => Self::Other(value),\n        }\n    }\n}\n\n");
    writeln!(code, "impl From<{name}> for String {{").unwrap();
    writeln!(
        code,
        "    fn from(value: {name}) -> Self {{\n        match value {{"
    )
    .unwrap();
    for (variant, value) in &variants {
        writeln!(
            code,
            "            {name}::{variant} => {value:?}.to_owned(),"
        )
        .unwrap();
    }
    writeln!(
        code,
        "            {name}::Other(value) => value,\n        }}\n    }}\n}}\n"
    )
    .unwrap();
    code
}

/// The enum over a service's event types, for `CloudEvent<T>` and `EventGridEvent<T>`: each
/// known type decoded to its data, any other kept as JSON (Azure adds event types).
fn event_enum_code(service: &Service) -> String {
    let mut code = format!(
        "/// The events of `{segment}.*`, by event type; a type added after this was generated is\n\
         /// [`{en}::Other`].\n\
         #[derive(Debug, Clone, PartialEq, crate::EventTypes)]\n\
         #[non_exhaustive]\n\
         pub enum {en} {{\n",
        segment = service.segment,
        en = service.enum_name,
    );
    for (event, data) in &service.events {
        let variant = event_variant(event);
        writeln!(
            code,
            "    /// `{event}`.\n    #[event({event:?})]\n    {variant}({data}),"
        )
        .unwrap();
    }
    code.push_str("    /// Another event type of the service, with its data as JSON.\n    #[event(other)]\n    Other(Value),\n}\n\n");
    code
}

/// The module of event type names, one constant each.
fn event_types_code(service: &Service) -> String {
    let mut code = format!(
        "/// The event types of `{}.*`.\npub mod event_types {{\n",
        service.segment
    );
    for (event, _) in &service.events {
        let constant = screaming_case(&event_variant(event));
        writeln!(
            code,
            "    /// `{event}`.\n    pub const {constant}: &str = {event:?};"
        )
        .unwrap();
    }
    code.push_str("}\n\n");
    code
}
