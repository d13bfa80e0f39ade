#!/usr/bin/env python3
"""Sends CloudEvents made by the official CloudEvents SDK for Python to a webhook.

Usage: send_python.py URL        (for example http://127.0.0.1:3000/cloudevents)

Driven by tests/sdk_interop.rs against the quickstart, with the SDK that test pins (PyPI
`cloudevents` 2.2.0). Since 2.0 the SDK's API is `cloudevents.core` (the 1.x
`cloudevents.http` module lives on as `cloudevents.v1.http`); this script uses the current one.

Sends, in this order, each with data {"order_id": ..., "amount": ...}:

1. one binary-mode event     (id py-binary-1; no datacontenttype, so the SDK sends no
                               Content-Type, as protocol.md §4 notes)
2. one structured-mode event (id py-structured-1)
3. one batch of two events   (ids py-batch-1, py-batch-2). The SDK has no batch serializer:
   the body is a JSON array of the SDK's JSON format output, sent as
   `application/cloudevents-batch+json`.

The ids, types and data are asserted by tests/sdk_interop.rs: change both together.
Only the standard library does HTTP (urllib.request); redirects are not followed (W6).
Prints every request and its answer; exits 1 if any answer is not 2xx.
"""

import sys
import urllib.error
import urllib.request

from cloudevents.core.bindings.http import to_binary, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

SOURCE = "https://eventemitter.example.com/orders"
TYPE = "com.example.order.created"
ORIGIN = "eventemitter.example.com"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is a failure (W6), never followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class KeepHeadersAsGiven(urllib.request.HTTPHandler):
    """urllib adds `Content-Type: application/x-www-form-urlencoded` to any POST without one;
    the SDK's binary mode sends none when datacontenttype is unset, and so do `requests` and
    the other clients people pair it with. Take urllib's default off again."""

    def http_request(self, req):
        given = req.has_header("Content-type")
        req = super().http_request(req)
        if not given:
            req.unredirected_hdrs.pop("Content-type", None)
        return req


OPENER = urllib.request.build_opener(NoRedirect, KeepHeadersAsGiven)


def order(event_id, order_id, amount):
    return CloudEvent(
        attributes={"id": event_id, "source": SOURCE, "type": TYPE},
        data={"order_id": order_id, "amount": amount},
    )


def post(url, label, headers, body):
    """POSTs one delivery; returns True on a 2xx answer."""
    headers = dict(headers)
    headers["WebHook-Request-Origin"] = ORIGIN
    print(f"--> {label}: POST {url}")
    for name, value in headers.items():
        print(f"    {name}: {value}")
    print(f"    body: {body.decode('utf-8')}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=60) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    print(f"<-- {label}: {status} {answer.decode('utf-8', 'replace').strip()}")
    return 200 <= status < 300


def main():
    if len(sys.argv) != 2:
        print("usage: send_python.py URL", file=sys.stderr)
        return 2
    url = sys.argv[1]
    fmt = JSONFormat()
    ok = True

    binary = to_binary(order("py-binary-1", "py-order-1", 12.5), fmt)
    ok &= post(url, "binary", binary.headers, binary.body)

    structured = to_structured(order("py-structured-1", "py-order-2", 99.75), fmt)
    ok &= post(url, "structured", structured.headers, structured.body)

    batch = [order("py-batch-1", "py-order-3", 0.5), order("py-batch-2", "py-order-4", 1234.25)]
    body = b"[" + b",".join(fmt.write(event) for event in batch) + b"]"
    ok &= post(url, "batch", {"content-type": "application/cloudevents-batch+json"}, body)

    if not ok:
        print("FAILED: at least one answer was not 2xx", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
