//! The published samples of API Center, API Management, App Configuration, Cache, Communication, Container Registry, Container Service and Data Box.

use super::*;

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
