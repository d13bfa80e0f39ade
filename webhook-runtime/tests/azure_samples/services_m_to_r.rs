//! The published samples of Machine Learning, Maps, Media Services, Policy, Resource Notifications and resource groups (`Microsoft.Resources`).

use super::*;

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
