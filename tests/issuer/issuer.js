// A real OAuth 2 / OpenID Connect token issuer on loopback, for the bearer-JWT tests, built from
// the npm package `oauth2-mock-server` (the version tests/common/issuer.rs pins), plus a control
// server through which a test changes what the issuer does.
//
// Usage: NODE_PATH=<dir>/node_modules node issuer.js
//
// Driven by tests/common/issuer.rs, which documents the behaviour for the tests; this comment says
// how it is built. When both servers listen it prints one JSON line on stdout,
//
//   {"issuer":"http://127.0.0.1:P","control":"http://127.0.0.1:Q","kid":"<signing key id>"}
//
// and then runs until its stdin reaches end of file (the test process closed it or died: no
// issuer outlives its test) or it gets SIGTERM/SIGINT.
//
// The issuer (port P): the package's own endpoints, served by its OAuth2Service request handler
// (`/.well-known/openid-configuration`, `/jwks`, `/token`, ...). It is not the package's
// OAuth2Server, which is that same handler on an http.Server it keeps private, because the tests
// need three things that server does not give:
// - a count of `/jwks` fetches: our own listener counts each request before handing it on;
// - a stop that drops kept-alive connections too, so that "the key server is down" is true for a
//   client holding a pooled connection (OAuth2Server.stop() closes only idle ones);
// - the issuer URL http://127.0.0.1:P: OAuth2Server names a loopback address `localhost`, which a
//   client may resolve to ::1, where nothing listens.
//
// Form fields of `/token` beyond the package's own (grant_type, scope, aud, ...), applied by a
// beforeTokenSigning hook, in this order:
// - expires_in: an integer number of seconds, negative allowed: exp = iat + expires_in (the
//   package always uses 3600); the answer's expires_in says the same.
// - header: a JSON object merged into the JWT header; a JSON null removes that field. `alg` is
//   always the signing key's (the package sets it last).
// - claims: a JSON object merged into the payload; a JSON null removes that claim.
// A field that is not what it should be answers 400 invalid_request, saying which.
//
// Control server (port Q), POST only, answers JSON:
// - /rotate: a new RS256 key signs from now on; earlier keys stay in the JWKS.  -> {"kid"}
// - /stop, /start: closes the issuer port (every connection dropped) / listens on the same port
//   again with the same keys.  -> {"listening"}
// - /hs256-with-public-key, body a JSON object of claims: a token for the algorithm-confusion
//   attack (see hs256WithPublicKey).  -> {"token","kid"}
// - /requests: how many requests reached the issuer per path since start.
//   -> {"jwks","discovery","token"}
"use strict";

const http = require("node:http");
const crypto = require("node:crypto");
const { AssertionError } = require("node:assert");
const { pathToFileURL } = require("node:url");

const HOST = "127.0.0.1";
const PATHS = {
  jwks: "/jwks",
  discovery: "/.well-known/openid-configuration",
  token: "/token",
};

// The package is ES modules only, and NODE_PATH is honoured by require() resolution but not by
// `import`: resolve it the CommonJS way, then import the file it resolved to.
async function loadPackage() {
  const entry = require.resolve("oauth2-mock-server");
  return import(pathToFileURL(entry).href);
}

// Merges a JSON object given as a form field into `target`; a null value deletes the member.
// Thrown as AssertionError because the package's error handler answers those with 400
// invalid_request and the message (anything else is a 500 "bug in the library").
function mergeField(target, body, name) {
  const raw = body[name];
  if (raw === undefined) {
    return;
  }
  let value;
  try {
    value = JSON.parse(String(raw));
  } catch (error) {
    throw new AssertionError({ message: `form field '${name}' is not JSON: ${error.message}` });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AssertionError({ message: `form field '${name}' is not a JSON object` });
  }
  mergeInto(target, value);
}

function mergeInto(target, changes) {
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}

// The `expires_in` form field as an integer, or undefined when absent.
function expiresIn(body) {
  if (body.expires_in === undefined) {
    return undefined;
  }
  const text = String(body.expires_in);
  if (!/^-?[0-9]+$/.test(text)) {
    throw new AssertionError({ message: "form field 'expires_in' is not an integer" });
  }
  return Number(text);
}

