//! Event Grid subscription deletion (protocol.md §3): the deletion event's data, which the route
//! acknowledges with a 200 and offers to the application's hook.

use serde::Deserialize;

/// `eventType` of the subscription deletion event.
pub const DELETION_EVENT_TYPE: &str = "Microsoft.EventGrid.SubscriptionDeletedEvent";

/// A subscription deletion event's data.
///
/// ```
/// use webhook_runtime::EventGridConfig;
/// use webhook_runtime::eventgrid::DeletionNotice;
///
/// let config = EventGridConfig::new().on_deletion(|notice: &DeletionNotice, subscription: Option<&str>| {
///     tracing::warn!(?subscription, id = ?notice.event_subscription_id, "Event Grid subscription deleted");
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeletionNotice {
    /// The resource id of the deleted event subscription.
    #[serde(default)]
    pub event_subscription_id: Option<String>,
}
