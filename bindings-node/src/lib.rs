//! Node binding of revcore (napi-rs v3): `require('revcore')`.
//!
//! Each file wraps the core module of the same name and does nothing but convert the JS
//! arguments (`convert`), call the core, and convert the result or the error (`error`) back.
//! No business rule lives here: if this crate needs an `if` about the domain, it belongs in the
//! core. Nothing may panic across the boundary: every export is `catch_unwind`.
//!
//! Tested from JS (`npm test`, test/). Under cfg(test) napi registers no export, so the
//! exports look unused to a test build (`cargo clippy --all-targets`).
#![cfg_attr(test, allow(dead_code))]

mod api;
mod condition;
mod content;
mod convert;
mod encode;
mod error;
mod import;
mod kpi;
mod leads;
mod predictive;
mod readiness;
mod routing;
mod sample;
mod scoring;

use napi_derive::napi;

/// The library version, the same string every host reports.
#[napi]
#[allow(non_upper_case_globals)]
pub const version: &str = revcore::VERSION;