function base64url(data) {
  return Buffer.from(data).toString("base64url");
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function main() {
  const { OAuth2Issuer, OAuth2Service } = await loadPackage();

  // The package picks signing keys round-robin, so after a second key is added, tokens would
  // alternate between the two. Passing the current kid (a documented buildToken option) makes
  // the newest key the only one that signs, while every key stays listed in the JWKS.
  class PinnedIssuer extends OAuth2Issuer {
    currentKid = undefined;

    buildToken(opts) {
      return super.buildToken({ ...opts, kid: opts?.kid ?? this.currentKid });
    }
  }

  const issuer = new PinnedIssuer();
  const service = new OAuth2Service(issuer);

  async function rotate() {
    const jwk = await issuer.keys.generate("RS256");
    issuer.currentKid = jwk.kid;
    return jwk.kid;
  }
  await rotate();

  service.on("beforeTokenSigning", (token, req) => {
    const ttl = expiresIn(req.body);
    if (ttl !== undefined) {
      token.payload.exp = token.payload.iat + ttl;
    }
    mergeField(token.header, req.body, "header");
    mergeField(token.payload, req.body, "claims");
  });
  service.on("beforeResponse", (response, req) => {
    const ttl = expiresIn(req.body);
    if (ttl !== undefined && response.statusCode === 200) {
      response.body.expires_in = ttl;
    }
  });

  const counts = { jwks: 0, discovery: 0, token: 0 };
  const handler = service.requestHandler;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, "http://issuer").pathname;
    for (const [name, counted] of Object.entries(PATHS)) {
      if (path === counted) {
        counts[name] += 1;
      }
    }
    handler(req, res);
  });

  function listen(port) {
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, HOST, () => {
        server.off("error", reject);
        resolve(server.address().port);
      });
    });
  }

  function close() {
    return new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // close() only stops accepting; without this a client's kept-alive connection would go
      // on being answered while the server is "down".
      server.closeAllConnections();
    });
  }

  const port = await listen(0);
  issuer.url = `http://${HOST}:${port}`;

  // The classic algorithm-confusion token: HS256 with the issuer's public key as the HMAC
  // secret, in the hope that a verifier hands "the key for this kid" to whatever algorithm the
  // header names. The secret is the PEM text (SPKI, as Node writes it, ending in a newline),
  // since that is the form in which a verifier holding a public key most often has it. The
  // payload is the one the package itself would sign for this issuer, merged with `claims`.
  async function hs256WithPublicKey(claims) {
    const kid = issuer.currentKid;
    const jwk = issuer.keys.toJSON().find((key) => key.kid === kid);
    const pem = crypto.createPublicKey({ key: jwk, format: "jwk" }).export({
      type: "spki",
      format: "pem",
    });
    const signed = await issuer.buildToken({
      scopesOrTransform: (_header, payload) => mergeInto(payload, claims),
    });
    const payload = signed.split(".")[1];
    const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT", kid }));
    const input = `${header}.${payload}`;
    const mac = crypto.createHmac("sha256", pem).update(input).digest("base64url");
    return { token: `${input}.${mac}`, kid };
  }

  async function controlAction(path, body) {
    switch (path) {
      case "/rotate":
        return { kid: await rotate() };
      case "/stop":
        if (!server.listening) {
          throw new Error("the issuer is already stopped");
        }
        await close();
        return { listening: false };
      case "/start":
        if (server.listening) {
          throw new Error("the issuer is already listening");
        }
        await listen(port);
        return { listening: true };
      case "/hs256-with-public-key": {
        const claims = body.trim() === "" ? {} : JSON.parse(body);
        if (claims === null || typeof claims !== "object" || Array.isArray(claims)) {
          throw new Error("the body is not a JSON object of claims");
        }
        return hs256WithPublicKey(claims);
      }
      case "/requests":
        return { ...counts };
      default:
        return undefined;
    }
  }

  const control = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (req.method !== "POST") {
        sendJson(res, 405, { error: `${req.method} ${req.url}: control endpoints take POST` });
        return;
      }
      const answer = await controlAction(req.url, body);
      if (answer === undefined) {
        sendJson(res, 404, { error: `no control endpoint ${req.url}` });
      } else {
        sendJson(res, 200, answer);
      }
    } catch (error) {
      sendJson(res, 500, { error: `${req.url}: ${error.message}` });
    }
  });
  const controlPort = await new Promise((resolve, reject) => {
    control.once("error", reject);
    control.listen(0, HOST, () => resolve(control.address().port));
  });

  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
  process.on("SIGTERM", () => process.exit(0));
  process.on("SIGINT", () => process.exit(0));

  process.stdout.write(
    `${JSON.stringify({
      issuer: issuer.url,
      control: `http://${HOST}:${controlPort}`,
      kid: issuer.currentKid,
    })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`issuer.js: ${error.stack ?? error}\n`);
  process.exit(1);
});
