//! `revcore.ContentLibrary`: the content library, search and recommendations (docs/content.md).
//! Convert, call with the GIL released, convert back; every rule is the core's.

use crate::convert::{from_py, instant_from_py, list_from_py, put_optional, string_from_py, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;
use serde_json::Value;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A content library. Searches and recommendations run with the GIL released and may run
/// from many threads at once; `add`, `update` and `remove` wait for them.
#[pyclass(module = "revcore", frozen)]
pub struct ContentLibrary {
    inner: RwLock<revcore::ContentLibrary>,
}

impl ContentLibrary {
    // The core never panics while holding the lock, so a poisoned lock still holds a
    // consistent library.
    fn read(&self) -> RwLockReadGuard<'_, revcore::ContentLibrary> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }
    fn write(&self) -> RwLockWriteGuard<'_, revcore::ContentLibrary> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// An optional document argument: None and absent are the same.
fn optional_from_py(obj: Option<&Bound<'_, PyAny>>, at: &str) -> PyResult<Option<Value>> {
    obj.filter(|o| !o.is_none())
        .map(|o| list_from_py(o, at))
        .transpose()
}

#[pymethods]
impl ContentLibrary {
    /// Builds a library from a list (or iterable) of content assets; raises `ValidationError` /
    /// `ParseError` listing every problem under `assets[i]`.
    #[new]
    fn new(py: Python<'_>, assets: &Bound<'_, PyAny>) -> PyResult<Self> {
        let assets = list_from_py(assets, "assets")?;
        let inner = enter_core(py, || revcore::ContentLibrary::from_json(&assets))?;
        Ok(ContentLibrary {
            inner: RwLock::new(inner),
        })
    }

    /// Adds an asset; `ConflictError` when its id is taken.
    fn add(&self, py: Python<'_>, asset: &Bound<'_, PyAny>) -> PyResult<()> {
        let asset = from_py(asset, "asset")?;
        enter_core(py, || self.write().add_json(&asset))
    }

    /// Replaces the asset with the same id; `NotFoundError` when there is none.
    fn update(&self, py: Python<'_>, asset: &Bound<'_, PyAny>) -> PyResult<()> {
        let asset = from_py(asset, "asset")?;
        enter_core(py, || self.write().update_json(&asset))
    }

    /// Removes an asset and returns it; `NotFoundError` for an unknown id.
    fn remove<'py>(
        &self,
        py: Python<'py>,
        asset_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = string_from_py(asset_id, "asset_id")?;
        let removed = enter_core(py, || self.write().remove_json(&id))?;
        to_py(py, &removed)
    }

    /// The asset `asset_id`; `NotFoundError` for an unknown id.
    fn get<'py>(
        &self,
        py: Python<'py>,
        asset_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = string_from_py(asset_id, "asset_id")?;
        let asset = enter_core(py, || self.read().get_json(&id))?;
        to_py(py, &asset)
    }

    /// Every asset, by id.
    fn assets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = py.detach(|| self.read().assets_json());
        to_py(py, &all)
    }

    fn __len__(&self) -> usize {
        self.read().len()
    }

    /// Full-text search: at most `limit` hits (`asset_id`, `title`, `type`, `score`,
    /// `snippet`), best first. `filters` is None or a dict (docs/content.md, "Filters").
    #[pyo3(signature = (query, filters=None, limit=10))]
    fn search<'py>(
        &self,
        py: Python<'py>,
        query: &Bound<'py, PyAny>,
        filters: Option<&Bound<'py, PyAny>>,
        limit: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let query = string_from_py(query, "query")?;
        let filters = optional_from_py(filters, "filters")?;
        let hits = enter_core(py, || {
            self.read().search_json(&query, filters.as_ref(), limit)
        })?;
        to_py(py, &hits)
    }

    /// Recommendations for a deal `context` (a dict): at most `limit`, best first, each with
    /// its `reasons`. `usage` is None or a list of `{asset_id, uses, effectiveness}`.
    #[pyo3(signature = (context, limit=5, usage=None))]
    fn recommend<'py>(
        &self,
        py: Python<'py>,
        context: &Bound<'py, PyAny>,
        limit: i64,
        usage: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let context = from_py(context, "context")?;
        let usage = optional_from_py(usage, "usage")?;
        let recs = enter_core(py, || {
            self.read().recommend_json(&context, limit, usage.as_ref())
        })?;
        to_py(py, &recs)
    }

    /// Content analytics (docs/content.md, "Analytics") of `events` (content events) and
    /// `opportunities` as of `as_of` (an aware datetime or an RFC 3339 str): usage, influence
    /// on closed deals' win rate, stale content, unmatched events.
    #[pyo3(signature = (events, opportunities, *, as_of, stale_after_days=None, expiring_within_days=None, pipeline=None))]
    #[allow(clippy::too_many_arguments)]
    fn analytics<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        opportunities: &Bound<'py, PyAny>,
        as_of: &Bound<'py, PyAny>,
        stale_after_days: Option<&Bound<'py, PyAny>>,
        expiring_within_days: Option<&Bound<'py, PyAny>>,
        pipeline: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let events = list_from_py(events, "events")?;
        let opportunities = list_from_py(opportunities, "opportunities")?;
        let mut options = serde_json::Map::new();
        options.insert(
            "as_of".into(),
            Value::String(instant_from_py(as_of, "options.as_of")?),
        );
        put_optional(
            &mut options,
            "stale_after_days",
            stale_after_days,
            "options.",
        )?;
        put_optional(
            &mut options,
            "expiring_within_days",
            expiring_within_days,
            "options.",
        )?;
        put_optional(&mut options, "pipeline", pipeline, "options.")?;
        let options = Value::Object(options);
        let report = enter_core(py, || {
            self.read()
                .analytics_json(&events, &opportunities, &options)
        })?;
        to_py(py, &report)
    }
}
