//! The sample events Microsoft's documentation shows for each Azure service, received through real
//! `#[webhook]` routes in both schemas and checked field by field against the sample.
//!
//! Each test names the page its sample comes from. The samples are the pages' JSON with their
//! values unchanged; a test that has to depart from one says where and why (and, where the
//! receiver refuses the sample as published, asserts that too). A sample published in the Event
//! Grid schema goes through a `#[webhook(schema = eventgrid)]` route as a notification, and the
//! same event, converted to a structured-mode CloudEvent (`type` = `eventType`, `source` =
//! `topic`, `time` = `eventTime`), through a `#[webhook(schema = cloudevents)]` route; a sample
//! published in the CloudEvents schema goes through the latter as it is. The envelope a handler
//! sees is checked against the sample, then every data field the model knows (a field the sample
//! lacks, or spells otherwise, is checked to be `None`).
//!
//! These samples are also what `tools/azure-events/always-present.json` is made from: a field is
//! typed `T` (not `Option<T>`) when Azure's definition marks it required and every sample of its
//! model on these pages carries it (not as `null`).
//!
//! `Microsoft.AVS.*` (Azure VMware Solution) has no learn.microsoft.com page with a sample; its
//! tests (`azure_samples/avs.rs`) use the examples of Azure's REST API specification.
//!
//! Key Vault's sample sends `NBF` and `EXP` as text where the model has numbers: the generated
//! types read numeric text as numbers (`azure/number.rs`), so it is received. The samples that
//! send a field under another name, or a number where the model has text, are received through
//! the curated lists `tools/azure-events/aliases.json` and `numbers-as-text.json`; their fields
//! are checked in the tests below and in `azure_samples/quirks.rs`.
//!
//! Every `eventTime` here carries an offset (`Z` or `+00:00`) as its page publishes it. The
//! Event Grid route refuses one without (the envelope's `eventTime` is RFC 3339; see
//! `tests/eventgrid.rs`), so a sample published without one (some Media Services jobs) would need
//! a `Z` added, and its test would say so where it adds it; none of these needed it.
//!
//! This file is the harness (the routes and the checks of the envelope); the tests are in
//! `azure_samples/`, by service in name order, with `avs.rs` and `quirks.rs` apart.
//!
//! Run with `cargo test -p webhook-runtime --features azure-all --test azure_samples`.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::MethodRouter;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tower::ServiceExt;
use webhook_runtime::azure;

/// What a handler saw of one event: the envelope (Event Grid's `topic`, `eventType` and
/// `eventTime` in the CloudEvents fields) and the decoded data.
#[derive(Debug)]
struct Received<E> {
    id: String,
    source: Option<String>,
    subject: Option<String>,
    ty: String,
    time: Option<OffsetDateTime>,
    data: E,
}

type Seen<E> = Arc<Mutex<Vec<Received<E>>>>;

/// A generated service enum with a route of each schema that records what its handler gets.
trait Service: Sized + Send + 'static {
    fn grid_route() -> MethodRouter<Seen<Self>>;
    fn cloud_route() -> MethodRouter<Seen<Self>>;
}

/// One module per service enum, as `#[webhook]` handlers cannot be generic.
macro_rules! services {
    ($($module:ident: $service:ty;)*) => {$(
        mod $module {
            use super::{Received, Seen, Service};
            use axum::extract::State;
            use axum::routing::MethodRouter;
            use webhook_runtime::{CloudEvent, EventGridEvent, webhook};

            #[webhook(schema = eventgrid)]
            async fn grid(event: EventGridEvent<$service>, State(seen): State<Seen<$service>>) {
                let received = Received {
                    id: event.id().to_owned(),
                    source: event.topic().map(str::to_owned),
                    subject: Some(event.subject().to_owned()),
                    ty: event.event_type().to_owned(),
                    time: Some(event.event_time()),
                    data: event.into_data(),
                };
                seen.lock().unwrap().push(received);
            }

            #[webhook(schema = cloudevents, origins = ["*"])]
            async fn cloud(event: CloudEvent<$service>, State(seen): State<Seen<$service>>) {
                let received = Received {
                    id: event.id().to_owned(),
                    source: Some(event.source().to_owned()),
                    subject: event.subject().map(str::to_owned),
                    ty: event.ty().to_owned(),
                    time: event.time(),
                    data: event.into_data(),
                };
                seen.lock().unwrap().push(received);
            }

            impl Service for $service {
                fn grid_route() -> MethodRouter<Seen<Self>> {
                    grid::route()
                }

                fn cloud_route() -> MethodRouter<Seen<Self>> {
                    cloud::route()
                }
            }
        }
    )*};
}

