//! A real OAuth 2 / OpenID Connect token issuer on loopback, for the bearer-JWT tests: the npm
//! package `oauth2-mock-server` at [`VERSION`], run by `tests/issuer/issuer.js` as a child
//! process, with a control server through which a test rotates keys, takes the issuer down and
//! up, and reads how often the key set was fetched.
//!
//! # The issuer
//!
//! [`Issuer::url`] is `http://127.0.0.1:<port>`, and the package's own endpoints answer there:
//! `/.well-known/openid-configuration` (its `issuer` is [`Issuer::url`], its `jwks_uri`
//! [`Issuer::jwks_url`], its `token_endpoint` [`Issuer::token_url`]), `/jwks` and `/token`.
//!
//! A `client_credentials` token from [`Issuer::token`] with no claims given has, as the package
//! makes it (read from its source and checked against one it issued):
//!
//! - header `{"typ":"JWT","kid":"<kid>","alg":"RS256"}`, in that order; `kid` is 80 hex digits
//!   and names the current signing key ([`Issuer::kid`]);
//! - payload `{"iss":"<Issuer::url>","iat":T,"exp":T+3600,"nbf":T-10}` (seconds since the epoch);
//!   no `aud`, `scope`, `sub`, `jti`, `client_id` or `azp`. The package adds `scope` and `aud`
//!   only when the request has form fields of those names ([`Issuer::token_response`]);
//! - the Basic client credentials ([`CLIENT_ID`], [`CLIENT_SECRET`]) are sent but not checked:
//!   any client gets a token.
//!
//! The answer of `/token` is `{"access_token":..,"token_type":"Bearer","expires_in":3600}` (plus
//! `scope` when one was asked for).
//!
//! # Shaping tokens
//!
//! The script adds three form fields to `/token`, applied in this order:
//!
//! - `expires_in`: an integer number of seconds, negative allowed: `exp = iat + expires_in` (the
//!   answer's `expires_in` says the same). The package itself ignores the field.
//! - `header`: a JSON object merged into the header; `alg` stays the key's.
//! - `claims`: a JSON object merged into the payload: `exp` in the past, `nbf` in the future,
//!   another `iss` or `aud`, Entra-shaped (`appid`, `azp`, `roles`, `tid`, `ver`) or SAP-shaped
//!   (`scope` as an array, `cid`, `zid`) claims.
//!
//! In `header` and `claims` a JSON `null` removes the member (e.g. `{"exp": null}`,
//! `{"kid": null}`). A field that is not what it should be is answered 400 `invalid_request`.
//!
//! # Keys
//!
//! One RS256 key at start. [`Issuer::rotate`] makes a new one that signs every token from then
//! on; the earlier keys stay listed in the JWKS, so tokens issued before the rotation still
//! verify, while a verifier that fetched the JWKS before the rotation does not know the new
//! token's `kid`. [`Issuer::stop_keys`] closes the issuer's port (connections are refused, kept-alive
//! ones are dropped); [`Issuer::start_keys`] listens on the same port again with the same keys.
//! [`Issuer::jwks_fetches`] counts the requests for `/jwks` that reached the issuer.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::{self, JoinHandle};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::credentials::basic;
use super::raw_http::{self, Response};
use super::sdk::{Skip, node_modules};
use super::{PATIENCE, manifest_dir};

/// The npm package that issues the tokens.
pub const PACKAGE: &str = "oauth2-mock-server";
/// The version of [`PACKAGE`] the tests pin (ES modules only; it supports Node 20.19 and later).
pub const VERSION: &str = "8.2.3";
/// The client id [`Issuer::token`] sends in its Basic credentials (not checked by the issuer).
pub const CLIENT_ID: &str = "webhook-tests";
/// The client secret [`Issuer::token`] sends in its Basic credentials (not checked either).
pub const CLIENT_SECRET: &str = "webhook-tests-secret";

/// The oldest Node that [`VERSION`] supports (its `engines` field), as (major, minor).
const OLDEST_NODE: (u32, u32) = (20, 19);

/// A running issuer (see the module documentation): killed and reaped when dropped.
pub struct Issuer {
    child: Option<Child>,
    // Held only to be closed: the script exits when its stdin reaches end of file, so even a
    // test process that dies without running `Drop` leaves no issuer behind.
    stdin: Option<ChildStdin>,
    readers: Vec<JoinHandle<()>>,
    log: Arc<Mutex<String>>,
    url: String,
    port: u16,
    control_port: u16,
    kid: Mutex<String>,
}

