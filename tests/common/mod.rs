//! Helpers shared by the integration tests, one module per purpose.
//!
//! A test file declares `pub mod common;` (not `mod common;`): the helpers are then public
//! items of that test crate, so the ones a given file does not call are not reported as dead
//! code there, and `missing_docs` makes each of them say what it does. A private helper that
//! nothing calls is still reported.
//!
//! - [`process`]: the examples built by cargo and run as child processes, stopped by the tests.
//! - [`raw_http`]: a raw HTTP/1.1 client over `std::net::TcpStream`.
//! - [`oneshot`]: a request sent to a router in process, and its answer read whole.
//! - [`log`]: what handlers were called with, in call order.
//! - [`loopback`]: an axum application served by the test process itself on loopback.
//! - [`body`]: request bodies that break off (stall, fail or pause).
//! - [`credentials`]: HTTP Basic credentials to send.
//! - [`redis`]: a `redis-server` of a test on loopback.
//! - [`receiver`]: pieces of the hand-written receivers the sender-side tests run against.
//! - [`tls`]: TLS servers on loopback with a fresh self-signed certificate.
//! - [`sdk`]: installing the Python and Node SDKs the interoperability tests drive.
//! - [`issuer`]: a real OAuth 2 / OpenID Connect token issuer on loopback, run by Node.
//! - [`custom_input`]: Event Grid deliveries in a topic's custom input schema.

use std::path::PathBuf;
use std::time::Duration;

pub mod body;
pub mod credentials;
pub mod custom_input;
pub mod issuer;
pub mod log;
pub mod loopback;
pub mod oneshot;
pub mod process;
pub mod raw_http;
pub mod receiver;
pub mod redis;
pub mod sdk;
pub mod tls;

/// How long a test waits for something that should come at once before it fails instead of
/// hanging (a guard against hangs, not an assertion on timing).
pub const PATIENCE: Duration = Duration::from_secs(120);

/// The package root (where `Cargo.toml` of the examples and tests lives).
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory: `CARGO_TARGET_DIR` when set (a relative one is taken from the
/// package root), else `<package root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => manifest_dir().join(dir),
        _ => manifest_dir().join("target"),
    }
}
