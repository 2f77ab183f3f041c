//! The lists' filters, indexed once per version of the directory: the words searched and the
//! taxonomy terms each point to the records holding them, so that a page costs the records it
//! shows rather than a scan of every provider's text (the scan was most of a page's time).

use std::collections::HashMap;

/// A set of records, by their positions in the list, as bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set(Vec<u64>);

impl Set {
    pub fn empty(len: usize) -> Set {
        Set(vec![0; len.div_ceil(64)])
    }

    pub fn full(len: usize) -> Set {
        let mut set = Set(vec![u64::MAX; len.div_ceil(64)]);
        if let Some(last) = set.0.last_mut()
            && !len.is_multiple_of(64)
        {
            *last = (1 << (len % 64)) - 1;
        }
        set
    }

    fn from_positions(len: usize, positions: &[u32]) -> Set {
        let mut set = Set::empty(len);
        set.add_all(positions);
        set
    }

    fn add_all(&mut self, positions: &[u32]) {
        for &p in positions {
            if let Some(block) = self.0.get_mut(p as usize / 64) {
                *block |= 1 << (p % 64);
            }
        }
    }

    /// Keeps only what `other` holds too.
    pub fn keep(&mut self, other: &Set) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine &= theirs;
        }
    }

    /// The positions, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(b, &block)| {
            let mut bits = block;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(b * 64 + bit)
            })
        })
    }
}

/// The records under each key (a taxonomy term's id or code, a taxonomy) and each word of
/// their searched text.
pub struct Index {
    len: usize,
    keys: HashMap<String, Vec<u32>>,
    /// The distinct words, one per line, so that one scan finds every word holding a piece.
    vocabulary: String,
    /// Where each word starts in `vocabulary`, and its records.
    starts: Vec<usize>,
    postings: Vec<Vec<u32>>,
}

/// Gathers the records' keys and words, in the order of the list.
#[derive(Default)]
pub struct Builder {
    len: u32,
    keys: HashMap<String, Vec<u32>>,
    words: HashMap<String, Vec<u32>>,
}

impl Builder {
    /// The next record: its folded text (words separated by spaces) and its keys.
    pub fn add<'k>(&mut self, text: &str, keys: impl IntoIterator<Item = &'k str>) {
        let position = self.len;
        self.len += 1;
        for key in keys {
            let records = self.keys.entry(key.to_owned()).or_default();
            if records.last() != Some(&position) {
                records.push(position);
            }
        }
        for word in text.split_whitespace() {
            let records = self.words.entry(word.to_owned()).or_default();
            if records.last() != Some(&position) {
                records.push(position);
            }
        }
    }

    pub fn build(self) -> Index {
        let mut words: Vec<(String, Vec<u32>)> = self.words.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut vocabulary = String::new();
        let mut starts = Vec::with_capacity(words.len());
        let mut postings = Vec::with_capacity(words.len());
        for (word, records) in words {
            starts.push(vocabulary.len());
            vocabulary.push_str(&word);
            vocabulary.push('\n');
            postings.push(records);
        }
        Index {
            len: self.len as usize,
            keys: self.keys,
            vocabulary,
            starts,
            postings,
        }
    }
}

impl Index {
    pub fn all(&self) -> Set {
        Set::full(self.len)
    }

    /// The records under `key`.
    pub fn under(&self, key: &str) -> Set {
        Set::from_positions(self.len, self.keys.get(key).map_or(&[], Vec::as_slice))
    }

    /// The records whose text holds `piece` inside one of its words. A folded piece of several
    /// words gives the records holding each of them: the caller checks the phrase itself.
    pub fn containing(&self, piece: &str) -> Set {
        let mut found = self.all();
        for part in piece.split_whitespace() {
            found.keep(&self.containing_word(part));
        }
        found
    }

    fn containing_word(&self, part: &str) -> Set {
        let mut found = Set::empty(self.len);
        let mut last = None;
        for (at, _) in self.vocabulary.match_indices(part) {
            let word = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
            if last != Some(word) {
                found.add_all(&self.postings[word]);
                last = Some(word);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let mut builder = Builder::default();
        builder.add("cyber rennes securite", ["rancongiciel", "particulier"]);
        builder.add("informatique lyon", ["particulier"]);
        builder.add("cybersecurite rennes conseil", ["hameconnage"]);
        builder.build()
    }

    fn positions(set: &Set) -> Vec<usize> {
        set.iter().collect()
    }

    #[test]
    fn a_piece_of_a_word_finds_every_record_whose_words_hold_it() {
        let index = index();
        assert_eq!(positions(&index.containing("cyber")), [0, 2]);
        assert_eq!(positions(&index.containing("secur")), [0, 2]);
        assert_eq!(positions(&index.containing("rennes")), [0, 2]);
        assert_eq!(positions(&index.containing("lyon")), [1]);
        assert_eq!(positions(&index.containing("paris")), Vec::<usize>::new());
        // A piece never spans two words of the vocabulary.
        assert_eq!(
            positions(&index.containing("lyonrennes")),
            Vec::<usize>::new()
        );
        assert_eq!(positions(&index.containing("rennes conseil")), [2]);
    }

    #[test]
    fn keys_and_sets_combine_with_and() {
        let index = index();
        let mut set = index.under("particulier");
        assert_eq!(positions(&set), [0, 1]);
        set.keep(&index.containing("rennes"));
        assert_eq!(positions(&set), [0]);
        assert_eq!(positions(&index.under("inconnu")), Vec::<usize>::new());
        assert_eq!(positions(&index.all()), [0, 1, 2]);
    }

    #[test]
    fn full_sets_hold_exactly_their_length() {
        for len in [0, 1, 63, 64, 65, 130] {
            assert_eq!(Set::full(len).iter().count(), len, "{len}");
            assert_eq!(Set::full(len).iter().last(), len.checked_sub(1));
        }
    }
}
