//! Receive webhooks in axum: the CloudEvents / SAP Event Mesh OPTIONS handshake, typed
//! CloudEvents in structured, binary and batch mode, and the `#[webhook]` attribute that wires it
//! all around an ordinary `async fn`.
//!
//! ```
//! use axum::{Router, extract::State};
//! use webhook_runtime::{CloudEvent, webhook};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { order_id: String, amount: f64 }
//!
//! #[derive(Clone)]
//! struct Db;
//!
//! #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
//! async fn orders(event: CloudEvent<Order>, State(_db): State<Db>) {
//!     println!("order {} for {}", event.data().order_id, event.data().amount);
//! }
//!
//! let app: Router = Router::new().route("/hooks/orders", orders::route()).with_state(Db);
//! ```
//!
//! The rules implemented are those of the CloudEvents HTTP webhook specification, the CloudEvents
//! HTTP binding and JSON format, and SAP Event Mesh's handshake; see the README for the full list.

#![forbid(unsafe_code)]

#[doc(hidden)]
// The derive of `EventTypes` names this crate `::webhook_runtime`, as users' code does; the
// generated Azure event enums use it from inside the crate.
#[cfg(feature = "azure-system-events")]
extern crate self as webhook_runtime;

pub mod __private;
pub mod auth;
#[cfg(feature = "azure-system-events")]
pub mod azure;
pub mod cloudevents;
mod config;
mod data;
pub mod dedup;
mod event_types;
pub mod eventgrid;
pub mod extract;
mod guard;
pub mod handshake;
mod headers;
#[cfg(any(feature = "validation-get", feature = "testing", feature = "jwt"))]
mod http_client;
mod interned;
mod json;
pub mod message;
#[cfg(feature = "metrics")]
pub mod metrics;
mod no_content;
mod origin;
pub mod outcome;
pub mod rate;
mod rejection;
pub mod route;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(feature = "sonic-rs")]
mod sonic_differential;
mod span;
#[cfg(feature = "testing")]
pub mod testing;

pub use cloudevents::{CloudEvent, ExtensionValue, SpecVersion};
pub use config::{
    CloudEventsConfig, CloudEventsSettings, Config, ConfigError, DEFAULT_BODY_TIMEOUT,
    DEFAULT_CLOUDEVENTS_BODY_LIMIT, DEFAULT_MAX_EVENTS, EventGridConfig, EventGridSettings, Schema,
};
pub use event_types::EventTypes;
pub use eventgrid::{CustomInput, EventGridEvent, EventGridHeaders, ManualValidation};
pub use message::{Incoming, Message};
pub use origin::{AllowedOrigins, OriginError, OriginGrant};
pub use outcome::{Outcome, Sender};
pub use rejection::Rejection;
#[doc = include_str!("../docs/event_types.md")]
pub use webhook_macros::EventTypes;
#[doc = include_str!("../docs/webhook.md")]
pub use webhook_macros::webhook;
