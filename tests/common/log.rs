//! What handlers (or hooks) were called with, in call order: a log shared between the test and
//! the router's state, so that a test can say which calls a request made, or that it made none.

use std::sync::{Arc, Mutex};

/// The entries handlers pushed, in call order. Clones share the same log.
pub struct Log<T>(Arc<Mutex<Vec<T>>>);

// Written out rather than derived: a derive would ask `T: Clone` / `T: Default` of the entries.
impl<T> Clone for Log<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Log<T> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<T: Clone> Log<T> {
    /// Records one call.
    pub fn push(&self, entry: T) {
        self.0.lock().unwrap().push(entry);
    }

    /// Every entry so far, in call order.
    pub fn all(&self) -> Vec<T> {
        self.0.lock().unwrap().clone()
    }

    /// How many calls so far.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// Whether nothing has been called.
    pub fn is_empty(&self) -> bool {
        self.0.lock().unwrap().is_empty()
    }

    /// The only entry; fails unless there is exactly one.
    #[track_caller]
    pub fn one(&self) -> T {
        let all = self.all();
        assert_eq!(all.len(), 1, "expected exactly one call");
        all.into_iter().next().unwrap()
    }

    /// Fails unless nothing has been called.
    #[track_caller]
    pub fn assert_empty(&self) {
        assert_eq!(self.len(), 0, "nothing should have been called");
    }
}
