//! The round-trip test of every generated type: a JSON object with every field set, per model;
//! and per entry of the curated lists, the same object with that field under its alias, or as a
//! number.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::HEADER;
use super::curated::{Aliases, NumbersAsText};
use super::model::{Model, Service, Type};
use super::names::snake_case;

/// A test that decodes, for every model, a JSON object with every field set and encodes it back
/// to the same JSON: wire names, times, enums and nesting all survive. Then, for every alias, that
/// the object with the field under the alias encodes to the same JSON (read under the alias,
/// written under the model's name), and for every number-as-text field, that the object with a
/// number there encodes to the object with the number's text.
pub(super) fn roundtrip_code(
    model: &Model,
    model_users: &BTreeMap<String, BTreeSet<usize>>,
    services: &[Service],
    aliases: &Aliases,
    numbers_as_text: &NumbersAsText,
) -> String {
    let mut code = format!(
        "{HEADER}//! Every generated Azure system event type decodes a JSON object with every field set and\n\
         //! encodes it back to the same JSON; a field of tools/azure-events/aliases.json is also read\n\
         //! under its alias, and one of tools/azure-events/numbers-as-text.json from a number.\n\n\
         use serde_json::{{Value, json}};\n\n\
         fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned>(sample: Value) {{\n\
         \x20   let decoded: T = serde_json::from_value(sample.clone()).expect(\"decodes\");\n\
         \x20   assert_eq!(serde_json::to_value(&decoded).expect(\"encodes\"), sample);\n\
         }}\n\n\
         /// `sample` with its field `wire` sent as `sent` decodes to what encodes to `sample`.\n\
         fn read_as<T: serde::Serialize + serde::de::DeserializeOwned>(\n\
         \x20   sample: Value,\n\
         \x20   wire: &str,\n\
         \x20   sent: &str,\n\
         \x20   value: Value,\n\
         ) {{\n\
         \x20   let mut object = sample.as_object().expect(\"an object\").clone();\n\
         \x20   object.remove(wire).expect(\"the field is in the sample\");\n\
         \x20   object.insert(sent.to_owned(), value);\n\
         \x20   let decoded: T = serde_json::from_value(Value::Object(object)).expect(\"decodes\");\n\
         \x20   assert_eq!(serde_json::to_value(&decoded).expect(\"encodes\"), sample);\n\
         }}\n\n"
    );
    let module_of = |name: &str| match model_users.get(name) {
        Some(users) if users.len() == 1 => services[*users.first().expect("one")].module.clone(),
        _ => "common".to_owned(),
    };
    for name in model_users.keys() {
        let module = module_of(name);
        let sample = sample_model(model, name, &mut BTreeSet::new());
        writeln!(
            code,
            "#[test]\nfn {}() {{\n    roundtrip::<webhook_runtime::azure::{module}::{name}>(json!({sample}));\n}}\n",
            snake_case(name)
        )
        .unwrap();
    }
    for ((name, wire), names) in aliases {
        let module = module_of(name);
        let sample = sample_model(model, name, &mut BTreeSet::new());
        let value = &sample[wire];
        for alias in names {
            writeln!(
                code,
                "#[test]\nfn {}_reads_{}_under_alias_{}() {{\n    read_as::<webhook_runtime::azure::{module}::{name}>(json!({sample}), {wire:?}, {alias:?}, json!({value}));\n}}\n",
                snake_case(name),
                snake_case(wire),
                snake_case(&alias.replace('$', "dollar_")),
            )
            .unwrap();
        }
    }
    for (name, wire) in numbers_as_text {
        let module = module_of(name);
        let mut sample = sample_model(model, name, &mut BTreeSet::new());
        // The number 42 is read as the text "42".
        sample[wire.as_str()] = serde_json::json!("42");
        writeln!(
            code,
            "#[test]\nfn {}_reads_a_number_as_{}() {{\n    read_as::<webhook_runtime::azure::{module}::{name}>(json!({sample}), {wire:?}, {wire:?}, json!(42));\n}}\n",
            snake_case(name),
            snake_case(wire),
        )
        .unwrap();
    }
    code
}

/// A JSON object with every field of a model set; a model met again on the way is left out
/// (its field is absent), so recursion ends.
fn sample_model(model: &Model, name: &str, path: &mut BTreeSet<String>) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    if !path.insert(name.to_owned()) {
        return serde_json::Value::Object(object);
    }
    for property in &model.models[name].properties {
        if let Type::Model { name: inner } = &property.ty
            && path.contains(inner)
        {
            continue;
        }
        object.insert(
            property.wire.clone(),
            sample_value(model, &property.ty, path, true),
        );
    }
    path.remove(name);
    serde_json::Value::Object(object)
}

fn sample_value(
    model: &Model,
    ty: &Type,
    path: &mut BTreeSet<String>,
    direct: bool,
) -> serde_json::Value {
    use serde_json::json;
    match ty {
        Type::String {
            format: Some(format),
        } if format == "date-time" && direct => {
            json!("2024-05-01T10:00:00.123Z")
        }
        Type::Datetime {} if direct => json!("2024-05-01T10:00:00.123Z"),
        Type::String { .. } | Type::Datetime {} => json!("text"),
        Type::Integer {} => json!(42),
        Type::Number {} => json!(1.5),
        Type::Boolean {} => json!(true),
        Type::Model { name } => sample_model(model, name, path),
        Type::Enum { name } => json!(
            model.enums[name]
                .values
                .first()
                .cloned()
                .unwrap_or_default()
        ),
        Type::Array { items } => json!([sample_value(model, items, path, false)]),
        Type::Map { values } => json!({ "key": sample_value(model, values, path, false) }),
        Type::Any {} => json!({ "any": [1, "two"] }),
    }
}