services! {
    avs: webhook_runtime::azure::avs::AVSEvent;
    api_center: webhook_runtime::azure::api_center::ApiCenterEvent;
    api_management: webhook_runtime::azure::api_management::ApiManagementEvent;
    app_configuration: webhook_runtime::azure::app_configuration::AppConfigurationEvent;
    cache: webhook_runtime::azure::cache::CacheEvent;
    communication: webhook_runtime::azure::communication::CommunicationEvent;
    container_registry: webhook_runtime::azure::container_registry::ContainerRegistryEvent;
    container_service: webhook_runtime::azure::container_service::ContainerServiceEvent;
    data_box: webhook_runtime::azure::data_box::DataBoxEvent;
    devices: webhook_runtime::azure::devices::DevicesEvent;
    edge: webhook_runtime::azure::edge::EdgeEvent;
    event_grid: webhook_runtime::azure::event_grid::EventGridEvent;
    event_hub: webhook_runtime::azure::event_hub::EventHubEvent;
    healthcare_apis: webhook_runtime::azure::healthcare_apis::HealthcareApisEvent;
    key_vault: webhook_runtime::azure::key_vault::KeyVaultEvent;
    machine_learning_services: webhook_runtime::azure::machine_learning_services::MachineLearningServicesEvent;
    maps: webhook_runtime::azure::maps::MapsEvent;
    media: webhook_runtime::azure::media::MediaEvent;
    policy_insights: webhook_runtime::azure::policy_insights::PolicyInsightsEvent;
    resource_notifications: webhook_runtime::azure::resource_notifications::ResourceNotificationsEvent;
    resources: webhook_runtime::azure::resources::ResourcesEvent;
    service_bus: webhook_runtime::azure::service_bus::ServiceBusEvent;
    signalr_service: webhook_runtime::azure::signalr_service::SignalRServiceEvent;
    storage: webhook_runtime::azure::storage::StorageEvent;
    web: webhook_runtime::azure::web::WebEvent;
}

/// Sends one request through `route`; returns the answer and what the handler recorded.
async fn send<E: Service>(
    route: MethodRouter<Seen<E>>,
    request: Request<Body>,
) -> (StatusCode, String, Vec<Received<E>>) {
    let seen = Seen::<E>::default();
    let app = Router::new().route("/", route).with_state(seen.clone());
    let response = app.oneshot(request).await.expect("the router answers");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let received = std::mem::take(&mut *seen.lock().unwrap());
    (
        status,
        String::from_utf8_lossy(&body).into_owned(),
        received,
    )
}

/// An Event Grid notification: the event in an array, as Event Grid delivers it.
fn grid_request(event: &Value) -> Request<Body> {
    Request::post("/")
        .header("content-type", "application/json")
        .header("aeg-event-type", "Notification")
        .body(Body::from(json!([event]).to_string()))
        .expect("request")
}

/// A CloudEvent in structured mode.
fn cloud_request(event: &Value) -> Request<Body> {
    Request::post("/")
        .header(
            "content-type",
            "application/cloudevents+json; charset=utf-8",
        )
        .body(Body::from(event.to_string()))
        .expect("request")
}

fn text<'a>(event: &'a Value, field: &str) -> &'a str {
    event[field]
        .as_str()
        .unwrap_or_else(|| panic!("the sample has a text `{field}`"))
}

fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).expect("an RFC 3339 time")
}

