//! The two lists of where Azure sends a field otherwise than its definition says, curated by hand
//! from Microsoft's published samples, each entry naming its page (so nothing is added without
//! evidence that Azure sends it):
//!
//! - `tools/azure-events/aliases.json`: JSON names other than the definition's (Machine
//!   Learning's `ModelName` for `modelName`, IoT Hub's `$version` for `version`). Each becomes a
//!   `#[serde(alias)]`: the field is read under either name and written under the definition's.
//! - `tools/azure-events/numbers-as-text.json`: string fields that Azure sends as JSON numbers
//!   (Media Services' `encoderPort`). They read a number as its text
//!   (`webhook-runtime/src/azure/text.rs`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::model::{Model, ModelType, Type};
use super::{ALIASES, NUMBERS_AS_TEXT};

/// One entry of the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Alias {
    /// The model, as `model.json` names it.
    model: String,
    /// The field's JSON name in the model.
    field: String,
    /// The other JSON name.
    alias: String,
    /// The page whose sample sends the field under `alias`.
    source: String,
}

/// The aliases by model and the field's JSON name, in file order.
pub(super) type Aliases = BTreeMap<(String, String), Vec<String>>;

/// The entries, checked: each names a model and one of its fields, gives a name the model does
/// not already use (a second field of that name would make serde refuse every event that has
/// both) and says where Azure sends it. A typo in a model or field name would otherwise leave
/// the alias unused without anyone noticing.
pub(super) fn check_aliases(model: &Model, entries: &[Alias]) -> Result<Aliases, String> {
    let mut aliases = Aliases::new();
    let mut taken: BTreeSet<(&str, &str)> = BTreeSet::new();
    for entry in entries {
        let name = &entry.model;
        let found = field_of(model, ALIASES, name, &entry.field, &entry.source)?;
        if found.properties.iter().any(|p| p.wire == entry.alias) {
            return Err(format!(
                "{ALIASES}: {name} already has a field {:?}",
                entry.alias
            ));
        }
        if !taken.insert((name, &entry.alias)) {
            return Err(format!(
                "{ALIASES}: {name} has the alias {:?} twice",
                entry.alias
            ));
        }
        aliases
            .entry((name.clone(), entry.field.clone()))
            .or_default()
            .push(entry.alias.clone());
    }
    Ok(aliases)
}

/// One entry of `numbers-as-text.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NumberAsText {
    model: String,
    /// The field's JSON name in the model.
    field: String,
    /// The page whose sample sends the field as a number.
    source: String,
}

/// The fields that read a number as text, by model and JSON name.
pub(super) type NumbersAsText = BTreeSet<(String, String)>;

/// The entries, checked: each names a model and one of its string fields (not an enum or a
/// date-time, which have their own readers), once, and says where Azure sends it as a number.
pub(super) fn check_numbers_as_text(
    model: &Model,
    entries: &[NumberAsText],
) -> Result<NumbersAsText, String> {
    let mut fields = NumbersAsText::new();
    for entry in entries {
        let name = &entry.model;
        let found = field_of(model, NUMBERS_AS_TEXT, name, &entry.field, &entry.source)?;
        let property = found.properties.iter().find(|p| p.wire == entry.field);
        let plain_string = property.is_some_and(
            |p| matches!(&p.ty, Type::String { format } if format.as_deref() != Some("date-time")),
        );
        if !plain_string {
            return Err(format!(
                "{NUMBERS_AS_TEXT}: {name}.{} is not a string field",
                entry.field
            ));
        }
        if !fields.insert((name.clone(), entry.field.clone())) {
            return Err(format!(
                "{NUMBERS_AS_TEXT}: {name}.{} is listed twice",
                entry.field
            ));
        }
    }
    Ok(fields)
}

/// The model `name`, if it exists and has the field `field`, and the entry gives a page.
fn field_of<'a>(
    model: &'a Model,
    file: &str,
    name: &str,
    field: &str,
    source: &str,
) -> Result<&'a ModelType, String> {
    let Some(found) = model.models.get(name) else {
        return Err(format!("{file}: no model {name}"));
    };
    if !found.properties.iter().any(|p| p.wire == field) {
        return Err(format!("{file}: {name} has no field {field:?}"));
    }
    if !source.starts_with("https://") {
        return Err(format!(
            "{file}: {name}.{field} needs the https address of the page that shows it"
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        serde_json::from_value(serde_json::json!({
            "source": {"package": "p", "version": "1"},
            "models": {"Data": {"properties": [
                {"property": "modelName", "wire": "modelName", "required": true, "type": {"kind": "string"}},
                {"property": "tag", "wire": "tag", "required": false, "type": {"kind": "string"}},
                {"property": "count", "wire": "count", "required": false, "type": {"kind": "integer", "format": "int32"}}
            ], "discriminator": null}},
            "enums": {},
            "events": []
        }))
        .unwrap()
    }

    fn check(entries: serde_json::Value) -> Result<Aliases, String> {
        let entries: Vec<Alias> = serde_json::from_value(entries).unwrap();
        check_aliases(&model(), &entries)
    }

    fn entry(model: &str, field: &str, alias: &str) -> serde_json::Value {
        serde_json::json!({"model": model, "field": field, "alias": alias, "source": "https://learn.microsoft.com/x"})
    }

    #[test]
    fn aliases_name_a_model_and_field_and_a_free_name() {
        let aliases = check(serde_json::json!([entry("Data", "modelName", "ModelName")])).unwrap();
        assert_eq!(
            aliases[&("Data".to_owned(), "modelName".to_owned())],
            ["ModelName"]
        );
        let unknown_model = check(serde_json::json!([entry("Date", "modelName", "ModelName")]));
        assert!(unknown_model.unwrap_err().contains("no model Date"));
        let unknown_field = check(serde_json::json!([entry("Data", "ModelName", "x")]));
        assert!(unknown_field.unwrap_err().contains("no field"));
        let taken = check(serde_json::json!([entry("Data", "modelName", "tag")]));
        assert!(taken.unwrap_err().contains("already has"));
        let twice = check(serde_json::json!([
            entry("Data", "modelName", "Tag"),
            entry("Data", "tag", "Tag")
        ]));
        assert!(twice.unwrap_err().contains("twice"));
        let mut no_source = entry("Data", "tag", "Tag");
        no_source["source"] = "the docs".into();
        assert!(check(serde_json::json!([no_source])).is_err());
    }

    #[test]
    fn numbers_as_text_name_a_string_field_once() {
        let check = |entries: serde_json::Value| {
            let entries: Vec<NumberAsText> = serde_json::from_value(entries).unwrap();
            check_numbers_as_text(&model(), &entries)
        };
        let source = "https://learn.microsoft.com/x";
        let fields =
            check(serde_json::json!([{"model": "Data", "field": "tag", "source": source}]));
        assert!(
            fields
                .unwrap()
                .contains(&("Data".to_owned(), "tag".to_owned()))
        );
        let unknown =
            check(serde_json::json!([{"model": "Data", "field": "Tag", "source": source}]));
        assert!(unknown.unwrap_err().contains("no field"));
        let number =
            check(serde_json::json!([{"model": "Data", "field": "count", "source": source}]));
        assert!(number.unwrap_err().contains("not a string field"));
        let twice = check(serde_json::json!([
            {"model": "Data", "field": "tag", "source": source},
            {"model": "Data", "field": "tag", "source": source}
        ]));
        assert!(twice.unwrap_err().contains("twice"));
    }
}
