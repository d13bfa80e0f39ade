//! Claiming a delivery's events before its handler runs, and settling the claims after: the
//! part of deduplication that runs per delivery (D8).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Claim, Dedup, StoreError};

/// Why a delivery's events could not all be claimed.
pub(crate) enum ClaimRefused {
    /// Another delivery of one of them is being handled: the sender should retry later.
    InFlight,
    /// The store failed.
    Store(StoreError),
}

/// Claims the keys of a delivery's events in order (`None`: an event without an id, always
/// handled). Returns, for each event, whether it is to be handled (`false`: it was handled
/// before), and the claims its calls settle. Stops at the first key another delivery holds, or
/// at a failing store; the claims made until then are released when they are dropped.
pub(crate) async fn claim_delivery(
    dedup: &Dedup,
    keys: Vec<Option<String>>,
) -> Result<(Vec<bool>, Claims), ClaimRefused> {
    let mut claims = Claims::new(dedup);
    let mut handle = Vec::with_capacity(keys.len());
    for key in keys {
        let Some(key) = key else {
            claims.hold(None);
            handle.push(true);
            continue;
        };
        match dedup.store.claim(&key, dedup.lease).await {
            Ok(Claim::Claimed) => {
                claims.hold(Some(key));
                handle.push(true);
            }
            Ok(Claim::Done) => handle.push(false),
            Ok(Claim::InFlight) => return Err(ClaimRefused::InFlight),
            Err(error) => return Err(ClaimRefused::Store(error)),
        }
    }
    Ok((handle, claims))
}

/// The keys a delivery claimed and has not settled yet: released when the delivery ends without
/// settling them (its future dropped, or a panic), so a redelivery is not refused until the lease
/// lapses.
///
/// A claim whose lease has lapsed (its handler outlasted it) is not ours any more: a redelivery
/// may hold the key now, and releasing it would let a third delivery run beside that one. So a
/// release is skipped once the lease has run out, or is about to ([`RELEASE_MARGIN`]): the claim
/// lapses by itself.
pub(crate) struct Claims {
    dedup: Dedup,
    /// When the first claim was asked for: no claim of this delivery lapses before
    /// `since + lease`.
    since: Instant,
    /// One entry per event still to settle, in order; `None` for an event without a key.
    keys: Vec<Option<String>>,
}

/// How long before its lease's end a claim is left to lapse rather than released: a release
/// sent then could reach the store after the lapse and remove a redelivery's claim. A tenth of
/// the lease when that is shorter.
const RELEASE_MARGIN: Duration = Duration::from_secs(1);

impl Claims {
    /// Call before the first claim.
    fn new(dedup: &Dedup) -> Self {
        Self {
            dedup: dedup.clone(),
            since: Instant::now(),
            keys: Vec::new(),
        }
    }

    /// Whether the claims may still be held: their lease has not run out, nor nearly.
    fn still_held(&self) -> bool {
        let margin = RELEASE_MARGIN.min(self.dedup.lease / 10);
        self.since.elapsed() + margin < self.dedup.lease
    }

    fn hold(&mut self, key: Option<String>) {
        self.keys.push(key);
    }

    /// Completes (handled) or releases (failed) the first `n` keys held.
    pub(crate) async fn settle(&mut self, n: usize, handled: bool) -> Result<(), StoreError> {
        let n = n.min(self.keys.len());
        // A handled event is recorded even after its lease: it was handled.
        let settle = handled || self.still_held();
        let Self { dedup, keys, .. } = self;
        // Drained as they are settled; the rest of the range goes with the iterator when a store
        // fails (those claims lapse with their lease).
        for key in keys.drain(..n).flatten().filter(|_| settle) {
            if handled {
                dedup.store.complete(&key, dedup.window).await?;
            } else {
                dedup.store.release(&key).await?;
            }
        }
        Ok(())
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        if !self.still_held() {
            return;
        }
        let keys: Vec<String> = std::mem::take(&mut self.keys)
            .into_iter()
            .flatten()
            .collect();
        if keys.is_empty() {
            return;
        }
        let store = Arc::clone(&self.dedup.store);
        let release = async move {
            for key in &keys {
                if let Err(error) = store.release(key).await {
                    tracing::warn!(%error, "a claim could not be released; it lapses with its lease");
                }
            }
        };
        // A store that answers at once (the memory store) is released right here; others on the
        // runtime, after the answer.
        let mut release = Box::pin(release);
        if futures_util::FutureExt::now_or_never(&mut release).is_none()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(release);
        }
    }
}
