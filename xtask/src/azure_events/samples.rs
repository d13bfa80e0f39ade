//! The round-trip test of every generated type: a JSON object with every field set, per model.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::HEADER;
use super::model::{Model, Service, Type};
use super::names::snake_case;

/// A test that decodes, for every model, a JSON object with every field set and encodes it back
/// to the same JSON: wire names, times, enums and nesting all survive.
pub(super) fn roundtrip_code(
    model: &Model,
    model_users: &BTreeMap<String, BTreeSet<usize>>,
    services: &[Service],
) -> String {
    let mut code = format!(
        "{HEADER}//! Every generated Azure system event type decodes a JSON object with every field set and\n\
         //! encodes it back to the same JSON.\n\n\
         use serde_json::{{Value, json}};\n\n\
         fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned>(sample: Value) {{\n\
         \x20   let decoded: T = serde_json::from_value(sample.clone()).expect(\"decodes\");\n\
         \x20   assert_eq!(serde_json::to_value(&decoded).expect(\"encodes\"), sample);\n\
         }}\n\n"
    );
    for (name, users) in model_users {
        let module = if users.len() == 1 {
            services[*users.first().expect("one")].module.clone()
        } else {
            "common".to_owned()
        };
        let sample = sample_model(model, name, &mut BTreeSet::new());
        writeln!(
            code,
            "#[test]\nfn {}() {{\n    roundtrip::<webhook_runtime::azure::{module}::{name}>(json!({sample}));\n}}\n",
            snake_case(name)
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
