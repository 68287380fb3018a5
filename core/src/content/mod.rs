//! Sales enablement (docs/content.md is the contract): a library of content assets kept
//! validated and indexed ([`ContentLibrary`]: add, update, remove), full-text search over it
//! (BM25F with field boosts, English stemming, accent folding, tag, status and date filters,
//! snippets with the matched words marked), recommendations for a deal, each with its reasons,
//! content analytics (usage, influence on win rate, stale content) and rep readiness (training
//! programs, certifications, onboarding ramp).
//!
//! Files: `text` (tokenisation: the one analysis of titles, bodies and queries), `library` (the
//! library, its validation and its tag index), `search` (the inverted index and the ranking),
//! `recommend` (deal contexts, usage signals and the recommendation score), `analytics` (over
//! content events and opportunities) and `readiness` (training and ramp, no library needed).
//!
//! Determinism: nothing here reads the clock (`as_of` is a field of the filters, of the deal
//! context and of the analytics and readiness options); every reported search and
//! recommendation score is rounded to 4 decimals ([`round4`]) and ties are broken by asset id,
//! so every host gets the same list in the same order. Nothing here may panic on any asset,
//! query, filter or context: bad input is an [`Error`](crate::Error) naming the field.

pub mod analytics;
mod library;
pub mod readiness;
mod recommend;
mod search;
pub mod text;

pub use analytics::{analytics, AnalyticsOptions, ContentAnalytics};
pub use library::ContentLibrary;
pub use readiness::{readiness, readiness_json, ReadinessOptions, ReadinessReport};
pub use recommend::{AssetUsage, DealContext, Reason, ReasonKind, Recommendation};
pub use search::{SearchFilters, SearchHit};

/// The most hits or recommendations one call returns.
pub const MAX_LIMIT: i64 = 1000;
/// The longest query, in characters; longer is a `query_too_long` error.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most distinct terms (searched and excluded together) of one query.
pub const MAX_QUERY_TERMS: usize = 32;

/// Rounds to the nearest 0.0001, halves away from zero: `round(x * 10000) / 10000` in IEEE
/// doubles. Scores and reason points are reported rounded, and ranked by the rounded value.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests;
