//! Rule scoring (`revcore::scoring::rules`, docs/scoring.md): a `Scorer` object built from a
//! scoring model. Documents cross as JSON text, `now` as an RFC 3339 string; malformed text is
//! a `parse` error under the argument's name (`model`, `lead`, `leads`, `events`).

use crate::{read_json, read_optional_json, RevcoreError};
use std::sync::Arc;

/// A checked, compiled scoring model (`revcore::scoring::rules::Scorer`). Immutable: shared
/// freely between threads.
#[derive(uniffi::Object)]
pub struct Scorer {
    inner: revcore::scoring::rules::Scorer,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Scorer {
    /// Builds a scorer from a scoring model; throws `InvalidConfig` (or `Parse` for a model of
    /// the wrong shape) with every problem and its path under `model`
    /// (`model.fit_rules[0].points`).
    #[uniffi::constructor]
    pub fn new(model_json: String) -> Result<Arc<Self>, RevcoreError> {
        let model = read_json(&model_json, "model")?;
        let inner = revcore::scoring::rules::Scorer::from_json(&model)?;
        Ok(Arc::new(Scorer { inner }))
    }

    /// Scores one lead on its events (a JSON array, or None for none; events of other leads are
    /// counted as `other_lead` and ignored) at `now` (RFC 3339); the score as JSON text.
    /// Problems are reported under `lead` and `events[i]`.
    pub fn score(
        &self,
        lead_json: String,
        events_json: Option<String>,
        now: String,
    ) -> Result<String, RevcoreError> {
        let lead = read_json(&lead_json, "lead")?;
        let events = read_optional_json(events_json.as_deref(), "events")?;
        let now = revcore::routing::parse_now(&now)?;
        Ok(self
            .inner
            .score_json(&lead, events.as_ref(), now)?
            .to_string())
    }

    /// Scores a JSON array of leads on the events naming each, at `now`: the same scores as
    /// `score` of each lead with all the events, as a JSON array (text in, text out: the fast
    /// path). Problems are reported under `leads[i]` and `events[i]`.
    pub fn score_batch(
        &self,
        leads_json: String,
        events_json: Option<String>,
        now: String,
    ) -> Result<String, RevcoreError> {
        let now = revcore::routing::parse_now(&now)?;
        Ok(self
            .inner
            .score_batch_str(&leads_json, events_json.as_deref(), now)?)
    }

    /// The lead keys a score can read (docs/scoring.md, "What a scorer reads from a lead");
    /// other keys of a lead are not read, so not checked.
    pub fn lead_fields(&self) -> Vec<String> {
        self.inner.lead_fields().to_vec()
    }
}
