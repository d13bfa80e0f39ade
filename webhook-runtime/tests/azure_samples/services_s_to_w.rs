//! The published samples of Service Bus, SignalR, Storage and App Service (`Microsoft.Web`).

use super::*;

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