impl Issuer {
    /// Installs [`PACKAGE`] at [`VERSION`] under `<target>/issuer-node` (once), starts the
    /// issuer and waits for it to listen. A [`Skip`] when Node or npm is missing, the Node is
    /// older than the package supports, or the install fails; a panic for anything else.
    pub fn start() -> Result<Issuer, Skip> {
        let modules = node_modules("issuer-node", PACKAGE, VERSION)?;
        node_is_recent_enough()?;
        let script = manifest_dir().join("tests/issuer/issuer.js");
        let mut child = Command::new("node")
            .env("NODE_PATH", &modules)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("node {} could not be started: {e}", script.display()));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        // The guard exists from here on: a panic below still kills the child.
        let mut issuer = Issuer {
            child: Some(child),
            stdin,
            readers: Vec::new(),
            log: Arc::new(Mutex::new(String::new())),
            url: String::new(),
            port: 0,
            control_port: 0,
            kid: Mutex::new(String::new()),
        };

        // Both pipes are drained until the child exits, so that it never blocks on a full one;
        // the first stdout line is the ready line, anything after it goes to the log.
        let (ready_tx, ready_rx) = mpsc::channel();
        let log = Arc::clone(&issuer.log);
        issuer.readers.push(thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = ready_tx.send(line);
            }
            for line in lines.map_while(Result::ok) {
                append(&log, &format!("stdout: {line}\n"));
            }
        }));
        let log = Arc::clone(&issuer.log);
        issuer.readers.push(thread::spawn(move || {
            let mut stderr = stderr;
            let mut chunk = [0; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut chunk) {
                append(&log, &String::from_utf8_lossy(&chunk[..n]));
            }
        }));

        let line = match ready_rx.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(error) => issuer.fail(&format!(
                "the issuer never printed its ready line ({error})"
            )),
        };
        let ready: Value = serde_json::from_str(&line).unwrap_or_else(|error| {
            issuer.fail(&format!("the ready line {line:?} is not JSON: {error}"))
        });
        let (Some(url), Some(control), Some(kid)) = (
            ready["issuer"].as_str(),
            ready["control"].as_str(),
            ready["kid"].as_str(),
        ) else {
            issuer.fail(&format!(
                "the ready line {line:?} lacks issuer, control or kid"
            ));
        };
        let (Some(port), Some(control_port)) = (loopback_port(url), loopback_port(control)) else {
            issuer.fail(&format!(
                "the ready line {line:?} has no http://127.0.0.1 URLs"
            ));
        };
        issuer.url = url.to_owned();
        issuer.port = port;
        issuer.control_port = control_port;
        *issuer.kid.get_mut().unwrap_or_else(PoisonError::into_inner) = kid.to_owned();
        Ok(issuer)
    }

    /// The issuer URL, `http://127.0.0.1:<port>`: the `iss` of its tokens and the base of its
    /// endpoints.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The loopback port the issuer listens on (the same after [`Issuer::start_keys`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The OpenID Connect discovery document's URL, `<url>/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.url)
    }

    /// The JWKS URL, `<url>/jwks` (the discovery document's `jwks_uri`).
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.url)
    }

    /// The token endpoint's URL, `<url>/token` (the discovery document's `token_endpoint`).
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url)
    }

    /// The `kid` of the key that signs tokens now.
    pub fn kid(&self) -> String {
        self.kid
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// An RS256 `client_credentials` access token: the defaults of the module documentation
    /// with `claims` (a JSON object) merged in, a `null` member removing that claim.
    pub fn token(&self, claims: Value) -> String {
        assert!(
            claims.is_object(),
            "token claims must be a JSON object, not {claims}"
        );
        let answer = self.token_response(&[("claims", &claims.to_string())]);
        match answer["access_token"].as_str() {
            Some(token) => token.to_owned(),
            None => panic!("the token endpoint's answer has no access_token: {answer}"),
        }
    }

    /// The JSON answer of a `client_credentials` request to `/token` with the Basic client
    /// credentials and `fields` as further form fields (the package's `scope` and `aud`, the
    /// script's `expires_in`, `header` and `claims`). Panics unless the answer is 200.
    pub fn token_response(&self, fields: &[(&str, &str)]) -> Value {
        let mut form = String::from("grant_type=client_credentials");
        for (name, value) in fields {
            form.push_str(&format!(
                "&{}={}",
                utf8_percent_encode(name, NON_ALPHANUMERIC),
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            ));
        }
        let authorization = basic(CLIENT_ID, CLIENT_SECRET);
        let request = raw_http::request(
            "POST",
            "/token",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &authorization),
            ],
            form.as_bytes(),
        );
        self.json_answer(self.port, "/token", request)
    }

    /// Makes a new RS256 key the signing key and returns its `kid`; the earlier keys stay in the
    /// JWKS.
    pub fn rotate(&self) -> String {
        let answer = self.control("/rotate", b"");
        let kid = match answer["kid"].as_str() {
            Some(kid) => kid.to_owned(),
            None => panic!("/rotate answered without a kid: {answer}"),
        };
        *self.kid.lock().unwrap_or_else(PoisonError::into_inner) = kid.clone();
        kid
    }

    /// Takes the issuer down: its port refuses connections and open ones are closed, until
    /// [`Issuer::start_keys`]. Panics if it is already down.
    pub fn stop_keys(&self) {
        self.control("/stop", b"");
    }

    /// Brings the issuer back on the same port with the same keys. Panics if it is already up.
    pub fn start_keys(&self) {
        self.control("/start", b"");
    }

    /// An algorithm-confusion token: header `{"alg":"HS256","typ":"JWT","kid":<Issuer::kid>}`,
    /// the payload an RS256 token would have (the defaults of the module documentation) with
    /// `claims` merged in, signed with HMAC-SHA256 whose secret is the current public key as
    /// PEM text (SPKI, `-----BEGIN PUBLIC KEY-----`, 64-character lines, ending in a newline).
    /// A verifier must reject it.
    pub fn hs256_with_public_key(&self, claims: Value) -> String {
        assert!(
            claims.is_object(),
            "token claims must be a JSON object, not {claims}"
        );
        let answer = self.control("/hs256-with-public-key", claims.to_string().as_bytes());
        match answer["token"].as_str() {
            Some(token) => token.to_owned(),
            None => panic!("/hs256-with-public-key answered without a token: {answer}"),
        }
    }

    /// How many requests for `/jwks` reached the issuer since it started (none while it is
    /// stopped).
    pub fn jwks_fetches(&self) -> u64 {
        self.request_count("jwks")
    }

    /// How many requests for `/token` reached the issuer since it started (the tests' own
    /// [`Issuer::token`] calls included).
    pub fn token_fetches(&self) -> u64 {
        self.request_count("token")
    }

    /// How many requests for the discovery document reached the issuer since it started.
    pub fn discovery_fetches(&self) -> u64 {
        self.request_count("discovery")
    }

    /// What the issuer printed on stderr (and on stdout after its ready line) so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn request_count(&self, path: &str) -> u64 {
        let answer = self.control("/requests", b"");
        match answer[path].as_u64() {
            Some(count) => count,
            None => panic!("/requests answered without a {path} count: {answer}"),
        }
    }

    /// The JSON answer of a POST to a control endpoint; panics unless it is 200.
    fn control(&self, path: &str, body: &[u8]) -> Value {
        let request =
            raw_http::request("POST", path, &[("Content-Type", "application/json")], body);
        self.json_answer(self.control_port, path, request)
    }

    fn json_answer(&self, port: u16, path: &str, request: Vec<u8>) -> Value {
        let response: Response = raw_http::exchange(port, request).unwrap_or_else(|error| {
            panic!(
                "no answer from the issuer's {path} on port {port}: {error}; its log:\n{}",
                self.log()
            )
        });
        assert_eq!(
            response.status,
            200,
            "the issuer's {path} answered {}: {}; its log:\n{}",
            response.status,
            response.text(),
            self.log()
        );
        serde_json::from_slice(&response.body).unwrap_or_else(|error| {
            panic!(
                "the issuer's {path} answered non-JSON ({error}): {}",
                response.text()
            )
        })
    }

    /// Stops the child and panics with `message` and everything it printed.
    fn fail(&mut self, message: &str) -> ! {
        self.kill();
        panic!("{message}; the issuer's output:\n{}", self.log());
    }

    fn kill(&mut self) {
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            // An error here means it has already exited; `wait` reaps it either way.
            let _ = child.kill();
            let _ = child.wait();
        }
        // The pipes are closed now that the child is gone, so the readers end.
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The header and payload of a JWT, decoded but not verified, for tests to look inside tokens.
pub fn decode_unverified(token: &str) -> (Value, Value) {
    let part = |index: usize| -> Value {
        let text = token
            .split('.')
            .nth(index)
            .unwrap_or_else(|| panic!("{token:?} is not a JWT (no part {index})"));
        let json = URL_SAFE_NO_PAD
            .decode(text)
            .unwrap_or_else(|e| panic!("part {index} of {token:?} is not base64url: {e}"));
        serde_json::from_slice(&json)
            .unwrap_or_else(|e| panic!("part {index} of {token:?} is not JSON: {e}"))
    };
    (part(0), part(1))
}

/// A [`Skip`] unless `node` is at least [`OLDEST_NODE`].
fn node_is_recent_enough() -> Result<(), Skip> {
    let output = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| Skip(format!("node --version could not be run: {error}")))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let mut numbers = version
        .trim_start_matches('v')
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let found = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    if found < OLDEST_NODE {
        let (major, minor) = OLDEST_NODE;
        return Err(Skip(format!(
            "node {version} is older than {major}.{minor}, the oldest {PACKAGE} {VERSION} supports"
        )));
    }
    Ok(())
}

/// The port of an `http://127.0.0.1:<port>` URL.
fn loopback_port(url: &str) -> Option<u16> {
    url.strip_prefix("http://127.0.0.1:")?.parse().ok()
}

fn append(log: &Mutex<String>, text: &str) {
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push_str(text);
}
