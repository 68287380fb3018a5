//! `revcore.Scorer`: rule scoring (docs/scoring.md). Convert, call with the GIL released,
//! convert back; every rule is the core's.

use crate::convert::{from_py, instant_from_py, list_from_py, to_py};
use crate::error::enter_core;
use pyo3::prelude::*;
use revcore::routing::parse_now;
use serde_json::Value;

/// The events argument: None (or absent) is no events; a list or any other iterable of dicts.
fn events_from_py(events: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Value>> {
    events
        .filter(|e| !e.is_none())
        .map(|e| list_from_py(e, "events"))
        .transpose()
}

/// `now`: an aware datetime or an RFC 3339 str. It comes after `events`, which has a default,
/// so it is optional to Python, but None (or leaving it out) is refused at `now`.
fn now_from_py(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    match now {
        Some(now) => instant_from_py(now, "now"),
        None => instant_from_py(&py.None().into_bound(py), "now"),
    }
}

/// A checked, compiled scoring model. Immutable; safe to share between threads, which score
/// with the GIL released.
#[pyclass(module = "revcore", frozen)]
pub struct Scorer {
    inner: revcore::scoring::rules::Scorer,
}

#[pymethods]
impl Scorer {
    /// Checks and compiles a scoring model; raises `ConfigError` / `ParseError` listing every
    /// problem with its path under `model` (`model.fit_rules[0].points`).
    #[new]
    fn new(py: Python<'_>, model: &Bound<'_, PyAny>) -> PyResult<Self> {
        let model = from_py(model, "model")?;
        let inner = enter_core(py, || revcore::scoring::rules::Scorer::from_json(&model))?;
        Ok(Scorer { inner })
    }

    /// Scores one lead on its events (a list or iterable of dicts; events of other leads are
    /// counted as `other_lead` and ignored) at `now`; the score with every contribution.
    #[pyo3(signature = (lead, events=None, now=None))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        lead: &Bound<'py, PyAny>,
        events: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lead = from_py(lead, "lead")?;
        let events = events_from_py(events)?;
        let now = now_from_py(py, now)?;
        let score = enter_core(py, || {
            self.inner
                .score_json(&lead, events.as_ref(), parse_now(&now)?)
        })?;
        to_py(py, &score)
    }

    /// Scores every lead (a list or iterable of dicts) on the events naming it, at one `now`;
    /// the same scores as `score` of each lead with all the events.
    #[pyo3(signature = (leads, events=None, now=None))]
    fn score_batch<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        events: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let leads = list_from_py(leads, "leads")?;
        let events = events_from_py(events)?;
        let now = now_from_py(py, now)?;
        let scores = enter_core(py, || {
            self.inner
                .score_batch_json(&leads, events.as_ref(), parse_now(&now)?)
        })?;
        to_py(py, &scores)
    }

    /// The lead keys a score can read (docs/scoring.md, "What a scorer reads from a lead");
    /// other keys of a lead are not read, so not checked.
    fn lead_fields(&self) -> Vec<String> {
        self.inner.lead_fields().to_vec()
    }
}
