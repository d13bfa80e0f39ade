//! HTTP Basic credentials to send (RFC 7617), encoded with the `base64` crate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// `Basic <base64(user:password)>`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}
