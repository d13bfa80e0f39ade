//! Azure VMware Solution (`Microsoft.AVS.*`). No learn.microsoft.com page with a sample event of
//! this service was found; Microsoft publishes samples of it as the examples of its REST API
//! specification (`Azure/azure-rest-api-specs`, under
//! `specification/eventgrid/data-plane/Microsoft.AVS/stable/2018-01-01/examples/`), one per
//! schema. The CloudEvents ones use the model's names; the Event Grid ones spell
//! `dataversion`, which the receiver refuses (Event Grid's schema has `dataVersion`, as with
//! Cache's page), and name some data fields otherwise (below).

use super::*;

use azure::avs::AVSEvent;

/// A sample from the CloudEvents examples, which spell `specVersion`: CloudEvents has no such
/// attribute (it is `specversion`, and a CloudEvent without it is refused), so it is renamed.
fn cloud_example(mut example: Value) -> Value {
    let object = example.as_object_mut().expect("an object");
    let version = object.remove("specVersion").expect("specVersion");
    object.insert("specversion".to_owned(), version);
    example
}

// https://github.com/Azure/azure-rest-api-specs/blob/main/specification/eventgrid/data-plane/Microsoft.AVS/stable/2018-01-01/examples/cloud-events-schema/cluster_updated.json
// and .../examples/event-grid-schema/cluster_updated.json
#[tokio::test]
async fn avs_cluster_updated_sample() {
    let cloud = cloud_example(json!({
      "source": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.AVS/privateClouds/{sddc_name}",
      "subject": "/clusters/{cluster_name}",
      "type": "Microsoft.AVS.ClusterUpdated",
      "time": "2023-12-09T16:50:19.9995668-05:00",
      "id": "9b87886d-21a5-4af5-8e3e-10c4b8dac73b",
      "data": {
        "addedHostNames": [
          "esx17-r04.p01.431cc…"
        ],
        "removedHostNames": [
          "esx15-r01.p01.431cc…"
        ],
        "inMaintenanceHostNames": [
          "esx01-r03.p01.431cc…"
        ],
        "operationId": "c8c0b304-2db3-402b-8a6b-06065e0e1755"
      },
      "specVersion": "1.0"
    }));
    let events = [
        cloud_delivery::<AVSEvent>(&cloud).await,
        grid_delivery(&to_grid_event(&cloud, "1.0")).await,
    ];
    for event in events {
        let AVSEvent::ClusterUpdated(data) = event else {
            panic!("not ClusterUpdated: {event:?}")
        };
        assert_eq!(
            data.operation_id.as_deref(),
            Some("c8c0b304-2db3-402b-8a6b-06065e0e1755")
        );
        let hosts = |name: &str| Some(vec![name.to_owned()]);
        assert_eq!(data.added_host_names, hosts("esx17-r04.p01.431cc…"));
        assert_eq!(data.removed_host_names, hosts("esx15-r01.p01.431cc…"));
        assert_eq!(
            data.in_maintenance_host_names,
            hosts("esx01-r03.p01.431cc…")
        );
    }
    // The Event Grid example: refused as published for its `dataversion`...
    let mut grid = json!({
      "id": "9b87886d-21a5-4af5-8e3e-10c4b8dac73b",
      "eventType": "Microsoft.AVS.ClusterUpdated",
      "topic": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.AVS/privateClouds/{sddc_name}",
      "data": {
        "added": [
          "esx17-r04.p01.431cc…"
        ],
        "removed": [
          "esx15-r01.p01.431cc…"
        ],
        "maintenance": [
          "esx01-r03.p01.431cc…"
        ],
        "operationId": "c8c0b304-2db3-402b-8a6b-06065e0e1755"
      },
      "subject": "/clusters/{cluster_name}",
      "dataversion": "1.0",
      "metadataVersion": "1",
      "eventTime": "2023-12-09T21:50:19.9995668+00:00"
    });
    let refusal = grid_refusal::<AVSEvent>(&grid).await;
    assert!(refusal.contains("dataVersion"), "{refusal}");
    // ... and with `dataVersion`, received; its `added`, `removed` and `maintenance` are not
    // the model's names (the CloudEvents example has the model's), so only `operationId` is
    // read. They are not aliases: no page shows Azure sending them.
    let object = grid.as_object_mut().expect("an object");
    let version = object.remove("dataversion").expect("dataversion");
    object.insert("dataVersion".to_owned(), version);
    for event in grid_sample::<AVSEvent>(&grid).await {
        let AVSEvent::ClusterUpdated(data) = event else {
            panic!("not ClusterUpdated: {event:?}")
        };
        assert_eq!(
            data.operation_id.as_deref(),
            Some("c8c0b304-2db3-402b-8a6b-06065e0e1755")
        );
        assert_eq!(data.added_host_names, None);
        assert_eq!(data.removed_host_names, None);
        assert_eq!(data.in_maintenance_host_names, None);
    }
}

// https://github.com/Azure/azure-rest-api-specs/blob/main/specification/eventgrid/data-plane/Microsoft.AVS/stable/2018-01-01/examples/cloud-events-schema/script_execution_failed.json
// (the Event Grid example spells `dataversion`, and `failure` for `failureMessage`)
#[tokio::test]
async fn avs_script_execution_failed_sample() {
    let cloud = cloud_example(json!({
      "source": "/subscriptions/{subscription_id}/resourceGroups/{resource_group_name}/providers/Microsoft.AVS/privateClouds/{sddc_name}",
      "subject": "/scriptExecutions/{execution_name}",
      "type": "Microsoft.AVS.ScriptExecutionFailed",
      "time": "2023-12-09T16:50:19.9995668-05:00",
      "id": "9b87886d-21a5-4af5-8e3e-10c4b8dac73b",
      "data": {
        "operationId": "fe1cb595-71c8-47d7-b505-60d39a44d53d",
        "failureMessage": "05/04/2023 03:15:40 Get-SpbmStoragePolicy SpbmStoragePolicy with name ' RAID-5 FTT-1' was not found using the specified filter(s).",
        "cmdletId": "Microsoft.AVS.Management@5.3.70/Set-LocationStoragePolicy",
        "output": []
      },
      "specVersion": "1.0"
    }));
    let events = [
        cloud_delivery::<AVSEvent>(&cloud).await,
        grid_delivery(&to_grid_event(&cloud, "1.0")).await,
    ];
    for event in events {
        let AVSEvent::ScriptExecutionFailed(data) = event else {
            panic!("not ScriptExecutionFailed: {event:?}")
        };
        assert_eq!(
            data.operation_id.as_deref(),
            Some("fe1cb595-71c8-47d7-b505-60d39a44d53d")
        );
        assert_eq!(
            data.failure_message.as_deref(),
            Some(
                "05/04/2023 03:15:40 Get-SpbmStoragePolicy SpbmStoragePolicy with name ' RAID-5 FTT-1' was not found using the specified filter(s)."
            )
        );
        assert_eq!(
            data.cmdlet_id.as_deref(),
            Some("Microsoft.AVS.Management@5.3.70/Set-LocationStoragePolicy")
        );
        assert_eq!(data.output, Some(vec![]));
    }
}