/// Delivers an Event Grid event; checks the answer and the envelope the handler got.
async fn grid_delivery<E: Service>(event: &Value) -> E {
    let (status, body, mut received) = send(E::grid_route(), grid_request(event)).await;
    assert!(status.is_success(), "{status}: {body}");
    assert_eq!(received.len(), 1, "one call for one event");
    let received = received.remove(0);
    assert_eq!(received.id, text(event, "id"));
    assert_eq!(received.source.as_deref(), event["topic"].as_str());
    assert_eq!(received.subject.as_deref(), Some(text(event, "subject")));
    assert_eq!(received.ty, text(event, "eventType"));
    assert_eq!(received.time, Some(at(text(event, "eventTime"))));
    received.data
}

/// Delivers a structured-mode CloudEvent; checks the answer and the envelope the handler got.
async fn cloud_delivery<E: Service>(event: &Value) -> E {
    let (status, body, mut received) = send(E::cloud_route(), cloud_request(event)).await;
    assert!(status.is_success(), "{status}: {body}");
    assert_eq!(received.len(), 1, "one call for one event");
    let received = received.remove(0);
    assert_eq!(received.id, text(event, "id"));
    assert_eq!(received.source.as_deref(), Some(text(event, "source")));
    assert_eq!(received.subject.as_deref(), event["subject"].as_str());
    assert_eq!(received.ty, text(event, "type"));
    assert_eq!(received.time, event["time"].as_str().map(at));
    received.data
}

/// The answer to an Event Grid delivery that must be refused: 400, and the handler not called.
async fn grid_refusal<E: Service>(event: &Value) -> String {
    let (status, body, received) = send(E::grid_route(), grid_request(event)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(received.is_empty());
    body
}

/// The answer to a CloudEvents delivery that must be refused: 400, and the handler not called.
async fn cloud_refusal<E: Service>(event: &Value) -> String {
    let (status, body, received) = send(E::cloud_route(), cloud_request(event)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(received.is_empty());
    body
}

/// An Event Grid event as a structured-mode CloudEvent, the way Event Grid maps its schema onto
/// CloudEvents: `dataVersion` and `metadataVersion` have no counterpart and are left out.
fn to_cloud_event(grid: &Value) -> Value {
    let mut cloud = json!({
        "specversion": "1.0",
        "id": grid["id"],
        "type": grid["eventType"],
        "time": grid["eventTime"],
        "data": grid["data"],
    });
    for (from, to) in [("topic", "source"), ("subject", "subject")] {
        if let Some(value) = grid.get(from) {
            cloud[to] = value.clone();
        }
    }
    cloud
}

/// A CloudEvent as an Event Grid event; `dataVersion`, which CloudEvents lacks, is given.
fn to_grid_event(cloud: &Value, data_version: &str) -> Value {
    json!({
        "id": cloud["id"],
        "topic": cloud["source"],
        "subject": cloud["subject"],
        "eventType": cloud["type"],
        "eventTime": cloud["time"],
        "data": cloud["data"],
        "dataVersion": data_version,
        "metadataVersion": "1",
    })
}

/// A sample published in the Event Grid schema, received as it is through the Event Grid route
/// and converted through the CloudEvents route: the data of both, in that order.
async fn grid_sample<E: Service>(sample: &Value) -> [E; 2] {
    [
        grid_delivery(sample).await,
        cloud_delivery(&to_cloud_event(sample)).await,
    ]
}

/// A CloudEvent whose `source` has its spaces percent-encoded: some pages' topics hold
/// placeholders with spaces (`<subscription ID>`), and a `source` is a URI-reference, which
/// cannot hold a space.
fn spaces_encoded(mut cloud: Value) -> Value {
    let source = text(&cloud, "source").replace(' ', "%20");
    cloud["source"] = source.into();
    cloud
}

#[path = "azure_samples/avs.rs"]
mod avs_samples;
#[path = "azure_samples/quirks.rs"]
mod quirks;
#[path = "azure_samples/services_a_to_d.rs"]
mod services_a_to_d;
#[path = "azure_samples/services_d_to_k.rs"]
mod services_d_to_k;
#[path = "azure_samples/services_m_to_r.rs"]
mod services_m_to_r;
#[path = "azure_samples/services_s_to_w.rs"]
mod services_s_to_w;
