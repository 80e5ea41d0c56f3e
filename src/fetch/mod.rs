//! Fetch stage: polls feeds (HTTP or `file://`), parses them, and turns each entry
//! not seen before into an [`Article`](crate::model::Article) with text, fetching the linked page when the
//! feed asks for it.
//!
//! Input: the feeds of the loaded pipelines. Output: `Article`s, and a
//! [`FeedReport`](crate::model::FeedReport) per poll (via the poll ticket, or at once on failure).
//! Failure policy: a feed that cannot be fetched or parsed is reported on its row
//! and polled again later; a page that cannot be fetched is skipped and its entry
//! stays unseen, so the next poll retries it.

pub mod client;
pub mod decode;
pub mod feed;
pub mod guard;
pub mod page;
pub mod pages;
pub mod poll;
pub mod schedule;

pub use client::{FetchError, HttpClient};
pub use poll::{
    Cursor, FetchContext, MAX_CONCURRENT_POLLS, PollSummary, poll_feed, poll_forever, poll_once,
};
