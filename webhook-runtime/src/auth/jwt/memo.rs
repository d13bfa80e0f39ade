//! Verified tokens remembered until they expire (D24): a sender reuses one token for many
//! deliveries, so only its first costs a signature check.
//!
//! Keyed by the token's SHA-256, so the memory holds no token; bounded, so a flood of distinct
//! valid tokens cannot grow it without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::VerifiedToken;

/// A remembered token: the Unix time after which it is not used, and the token.
type Remembered = (u64, Arc<VerifiedToken>);

pub(super) struct TokenMemo {
    capacity: usize,
    /// By the token's SHA-256.
    entries: Mutex<HashMap<[u8; 32], Remembered>>,
}

impl TokenMemo {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The verified token of this digest, if it is remembered and `now` is not past its deadline.
    pub(super) fn get(&self, digest: &[u8; 32], now: u64) -> Option<Arc<VerifiedToken>> {
        if self.capacity == 0 {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (deadline, token) = entries.get(digest)?;
        (now <= *deadline).then(|| token.clone())
    }

    /// Remembers a verified token until `deadline`. When full, expired entries go first; if too
    /// few have expired, arbitrary ones make room for an eighth of the capacity, so a full memory
    /// is scanned once per that many insertions, not on each (the cost of a forgotten token is
    /// one more signature check).
    pub(super) fn insert(
        &self,
        digest: [u8; 32],
        deadline: u64,
        now: u64,
        token: Arc<VerifiedToken>,
    ) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&digest) {
            entries.retain(|_, (until, _)| *until >= now);
            let room = self.capacity / 8 + 1;
            let excess = (entries.len() + room).saturating_sub(self.capacity);
            let victims: Vec<[u8; 32]> = entries.keys().take(excess).copied().collect();
            for victim in victims {
                entries.remove(&victim);
            }
        }
        entries.insert(digest, (deadline, token));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(exp: u64) -> Arc<VerifiedToken> {
        Arc::new(VerifiedToken::new(serde_json::json!({ "exp": exp })).unwrap())
    }

    #[test]
    fn d24_a_remembered_token_is_used_until_its_deadline_only() {
        let memo = TokenMemo::new(10);
        memo.insert([1; 32], 100, 50, token(100));
        assert!(memo.get(&[1; 32], 100).is_some());
        assert!(memo.get(&[1; 32], 101).is_none());
        assert!(memo.get(&[2; 32], 50).is_none());
    }

    #[test]
    fn d24_the_memory_of_tokens_is_bounded() {
        let memo = TokenMemo::new(3);
        for i in 0..3u8 {
            memo.insert([i; 32], 10, 0, token(10));
        }
        // Full, nothing expired: one entry makes room.
        memo.insert([9; 32], 10, 0, token(10));
        assert_eq!(memo.len(), 3);
        assert!(memo.get(&[9; 32], 0).is_some());
        // A larger memory frees an eighth of itself at once.
        let large = TokenMemo::new(16);
        for i in 0..16u8 {
            large.insert([i; 32], 10, 0, token(10));
        }
        large.insert([99; 32], 10, 0, token(10));
        assert_eq!(large.len(), 16 - 3 + 1);
        assert!(large.get(&[99; 32], 0).is_some());
        // Later, every old entry has expired: they all go.
        memo.insert([8; 32], 100, 50, token(100));
        assert_eq!(memo.len(), 1);
        let off = TokenMemo::new(0);
        off.insert([1; 32], 10, 0, token(10));
        assert!(off.get(&[1; 32], 0).is_none());
    }
}
