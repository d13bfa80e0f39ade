//! The model the generator reads (`tools/azure-events/model.json`), the services its events
//! belong to, and which models and enums a type reaches.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::names::snake_case;

#[derive(Deserialize)]
pub(super) struct Model {
    pub(super) source: Source,
    pub(super) models: BTreeMap<String, ModelType>,
    pub(super) enums: BTreeMap<String, EnumType>,
    pub(super) events: Vec<Event>,
}

#[derive(Deserialize)]
pub(super) struct Source {
    pub(super) package: String,
    pub(super) version: String,
}

#[derive(Deserialize)]
pub(super) struct ModelType {
    pub(super) properties: Vec<Property>,
    pub(super) discriminator: Option<Discriminator>,
}

#[derive(Deserialize)]
pub(super) struct Discriminator {
    pub(super) wire: String,
}

#[derive(Deserialize)]
pub(super) struct Property {
    pub(super) property: String,
    pub(super) wire: String,
    pub(super) required: bool,
    #[serde(rename = "type")]
    pub(super) ty: Type,
}

#[derive(Deserialize, Clone)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(super) enum Type {
    String { format: Option<String> },
    // Struct variants: the model may add members (an integer's format) that only `{}` ignores.
    Integer {},
    Number {},
    Boolean {},
    Datetime {},
    Model { name: String },
    Enum { name: String },
    Array { items: Box<Type> },
    Map { values: Box<Type> },
    Any {},
}

#[derive(Deserialize)]
pub(super) struct EnumType {
    pub(super) values: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct Event {
    #[serde(rename = "type")]
    pub(super) ty: String,
    pub(super) data: String,
}

/// A service: the events named `Microsoft.<Segment>.*`.
pub(super) struct Service {
    /// `Microsoft.<Segment>`.
    pub(super) segment: String,
    pub(super) module: String,
    pub(super) feature: String,
    /// The enum over its event types.
    pub(super) enum_name: String,
    pub(super) events: Vec<(String, String)>,
}

/// The services, by the second segment of their event types, in name order.
pub(super) fn services(model: &Model) -> Result<Vec<Service>, String> {
    let mut by_segment: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for event in &model.events {
        let mut parts = event.ty.split('.');
        let (Some("Microsoft"), Some(segment), Some(_)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "event type {:?} is not Microsoft.<Service>.<Name>",
                event.ty
            ));
        };
        if !model.models.contains_key(&event.data) {
            return Err(format!(
                "{} names the missing model {}",
                event.ty, event.data
            ));
        }
        by_segment
            .entry(segment.to_owned())
            .or_default()
            .push((event.ty.clone(), event.data.clone()));
    }
    Ok(by_segment
        .into_iter()
        .map(|(segment, mut events)| {
            events.sort();
            // `SignalR` is one word.
            let snake = snake_case(&segment.replace("SignalR", "Signalr"));
            Service {
                module: snake.clone(),
                feature: format!("azure-{}", snake.replace('_', "-")),
                enum_name: format!("{segment}Event"),
                segment: format!("Microsoft.{segment}"),
                events,
            }
        })
        .collect())
}

/// The models and enums a type refers to, directly or through other models.
pub(super) fn reach(
    model: &Model,
    name: &str,
    models: &mut BTreeSet<String>,
    enums: &mut BTreeSet<String>,
) {
    if !models.insert(name.to_owned()) {
        return;
    }
    let Some(found) = model.models.get(name) else {
        return;
    };
    for property in &found.properties {
        reach_type(model, &property.ty, models, enums);
    }
}

fn reach_type(
    model: &Model,
    ty: &Type,
    models: &mut BTreeSet<String>,
    enums: &mut BTreeSet<String>,
) {
    match ty {
        Type::Model { name } => reach(model, name, models, enums),
        Type::Enum { name } => {
            enums.insert(name.clone());
        }
        Type::Array { items } => reach_type(model, items, models, enums),
        Type::Map { values } => reach_type(model, values, models, enums),
        _ => {}
    }
}
