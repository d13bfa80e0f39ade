// Sends CloudEvents made by the official CloudEvents SDK for JavaScript to a webhook.
//
// Usage: NODE_PATH=<dir>/node_modules node send_node.js URL
//
// Driven by tests/sdk_interop.rs against the quickstart, with the SDK that test pins (npm
// `cloudevents` 10.0.0) and Node's built-in fetch (Node 18+). Sends, in this order, each with data
// {"order_id": ..., "amount": ...}:
//
// 1. one binary-mode event     (id js-binary-1; HTTP.binary)
// 2. one structured-mode event (id js-structured-1; HTTP.structured)
// 3. one batch of two events   (ids js-batch-1, js-batch-2). The SDK parses batches but has no
//    batch serializer: the body is a JSON array of the events' toJSON(), sent as
//    `application/cloudevents-batch+json`.
//
// The ids, types and data are asserted by tests/sdk_interop.rs: change both together.
// Redirects are not followed (W6). Prints every request and its answer; exits 1 if any answer
// is not 2xx.
"use strict";

const { CloudEvent, HTTP } = require("cloudevents");

const SOURCE = "https://eventemitter.example.com/orders";
const TYPE = "com.example.order.created";
const ORIGIN = "eventemitter.example.com";

function order(id, orderId, amount) {
  return new CloudEvent({
    id,
    source: SOURCE,
    type: TYPE,
    data: { order_id: orderId, amount },
  });
}

async function post(url, label, headers, body) {
  const all = { ...headers, "WebHook-Request-Origin": ORIGIN };
  console.log(`--> ${label}: POST ${url}`);
  for (const [name, value] of Object.entries(all)) {
    console.log(`    ${name}: ${value}`);
  }
  console.log(`    body: ${body}`);
  const response = await fetch(url, {
    method: "POST",
    headers: all,
    body,
    redirect: "manual",
  });
  const answer = await response.text();
  console.log(`<-- ${label}: ${response.status} ${answer.trim()}`);
  return response.status >= 200 && response.status < 300;
}

async function main() {
  if (process.argv.length !== 3) {
    console.error("usage: send_node.js URL");
    return 2;
  }
  const url = process.argv[2];
  let ok = true;

  const binary = HTTP.binary(order("js-binary-1", "js-order-1", 7.25));
  ok = (await post(url, "binary", binary.headers, binary.body)) && ok;

  const structured = HTTP.structured(order("js-structured-1", "js-order-2", 42.5));
  ok = (await post(url, "structured", structured.headers, structured.body)) && ok;

  const batch = [order("js-batch-1", "js-order-3", 0.25), order("js-batch-2", "js-order-4", 512.75)];
  const body = JSON.stringify(batch.map((event) => event.toJSON()));
  ok = (await post(url, "batch", { "content-type": "application/cloudevents-batch+json" }, body)) && ok;

  if (!ok) {
    console.error("FAILED: at least one answer was not 2xx");
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
