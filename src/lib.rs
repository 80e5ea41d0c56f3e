//! claimwire: watches news feeds and keeps a database of the figures reports claim
//! (killed, injured, arrested, deployed, ...), who claimed them, when and where.
//!
//! ```text
//! pipelines/*.toml ─► fetch ─────► dedupe ────────► extract ─► store ─► SQLite ─► api
//!   config (watched)  poll feeds,   keyword filter,   language,  one writer,       page, JSON,
//!                     fetch pages   URL + hash,       claims     batched tx        /metrics
//!                                   stories (MinHash)
//! ```
//!
//! Items are named for their life: a [`model::FeedItem`] (an entry as the feed gave
//! it) becomes an [`model::Article`] (text in hand), a [`model::NewArticle`] (not
//! seen before) and an [`model::ExtractedArticle`] (claims found). Stages are joined
//! by bounded `async_channel`s; only the head is cancelled on shutdown and every
//! later stage ends when its input closes, so nothing fetched is lost.
//!
//! The layers, each importing only those below it (`python3
//! scripts/import_cycles.py` finds no circle):
//!
//! | layer | modules |
//! | --- | --- |
//! | top | [`service`] (a running pipeline with the API, ticker, progress, reload, webhooks), [`reextract`], [`api`], the `claimwire` binary |
//! | pipeline | [`pipeline`] (`build` → `Running` → `drain`) |
//! | stages | [`fetch`] (`poll`, `pages`), [`dedupe`], [`extract`], [`store`] (writer, reader, queries, changes, outbox), [`webhook`] (delivers changes); [`document`] (local files) |
//! | bottom | [`labels`] (kinds, groups, hedges, failure classes), [`model`] (the items that flow), [`figures`] (statuses and changes of figures, pure), [`config`] (pipeline files), [`stats`], [`text`] |

pub mod api;
pub mod config;
pub mod dedupe;
pub mod document;
pub mod extract;
pub mod fetch;
pub mod figures;
pub mod labels;
pub mod model;
pub mod pipeline;
pub mod reextract;
pub mod service;
pub mod stats;
pub mod store;
pub mod text;
pub mod webhook;
