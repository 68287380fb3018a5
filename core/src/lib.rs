//! revcore: the pure-Rust engine behind every host (Python, Node, Swift).
//!
//! This crate holds every rule and every number. It never reads the clock or a global RNG
//! (`now` and seeds are parameters), never does I/O beyond readers and writers handed in, and
//! never knows a binding exists. Bindings convert, call into [`api`]-level functions and convert
//! back; anything two bindings would both need lives here.

pub mod api;
pub mod condition;
pub mod content;
pub mod error;
pub mod import;
pub mod kpi;
pub mod model;
pub mod routing;
pub mod sample;
pub mod scoring;

pub use api::{classify_stage, default_pipeline, normalize, schema, validate, Kind};
pub use condition::{Condition, ExplainNode, Explanation, FieldValue, Limits, Record};
pub use content::ContentLibrary;
pub use error::{Error, Problem, Result};
pub use routing::{Router, RoutingConfig, RoutingState};
pub use scoring::predictive::PredictiveModel;
pub use scoring::rules::Scorer;

/// The README's Rust example, compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The library version, the same string every host reports as its `__version__` / `version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
