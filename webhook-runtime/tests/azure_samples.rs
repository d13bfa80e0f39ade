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

// https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage
#[tokio::test]
async fn storage_blob_created_sample() {
    use azure::storage::StorageEvent;
    let grid = json!({
      "topic": "/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account",
      "subject": "/blobServices/default/containers/test-container/blobs/new-file.txt",
      "eventType": "Microsoft.Storage.BlobCreated",
      "eventTime": "2017-06-26T18:41:00.9584103Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": {
        "api": "PutBlockList",
        "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
        "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
        "eTag": "\"0x8D4BCC2E4835CD0\"",
        "contentType": "text/plain",
        "contentLength": 524288,
        "blobType": "BlockBlob",
        "url": "https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt",
        "sequencer": "00000000000004420000000000028963",
        "storageDiagnostics": {
          "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"
        }
      },
      "dataVersion": "",
      "metadataVersion": "1"
    });
    // The page's CloudEvents tab: the same event.
    let cloud = json!({
      "source": "/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account",
      "subject": "/blobServices/default/containers/test-container/blobs/new-file.txt",
      "type": "Microsoft.Storage.BlobCreated",
      "time": "2017-06-26T18:41:00.9584103Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": {
        "api": "PutBlockList",
        "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
        "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
        "eTag": "\"0x8D4BCC2E4835CD0\"",
        "contentType": "text/plain",
        "contentLength": 524288,
        "blobType": "BlockBlob",
        "url": "https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt",
        "sequencer": "00000000000004420000000000028963",
        "storageDiagnostics": {
          "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"
        }
      },
      "specversion": "1.0"
    });
    let [a, b] = grid_sample::<StorageEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let StorageEvent::BlobCreated(data) = event else {
            panic!("not BlobCreated: {event:?}")
        };
        assert_eq!(data.api.as_deref(), Some("PutBlockList"));
        assert_eq!(
            data.client_request_id.as_deref(),
            Some("6d79dbfb-0e37-4fc4-981f-442c9ca65760")
        );
        assert_eq!(
            data.request_id.as_deref(),
            Some("831e1650-001e-001b-66ab-eeb76e000000")
        );
        assert_eq!(data.e_tag.as_deref(), Some("\"0x8D4BCC2E4835CD0\""));
        assert_eq!(data.content_type.as_deref(), Some("text/plain"));
        assert_eq!(data.content_length, Some(524288));
        assert_eq!(data.content_offset, None);
        assert_eq!(data.blob_type.as_deref(), Some("BlockBlob"));
        // Required by Azure's definition, yet in none of the page's samples.
        assert_eq!(data.access_tier, None);
        assert_eq!(
            data.url.as_deref(),
            Some("https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt")
        );
        assert_eq!(
            data.sequencer.as_deref(),
            Some("00000000000004420000000000028963")
        );
        assert_eq!(data.identity, None);
        assert_eq!(
            data.storage_diagnostics,
            Some(json!({"batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"}))
        );
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage (the SFTP
// `Microsoft.Storage.BlobDeleted` event: it has `identity` and no `clientRequestId`)
#[tokio::test]
async fn storage_blob_deleted_sample() {
    use azure::storage::StorageEvent;
    let grid = json!({
      "topic": "/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account",
      "subject": "/blobServices/default/containers/testcontainer/blobs/new-file.txt",
      "eventType": "Microsoft.Storage.BlobDeleted",
      "eventTime": "2022-04-25T19:13:00.1522383Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": {
        "api": "SftpRemove",
        "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
        "contentType": "text/plain",
        "blobType": "BlockBlob",
        "url": "https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt",
        "sequencer": "00000000000004420000000000028963",
        "identity":"localuser",
        "storageDiagnostics": {
        "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"
        }
      },
      "dataVersion": "2",
      "metadataVersion": "1"
    });
    for event in grid_sample::<StorageEvent>(&grid).await {
        let StorageEvent::BlobDeleted(data) = event else {
            panic!("not BlobDeleted: {event:?}")
        };
        assert_eq!(data.api, "SftpRemove");
        // Absent from this sample and the Blob REST one: `Option`.
        assert_eq!(data.client_request_id, None);
        assert_eq!(data.request_id, "831e1650-001e-001b-66ab-eeb76e000000");
        assert_eq!(data.content_type, "text/plain");
        assert_eq!(data.blob_type, "BlockBlob");
        assert_eq!(
            data.url,
            "https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt"
        );
        assert_eq!(data.sequencer, "00000000000004420000000000028963");
        assert_eq!(data.identity.as_deref(), Some("localuser"));
        assert_eq!(
            data.storage_diagnostics,
            json!({"batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0"})
        );
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-api-center
#[tokio::test]
async fn api_center_api_definition_added_sample() {
    use azure::api_center::ApiCenterEvent;
    let grid = json!({
      "topic": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ApiCenter/services",
      "subject": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ApiCenter/services/{api_center_name}/workspaces/default/apis/{api_name}/versions/{version_name}/definitions/{definition_name}",
      "eventType": "Microsoft.ApiCenter.ApiDefinitionAdded",
      "id": "00000000-0000-0000-0000-000000000000",
      "data": {
        "title": "OpenAPI",
        "description": "Default spec",
        "specification": {
          "name": "openapi",
          "version": "3.0.1"
        }
      },
      "dataVersion": "1.0.0",
      "metadataVersion": "1",
      "eventTime": "2024-03-01T00:00:00.0000000Z"
    });
    let cloud = json!({
      "source": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ApiCenter/services",
      "subject": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.ApiCenter/services/{api_center_name}/workspaces/default/apis/{api_name}/versions/{version_name}/definitions/{definition_name}",
      "type": "Microsoft.ApiCenter.ApiDefinitionAdded",
      "time": "2024-03-01T00:00:00.0000000Z",
      "id": "00000000-0000-0000-0000-000000000000",
      "data": {
        "title": "OpenAPI",
        "description": "Default spec",
        "specification": {
          "name": "openapi",
          "version": "3.0.1"
        }
      },
      "specversion": "1.0"
    });
    let [a, b] = grid_sample::<ApiCenterEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let ApiCenterEvent::ApiDefinitionAdded(data) = event else {
            panic!("not ApiDefinitionAdded: {event:?}")
        };
        assert_eq!(data.title, "OpenAPI");
        assert_eq!(data.description, "Default spec");
        let specification = data.specification.expect("specification");
        assert_eq!(specification.name, "openapi");
        assert_eq!(specification.version, "3.0.1");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-api-management
// (The page's CloudEvents tab spells the attributes `Type` and `Time`; CloudEvents attribute
// names are lower case, so that sample is not a CloudEvent and the Event Grid one is used.)
#[tokio::test]
async fn api_management_product_created_sample() {
    use azure::api_management::ApiManagementEvent;
    let grid = json!({
      "id": "92c502f2-a966-42a7-a428-d3b319844544",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{your-rg}/providers/Microsoft.ApiManagement/service/{your-APIM-instance}",
      "subject": "/products/myproduct",
      "data": {
        "resourceUri": "/subscriptions/{subscription-id}/resourceGroups/{your-rg}/providers/Microsoft.ApiManagement/service/{your-APIM-instance}/products/myproduct"
      },
      "eventType": "Microsoft.ApiManagement.ProductCreated",
      "dataVersion": "1",
      "metadataVersion": "1",
      "eventTime": "2021-07-02T00:47:47.8536532Z"
    });
    for event in grid_sample::<ApiManagementEvent>(&grid).await {
        let ApiManagementEvent::ProductCreated(data) = event else {
            panic!("not ProductCreated: {event:?}")
        };
        assert_eq!(
            data.resource_uri,
            "/subscriptions/{subscription-id}/resourceGroups/{your-rg}/providers/Microsoft.ApiManagement/service/{your-APIM-instance}/products/myproduct"
        );
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-api-management
// (The CloudEvents tab's sample spells `specVersion`, which CloudEvents does not know.)
#[tokio::test]
async fn api_management_gateway_token_expired_sample() {
    use azure::api_management::ApiManagementEvent;
    let grid = json!({
      "id": "92c502f2-a966-42a7-a428-d3b319844544",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{your-rg}/providers/Microsoft.ApiManagement/service/{your-APIM-instance}",
      "subject": "/gateways/{gateway-name}/{instance-name}",
      "data": {
        "gatewayInfo": {
          "gatewayId": "{gateway-name}",
          "instanceId": "{instance-name}"
        },
        "tokenInfo": {
          "expiredAtUtc": "2025-02-25T08:56:00.0000000Z"
        }
      },
      "eventType": "Microsoft.ApiManagement.GatewayTokenExpired",
      "dataVersion": "1",
      "metadataVersion": "1",
      "eventTime": "2025-04-02T00:47:48.8269769Z"
    });
    for event in grid_sample::<ApiManagementEvent>(&grid).await {
        let ApiManagementEvent::GatewayTokenExpired(data) = event else {
            panic!("not GatewayTokenExpired: {event:?}")
        };
        let gateway = data.gateway.expect("gatewayInfo");
        assert_eq!(gateway.gateway_id, "{gateway-name}");
        assert_eq!(gateway.instance_id, "{instance-name}");
        let token = data.token.expect("tokenInfo");
        assert_eq!(token.expires_on, at("2025-02-25T08:56:00Z"));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-app-configuration
#[tokio::test]
async fn app_configuration_key_value_modified_sample() {
    use azure::app_configuration::AppConfigurationEvent;
    let grid = json!({
      "id": "84e17ea4-66db-4b54-8050-df8f7763f87b",
      "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testrg/providers/microsoft.appconfiguration/configurationstores/contoso",
      "subject": "https://contoso.azconfig.io/kv/Foo?label=FizzBuzz",
      "data": {
        "key": "Foo",
        "label": "FizzBuzz",
        "etag": "FnUExLaj2moIi4tJX9AXn9sakm0"
      },
      "eventType": "Microsoft.AppConfiguration.KeyValueModified",
      "eventTime": "2019-05-31T20:05:03Z",
      "dataVersion": "1",
      "metadataVersion": "1"
    });
    for event in grid_sample::<AppConfigurationEvent>(&grid).await {
        let AppConfigurationEvent::KeyValueModified(data) = event else {
            panic!("not KeyValueModified: {event:?}")
        };
        assert_eq!(data.key, "Foo");
        assert_eq!(data.label, "FizzBuzz");
        assert_eq!(data.etag, "FnUExLaj2moIi4tJX9AXn9sakm0");
        // Required by Azure's definition, not in the sample.
        assert_eq!(data.sync_token, None);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-azure-cache
#[tokio::test]
async fn cache_patching_completed_sample() {
    use azure::cache::CacheEvent;
    let cloud = json!({
        "id": "9b87886d-21a5-4af5-8e3e-10c4b8dac73b",
        "type": "Microsoft.Cache.PatchingCompleted",
        "source": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Cache/Redis/{cache_name}",
        "data": {
            "name": "PatchingCompleted",
            "timestamp": "2020-12-09T21:50:19.9995668+00:00",
            "status": "Succeeded"
        },
        "subject": "PatchingCompleted",
        "time": "2020-12-09T21:50:19.9995668+00:00",
        "specversion": "1.0"
    });
    // The page's Event Grid tab spells `dataversion`; Event Grid's schema (and every other page)
    // has `dataVersion`, which the receiver requires, so that sample is refused as published...
    let grid = json!({
        "id":"9b87886d-21a5-4af5-8e3e-10c4b8dac73b",
        "eventType":"Microsoft.Cache.PatchingCompleted",
        "topic":"/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.Cache/Redis/{cache_name}",
        "data":{
            "name":"PatchingCompleted",
            "timestamp":"2020-12-09T21:50:19.9995668+00:00",
            "status":"Succeeded"},
        "subject":"PatchingCompleted",
        "dataversion":"1.0",
        "metadataVersion":"1",
        "eventTime":"2020-12-09T21:50:19.9995668+00:00"
    });
    let refusal = grid_refusal::<CacheEvent>(&grid).await;
    assert!(refusal.contains("dataVersion"), "{refusal}");
    // ... and the Event Grid leg is the CloudEvents sample in the Event Grid schema, with the
    // `dataVersion` that tab gives.
    let events = [
        cloud_delivery::<CacheEvent>(&cloud).await,
        grid_delivery(&to_grid_event(&cloud, "1.0")).await,
    ];
    for event in events {
        let CacheEvent::PatchingCompleted(data) = event else {
            panic!("not PatchingCompleted: {event:?}")
        };
        assert_eq!(data.name, "PatchingCompleted");
        assert_eq!(data.timestamp, at("2020-12-09T21:50:19.9995668Z"));
        assert_eq!(data.status, "Succeeded");
    }
}

// https://learn.microsoft.com/azure/event-grid/communication-services-telephony-sms-events
#[tokio::test]
async fn communication_sms_received_sample() {
    use azure::communication::CommunicationEvent;
    let grid = json!({
      "id": "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
      "topic": "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourcegroups/acse2e/providers/microsoft.communication/communicationservices/{communication-services-resource-name}",
      "subject": "/phonenumber/15555555555",
      "data": {
        "messageId": "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
        "from": "15555555555",
        "to": "15555555555",
        "message": "Great to connect with Azure Communication Services events",
        "receivedTimestamp": "2020-09-18T00:27:45.32Z",
        "segmentCount": 1
      },
      "eventType": "Microsoft.Communication.SMSReceived",
      "dataVersion": "1.0",
      "metadataVersion": "1",
      "eventTime": "2020-09-18T00:27:47Z"
    });
    for event in grid_sample::<CommunicationEvent>(&grid).await {
        let CommunicationEvent::SMSReceived(data) = event else {
            panic!("not SMSReceived: {event:?}")
        };
        assert_eq!(
            data.message_id,
            "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e"
        );
        assert_eq!(data.from, "15555555555");
        assert_eq!(data.to, "15555555555");
        assert_eq!(
            data.message,
            "Great to connect with Azure Communication Services events"
        );
        assert_eq!(data.received_timestamp, Some(at("2020-09-18T00:27:45.32Z")));
        assert_eq!(data.segment_count, 1);
    }
}

// https://learn.microsoft.com/azure/event-grid/communication-services-telephony-sms-events
#[tokio::test]
async fn communication_sms_delivery_report_received_sample() {
    use azure::communication::CommunicationEvent;
    let grid = json!({
      "id": "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/microsoft.communication/communicationservices/{communication-services-resource-name}",
      "subject": "/phonenumber/15555555555",
      "data": {
        "messageId": "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
        "from": "15555555555",
        "to": "+15555555555",
        "deliveryStatus": "Delivered",
        "deliveryStatusDetails": "No error.",
        "receivedTimestamp": "2020-09-18T00:22:20.2855749Z",
        "deliveryAttempts": [
          {
            "timestamp": "2020-09-18T00:22:14.9315918Z",
            "segmentsSucceeded": 1,
            "segmentsFailed": 0
          }
        ],
        "Tag": "Optional customer-tag set in the original message"
      },
      "eventType": "Microsoft.Communication.SMSDeliveryReportReceived",
      "dataVersion": "1.0",
      "metadataVersion": "1",
      "eventTime": "2020-09-18T00:22:20Z"
    });
    for event in grid_sample::<CommunicationEvent>(&grid).await {
        let CommunicationEvent::SMSDeliveryReportReceived(data) = event else {
            panic!("not SMSDeliveryReportReceived: {event:?}")
        };
        assert_eq!(
            data.message_id,
            "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910"
        );
        assert_eq!(data.from, "15555555555");
        assert_eq!(data.to, "+15555555555");
        assert_eq!(data.delivery_status, "Delivered");
        assert_eq!(data.delivery_status_details, "No error.");
        assert_eq!(
            data.received_timestamp,
            Some(at("2020-09-18T00:22:20.2855749Z"))
        );
        assert_eq!(data.delivery_attempts.len(), 1);
        let attempt = &data.delivery_attempts[0];
        assert_eq!(attempt.timestamp, at("2020-09-18T00:22:14.9315918Z"));
        assert_eq!(attempt.segments_succeeded, 1);
        assert_eq!(attempt.segments_failed, 0);
        // The sample spells it `Tag`, the model `tag`: read through the alias
        // (tools/azure-events/aliases.json).
        assert_eq!(
            data.tag.as_deref(),
            Some("Optional customer-tag set in the original message")
        );
    }
}

/// A CloudEvent whose `source` has its spaces percent-encoded: some pages' topics hold
/// placeholders with spaces (`<subscription ID>`), and a `source` is a URI-reference, which
/// cannot hold a space.
fn spaces_encoded(mut cloud: Value) -> Value {
    let source = text(&cloud, "source").replace(' ', "%20");
    cloud["source"] = source.into();
    cloud
}

// https://learn.microsoft.com/azure/event-grid/event-schema-container-registry (CloudEvents
// schema) and https://docs.azure.cn/en-us/event-grid/event-schema-container-registry (Event Grid
// schema: the learn.microsoft.com page's Event Grid tab is not in the sources searched; the Azure
// China copy of the page has it, with `location` and `connectedRegistry`)
#[tokio::test]
async fn container_registry_image_pushed_sample() {
    use azure::container_registry::ContainerRegistryEvent;
    let grid = json!({
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "topic": "/subscriptions/<subscription-id>/resourceGroups/<resource-group-name>/providers/Microsoft.ContainerRegistry/registries/<name>",
      "subject": "aci-helloworld:v1",
      "eventType": "Microsoft.ContainerRegistry.ImagePushed",
      "eventTime": "2018-04-25T21:39:47.6549614Z",
      "data": {
        "id": "31c51664-e5bd-416a-a5df-e5206bc47ed0",
        "timestamp": "2018-04-25T21:39:47.276585742Z",
        "action": "push",
        "location": "chinanorth",
        "target": {
          "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
          "size": 3023,
          "digest": "sha256:213bbc182920ab41e18edc2001e06abcca6735d87782d9cef68abd83941cf0e5",
          "length": 3023,
          "repository": "aci-helloworld",
          "tag": "v1"
        },
        "request": {
          "id": "7c66f28b-de19-40a4-821c-6f5f6c0003a4",
          "host": "demo.azurecr.io",
          "method": "PUT",
          "useragent": "docker/18.03.0-ce go/go1.9.4 git-commit/0520e24 os/windows arch/amd64 UpstreamClient(Docker-Client/18.03.0-ce \\\\(windows\\\\))"
        },
        "connectedRegistry": {
          "name": "edge1"
        }
      },
      "dataVersion": "2.0",
      "metadataVersion": "1"
    });
    let cloud = json!({
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "source": "/subscriptions/<subscription-id>/resourceGroups/<resource-group-name>/providers/Microsoft.ContainerRegistry/registries/<name>",
      "subject": "aci-helloworld:v1",
      "type": "Microsoft.ContainerRegistry.ImagePushed",
      "time": "2018-04-25T21:39:47.6549614Z",
      "data": {
        "id": "31c51664-e5bd-416a-a5df-e5206bc47ed0",
        "timestamp": "2018-04-25T21:39:47.276585742Z",
        "action": "push",
        "target": {
          "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
          "size": 3023,
          "digest": "sha256:213bbc182920ab41e18edc2001e06abcca6735d87782d9cef68abd83941cf0e5",
          "length": 3023,
          "repository": "aci-helloworld",
          "tag": "v1"
        },
        "request": {
          "id": "7c66f28b-de19-40a4-821c-6f5f6c0003a4",
          "host": "demo.azurecr.io",
          "method": "PUT",
          "useragent": "docker/18.03.0-ce go/go1.9.4 git-commit/0520e24 os/windows arch/amd64 UpstreamClient(Docker-Client/18.03.0-ce \\\\(windows\\\\))"
        }
      },
      "specversion": "1.0"
    });
    let [a, b] = grid_sample::<ContainerRegistryEvent>(&grid).await;
    let c = cloud_delivery::<ContainerRegistryEvent>(&cloud).await;
    // Only the Azure China sample has `location` and `connectedRegistry`.
    for (event, china) in [(a, true), (b, true), (c, false)] {
        let ContainerRegistryEvent::ImagePushed(data) = event else {
            panic!("not ImagePushed: {event:?}")
        };
        assert_eq!(data.id, "31c51664-e5bd-416a-a5df-e5206bc47ed0");
        // Nanoseconds: nine digits.
        assert_eq!(data.timestamp, at("2018-04-25T21:39:47.276585742Z"));
        assert_eq!(data.timestamp.nanosecond(), 276_585_742);
        assert_eq!(data.action, "push");
        let target = data.target.expect("target");
        assert_eq!(
            target.media_type,
            "application/vnd.docker.distribution.manifest.v2+json"
        );
        assert_eq!(target.size, Some(3023));
        assert_eq!(
            target.digest,
            "sha256:213bbc182920ab41e18edc2001e06abcca6735d87782d9cef68abd83941cf0e5"
        );
        assert_eq!(target.length, Some(3023));
        assert_eq!(target.repository, "aci-helloworld");
        assert_eq!(target.url, None);
        assert_eq!(target.tag.as_deref(), Some("v1"));
        let request = data.request.expect("request");
        assert_eq!(request.id, "7c66f28b-de19-40a4-821c-6f5f6c0003a4");
        assert_eq!(request.addr, None);
        assert_eq!(request.host, "demo.azurecr.io");
        assert_eq!(request.method, "PUT");
        assert_eq!(
            request.useragent,
            r"docker/18.03.0-ce go/go1.9.4 git-commit/0520e24 os/windows arch/amd64 UpstreamClient(Docker-Client/18.03.0-ce \\(windows\\))"
        );
        assert_eq!(data.actor, None);
        assert_eq!(data.source, None);
        if china {
            assert_eq!(data.location.as_deref(), Some("chinanorth"));
            assert_eq!(
                data.connected_registry.expect("connectedRegistry").name,
                "edge1"
            );
        } else {
            assert_eq!(data.location, None);
            assert_eq!(data.connected_registry, None);
        }
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-aks
#[tokio::test]
async fn container_service_new_kubernetes_version_available_sample() {
    use azure::container_service::ContainerServiceEvent;
    let grid = json!({
        "topic": "/subscriptions/<id>/resourceGroups<rg>/providers/Microsoft.ContainerService/managedClusters/<cluster>",
        "subject": "<cluster>",
        "eventType": "Microsoft.ContainerService.NewKubernetesVersionAvailable",
        "id": "1234567890abcdef1234567890abcdef12345678",
        "data": {
          "latestSupportedKubernetesVersion": "1.20.7",
          "latestStableKubernetesVersion": "1.19.11",
          "lowestMinorKubernetesVersion": "1.18.19",
          "latestPreviewKubernetesVersion": "1.21.1"
        },
        "dataVersion": "1",
        "metadataVersion": "1",
        "eventTime": "2021-07-01T04:52:57.0000000Z"
    });
    let cloud = json!({
        "source": "/subscriptions/<id>/resourceGroups<rg>/providers/Microsoft.ContainerService/managedClusters/<cluster>",
        "subject": "<cluster>",
        "type": "Microsoft.ContainerService.NewKubernetesVersionAvailable",
        "id": "1234567890abcdef1234567890abcdef12345678",
        "data": {
          "latestSupportedKubernetesVersion": "1.20.7",
          "latestStableKubernetesVersion": "1.19.11",
          "lowestMinorKubernetesVersion": "1.18.19",
          "latestPreviewKubernetesVersion": "1.21.1"
        },
        "specversion": "1.0",
        "time": "2021-07-01T04:52:57.0000000Z"
    });
    let [a, b] = grid_sample::<ContainerServiceEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let ContainerServiceEvent::NewKubernetesVersionAvailable(data) = event else {
            panic!("not NewKubernetesVersionAvailable: {event:?}")
        };
        assert_eq!(data.latest_supported_kubernetes_version, "1.20.7");
        assert_eq!(data.latest_stable_kubernetes_version, "1.19.11");
        assert_eq!(data.lowest_minor_kubernetes_version, "1.18.19");
        assert_eq!(data.latest_preview_kubernetes_version, "1.21.1");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-data-box
// (The CloudEvents tab's samples spell `specVersion`, which CloudEvents does not know.)
#[tokio::test]
async fn data_box_copy_started_sample() {
    use azure::data_box::{DataBoxEvent, DataBoxStageName};
    let grid = json!({
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{your-rg}/providers/Microsoft.DataBox/jobs/{your-resource}",
      "subject": "/jobs/{your-resource}",
      "eventType": "Microsoft.DataBox.CopyStarted",
      "id": "049ec3f6-5b7d-4052-858e-6f4ce6a46570",
      "data": {
        "serialNumber": "SampleSerialNumber",
        "stageName": "CopyStarted",
        "stageTime": "2022-10-12T19:38:08.0218897Z"
      },
      "dataVersion": "1",
      "metadataVersion": "1",
      "eventTime": "2022-10-16T02:51:26.4248221Z"
    });
    for event in grid_sample::<DataBoxEvent>(&grid).await {
        let DataBoxEvent::CopyStarted(data) = event else {
            panic!("not CopyStarted: {event:?}")
        };
        assert_eq!(data.serial_number, "SampleSerialNumber");
        assert_eq!(data.stage_name, DataBoxStageName::CopyStarted);
        assert_eq!(data.stage_time, at("2022-10-12T19:38:08.0218897Z"));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-iot-hub
#[tokio::test]
async fn devices_device_connected_sample() {
    use azure::devices::DevicesEvent;
    let grid = json!({
      "id": "f6bbf8f4-d365-520d-a878-17bf7238abd8",
      "topic": "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group name>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub name>",
      "subject": "devices/LogicAppTestDevice",
      "eventType": "Microsoft.Devices.DeviceConnected",
      "eventTime": "2018-06-02T19:17:44.4383997Z",
      "data": {
        "deviceConnectionStateEventInfo": {
          "sequenceNumber":
            "000000000000000001D4132452F67CE200000002000000000000000000000001"
        },
        "hubName": "egtesthub1",
        "deviceId": "LogicAppTestDevice",
        "moduleId" : "DeviceModuleID"
      },
      "dataVersion": "1",
      "metadataVersion": "1"
    });
    let cloud = json!({
      "id": "f6bbf8f4-d365-520d-a878-17bf7238abd8",
      "source": "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group name>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub name>",
      "subject": "devices/LogicAppTestDevice",
      "type": "Microsoft.Devices.DeviceConnected",
      "time": "2018-06-02T19:17:44.4383997Z",
      "data": {
        "deviceConnectionStateEventInfo": {
          "sequenceNumber":
            "000000000000000001D4132452F67CE200000002000000000000000000000001"
        },
        "hubName": "egtesthub1",
        "deviceId": "LogicAppTestDevice",
        "moduleId" : "DeviceModuleID"
      },
      "specversion": "1.0"
    });
    // The page's `source` has spaces: refused as published, received with them encoded.
    let refusal = cloud_refusal::<DevicesEvent>(&cloud).await;
    assert!(refusal.contains("source"), "{refusal}");
    let events = [
        grid_delivery::<DevicesEvent>(&grid).await,
        cloud_delivery(&spaces_encoded(to_cloud_event(&grid))).await,
        cloud_delivery(&spaces_encoded(cloud)).await,
    ];
    for event in events {
        let DevicesEvent::DeviceConnected(data) = event else {
            panic!("not DeviceConnected: {event:?}")
        };
        let info = data
            .device_connection_state_event_info
            .expect("deviceConnectionStateEventInfo");
        assert_eq!(
            info.sequence_number,
            "000000000000000001D4132452F67CE200000002000000000000000000000001"
        );
        assert_eq!(data.hub_name, "egtesthub1");
        assert_eq!(data.device_id, "LogicAppTestDevice");
        assert_eq!(data.module_id, "DeviceModuleID");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-iot-hub
#[tokio::test]
async fn devices_device_created_sample() {
    use azure::devices::DevicesEvent;
    let grid = json!({
      "id": "56afc886-767b-d359-d59e-0da7877166b2",
      "topic": "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group name>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub name>",
      "subject": "devices/LogicAppTestDevice",
      "eventType": "Microsoft.Devices.DeviceCreated",
      "eventTime": "2018-01-02T19:17:44.4383997Z",
      "data": {
        "twin": {
          "deviceId": "LogicAppTestDevice",
          "etag": "AAAAAAAAAAE=",
          "deviceEtag": "null",
          "status": "enabled",
          "statusUpdateTime": "0001-01-01T00:00:00",
          "connectionState": "Disconnected",
          "lastActivityTime": "0001-01-01T00:00:00",
          "cloudToDeviceMessageCount": 0,
          "authenticationType": "sas",
          "x509Thumbprint": {
            "primaryThumbprint": null,
            "secondaryThumbprint": null
          },
          "version": 2,
          "properties": {
            "desired": {
              "$metadata": {
                "$lastUpdated": "2018-01-02T19:17:44.4383997Z"
              },
              "$version": 1
            },
            "reported": {
              "$metadata": {
                "$lastUpdated": "2018-01-02T19:17:44.4383997Z"
              },
              "$version": 1
            }
          }
        },
        "hubName": "egtesthub1",
        "deviceId": "LogicAppTestDevice"
      },
      "dataVersion": "1",
      "metadataVersion": "1"
    });
    let events = [
        grid_delivery::<DevicesEvent>(&grid).await,
        cloud_delivery(&spaces_encoded(to_cloud_event(&grid))).await,
    ];
    for event in events {
        let DevicesEvent::DeviceCreated(data) = event else {
            panic!("not DeviceCreated: {event:?}")
        };
        assert_eq!(data.hub_name, "egtesthub1");
        assert_eq!(data.device_id, "LogicAppTestDevice");
        let twin = data.twin.expect("twin");
        assert_eq!(twin.device_id, "LogicAppTestDevice");
        assert_eq!(twin.etag, "AAAAAAAAAAE=");
        assert_eq!(twin.status, "enabled");
        // Text in the model (the sample's times have no offset).
        assert_eq!(twin.status_update_time, "0001-01-01T00:00:00");
        assert_eq!(twin.connection_state, "Disconnected");
        assert_eq!(twin.last_activity_time, "0001-01-01T00:00:00");
        assert_eq!(twin.cloud_to_device_message_count, 0.0);
        assert_eq!(twin.authentication_type, "sas");
        let thumbprint = twin.x509_thumbprint.expect("x509Thumbprint");
        assert_eq!(thumbprint.primary_thumbprint, None);
        assert_eq!(thumbprint.secondary_thumbprint, None);
        assert_eq!(twin.version, 2.0);
        let properties = twin.properties.expect("properties");
        for twin in [properties.desired, properties.reported] {
            // The sample's keys are `$metadata`, `$lastUpdated` and `$version`, the model's
            // `metadata`, `lastUpdated` and `version`: read through the aliases
            // (tools/azure-events/aliases.json).
            let twin = twin.expect("desired and reported");
            let metadata = twin.metadata.expect("$metadata");
            assert_eq!(
                metadata.last_updated.as_deref(),
                Some("2018-01-02T19:17:44.4383997Z")
            );
            assert_eq!(twin.version, Some(1.0));
        }
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-iot-hub
#[tokio::test]
async fn devices_device_telemetry_sample() {
    use azure::devices::DevicesEvent;
    let grid = json!({
      "id": "9af86784-8d40-fe2g-8b2a-bab65e106785",
      "topic": "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group name>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub name>",
      "subject": "devices/LogicAppTestDevice",
      "eventType": "Microsoft.Devices.DeviceTelemetry",
      "eventTime": "2019-01-07T20:58:30.48Z",
      "data": {
          "body": {
              "Weather": {
                  "Temperature": 900
              },
              "Location": "USA"
          },
            "properties": {
              "Status": "Active"
            },
            "systemProperties": {
                "iothub-content-type": "application/json",
                "iothub-content-encoding": "utf-8",
                "iothub-connection-device-id": "d1",
                "iothub-connection-auth-method": "{\"scope\":\"device\",\"type\":\"sas\",\"issuer\":\"iothub\",\"acceptingIpFilterRule\":null}",
                "iothub-connection-auth-generation-id": "123455432199234570",
                "iothub-enqueuedtime": "2019-01-07T20:58:30.48Z",
                "iothub-message-source": "Telemetry"
            }
        },
      "dataVersion": "",
      "metadataVersion": "1"
    });
    let events = [
        grid_delivery::<DevicesEvent>(&grid).await,
        cloud_delivery(&spaces_encoded(to_cloud_event(&grid))).await,
    ];
    for event in events {
        let DevicesEvent::DeviceTelemetry(data) = event else {
            panic!("not DeviceTelemetry: {event:?}")
        };
        assert_eq!(
            data.body,
            json!({"Weather": {"Temperature": 900}, "Location": "USA"})
        );
        assert_eq!(data.properties.len(), 1);
        assert_eq!(data.properties["Status"], "Active");
        let system = &data.system_properties;
        assert_eq!(system.len(), 7);
        assert_eq!(system["iothub-content-type"], "application/json");
        assert_eq!(system["iothub-content-encoding"], "utf-8");
        assert_eq!(system["iothub-connection-device-id"], "d1");
        assert_eq!(
            system["iothub-connection-auth-method"],
            r#"{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}"#
        );
        assert_eq!(
            system["iothub-connection-auth-generation-id"],
            "123455432199234570"
        );
        assert_eq!(system["iothub-enqueuedtime"], "2019-01-07T20:58:30.48Z");
        assert_eq!(system["iothub-message-source"], "Telemetry");
    }
}

// https://learn.microsoft.com/azure/azure-arc/workload-orchestration/external-validation-payload
#[tokio::test]
async fn edge_solution_version_published_sample() {
    use azure::edge::EdgeEvent;
    let grid = json!({
        "id": "event-id-guid",
        "topic": "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/contexts/<context-name>",
        "subject": "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>/solutions/<solution-name>/versions/<version>",
        "eventType": "Microsoft.Edge.SolutionVersionPublished",
        "eventTime": "2025-04-21T11:19:25.281991Z",
        "data": {
          "externalValidationId": "validation-id-guid",
          "targetId": "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>",
          "solutionTemplateId": "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/solutionTemplates/<template-name>",
          "solutionTemplateVersionId": "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/solutionTemplates/<template-name>/versions/<template-version>",
          "solutionVersionId": "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>/solutions/<solution-name>/versions/<version>",
          "apiVersion": "2025-01-01-preview",
          "callbackUrl": "https://management.azure.com/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>/updateExternalValidationStatus?api-version=2025-01-01-preview"
        },
        "dataVersion": "1"
    });
    for event in grid_sample::<EdgeEvent>(&grid).await {
        let EdgeEvent::SolutionVersionPublished(data) = event else {
            panic!("not SolutionVersionPublished: {event:?}")
        };
        assert_eq!(data.external_validation_id, "validation-id-guid");
        assert_eq!(
            data.target_id,
            "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>"
        );
        assert_eq!(
            data.solution_template_id,
            "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/solutionTemplates/<template-name>"
        );
        assert_eq!(
            data.solution_template_version_id,
            "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/solutionTemplates/<template-name>/versions/<template-version>"
        );
        assert_eq!(
            data.solution_version_id,
            "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>/solutions/<solution-name>/versions/<version>"
        );
        assert_eq!(data.api_version, "2025-01-01-preview");
        assert_eq!(
            data.callback_url,
            "https://management.azure.com/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Edge/targets/<target-name>/updateExternalValidationStatus?api-version=2025-01-01-preview"
        );
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-event-grid-namespace
#[tokio::test]
async fn event_grid_mqtt_client_session_connected_sample() {
    use azure::event_grid::EventGridEvent;
    let grid = json!({
      "id": "5249c38a-a048-46dd-8f60-df34fcdab06c",
      "eventTime": "2023-07-29T01:23:49.6454046Z",
      "eventType": "Microsoft.EventGrid.MQTTClientSessionConnected",
      "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myrg/providers/Microsoft.EventGrid/namespaces/myns",
      "subject": "clients/client1/sessions/session1",
      "dataVersion": "1",
      "metadataVersion": "1",
      "data": {
        "namespaceName": "myns",
        "clientAuthenticationName": "client1",
        "clientSessionName": "session1",
        "sequenceNumber": 1
      }
    });
    let cloud = json!({
      "specversion": "1.0",
      "id": "5249c38a-a048-46dd-8f60-df34fcdab06c",
      "time": "2023-07-29T01:23:49.6454046Z",
      "type": "Microsoft.EventGrid.MQTTClientSessionConnected",
      "source": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myrg/providers/Microsoft.EventGrid/namespaces/myns",
      "subject": "clients/client1/sessions/session1",
      "data": {
        "namespaceName": "myns",
        "clientAuthenticationName": "client1",
        "clientSessionName": "session1",
        "sequenceNumber": 1
      }
    });
    let [a, b] = grid_sample::<EventGridEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let EventGridEvent::MQTTClientSessionConnected(data) = event else {
            panic!("not MQTTClientSessionConnected: {event:?}")
        };
        assert_eq!(data.namespace_name, "myns");
        assert_eq!(data.client_authentication_name, "client1");
        assert_eq!(data.client_session_name, "session1");
        assert_eq!(data.sequence_number, 1);
        // Required by Azure's definition, not in the sample.
        assert_eq!(data.client_name, None);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-event-grid-namespace
#[tokio::test]
async fn event_grid_mqtt_client_created_or_updated_sample() {
    use azure::event_grid::{EventGridEvent, EventGridMqttClientState};
    let grid = json!({
      "id": "383d1562-c95f-4095-936c-688e72c6b2bb",
      "eventTime": "2023-07-29T01:14:35.8928724Z",
      "eventType": "Microsoft.EventGrid.MQTTClientCreatedOrUpdated",
      "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myrg/providers/Microsoft.EventGrid/namespaces/myns",
      "subject": "clients/client1",
      "dataVersion": "1",
      "metadataVersion": "1",
      "data": {
        "createdOn": "2023-07-29T01:14:34.2048108Z",
        "updatedOn": "2023-07-29T01:14:34.2048108Z",
        "namespaceName": "myns",
        "clientName": "client1",
        "clientAuthenticationName": "client1",
        "state": "Enabled",
        "attributes": {
          "attribute1": "value1"
        }
      }
    });
    let cloud = json!({
      "specversion": "1.0",
      "id": "383d1562-c95f-4095-936c-688e72c6b2bb",
      "time": "2023-07-29T01:14:35.8928724Z",
      "type": "Microsoft.EventGrid.MQTTClientCreatedOrUpdated",
      "source": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myrg/providers/Microsoft.EventGrid/namespaces/myns",
      "subject": "clients/client1",
      "data": {
        "createdOn": "2023-07-29T01:14:34.2048108Z",
        "updatedOn": "2023-07-29T01:14:34.2048108Z",
        "namespaceName": "myns",
        "clientName": "client1",
        "clientAuthenticationName": "client1",
        "state": "Enabled",
        "attributes": {
          "attribute1": "value1"
        }
      }
    });
    let [a, b] = grid_sample::<EventGridEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let EventGridEvent::MQTTClientCreatedOrUpdated(data) = event else {
            panic!("not MQTTClientCreatedOrUpdated: {event:?}")
        };
        assert_eq!(data.created_on, at("2023-07-29T01:14:34.2048108Z"));
        assert_eq!(data.updated_on, at("2023-07-29T01:14:34.2048108Z"));
        assert_eq!(data.namespace_name, "myns");
        assert_eq!(data.client_name, "client1");
        assert_eq!(data.client_authentication_name, "client1");
        assert_eq!(data.state, EventGridMqttClientState::Enabled);
        assert_eq!(data.attributes.len(), 1);
        assert_eq!(data.attributes["attribute1"], "value1");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-event-hubs
#[tokio::test]
async fn event_hub_capture_file_created_sample() {
    use azure::event_hub::EventHubEvent;
    let grid = json!({
        "topic": "/subscriptions/<guid>/resourcegroups/rgDataMigrationSample/providers/Microsoft.EventHub/namespaces/tfdatamigratens",
        "subject": "eventhubs/hubdatamigration",
        "eventType": "Microsoft.EventHub.CaptureFileCreated",
        "eventTime": "2017-08-31T19:12:46.0498024Z",
        "id": "14e87d03-6fbf-4bb2-9a21-92bd1281f247",
        "data": {
            "fileUrl": "https://tf0831datamigrate.blob.core.windows.net/windturbinecapture/tfdatamigratens/hubdatamigration/1/2017/08/31/19/11/45.avro",
            "fileType": "AzureBlockBlob",
            "partitionId": "1",
            "sizeInBytes": 249168,
            "eventCount": 1500,
            "firstSequenceNumber": 2400,
            "lastSequenceNumber": 3899,
            "firstEnqueueTime": "2017-08-31T19:12:14.674Z",
            "lastEnqueueTime": "2017-08-31T19:12:44.309Z"
        },
        "dataVersion": "",
        "metadataVersion": "1"
    });
    let cloud = json!({
        "source": "/subscriptions/<guid>/resourcegroups/rgDataMigrationSample/providers/Microsoft.EventHub/namespaces/tfdatamigratens",
        "subject": "eventhubs/hubdatamigration",
        "type": "Microsoft.EventHub.CaptureFileCreated",
        "time": "2017-08-31T19:12:46.0498024Z",
        "id": "14e87d03-6fbf-4bb2-9a21-92bd1281f247",
        "data": {
            "fileUrl": "https://tf0831datamigrate.blob.core.windows.net/windturbinecapture/tfdatamigratens/hubdatamigration/1/2017/08/31/19/11/45.avro",
            "fileType": "AzureBlockBlob",
            "partitionId": "1",
            "sizeInBytes": 249168,
            "eventCount": 1500,
            "firstSequenceNumber": 2400,
            "lastSequenceNumber": 3899,
            "firstEnqueueTime": "2017-08-31T19:12:14.674Z",
            "lastEnqueueTime": "2017-08-31T19:12:44.309Z"
        },
        "specversion": "1.0"
    });
    let [a, b] = grid_sample::<EventHubEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let EventHubEvent::CaptureFileCreated(data) = event else {
            panic!("not CaptureFileCreated: {event:?}")
        };
        assert_eq!(
            data.file_url,
            "https://tf0831datamigrate.blob.core.windows.net/windturbinecapture/tfdatamigratens/hubdatamigration/1/2017/08/31/19/11/45.avro"
        );
        assert_eq!(data.file_type, "AzureBlockBlob");
        assert_eq!(data.partition_id, "1");
        assert_eq!(data.size_in_bytes, 249168);
        assert_eq!(data.event_count, 1500);
        assert_eq!(data.first_sequence_number, 2400);
        assert_eq!(data.last_sequence_number, 3899);
        assert_eq!(data.first_enqueue_time, at("2017-08-31T19:12:14.674Z"));
        assert_eq!(data.last_enqueue_time, at("2017-08-31T19:12:44.309Z"));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-azure-health-data-services
// (The CloudEvents tab's sample has `"dataschema": "#1"`; CloudEvents' `dataschema` is an
// absolute URI, so that sample is not a valid CloudEvent and the Event Grid one is used.)
#[tokio::test]
async fn healthcare_apis_fhir_resource_created_sample() {
    use azure::healthcare_apis::{HealthcareApisEvent, HealthcareFhirResourceType};
    let grid = json!({
      "id": "e4c7f556-d72c-e7f7-1069-1e82ac76ab41",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{resource-group-name}/providers/Microsoft.HealthcareApis/workspaces/{workspace-name}",
      "subject": "{fhir-account}.fhir.azurehealthcareapis.com/Patient/e0a1f743-1a70-451f-830e-e96477163902",
      "data": {
        "resourceType": "Patient",
        "resourceFhirAccount": "{fhir-account}.fhir.azurehealthcareapis.com",
        "resourceFhirId": "e0a1f743-1a70-451f-830e-e96477163902",
        "resourceVersionId": 1
      },
      "eventType": "Microsoft.HealthcareApis.FhirResourceCreated",
      "dataVersion": "1",
      "metadataVersion": "1",
      "eventTime": "2021-09-08T01:14:04.5613214Z"
    });
    for event in grid_sample::<HealthcareApisEvent>(&grid).await {
        let HealthcareApisEvent::FhirResourceCreated(data) = event else {
            panic!("not FhirResourceCreated: {event:?}")
        };
        assert_eq!(data.resource_type, HealthcareFhirResourceType::Patient);
        assert_eq!(
            data.resource_fhir_account,
            "{fhir-account}.fhir.azurehealthcareapis.com"
        );
        assert_eq!(
            data.resource_fhir_id,
            "e0a1f743-1a70-451f-830e-e96477163902"
        );
        assert_eq!(data.resource_version_id, 1);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-azure-health-data-services
// (The CloudEvents tab's sample spells `specVersion`, which CloudEvents does not know.)
#[tokio::test]
async fn healthcare_apis_dicom_image_created_sample() {
    use azure::healthcare_apis::HealthcareApisEvent;
    let grid = json!({
      "id": "d621839d-958b-4142-a638-bb966b4f7dfd",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{resource-group-name}/providers/Microsoft.HealthcareApis/workspaces/{workspace-name}",
      "subject": "{dicom-account}.dicom.azurehealthcareapis.com/v1/studies/1.2.3.4.3/series/1.2.3.4.3.9423673/instances/1.3.6.1.4.1.45096.2.296485376.2210.1633373143.864442",
      "data": {
        "imageStudyInstanceUid": "1.2.3.4.3",
        "imageSeriesInstanceUid": "1.2.3.4.3.9423673",
        "imageSopInstanceUid": "1.3.6.1.4.1.45096.2.296485376.2210.1633373143.864442",
        "serviceHostName": "{dicom-account}.dicom.azurehealthcareapis.com",
        "sequenceNumber": 1
      },
      "eventType": "Microsoft.HealthcareApis.DicomImageCreated",
      "dataVersion": "1",
      "metadataVersion": "1",
      "eventTime": "2022-09-15T01:14:04.5613214Z"
    });
    for event in grid_sample::<HealthcareApisEvent>(&grid).await {
        let HealthcareApisEvent::DicomImageCreated(data) = event else {
            panic!("not DicomImageCreated: {event:?}")
        };
        // Required by Azure's definition; the `DicomImageUpdated` samples have it, this one not.
        assert_eq!(data.partition_name, None);
        assert_eq!(data.image_study_instance_uid, "1.2.3.4.3");
        assert_eq!(data.image_series_instance_uid, "1.2.3.4.3.9423673");
        assert_eq!(
            data.image_sop_instance_uid,
            "1.3.6.1.4.1.45096.2.296485376.2210.1633373143.864442"
        );
        assert_eq!(
            data.service_host_name,
            "{dicom-account}.dicom.azurehealthcareapis.com"
        );
        assert_eq!(data.sequence_number, 1);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-key-vault
#[tokio::test]
async fn key_vault_secret_new_version_created_sample() {
    use azure::key_vault::KeyVaultEvent;
    let grid = json!({
      "id":"00eccf70-95a7-4e7c-8299-2eb17ee9ad64",
      "topic":"/subscriptions/{subscription-id}/resourceGroups/sample-rg/providers/Microsoft.KeyVault/vaults/sample-kv",
      "subject":"newsecret",
      "eventType":"Microsoft.KeyVault.SecretNewVersionCreated",
      "eventTime":"2019-07-25T01:08:33.1036736Z",
      "data":{
         "Id":"https://sample-kv.vault.azure.net/secrets/newsecret/ee059b2bb5bc48398a53b168c6cdcb10",
         "VaultName":"sample-kv",
         "ObjectType":"Secret",
         "ObjectName ":"newsecret",
         "Version":" ee059b2bb5bc48398a53b168c6cdcb10",
         "NBF":"1559081980",
         "EXP":"1559082102"
      },
      "dataVersion":"1",
      "metadataVersion":"1"
    });
    for event in grid_sample::<KeyVaultEvent>(&grid).await {
        let KeyVaultEvent::SecretNewVersionCreated(data) = event else {
            panic!("not SecretNewVersionCreated: {event:?}")
        };
        assert_eq!(
            data.id.as_deref(),
            Some(
                "https://sample-kv.vault.azure.net/secrets/newsecret/ee059b2bb5bc48398a53b168c6cdcb10"
            )
        );
        assert_eq!(data.vault_name.as_deref(), Some("sample-kv"));
        assert_eq!(data.object_type.as_deref(), Some("Secret"));
        // The sample's key is `ObjectName ` (with a trailing space).
        assert_eq!(data.object_name, None);
        assert_eq!(
            data.version.as_deref(),
            Some(" ee059b2bb5bc48398a53b168c6cdcb10")
        );
        assert_eq!(data.nbf, Some(1_559_081_980.0));
        assert_eq!(data.exp, Some(1_559_082_102.0));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-machine-learning
#[tokio::test]
async fn machine_learning_services_run_completed_sample() {
    use azure::machine_learning_services::MachineLearningServicesEvent;
    let data = json!({
        "experimentId": "0fa9dfaa-cba3-4fa7-b590-23e48548f5c1",
        "experimentName": "automl-local-regression",
        "runId": "AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5",
        "runType": null,
        "runTags": {},
        "runProperties": {
            "runTemplate": "automl_child",
            "pipeline_id": "5adc0a4fe02504a586f09a4fcbb241f9a4012062",
            "pipeline_spec": "{\"objects\": [{\"class_name\": \"StandardScaler\", \"module\": \"sklearn.preprocessing\", \"param_args\": [], \"param_kwargs\": {\"with_mean\": true, \"with_std\": false}, \"prepared_kwargs\": {}, \"spec_class\": \"preproc\"}, {\"class_name\": \"LassoLars\", \"module\": \"sklearn.linear_model\", \"param_args\": [], \"param_kwargs\": {\"alpha\": 0.001, \"normalize\": true}, \"prepared_kwargs\": {}, \"spec_class\": \"sklearn\"}], \"pipeline_id\": \"5adc0a4fe02504a586f09a4fcbb241f9a4012062\"}",
            "training_percent": "100",
            "predicted_cost": "0.062226144097381045",
            "iteration": "5",
            "run_template": "automl_child",
            "run_preprocessor": "StandardScalerWrapper",
            "run_algorithm": "LassoLars",
            "conda_env_data_location": "aml://artifact/ExperimentRun/dcid.AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5/outputs/conda_env_v_1_0_0.yml",
            "model_name": "AutoMLad912b2d65",
            "scoring_data_location": "aml://artifact/ExperimentRun/dcid.AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5/outputs/scoring_file_v_1_0_0.py",
            "model_data_location": "aml://artifact/ExperimentRun/dcid.AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5/outputs/model.pkl"
        }
    });
    // The page's two samples of this event, identical but for their envelopes; the data is
    // written once above.
    let grid = json!({
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{resource-group-name}/providers/Microsoft.MachineLearningServices/workspaces/{workspace-name}",
      "subject": "experiments/0fa9dfaa-cba3-4fa7-b590-23e48548f5c1/runs/AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5",
      "eventType": "Microsoft.MachineLearningServices.RunCompleted",
      "eventTime": "2017-06-26T18:41:00.9584103Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": data,
      "dataVersion": "",
      "metadataVersion": "1"
    });
    let cloud = json!({
      "source": "/subscriptions/{subscription-id}/resourceGroups/{resource-group-name}/providers/Microsoft.MachineLearningServices/workspaces/{workspace-name}",
      "subject": "experiments/0fa9dfaa-cba3-4fa7-b590-23e48548f5c1/runs/AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5",
      "type": "Microsoft.MachineLearningServices.RunCompleted",
      "time": "2017-06-26T18:41:00.9584103Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": data,
      "specversion": "1.0"
    });
    let [a, b] = grid_sample::<MachineLearningServicesEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let MachineLearningServicesEvent::RunCompleted(run) = event else {
            panic!("not RunCompleted: {event:?}")
        };
        assert_eq!(run.experiment_id, "0fa9dfaa-cba3-4fa7-b590-23e48548f5c1");
        assert_eq!(run.experiment_name, "automl-local-regression");
        assert_eq!(run.run_id, "AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5");
        // Required by Azure's definition but `null` in the sample: `Option`.
        assert_eq!(run.run_type, None);
        assert_eq!(run.run_tags, json!({}));
        assert_eq!(run.run_properties, data["runProperties"]);
        assert_eq!(run.run_properties["run_algorithm"], "LassoLars");
        assert_eq!(run.run_properties.as_object().map(|p| p.len()), Some(13));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-azure-maps
#[tokio::test]
async fn maps_geofence_entered_sample() {
    use azure::maps::MapsEvent;
    let grid = json!({
       "id":"7f8446e2-1ac7-4234-8425-303726ea3981",
       "topic":"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Maps/accounts/{accountName}",
       "subject":"/spatial/geofence/udid/{udid}/id/{eventId}",
       "data":{
          "geometries":[
             {
                "deviceId":"device_1",
                "udId":"1a13b444-4acf-32ab-ce4e-9ca4af20b169",
                "geometryId":"2",
                "distance":-999.0,
                "nearestLat":47.618786,
                "nearestLon":-122.132151
             }
          ],
          "expiredGeofenceGeometryId":[
          ],
          "invalidPeriodGeofenceGeometryId":[
          ]
       },
       "eventType":"Microsoft.Maps.GeofenceEntered",
       "eventTime":"2018-11-08T00:54:17.6408601Z",
       "metadataVersion":"1",
       "dataVersion":"1.0"
    });
    let cloud = json!({
       "id":"7f8446e2-1ac7-4234-8425-303726ea3981",
       "source":"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Maps/accounts/{accountName}",
       "subject":"/spatial/geofence/udid/{udid}/id/{eventId}",
       "data":{
          "geometries":[
             {
                "deviceId":"device_1",
                "udId":"1a13b444-4acf-32ab-ce4e-9ca4af20b169",
                "geometryId":"2",
                "distance":-999.0,
                "nearestLat":47.618786,
                "nearestLon":-122.132151
             }
          ],
          "expiredGeofenceGeometryId":[
          ],
          "invalidPeriodGeofenceGeometryId":[
          ]
       },
       "type":"Microsoft.Maps.GeofenceEntered",
       "time":"2018-11-08T00:54:17.6408601Z",
       "specversion":"1.0"
    });
    let [a, b] = grid_sample::<MapsEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let MapsEvent::GeofenceEntered(data) = event else {
            panic!("not GeofenceEntered: {event:?}")
        };
        assert_eq!(data.geometries.len(), 1);
        let geometry = &data.geometries[0];
        assert_eq!(geometry.device_id, "device_1");
        assert_eq!(geometry.ud_id, "1a13b444-4acf-32ab-ce4e-9ca4af20b169");
        assert_eq!(geometry.geometry_id, "2");
        assert_eq!(geometry.distance, -999.0);
        assert_eq!(geometry.nearest_lat, 47.618786);
        assert_eq!(geometry.nearest_lon, -122.132151);
        assert!(data.expired_geofence_geometry_id.is_empty());
        assert!(data.invalid_period_geofence_geometry_id.is_empty());
        // Required by Azure's definition, not in the sample.
        assert_eq!(data.is_event_published, None);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-media-services
#[tokio::test]
async fn media_live_event_incoming_stream_received_sample() {
    use azure::media::MediaEvent;
    let grid = json!({
        "topic": "/subscriptions/<subscription-id>/resourceGroups/<rg-name>/providers/Microsoft.Media/mediaservices/<account-name>",
        "subject": "liveEvent/mle1",
        "eventType": "Microsoft.Media.LiveEventIncomingStreamReceived",
        "eventTime": "2018-08-07T23:08:10.5069288Z",
        "id": "7f939a08-320c-47e7-8250-43dcfc04ab4d",
        "data": {
          "ingestUrl": "http://mle1-amsts03mediaacctgndos-ts031.channel.media.azure-test.net:80/ingest.isml/Streams(15864-stream0)15864-stream0",
          "trackType": "video",
          "trackName": "video",
          "bitrate": 2962000,
          "encoderIp": "131.107.147.xxx",
          "encoderPort": "27485",
          "timestamp": "15336831655032322",
          "duration": "20000000",
          "timescale": "10000000"
        },
        "dataVersion": "1.0",
        "metadataVersion": "1"
    });
    let cloud = json!({
        "source": "/subscriptions/<subscription-id>/resourceGroups/<rg-name>/providers/Microsoft.Media/mediaservices/<account-name>",
        "subject": "liveEvent/mle1",
        "type": "Microsoft.Media.LiveEventIncomingStreamReceived",
        "time": "2018-08-07T23:08:10.5069288Z",
        "id": "7f939a08-320c-47e7-8250-43dcfc04ab4d",
        "data": {
          "ingestUrl": "http://mle1-amsts03mediaacctgndos-ts031.channel.media.azure-test.net:80/ingest.isml/Streams(15864-stream0)15864-stream0",
          "trackType": "video",
          "trackName": "video",
          "bitrate": 2962000,
          "encoderIp": "131.107.147.xxx",
          "encoderPort": "27485",
          "timestamp": "15336831655032322",
          "duration": "20000000",
          "timescale": "10000000"
        },
        "specversion": "1.0"
    });
    let [a, b] = grid_sample::<MediaEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let MediaEvent::LiveEventIncomingStreamReceived(data) = event else {
            panic!("not LiveEventIncomingStreamReceived: {event:?}")
        };
        assert_eq!(
            data.ingest_url,
            "http://mle1-amsts03mediaacctgndos-ts031.channel.media.azure-test.net:80/ingest.isml/Streams(15864-stream0)15864-stream0"
        );
        assert_eq!(data.track_type, "video");
        assert_eq!(data.track_name, "video");
        assert_eq!(data.bitrate, 2_962_000.0);
        assert_eq!(data.encoder_ip, "131.107.147.xxx");
        assert_eq!(data.encoder_port, "27485");
        assert_eq!(data.timestamp, "15336831655032322");
        assert_eq!(data.duration, "20000000");
        assert_eq!(data.timescale, "10000000");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-policy
#[tokio::test]
async fn policy_insights_policy_state_created_sample() {
    use azure::policy_insights::PolicyInsightsEvent;
    let grid = json!({
        "id": "5829794FCB5075FCF585476619577B5A5A30E52C84842CBD4E2AD73996714C4C",
        "topic": "/subscriptions/<SubscriptionID>",
        "subject": "/subscriptions/<SubscriptionID>/resourceGroups/<ResourceGroup>/providers/<ProviderNamespace>/<ResourceType>/<ResourceName>",
        "data": {
            "timestamp": "2021-03-27T18:37:42.4496956Z",
            "policyAssignmentId": "<policy-assignment-scope>/providers/microsoft.authorization/policyassignments/<policy-assignment-name>",
            "policyDefinitionId": "<policy-definition-scope>/providers/microsoft.authorization/policydefinitions/<policy-definition-name>",
            "policyDefinitionReferenceId": "",
            "complianceState": "NonCompliant",
            "subscriptionId": "<subscription-id>",
            "complianceReasonCode": ""
        },
        "eventType": "Microsoft.PolicyInsights.PolicyStateCreated",
        "eventTime": "2021-03-27T18:37:42.5241536Z",
        "dataVersion": "1",
        "metadataVersion": "1"
    });
    let cloud = json!({
        "id": "5829794FCB5075FCF585476619577B5A5A30E52C84842CBD4E2AD73996714C4C",
        "source": "/subscriptions/<SubscriptionID>",
        "subject": "/subscriptions/<SubscriptionID>/resourceGroups/<ResourceGroup>/providers/<ProviderNamespace>/<ResourceType>/<ResourceName>",
        "data": {
            "timestamp": "2021-03-27T18:37:42.4496956Z",
            "policyAssignmentId": "<policy-assignment-scope>/providers/microsoft.authorization/policyassignments/<policy-assignment-name>",
            "policyDefinitionId": "<policy-definition-scope>/providers/microsoft.authorization/policydefinitions/<policy-definition-name>",
            "policyDefinitionReferenceId": "",
            "complianceState": "NonCompliant",
            "subscriptionId": "<subscription-id>",
            "complianceReasonCode": ""
        },
        "type": "Microsoft.PolicyInsights.PolicyStateCreated",
        "time": "2021-03-27T18:37:42.5241536Z",
        "specversion": "1.0"
    });
    let [a, b] = grid_sample::<PolicyInsightsEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let PolicyInsightsEvent::PolicyStateCreated(data) = event else {
            panic!("not PolicyStateCreated: {event:?}")
        };
        assert_eq!(data.timestamp, at("2021-03-27T18:37:42.4496956Z"));
        assert_eq!(
            data.policy_assignment_id,
            "<policy-assignment-scope>/providers/microsoft.authorization/policyassignments/<policy-assignment-name>"
        );
        assert_eq!(
            data.policy_definition_id,
            "<policy-definition-scope>/providers/microsoft.authorization/policydefinitions/<policy-definition-name>"
        );
        assert_eq!(data.policy_definition_reference_id, "");
        assert_eq!(data.compliance_state, "NonCompliant");
        assert_eq!(data.subscription_id, "<subscription-id>");
        assert_eq!(data.compliance_reason_code, "");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-health-resources
#[tokio::test]
async fn resource_notifications_health_resources_availability_status_changed_sample() {
    use azure::resource_notifications::ResourceNotificationsEvent;
    let grid = json!({
      "id": "1fb6fa94-d965-4306-abeq-4810f0774e97",
      "topic": "/subscriptions/{subscription-id}",
      "subject": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}",
      "data": {
        "resourceInfo": {
          "id": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}/providers/Microsoft.ResourceHealth/availabilityStatuses/{event-id}",
          "name": "{event-id}",
          "type": "Microsoft.ResourceHealth/availabilityStatuses",
          "properties": {
            "targetResourceId": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}",
            "targetResourceType": "Microsoft.Compute/virtualMachines",
            "occurredTime": "2023-07-24T19:20:37.9245071Z",
            "previousAvailabilityState": "Unavailable",
            "availabilityState": "Available"
          }
        },
        "operationalInfo": {
          "resourceEventTime": "2023-07-24T19:20:37.9245071Z"
        },
        "apiVersion": "2023-12-01"
      },
      "eventType": "Microsoft.ResourceNotifications.HealthResources.AvailabilityStatusChanged",
      "dataVersion": "1",
      "metadataVersion": "1",
      "eventTime": "2023-07-24T19:20:37.9245071Z"
    });
    let cloud = json!({
      "id": "1fb6fa94-d965-4306-abeq-4810f0774e97",
      "source": "/subscriptions/{subscription-id}",
      "subject": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}",
      "data": {
        "resourceInfo": {
          "id": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}/providers/Microsoft.ResourceHealth/availabilityStatuses/{event-id}",
          "name": "{event-id}",
          "type": "Microsoft.ResourceHealth/availabilityStatuses",
          "properties": {
            "targetResourceId": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}",
            "targetResourceType": "Microsoft.Compute/virtualMachines",
            "occurredTime": "2023-07-24T19:20:37.9245071Z",
            "previousAvailabilityState": "Unavailable",
            "availabilityState": "Available"
          }
        },
        "operationalInfo": {
          "resourceEventTime": "2023-07-24T19:20:37.9245071Z"
        },
        "apiVersion": "2023-12-01"
      },
      "type": "Microsoft.ResourceNotifications.HealthResources.AvailabilityStatusChanged",
      "specversion": "1.0",
      "time": "2023-07-24T19:20:37.9245071Z"
    });
    let [a, b] = grid_sample::<ResourceNotificationsEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let ResourceNotificationsEvent::HealthResourcesAvailabilityStatusChanged(data) = event
        else {
            panic!("not HealthResources.AvailabilityStatusChanged: {event:?}")
        };
        let resource = data.resource_details.expect("resourceInfo");
        assert_eq!(
            resource.id,
            "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}/providers/Microsoft.ResourceHealth/availabilityStatuses/{event-id}"
        );
        assert_eq!(resource.name, "{event-id}");
        assert_eq!(
            resource.r#type,
            "Microsoft.ResourceHealth/availabilityStatuses"
        );
        // Required by Azure's definition; only the Resources.CreatedOrUpdated samples have them.
        assert_eq!(resource.location, None);
        assert_eq!(resource.tags, None);
        assert_eq!(
            resource.properties,
            json!({
                "targetResourceId": "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Compute/virtualMachines/{vm-name}",
                "targetResourceType": "Microsoft.Compute/virtualMachines",
                "occurredTime": "2023-07-24T19:20:37.9245071Z",
                "previousAvailabilityState": "Unavailable",
                "availabilityState": "Available"
            })
        );
        let operational = data.operational_details.expect("operationalInfo");
        assert_eq!(
            operational.resource_event_time,
            at("2023-07-24T19:20:37.9245071Z")
        );
        assert_eq!(data.api_version, "2023-12-01");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-resource-groups
#[tokio::test]
async fn resources_resource_write_success_sample() {
    use azure::resources::ResourcesEvent;
    let grid = json!({
      "subject": "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}",
      "eventType": "Microsoft.Resources.ResourceWriteSuccess",
      "eventTime": "2018-07-19T18:38:04.6117357Z",
      "id": "4db48cba-50a2-455a-93b4-de41a3b5b7f6",
      "data": {
        "authorization": {
          "scope": "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}",
          "action": "Microsoft.Storage/storageAccounts/write",
          "evidence": {
            "role": "Subscription Admin"
          }
        },
        "claims": {
          "aud": "{audience-claim}",
          "iss": "{issuer-claim}",
          "iat": "{issued-at-claim}",
          "nbf": "{not-before-claim}",
          "exp": "{expiration-claim}",
          "_claim_names": "{\"groups\":\"src1\"}",
          "_claim_sources": "{\"src1\":{\"endpoint\":\"{URI}\"}}",
          "http://schemas.microsoft.com/claims/authnclassreference": "1",
          "aio": "{token}",
          "http://schemas.microsoft.com/claims/authnmethodsreferences": "rsa,mfa",
          "appid": "{ID}",
          "appidacr": "2",
          "http://schemas.microsoft.com/2012/01/devicecontext/claims/identifier": "{ID}",
          "e_exp": "{expiration}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "{last-name}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "{first-name}",
          "ipaddr": "{IP-address}",
          "name": "{full-name}",
          "http://schemas.microsoft.com/identity/claims/objectidentifier": "{ID}",
          "onprem_sid": "{ID}",
          "puid": "{ID}",
          "http://schemas.microsoft.com/identity/claims/scope": "user_impersonation",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": "{ID}",
          "http://schemas.microsoft.com/identity/claims/tenantid": "{ID}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "{user-name}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "{user-name}",
          "uti": "{ID}",
          "ver": "1.0"
        },
        "correlationId": "{ID}",
        "resourceProvider": "Microsoft.Storage",
        "resourceUri": "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}",
        "operationName": "Microsoft.Storage/storageAccounts/write",
        "status": "Succeeded",
        "subscriptionId": "{subscription-id}",
        "tenantId": "{tenant-id}"
      },
      "dataVersion": "2",
      "metadataVersion": "1",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{resource-group}"
    });
    for event in grid_sample::<ResourcesEvent>(&grid).await {
        let ResourcesEvent::ResourceWriteSuccess(data) = event else {
            panic!("not ResourceWriteSuccess: {event:?}")
        };
        let authorization = data.authorization.expect("authorization");
        assert_eq!(
            authorization.scope,
            "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}"
        );
        assert_eq!(
            authorization.action,
            "Microsoft.Storage/storageAccounts/write"
        );
        assert_eq!(authorization.evidence.len(), 1);
        assert_eq!(authorization.evidence["role"], "Subscription Admin");
        // All 28 claims, each as the sample has it.
        assert_eq!(data.claims.len(), 28);
        for (name, value) in grid["data"]["claims"].as_object().unwrap() {
            assert_eq!(Some(data.claims[name].as_str()), value.as_str());
        }
        assert_eq!(data.claims["_claim_names"], r#"{"groups":"src1"}"#);
        assert_eq!(data.correlation_id, "{ID}");
        assert_eq!(data.http_request, None);
        assert_eq!(data.resource_provider, "Microsoft.Storage");
        assert_eq!(
            data.resource_uri,
            "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}"
        );
        assert_eq!(
            data.operation_name,
            "Microsoft.Storage/storageAccounts/write"
        );
        assert_eq!(data.status, "Succeeded");
        assert_eq!(data.subscription_id, "{subscription-id}");
        assert_eq!(data.tenant_id, "{tenant-id}");
        // Required by Azure's definition, in none of the page's samples.
        assert_eq!(data.resource_group, None);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-resource-groups
#[tokio::test]
async fn resources_resource_delete_success_sample() {
    use azure::resources::ResourcesEvent;
    let grid = json!({
      "subject": "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}",
      "eventType": "Microsoft.Resources.ResourceDeleteSuccess",
      "eventTime": "2018-07-19T19:24:12.763881Z",
      "id": "19a69642-1aad-4a96-a5ab-8d05494513ce",
      "data": {
        "authorization": {
          "scope": "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}",
          "action": "Microsoft.Storage/storageAccounts/delete",
          "evidence": {
            "role": "Subscription Admin"
          }
        },
        "claims": {
          "aud": "{audience-claim}",
          "iss": "{issuer-claim}",
          "iat": "{issued-at-claim}",
          "nbf": "{not-before-claim}",
          "exp": "{expiration-claim}",
          "_claim_names": "{\"groups\":\"src1\"}",
          "_claim_sources": "{\"src1\":{\"endpoint\":\"{URI}\"}}",
          "http://schemas.microsoft.com/claims/authnclassreference": "1",
          "aio": "{token}",
          "http://schemas.microsoft.com/claims/authnmethodsreferences": "rsa,mfa",
          "appid": "{ID}",
          "appidacr": "2",
          "http://schemas.microsoft.com/2012/01/devicecontext/claims/identifier": "{ID}",
          "e_exp": "262800",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "{last-name}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "{first-name}",
          "ipaddr": "{IP-address}",
          "name": "{full-name}",
          "http://schemas.microsoft.com/identity/claims/objectidentifier": "{ID}",
          "onprem_sid": "{ID}",
          "puid": "{ID}",
          "http://schemas.microsoft.com/identity/claims/scope": "user_impersonation",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": "{ID}",
          "http://schemas.microsoft.com/identity/claims/tenantid": "{ID}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "{user-name}",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "{user-name}",
          "uti": "{ID}",
          "ver": "1.0"
        },
        "correlationId": "{ID}",
        "httpRequest": {
          "clientRequestId": "{ID}",
          "clientIpAddress": "{IP-address}",
          "method": "DELETE",
          "url": "https://management.azure.com/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}?api-version=2018-02-01"
        },
        "resourceProvider": "Microsoft.Storage",
        "resourceUri": "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}",
        "operationName": "Microsoft.Storage/storageAccounts/delete",
        "status": "Succeeded",
        "subscriptionId": "{subscription-id}",
        "tenantId": "{tenant-id}"
      },
      "dataVersion": "2",
      "metadataVersion": "1",
      "topic": "/subscriptions/{subscription-id}/resourceGroups/{resource-group}"
    });
    for event in grid_sample::<ResourcesEvent>(&grid).await {
        let ResourcesEvent::ResourceDeleteSuccess(data) = event else {
            panic!("not ResourceDeleteSuccess: {event:?}")
        };
        let authorization = data.authorization.expect("authorization");
        assert_eq!(
            authorization.scope,
            "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}"
        );
        assert_eq!(
            authorization.action,
            "Microsoft.Storage/storageAccounts/delete"
        );
        assert_eq!(authorization.evidence.len(), 1);
        assert_eq!(authorization.evidence["role"], "Subscription Admin");
        assert_eq!(data.claims.len(), 28);
        for (name, value) in grid["data"]["claims"].as_object().unwrap() {
            assert_eq!(Some(data.claims[name].as_str()), value.as_str());
        }
        assert_eq!(data.claims["e_exp"], "262800");
        assert_eq!(data.correlation_id, "{ID}");
        let request = data.http_request.expect("httpRequest");
        assert_eq!(request.client_request_id, "{ID}");
        assert_eq!(request.client_ip_address, "{IP-address}");
        assert_eq!(request.method, "DELETE");
        assert_eq!(
            request.url,
            "https://management.azure.com/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}?api-version=2018-02-01"
        );
        assert_eq!(data.resource_provider, "Microsoft.Storage");
        assert_eq!(
            data.resource_uri,
            "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}"
        );
        assert_eq!(
            data.operation_name,
            "Microsoft.Storage/storageAccounts/delete"
        );
        assert_eq!(data.status, "Succeeded");
        assert_eq!(data.subscription_id, "{subscription-id}");
        assert_eq!(data.tenant_id, "{tenant-id}");
        assert_eq!(data.resource_group, None);
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-service-bus
#[tokio::test]
async fn service_bus_active_messages_available_with_no_listeners_sample() {
    use azure::service_bus::ServiceBusEvent;
    let grid = json!({
      "topic": "/subscriptions/{subscription-id}/resourcegroups/{your-rg}/providers/Microsoft.ServiceBus/namespaces/{your-service-bus-namespace}",
      "subject": "topics/{your-service-bus-topic}/subscriptions/{your-service-bus-subscription}",
      "eventType": "Microsoft.ServiceBus.ActiveMessagesAvailableWithNoListeners",
      "eventTime": "2018-02-14T05:12:53.4133526Z",
      "id": "dede87b0-3656-419c-acaf-70c95ddc60f5",
      "data": {
        "namespaceName": "YOUR SERVICE BUS NAMESPACE WILL SHOW HERE",
        "requestUri": "https://{your-service-bus-namespace}.servicebus.windows.net/{your-topic}/subscriptions/{your-service-bus-subscription}/messages/head",
        "entityType": "subscriber",
        "queueName": "QUEUE NAME IF QUEUE",
        "topicName": "TOPIC NAME IF TOPIC",
        "subscriptionName": "SUBSCRIPTION NAME"
      },
      "dataVersion": "1",
      "metadataVersion": "1"
    });
    let cloud = json!({
      "source": "/subscriptions/{subscription-id}/resourcegroups/{your-rg}/providers/Microsoft.ServiceBus/namespaces/{your-service-bus-namespace}",
      "subject": "topics/{your-service-bus-topic}/subscriptions/{your-service-bus-subscription}",
      "type": "Microsoft.ServiceBus.ActiveMessagesAvailableWithNoListeners",
      "time": "2018-02-14T05:12:53.4133526Z",
      "id": "dede87b0-3656-419c-acaf-70c95ddc60f5",
      "data": {
        "namespaceName": "YOUR SERVICE BUS NAMESPACE WILL SHOW HERE",
        "requestUri": "https://{your-service-bus-namespace}.servicebus.windows.net/{your-topic}/subscriptions/{your-service-bus-subscription}/messages/head",
        "entityType": "subscriber",
        "queueName": "QUEUE NAME IF QUEUE",
        "topicName": "TOPIC NAME IF TOPIC",
        "subscriptionName": "SUBSCRIPTION NAME"
      },
      "specversion": "1.0"
    });
    let [a, b] = grid_sample::<ServiceBusEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let ServiceBusEvent::ActiveMessagesAvailableWithNoListeners(data) = event else {
            panic!("not ActiveMessagesAvailableWithNoListeners: {event:?}")
        };
        assert_eq!(
            data.namespace_name,
            "YOUR SERVICE BUS NAMESPACE WILL SHOW HERE"
        );
        assert_eq!(
            data.request_uri,
            "https://{your-service-bus-namespace}.servicebus.windows.net/{your-topic}/subscriptions/{your-service-bus-subscription}/messages/head"
        );
        assert_eq!(data.entity_type, "subscriber");
        assert_eq!(data.queue_name, "QUEUE NAME IF QUEUE");
        assert_eq!(data.topic_name, "TOPIC NAME IF TOPIC");
        assert_eq!(data.subscription_name, "SUBSCRIPTION NAME");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-azure-signalr
#[tokio::test]
async fn signalr_service_client_connection_connected_sample() {
    use azure::signalr_service::SignalRServiceEvent;
    let grid = json!({
      "topic": "/subscriptions/{subscription-id}/resourceGroups/signalr-rg/providers/Microsoft.SignalRService/SignalR/signalr-resource",
      "subject": "/hub/chat",
      "eventType": "Microsoft.SignalRService.ClientConnectionConnected",
      "eventTime": "2019-06-10T18:41:00.9584103Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": {
        "timestamp": "2019-06-10T18:41:00.9584103Z",
        "hubName": "chat",
        "connectionId": "crH0uxVSvP61p5wkFY1x1A",
        "userId": "user-eymwyo23"
      },
      "dataVersion": "1.0",
      "metadataVersion": "1"
    });
    let cloud = json!({
      "source": "/subscriptions/{subscription-id}/resourceGroups/signalr-rg/providers/Microsoft.SignalRService/SignalR/signalr-resource",
      "subject": "/hub/chat",
      "type": "Microsoft.SignalRService.ClientConnectionConnected",
      "time": "2019-06-10T18:41:00.9584103Z",
      "id": "831e1650-001e-001b-66ab-eeb76e069631",
      "data": {
        "timestamp": "2019-06-10T18:41:00.9584103Z",
        "hubName": "chat",
        "connectionId": "crH0uxVSvP61p5wkFY1x1A",
        "userId": "user-eymwyo23"
      },
      "specversion": "1.0"
    });
    let [a, b] = grid_sample::<SignalRServiceEvent>(&grid).await;
    for event in [a, b, cloud_delivery(&cloud).await] {
        let SignalRServiceEvent::ClientConnectionConnected(data) = event else {
            panic!("not ClientConnectionConnected: {event:?}")
        };
        assert_eq!(data.timestamp, at("2019-06-10T18:41:00.9584103Z"));
        assert_eq!(data.hub_name, "chat");
        assert_eq!(data.connection_id, "crH0uxVSvP61p5wkFY1x1A");
        assert_eq!(data.user_id, "user-eymwyo23");
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-app-service (its one sample in JSON;
// the others are JavaScript object literals, not JSON)
#[tokio::test]
async fn web_app_service_plan_updated_sample() {
    use azure::web::{AppServicePlanAction, AsyncStatus, StampKind, WebEvent};
    let grid = json!({
       "id":"56501672-9150-40e1-893a-18420c7fdbf7",
       "subject":"/Microsoft.Web/serverfarms/<plan-name>",
       "eventType":"Microsoft.Web.AppServicePlanUpdated",
       "eventTime":"2020-01-28T18:22:23.5516004Z",
       "data":{
            "serverFarmEventTypeDetail":{
                "stampKind":"Public",
                "action":"Updated",
                "status":"Started"
            },
            "serverFarmId":"0",
            "sku":{
                "name":"P1v2",
                "tier":"PremiumV2",
                "size":"P1v2",
                "family":"Pv2",
                "capacity":1
            },
            "clientRequestId":"8f880321-a991-45c7-b743-6ff63fe4c004",
            "correlationRequestId":"1995c3be-ba7f-4ccf-94af-516df637ec8a",
            "requestId":"b973a8e6-6949-4783-b44c-ac778be831bb",
            "address":"/websystems/WebSites/serverfarms/subscriptions/<id>/webspaces/<webspace-id>/serverfarms/<plan-name>/async",
            "verb":"PUT"
       },
       "topic":"/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Web/ serverfarms/<serverfarm-name>",
       "dataVersion":"1",
       "metaDataVersion":"1"
    });
    // The topic has a space (`Microsoft.Web/ serverfarms`), encoded for the CloudEvent.
    let events = [
        grid_delivery::<WebEvent>(&grid).await,
        cloud_delivery(&spaces_encoded(to_cloud_event(&grid))).await,
    ];
    for event in events {
        let WebEvent::AppServicePlanUpdated(data) = event else {
            panic!("not AppServicePlanUpdated: {event:?}")
        };
        // The sample names this `serverFarmEventTypeDetail`, the model
        // `appServicePlanEventTypeDetail`: read through the alias
        // (tools/azure-events/aliases.json).
        let detail = data.app_service_plan_event_type_detail.expect("detail");
        assert_eq!(detail.stamp_kind, Some(StampKind::Public));
        assert_eq!(detail.action, Some(AppServicePlanAction::Updated));
        assert_eq!(detail.status, Some(AsyncStatus::Started));
        // Its `name` is not in the sample (it has `serverFarmId`, which the model lacks).
        assert_eq!(data.name, None);
        let sku = data.sku.expect("sku");
        assert_eq!(sku.name.as_deref(), Some("P1v2"));
        // The sample's `tier`, `size`, `family` and `capacity` are `Tier`, `Size`, `Family` and
        // `Capacity` in the model (aliases), and `capacity` is a number where the model has
        // text (tools/azure-events/numbers-as-text.json).
        assert_eq!(sku.tier.as_deref(), Some("PremiumV2"));
        assert_eq!(sku.size.as_deref(), Some("P1v2"));
        assert_eq!(sku.family.as_deref(), Some("Pv2"));
        assert_eq!(sku.capacity.as_deref(), Some("1"));
        assert_eq!(
            data.client_request_id,
            "8f880321-a991-45c7-b743-6ff63fe4c004"
        );
        assert_eq!(
            data.correlation_request_id,
            "1995c3be-ba7f-4ccf-94af-516df637ec8a"
        );
        assert_eq!(data.request_id, "b973a8e6-6949-4783-b44c-ac778be831bb");
        assert_eq!(
            data.address,
            "/websystems/WebSites/serverfarms/subscriptions/<id>/webspaces/<webspace-id>/serverfarms/<plan-name>/async"
        );
        assert_eq!(data.verb, "PUT");
    }
}

#[path = "azure_samples/avs.rs"]
mod avs_samples;
#[path = "azure_samples/quirks.rs"]
mod quirks;
