//! Lead routing (`revcore::routing`, docs/routing.md): a `Router` object holding config, reps,
//! accounts and state, and the `simulate` replay. Documents cross as JSON text, `now` as an
//! RFC 3339 string; malformed text is a `parse` error under the argument's name (`config`,
//! `reps`, `accounts`, `state`, `lead`, `leads`, `now`).

use crate::{read_json, read_optional_json, RevcoreError};
use std::sync::Arc;

/// A lead router (`revcore::routing::Router`); its state sits behind a lock in the core, so one
/// router is shared freely between threads and caps hold across them.
#[derive(uniffi::Object)]
pub struct Router {
    inner: revcore::routing::Router,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Router {
    /// Builds a router from a routing config, the reps, optionally the accounts to match leads
    /// against and a state exported by `state()` to continue from; throws `InvalidConfig` (or
    /// `Parse`) with every problem and its path.
    #[uniffi::constructor(default(accounts_json = None, state_json = None))]
    pub fn new(
        config_json: String,
        reps_json: String,
        accounts_json: Option<String>,
        state_json: Option<String>,
    ) -> Result<Arc<Self>, RevcoreError> {
        let config = read_json(&config_json, "config")?;
        let reps = read_json(&reps_json, "reps")?;
        let accounts = read_optional_json(accounts_json.as_deref(), "accounts")?;
        let state = read_optional_json(state_json.as_deref(), "state")?;
        let inner =
            revcore::routing::Router::from_json(&config, &reps, accounts.as_ref(), state.as_ref())?;
        Ok(Arc::new(Router { inner }))
    }

    /// Routes one lead at `now` (RFC 3339) and updates the state; the decision as JSON text.
    pub fn route(&self, lead_json: String, now: String) -> Result<String, RevcoreError> {
        let lead = read_json(&lead_json, "lead")?;
        let now = revcore::routing::parse_now(&now)?;
        Ok(self.inner.route_json(&lead, now)?.to_string())
    }

    /// Routes a JSON array of leads at `now`, exactly as one by one; the decisions as a JSON
    /// array (text in, text out: the fast path).
    pub fn route_batch(&self, leads_json: String, now: String) -> Result<String, RevcoreError> {
        let now = revcore::routing::parse_now(&now)?;
        Ok(self.inner.route_batch_str(&leads_json, now)?)
    }

    /// Decides as `route` would without changing the state; the decision as JSON text.
    pub fn preview(&self, lead_json: String, now: String) -> Result<String, RevcoreError> {
        let lead = read_json(&lead_json, "lead")?;
        let now = revcore::routing::parse_now(&now)?;
        Ok(self.inner.preview_json(&lead, now)?.to_string())
    }

    /// The current state as JSON text; hand it to the constructor to continue from here.
    pub fn state(&self) -> String {
        self.inner.state_json().to_string()
    }

    /// The lead keys a decision can read (docs/routing.md, "What a router reads from a lead");
    /// other keys of a lead are not read, so not checked.
    pub fn lead_fields(&self) -> Vec<String> {
        self.inner.lead_fields().to_vec()
    }
}

/// Replays the leads in `created_at` order from an empty state; the report as JSON text
/// (docs/routing.md, "Simulation").
#[uniffi::export(default(accounts_json = None))]
pub fn simulate(
    config_json: String,
    reps_json: String,
    leads_json: String,
    accounts_json: Option<String>,
) -> Result<String, RevcoreError> {
    let config = read_json(&config_json, "config")?;
    let reps = read_json(&reps_json, "reps")?;
    let leads = read_json(&leads_json, "leads")?;
    let accounts = read_optional_json(accounts_json.as_deref(), "accounts")?;
    Ok(revcore::routing::simulate_json(&config, &reps, &leads, accounts.as_ref())?.to_string())
}
