//! The published samples of IoT Hub (`Microsoft.Devices`), Edge, Event Grid, Event Hubs, Health Data Services and Key Vault.

use super::*;

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
