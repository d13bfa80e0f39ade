//! A subscription as the sender keeps it: its handshake status moves from Not Initiated to
//! Requested to Completed or Failed, or is Exempted (SAP Event Mesh, seed 000; D17).

use std::sync::{Arc, Mutex, PoisonError};

use super::delivery::{DeliveryReport, SimulatedDelivery};
use super::sender::SimulatedSender;
use super::target::Target;
use super::verdict::{HandshakeReport, HandshakeStatus};

/// A subscription of a [`SimulatedSender`] to an endpoint, with its handshake status.
///
/// A new subscription is [`NotInitiated`](HandshakeStatus::NotInitiated); one made with
/// [`Subscription::exempt_handshake`] is [`Exempted`](HandshakeStatus::Exempted) and never
/// sends a handshake. [`Subscription::handshake`] makes it
/// [`Requested`](HandshakeStatus::Requested) until the answer comes, then
/// [`Completed`](HandshakeStatus::Completed) or [`Failed`](HandshakeStatus::Failed). Clones share
/// the status, so one clone can watch while another awaits the answer. Deliveries go out only
/// when the handshake completed or was exempted: a sender without consent keeps the subscription
/// paused.
///
/// ```
/// use axum::Router;
/// use webhook_runtime::testing::{HandshakeStatus, SimulatedSender, Subscription, Target};
/// use webhook_runtime::{CloudEvent, webhook};
///
/// #[webhook(origins = ["*"], schema = cloudevents)]
/// async fn queue(_event: CloudEvent) {}
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let target = Target::router(Router::new().route("/queue", queue::route()), "/queue");
/// let subscription = Subscription::new(SimulatedSender::event_mesh("eventmesh.example.com"));
/// assert_eq!(subscription.status(), HandshakeStatus::NotInitiated);
/// subscription.handshake(&target).await;
/// assert_eq!(subscription.status(), HandshakeStatus::Completed);
///
/// let exempted = Subscription::new(SimulatedSender::event_mesh("eventmesh.example.com")).exempt_handshake();
/// assert_eq!(exempted.status(), HandshakeStatus::Exempted);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Subscription {
    sender: SimulatedSender,
    exempt: bool,
    status: Arc<Mutex<HandshakeStatus>>,
}

impl Subscription {
    /// A subscription whose handshake has not run yet.
    pub fn new(sender: SimulatedSender) -> Self {
        Self {
            sender,
            exempt: false,
            status: Arc::new(Mutex::new(HandshakeStatus::NotInitiated)),
        }
    }

    /// The same subscription with "Exempt Handshake" on: its status is
    /// [`Exempted`](HandshakeStatus::Exempted) and no handshake is ever sent.
    pub fn exempt_handshake(mut self) -> Self {
        self.exempt = true;
        self.status = Arc::new(Mutex::new(HandshakeStatus::Exempted));
        self
    }

    /// The sender of this subscription.
    pub fn sender(&self) -> &SimulatedSender {
        &self.sender
    }

    /// The current handshake status.
    pub fn status(&self) -> HandshakeStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, status: HandshakeStatus) {
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = status;
    }

    /// Runs the handshake (Requested while the answer is awaited) and records the verdict;
    /// returns the report, or `None` for an exempted subscription, which sends nothing.
    pub async fn handshake(&self, target: &Target) -> Option<HandshakeReport> {
        if self.exempt {
            return None;
        }
        self.set(HandshakeStatus::Requested);
        let report = self.sender.handshake(target).await;
        self.set(report.status().clone());
        Some(report)
    }

    /// Sends a delivery if the status allows it (Completed or Exempted); otherwise sends nothing
    /// and returns the status that keeps the subscription paused.
    pub async fn deliver(
        &self,
        target: &Target,
        delivery: &SimulatedDelivery,
    ) -> Result<DeliveryReport, HandshakeStatus> {
        let status = self.status();
        if !status.allows_delivery() {
            return Err(status);
        }
        Ok(self.sender.deliver(target, delivery).await)
    }
}
