//! Stories: near-duplicate articles (one report republished by many outlets)
//! grouped under one story id. The pure core decides from signatures; where stored
//! articles come from is the caller's (the dedupe stage reads the band index in the
//! database, so the index survives restarts and a lookup costs a few index probes
//! whatever the size of the database).

use std::collections::{HashMap, VecDeque};

use super::minhash::{self, Signature};

/// Default similarity above which two articles are one story (see
/// [`crate::config::DEFAULT_STORY_THRESHOLD`]).
pub const DEFAULT_THRESHOLD: f64 = crate::config::DEFAULT_STORY_THRESHOLD;

/// How many recently assigned articles are kept in memory: those passed on but
/// perhaps not yet stored. Must exceed what the channels to the store hold.
const RECENT: usize = 4096;

/// Two signatures are one story: a band in common and similar enough.
pub fn same_story(a: &Signature, b: &Signature, threshold: f64) -> bool {
    let (ka, kb) = (minhash::band_keys(a), minhash::band_keys(b));
    ka.iter().zip(&kb).any(|(x, y)| x == y) && minhash::similarity(a, b) >= threshold
}

/// A stored article that shares a band with a new one.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub story_id: i64,
    pub signature: Signature,
}

impl Candidate {
    /// A candidate from the store's row: its story and its signature as stored.
    pub fn from_row((story_id, bytes): (i64, Vec<u8>)) -> Self {
        Candidate {
            story_id,
            signature: minhash::from_bytes(&bytes),
        }
    }
}

/// Assigns story ids.
#[derive(Debug)]
pub struct StoryIndex {
    next_id: i64,
    recent: VecDeque<(Vec<i64>, Candidate)>,
    by_band: HashMap<i64, Vec<usize>>,
    evicted: usize,
}

impl StoryIndex {
    /// `max_story_id` is the largest id already stored.
    pub fn new(max_story_id: i64) -> Self {
        StoryIndex {
            next_id: max_story_id + 1,
            recent: VecDeque::new(),
            by_band: HashMap::new(),
            evicted: 0,
        }
    }

    /// The story of an article with `signature`: the most similar candidate's (from
    /// `stored` for the band keys, or from recent articles) at `threshold` or
    /// above, else a new story.
    pub fn assign(
        &mut self,
        signature: &Signature,
        threshold: f64,
        stored: impl FnOnce(&[i64]) -> Vec<Candidate>,
    ) -> i64 {
        let keys = minhash::band_keys(signature);
        let mut best: Option<(f64, i64)> = None;
        let mut consider = |c: &Candidate| {
            let s = minhash::similarity(signature, &c.signature);
            if s >= threshold && best.is_none_or(|(b, _)| s > b) {
                best = Some((s, c.story_id));
            }
        };
        for k in &keys {
            for &i in self.by_band.get(k).into_iter().flatten() {
                if let Some((_, c)) = i.checked_sub(self.evicted).and_then(|j| self.recent.get(j)) {
                    consider(c);
                }
            }
        }
        for c in stored(&keys) {
            consider(&c);
        }
        let story_id = match best {
            Some((_, id)) => id,
            None => {
                self.next_id += 1;
                self.next_id - 1
            }
        };
        self.remember(
            keys,
            Candidate {
                story_id,
                signature: signature.clone(),
            },
        );
        story_id
    }

    fn remember(&mut self, keys: Vec<i64>, candidate: Candidate) {
        let position = self.evicted + self.recent.len();
        for k in &keys {
            self.by_band.entry(*k).or_default().push(position);
        }
        self.recent.push_back((keys, candidate));
        if self.recent.len() > RECENT {
            if let Some((old_keys, _)) = self.recent.pop_front() {
                for k in old_keys {
                    if let Some(v) = self.by_band.get_mut(&k) {
                        v.retain(|&p| p != self.evicted);
                        if v.is_empty() {
                            self.by_band.remove(&k);
                        }
                    }
                }
            }
            self.evicted += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_share_a_story_and_others_get_new_ones() {
        let a = minhash::of_text(
            "Kazakhstan's interior ministry said on Friday that 26 armed criminals had been killed and more than 3,000 people detained as security forces moved to retake control of Almaty.",
        );
        let a_copy = minhash::of_text(
            "(Reuters) - Kazakhstan's interior ministry said on Friday that 26 armed criminals had been killed and more than 3,000 people detained as security forces moved to retake control of Almaty.",
        );
        let b = minhash::of_text(
            "Russian paratroopers and troops from four other former Soviet states landed in Kazakhstan under the banner of the Collective Security Treaty Organization.",
        );
        let mut index = StoryIndex::new(10);
        let none = |_: &[i64]| Vec::new();
        let sa = index.assign(&a, DEFAULT_THRESHOLD, none);
        assert_eq!(sa, 11);
        assert_eq!(index.assign(&a_copy, DEFAULT_THRESHOLD, none), 11);
        assert_eq!(index.assign(&b, DEFAULT_THRESHOLD, none), 12);
        // A stored article found through the band index.
        let mut fresh = StoryIndex::new(50);
        let stored = |_: &[i64]| {
            vec![Candidate {
                story_id: 7,
                signature: a.clone(),
            }]
        };
        assert_eq!(fresh.assign(&a_copy, DEFAULT_THRESHOLD, stored), 7);
    }
}
