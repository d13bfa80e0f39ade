//! Which protocol a simulated sender speaks: what its handshake is and how its deliveries'
//! answers are read.

/// Which sender is simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    CloudEvents,
    EventGrid,
    EventGridCloudEvents,
    EventMesh,
}
