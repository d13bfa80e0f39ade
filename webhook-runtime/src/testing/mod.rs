//! The testing kit (cargo feature `testing`): simulated senders that play the sender's side of
//! each protocol against your endpoint and give the sender's verdict.
//!
//! - A [`Target`] is an axum `Router` called in process (no socket) or any `http`/`https` URL.
//! - A [`SimulatedSender`] is a CloudEvents webhook sender, Azure Event Grid (either output schema) or SAP
//!   Event Mesh. [`SimulatedSender::handshake`] runs the OPTIONS handshake or Event Grid's validation
//!   event and returns a [`HandshakeStatus`] as SAP Event Mesh names it: `Completed`, or
//!   `Failed` with the [`Failure`] (no consent header, origin echoed wrong, validation code
//!   wrong, 202 instead of 200, timeout, …). [`SimulatedSender::deliver`] sends a [`SimulatedDelivery`]
//!   (structured, binary, batch, Event Grid array, plain message) and returns the
//!   [`NextAction`] that sender takes: acknowledged, retry later, dead-letter, stop (protocol.md §6).
//! - A [`Subscription`] keeps the status between runs: `NotInitiated` before the handshake,
//!   `Requested` while its answer is awaited, `Exempted` when it skips the handshake.
//! - An [`Authorization`] is what a sender presents on every request, the handshake included:
//!   Basic, an API key, a bearer token (Event Grid's Microsoft Entra ID token), or
//!   [`ClientCredentials`] (SAP Event Mesh's OAuth2 client credentials: the token is fetched
//!   from the token URL when first needed, reused, and fetched again before it expires; a token
//!   endpoint that fails is a [`TokenError`] in the report, and nothing is sent).
//!
//! The verdicts follow the senders' rules, not the receiver's: consent is the answer's
//! `WebHook-Allowed-Origin` equal to the requested origin byte for byte or `*`, whatever the
//! status (P11–P14); Event Grid validates only on exactly 200 with the code in
//! `validationResponse`; redirects are never followed.
//!
//! Testing your own handler takes a few lines:
//!
//! ```
//! use axum::Router;
//! use serde_json::json;
//! use webhook_runtime::testing::{SimulatedDelivery, HandshakeStatus, NextAction, SimulatedSender, Target};
//! use webhook_runtime::{CloudEvent, webhook};
//!
//! #[derive(serde::Deserialize)]
//! struct Order { order_id: String }
//!
//! #[webhook(origins = ["eventemitter.example.com"], schema = cloudevents, rate = 120)]
//! async fn orders(event: CloudEvent<Order>) {
//!     println!("order {}", event.data().order_id);
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let app = Router::new().route("/hooks/orders", orders::route());
//! let target = Target::router(app, "/hooks/orders");
//! let sender = SimulatedSender::cloudevents("eventemitter.example.com").with_rate(300);
//!
//! let handshake = sender.handshake(&target).await;
//! assert_eq!(handshake.status(), &HandshakeStatus::Completed);
//!
//! let event = json!({"specversion": "1.0", "id": "A-1", "source": "/orders",
//!                    "type": "com.example.order.created", "data": {"order_id": "o-1"}});
//! for delivery in [SimulatedDelivery::structured(event.clone()), SimulatedDelivery::binary(event.clone()),
//!                  SimulatedDelivery::batch([event])] {
//!     assert_eq!(sender.deliver(&target, &delivery).await.next(), &NextAction::Acknowledged);
//! }
//!
//! // A payload the handler cannot take is a 400: a CloudEvents sender gives up on it.
//! let bad = json!({"specversion": "1.0", "id": "A-2", "source": "/orders",
//!                  "type": "com.example.order.created", "data": {"id": 7}});
//! let report = sender.deliver(&target, &SimulatedDelivery::structured(bad)).await;
//! assert_eq!(report.next(), &NextAction::DeadLetter);
//! # }
//! ```
//!
//! An endpoint that does not answer in time fails the handshake (set a short limit with
//! [`Target::with_timeout`]); the `probe` example of the repository plays any sender against a
//! URL from the command line.

mod delivery;
mod exchange;
mod handshake;
mod kind;
mod sender;
mod subscription;
mod target;
mod token;
mod validation;
mod verdict;

pub use delivery::{DeliveryReport, NextAction, SimulatedDelivery};
pub use exchange::{Exchange, ReceivedAnswer, SentRequest, TokenError, TransportError};
pub use sender::{Authorization, SimulatedSender};
pub use subscription::Subscription;
pub use target::{DEFAULT_TIMEOUT, Target, TargetError};
pub use token::{ClientCredentials, TOKEN_RENEWAL_MARGIN};
pub use verdict::{Failure, HandshakeReport, HandshakeStatus, Violation};
