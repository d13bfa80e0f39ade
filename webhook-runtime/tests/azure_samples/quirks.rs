//! Samples whose fields Azure sends otherwise than its definitions say: under another JSON name
//! (`tools/azure-events/aliases.json`) or as a number where the definition has text
//! (`tools/azure-events/numbers-as-text.json`). Each field is checked for its value, so the test
//! fails if the list loses its entry.

use super::*;

// https://learn.microsoft.com/azure/event-grid/event-schema-machine-learning (the CloudEvents tab
// has the same data)
#[tokio::test]
async fn machine_learning_services_pascal_case_samples() {
    use azure::machine_learning_services::MachineLearningServicesEvent as Ml;
    let envelope = |event_type: &str, subject: &str, data: Value| {
        json!({
          "topic": "/subscriptions/{subscription-id}/resourceGroups/{resource-group-name}/providers/Microsoft.MachineLearningServices/workspaces/{workspace-name}",
          "subject": subject,
          "eventType": event_type,
          "eventTime": "2017-06-26T18:41:00.9584103Z",
          "id": "831e1650-001e-001b-66ab-eeb76e069631",
          "data": data,
          "dataVersion": "",
          "metadataVersion": "1"
        })
    };
    let registered = envelope(
        "Microsoft.MachineLearningServices.ModelRegistered",
        "models/sklearn_regression_model:20",
        json!({
          "ModelName": "sklearn_regression_model",
          "ModelVersion": 20,
          "ModelTags": {
              "area": "diabetes",
              "type": "regression"
          },
          "ModelProperties": {
              "type": "test"
          }
        }),
    );
    for event in grid_sample::<Ml>(&registered).await {
        let Ml::ModelRegistered(data) = event else {
            panic!("not ModelRegistered: {event:?}")
        };
        assert_eq!(data.model_name.as_deref(), Some("sklearn_regression_model"));
        // A number where the model has text.
        assert_eq!(data.model_version.as_deref(), Some("20"));
        assert_eq!(
            data.model_tags,
            Some(json!({"area": "diabetes", "type": "regression"}))
        );
        assert_eq!(data.model_properties, Some(json!({"type": "test"})));
    }
    let deployed = envelope(
        "Microsoft.MachineLearningServices.ModelDeployed",
        "endpoints/my-sklearn-service",
        json!({
          "ServiceName": "my-sklearn-service",
          "ServiceComputeType": "ACI",
          "ModelIds": "sklearn_regression_model:1,sklearn_regression_model:2",
          "ServiceTags": {
              "area": "diabetes",
              "type": "regression"
          },
          "ServiceProperties": {
              "type": "test"
          }
        }),
    );
    for event in grid_sample::<Ml>(&deployed).await {
        let Ml::ModelDeployed(data) = event else {
            panic!("not ModelDeployed: {event:?}")
        };
        assert_eq!(data.service_name.as_deref(), Some("my-sklearn-service"));
        assert_eq!(data.service_compute_type.as_deref(), Some("ACI"));
        assert_eq!(
            data.model_ids.as_deref(),
            Some("sklearn_regression_model:1,sklearn_regression_model:2")
        );
        assert_eq!(
            data.service_tags,
            Some(json!({"area": "diabetes", "type": "regression"}))
        );
        assert_eq!(data.service_properties, Some(json!({"type": "test"})));
    }
    let drift = envelope(
        "Microsoft.MachineLearningServices.DatasetDriftDetected",
        "datadrifts/{}/runs/{}",
        // Parsed from text: the coefficient has more digits than an `f64` keeps.
        serde_json::from_str(
            r#"{
          "DataDriftId": "01d29aa4-e6a4-470a-9ef3-66660d21f8ef",
          "DataDriftName": "myDriftMonitor",
          "RunId": "01d29aa4-e6a4-470a-9ef3-66660d21f8ef_1571590300380",
          "BaseDatasetId": "3c56d136-0f64-4657-a0e8-5162089a88a3",
          "TargetDatasetId": "d7e74d2e-c972-4266-b5fb-6c9c182d2a74",
          "DriftCoefficient": 0.83503490684792081,
          "StartTime": "2019-07-04T00:00:00+00:00",
          "EndTime": "2019-07-05T00:00:00+00:00"
        }"#,
        )
        .expect("JSON"),
    );
    for event in grid_sample::<Ml>(&drift).await {
        let Ml::DatasetDriftDetected(data) = event else {
            panic!("not DatasetDriftDetected: {event:?}")
        };
        assert_eq!(
            data.data_drift_id.as_deref(),
            Some("01d29aa4-e6a4-470a-9ef3-66660d21f8ef")
        );
        assert_eq!(data.data_drift_name.as_deref(), Some("myDriftMonitor"));
        assert_eq!(
            data.run_id.as_deref(),
            Some("01d29aa4-e6a4-470a-9ef3-66660d21f8ef_1571590300380")
        );
        assert_eq!(
            data.base_dataset_id.as_deref(),
            Some("3c56d136-0f64-4657-a0e8-5162089a88a3")
        );
        assert_eq!(
            data.target_dataset_id.as_deref(),
            Some("d7e74d2e-c972-4266-b5fb-6c9c182d2a74")
        );
        assert_eq!(data.drift_coefficient, Some(0.835_034_906_847_920_8));
        assert_eq!(data.start_time, Some(at("2019-07-04T00:00:00Z")));
        assert_eq!(data.end_time, Some(at("2019-07-05T00:00:00Z")));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-app-service (the
// RestoreOperationStarted sample). The page writes it as a JavaScript object literal: its data
// is JSON and kept as published; the envelope's keys are quoted here, the closing quote of
// `eventType` and the comma after `data` added.
#[tokio::test]
async fn web_site_name_sample() {
    use azure::web::{AppAction, WebEvent};
    let grid = json!({
        "id": "7c5d6de5-eb70-4de2-b788-c52a544e68b8",
        "subject": "/Microsoft.Web/sites/<site-name>",
        "eventType": "Microsoft.Web.RestoreOperationStarted",
        "eventTime": "2020-01-28T18:26:51.7194887Z",
        "data": {
            "appEventTypeDetail": {
                "action": "Started"
            },
            "siteName": "<site-name>",
            "clientRequestId": "None",
            "correlationRequestId": "None",
            "requestId": "292f499d-04ee-4066-994d-c2df57b99198",
            "address": "None",
            "verb": "POST"
        },
        "topic": "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Web/sites/<site-name>",
        "dataVersion": "1",
        "metaDataVersion": "1"
    });
    for event in grid_sample::<WebEvent>(&grid).await {
        let WebEvent::RestoreOperationStarted(data) = event else {
            panic!("not RestoreOperationStarted: {event:?}")
        };
        let detail = data.app_event_type_detail.expect("appEventTypeDetail");
        assert_eq!(detail.action, Some(AppAction::Started));
        // `siteName` on the wire, `name` in the model.
        assert_eq!(data.name.as_deref(), Some("<site-name>"));
        assert_eq!(data.client_request_id.as_deref(), Some("None"));
        assert_eq!(data.correlation_request_id.as_deref(), Some("None"));
        assert_eq!(
            data.request_id.as_deref(),
            Some("292f499d-04ee-4066-994d-c2df57b99198")
        );
        assert_eq!(data.address.as_deref(), Some("None"));
        assert_eq!(data.verb.as_deref(), Some("POST"));
    }
}

// https://learn.microsoft.com/azure/event-grid/event-schema-media-services
#[tokio::test]
async fn media_numbers_in_text_fields_samples() {
    use azure::media::MediaEvent;
    let rejected = json!({
        "topic": "/subscriptions/<subscription-id>/resourceGroups/<rg-name>/providers/Microsoft.Media/mediaServices/<account-name>",
        "subject": "/LiveEvents/MyLiveEvent1",
        "eventType": "Microsoft.Media.LiveEventConnectionRejected",
        "eventTime": "2018-01-16T01:57:26.005121Z",
        "id": "b303db59-d5c1-47eb-927a-3650875fded1",
        "data": {
          "streamId":"Mystream1",
          "ingestUrl": "http://abc.ingest.isml",
          "encoderIp": "118.238.251.xxx",
          "encoderPort": 52859,
          "resultCode": "MPE_INGEST_CODEC_NOT_SUPPORTED"
        },
        "dataVersion": "1.0",
        "metadataVersion": "1"
    });
    for event in grid_sample::<MediaEvent>(&rejected).await {
        let MediaEvent::LiveEventConnectionRejected(data) = event else {
            panic!("not LiveEventConnectionRejected: {event:?}")
        };
        assert_eq!(data.stream_id.as_deref(), Some("Mystream1"));
        assert_eq!(data.ingest_url.as_deref(), Some("http://abc.ingest.isml"));
        assert_eq!(data.encoder_ip.as_deref(), Some("118.238.251.xxx"));
        // A number here; the other live events' samples send it as text.
        assert_eq!(data.encoder_port.as_deref(), Some("52859"));
        assert_eq!(
            data.result_code.as_deref(),
            Some("MPE_INGEST_CODEC_NOT_SUPPORTED")
        );
    }
    // The page's CloudEvents tab has the same data.
    let dropped = json!({
        "topic": "/subscriptions/<subscription-id>/resourceGroups/<rg-name>/providers/Microsoft.Media/mediaServices/<account-name>",
        "subject": "/LiveEvents/MyLiveEvent1",
        "eventType": "Microsoft.Media.LiveEventIncomingDataChunkDropped",
        "eventTime": "2018-01-16T01:57:26.005121Z",
        "id": "03da9c10-fde7-48e1-80d8-49936f2c3e7d",
        "data": {
          "trackType": "Video",
          "trackName": "Video",
          "bitrate": 300000,
          "timestamp": 36656620000_u64,
          "timescale": 10000000,
          "resultCode": "FragmentDrop_OverlapTimestamp"
        },
        "dataVersion": "1.0",
        "metadataVersion": "1"
    });
    for event in grid_sample::<MediaEvent>(&dropped).await {
        let MediaEvent::LiveEventIncomingDataChunkDropped(data) = event else {
            panic!("not LiveEventIncomingDataChunkDropped: {event:?}")
        };
        assert_eq!(data.track_type.as_deref(), Some("Video"));
        assert_eq!(data.track_name.as_deref(), Some("Video"));
        assert_eq!(data.bitrate, Some(300_000.0));
        assert_eq!(data.timestamp.as_deref(), Some("36656620000"));
        assert_eq!(data.timescale.as_deref(), Some("10000000"));
        assert_eq!(
            data.result_code.as_deref(),
            Some("FragmentDrop_OverlapTimestamp")
        );
    }
}
