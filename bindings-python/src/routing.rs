//! `revcore.Router` and `revcore.simulate`: lead routing (docs/routing.md). Convert, call with
//! the GIL released, convert back; every rule is the core's.

use crate::convert::{from_py, instant_from_py, list_from_py, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;
use revcore::routing::parse_now;
use serde_json::Value;

/// An optional argument (`accounts`, `state`): None and absent are the same.
fn optional_from_py(obj: Option<&Bound<'_, PyAny>>, at: &str) -> PyResult<Option<Value>> {
    obj.filter(|o| !o.is_none())
        .map(|o| from_py(o, at))
        .transpose()
}

/// A router: config, reps, accounts and its counters. Immutable from Python (its state changes
/// only by routing); safe to share between threads, which route with the GIL released.
#[pyclass(module = "revcore", frozen)]
pub struct Router {
    inner: revcore::routing::Router,
}

#[pymethods]
impl Router {
    /// Builds a router; raises `ConfigError` / `ParseError` / `ValidationError` listing every
    /// problem with its path (`config.pools[0].members[1].rep_id`, `reps[2].time_zone`, ...).
    #[new]
    #[pyo3(signature = (config, reps, accounts=None, state=None))]
    fn new(
        py: Python<'_>,
        config: &Bound<'_, PyAny>,
        reps: &Bound<'_, PyAny>,
        accounts: Option<&Bound<'_, PyAny>>,
        state: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = from_py(config, "config")?;
        let reps = list_from_py(reps, "reps")?;
        let accounts = match accounts.filter(|a| !a.is_none()) {
            Some(a) => Some(list_from_py(a, "accounts")?),
            None => None,
        };
        let state = optional_from_py(state, "state")?;
        let inner = enter_core(py, || {
            revcore::routing::Router::from_json(&config, &reps, accounts.as_ref(), state.as_ref())
        })?;
        Ok(Router { inner })
    }

    /// Routes one lead at `now` (an aware datetime or an RFC 3339 str) and records the
    /// assignment; the decision with its trace.
    fn route<'py>(
        &self,
        py: Python<'py>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lead = from_py(lead, "lead")?;
        let now = instant_from_py(now, "now")?;
        let decision = enter_core(py, || self.inner.route_json(&lead, parse_now(&now)?))?;
        to_py(py, &decision)
    }

    /// The decision `route` would make, changing nothing.
    fn preview<'py>(
        &self,
        py: Python<'py>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lead = from_py(lead, "lead")?;
        let now = instant_from_py(now, "now")?;
        let decision = enter_core(py, || self.inner.preview_json(&lead, parse_now(&now)?))?;
        to_py(py, &decision)
    }

    /// Routes leads (a list or any iterable of dicts) in order at one `now`; the same decisions
    /// as routing them one by one.
    fn route_batch<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let leads = list_from_py(leads, "leads")?;
        let now = instant_from_py(now, "now")?;
        let decisions = enter_core(py, || self.inner.route_batch_json(&leads, parse_now(&now)?))?;
        to_py(py, &decisions)
    }

    /// The counters and pointers; `Router(config, reps, accounts, state=r.state())` continues
    /// exactly where this one is.
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let state = enter_core(py, || Ok(self.inner.state_json()))?;
        to_py(py, &state)
    }

    /// The lead keys a decision can read (docs/routing.md, "What a router reads from a lead");
    /// other keys of a lead are not read, so not checked.
    fn lead_fields(&self) -> Vec<String> {
        self.inner.lead_fields().to_vec()
    }
}

/// Replays `leads` in `created_at` order from an empty state; the simulation report.
#[pyfunction]
#[pyo3(signature = (config, reps, leads, accounts=None))]
pub fn simulate<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
    reps: &Bound<'py, PyAny>,
    leads: &Bound<'py, PyAny>,
    accounts: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let config = from_py(config, "config")?;
    let reps = list_from_py(reps, "reps")?;
    let leads = list_from_py(leads, "leads")?;
    let accounts = match accounts.filter(|a| !a.is_none()) {
        Some(a) => Some(list_from_py(a, "accounts")?),
        None => None,
    };
    let report = enter_core(py, || {
        revcore::routing::simulate_json(&config, &reps, &leads, accounts.as_ref())
    })?;
    to_py(py, &report)
}
