//! Answers and pages kept per published version (of the directory, a diagnostic tree, the fiches): a
//! bounded map, emptied when full and dropped with its version.

use std::collections::HashMap;
use std::sync::RwLock;

/// Answers kept for one published version; emptied when full, dropped with the version.
pub struct AnswerCache<V> {
    entries: RwLock<HashMap<String, V>>,
}

impl<V: Clone> AnswerCache<V> {
    /// Distinct queries kept at once (a few hundred kilobytes per thousand answers).
    pub const CAPACITY: usize = 2048;

    pub fn new() -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    pub fn put(&self, key: String, value: V) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::CAPACITY {
            entries.clear();
        }
        entries.insert(key, value);
    }
}

impl<V: Clone> Default for AnswerCache<V> {
    fn default() -> Self {
        Self::new()
    }
}
