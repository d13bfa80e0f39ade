#!/usr/bin/env python3
"""Sends Event Grid events with the Azure SDK for Python to a webhook.

Usage: send_eventgrid.py deliver URL    (for example http://127.0.0.1:3000/eventgrid)
       send_eventgrid.py refused URL

Driven by tests/eventgrid_sdk.rs against the quickstart's `/eventgrid` route, with the SDK that
test pins (PyPI `azure-eventgrid`). The publisher client is meant for an Event Grid topic, but
it is also what people point at a webhook to test or forward events, so the runtime takes what
it sends as a notification (D23: it sends no `aeg-event-type`).

Every event is a `Microsoft.Storage.BlobCreated` with data in the quickstart's shape. In order:

`deliver` (each call must be accepted):
1. single: one event     (`send(event)`; id eg-single-1)
2. batch:  a list of 3   (`send([...])`; ids eg-batch-1, eg-batch-2, eg-batch-3): one request
                         holding a JSON array of three events

`refused` (each call must be answered 403, protocol.md §3: an unexpected subscription gets no 200):
3. no-subscription:    an event without `aeg-subscription-name`
4. other-subscription: an event with `aeg-subscription-name: not-quickstart`

The quickstart accepts only the subscription `quickstart`, so 1 and 2 carry
`aeg-subscription-name: quickstart` as a per-call `headers={...}` keyword (azure-core's
HeadersPolicy takes it per operation).

Plain http: AzureKeyCredential (sent as the `aeg-sas-key` header) works over http; only
azure-core's bearer-token policy insists on https, and this script uses none.

Each call is made with `retry_total=0` and `permit_redirects=False`, so every call is exactly one
request: a retried 5xx cannot hide as a duplicate, and a 3xx is a failure (W6).

The 204 answer: the publisher treats any status but 200 as an error (it expects the Event Grid
service's 200) and raises HttpResponseError("Operation returned an invalid status 'No
Content'") after the request went through. The quickstart's handler returns `()`, which the
runtime sends as 204 (D6, W8), and 204 is success for an Event Grid delivery (protocol.md §6). So a
delivery counts as accepted when `send` returns (200) or when it raises HttpResponseError with
status 204 and an empty body; any other exception or status fails the script.

Prints every request the SDK makes (headers as the pipeline sends them, body) and its answer,
then one `STATUS <label> <code>` line per call, which tests/eventgrid_sdk.rs asserts.
The ids, types and data are asserted by tests/eventgrid_sdk.rs: change both together.
Exits 1 on any failure.
"""

import sys

from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError
from azure.eventgrid import EventGridEvent, EventGridPublisherClient

EVENT_TYPE = "Microsoft.Storage.BlobCreated"
SUBSCRIPTION = "quickstart"
CONTAINER = "https://quickstartaccount.blob.core.windows.net/uploads"


def blob_created(event_id, name, **data):
    """A BlobCreated event; `data` adds to api and url (contentType, contentLength, ...)."""
    return EventGridEvent(
        subject=f"/blobServices/default/containers/uploads/blobs/{name}",
        event_type=EVENT_TYPE,
        data={"api": "PutBlob", "url": f"{CONTAINER}/{name}", **data},
        data_version="1",
        id=event_id,
    )


def print_request(label):
    def hook(pipeline_request):
        request = pipeline_request.http_request
        print(f"--> {label}: {request.method} {request.url}")
        for name, value in request.headers.items():
            print(f"    {name}: {value}")
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        print(f"    body: {body}")

    return hook


def send(client, label, events, headers):
    """Sends with the SDK; returns (status, exchanges, error) where exchanges counts the HTTP
    answers seen and error is the exception raised, if any."""
    answers = []

    def on_response(pipeline_response):
        response = pipeline_response.http_response
        answers.append(response.status_code)
        print(f"<-- {label}: {response.status_code} {response.text().strip()}")

    kwargs = {
        "raw_request_hook": print_request(label),
        "raw_response_hook": on_response,
        "retry_total": 0,
        "permit_redirects": False,
        "connection_timeout": 10,
        "read_timeout": 60,
    }
    if headers is not None:
        kwargs["headers"] = headers
    try:
        client.send(events, **kwargs)
        return 200, answers, None
    except HttpResponseError as error:
        print(f"    {label}: the SDK raised {type(error).__name__}: {error.message}")
        return error.status_code, answers, error


def delivered(client, label, events):
    status, answers, error = send(client, label, events, {"aeg-subscription-name": SUBSCRIPTION})
    print(f"STATUS {label} {status}")
    if answers != [status]:
        print(f"FAILED {label}: expected one answer, saw {answers}", file=sys.stderr)
        return False
    if error is None:
        return True
    if status == 204 and error.response is not None and error.response.text() == "":
        # The publisher's "invalid status 'No Content'": delivered (see the module docstring).
        return True
    print(f"FAILED {label}: {status} is not a delivery success", file=sys.stderr)
    return False


def refused(client, label, events, headers):
    status, answers, error = send(client, label, events, headers)
    print(f"STATUS {label} {status}")
    if error is None or status != 403 or answers != [403]:
        print(f"FAILED {label}: expected one 403 answer, got {status} ({answers})", file=sys.stderr)
        return False
    return True


def deliver(client):
    ok = delivered(
        client,
        "single",
        blob_created(
            "eg-single-1",
            "report-1.pdf",
            contentType="application/pdf",
            contentLength=524288,
            blobType="BlockBlob",
        ),
    )
    ok &= delivered(
        client,
        "batch",
        [
            blob_created("eg-batch-1", "photo-1.png", contentType="image/png", contentLength=1024),
            blob_created("eg-batch-2", "notes.txt"),
            blob_created("eg-batch-3", "data.csv", contentType="text/csv"),
        ],
    )
    return ok


def refuse(client):
    ok = refused(client, "no-subscription", blob_created("eg-refused-1", "refused-1.txt"), None)
    ok &= refused(
        client,
        "other-subscription",
        blob_created("eg-refused-2", "refused-2.txt"),
        {"aeg-subscription-name": "not-" + SUBSCRIPTION},
    )
    return ok


MODES = {"deliver": deliver, "refused": refuse}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        print("usage: send_eventgrid.py deliver|refused URL", file=sys.stderr)
        return 2
    mode, url = MODES[sys.argv[1]], sys.argv[2]
    # The key is a placeholder: the quickstart checks no key, the SDK requires a credential.
    with EventGridPublisherClient(url, AzureKeyCredential("local-test-key")) as client:
        ok = mode(client)
    if not ok:
        print("FAILED: at least one call did not get the expected answer", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
