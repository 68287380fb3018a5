//! The content library (`revcore::content`, docs/content.md): a `ContentLibrary` object with
//! search and recommendations. Documents cross as JSON text; malformed text is a `parse` error
//! under the argument's name (`assets`, `asset`, `filters`, `context`, `usage`).

use crate::{read_json, read_optional_json, RevcoreError};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A content library: validated assets, full-text search and recommendations for a deal.
/// Searches run from many threads at once; changes wait for them.
#[derive(uniffi::Object)]
pub struct ContentLibrary {
    inner: RwLock<revcore::ContentLibrary>,
}

impl std::fmt::Debug for ContentLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentLibrary").finish_non_exhaustive()
    }
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

#[uniffi::export]
impl ContentLibrary {
    /// Builds a library from a JSON array of content assets; throws `Validation` / `Parse` with
    /// every problem under `assets[i]`.
    #[uniffi::constructor]
    pub fn new(assets_json: String) -> Result<Arc<Self>, RevcoreError> {
        let assets = read_json(&assets_json, "assets")?;
        let inner = revcore::ContentLibrary::from_json(&assets)?;
        Ok(Arc::new(ContentLibrary {
            inner: RwLock::new(inner),
        }))
    }

    /// Adds an asset; `Conflict` (`duplicate_id` at `asset.id`) when its id is taken.
    pub fn add(&self, asset_json: String) -> Result<(), RevcoreError> {
        let asset = read_json(&asset_json, "asset")?;
        Ok(self.write().add_json(&asset)?)
    }

    /// Replaces the asset with the same id; `NotFound` (at `asset.id`) when there is none.
    pub fn update(&self, asset_json: String) -> Result<(), RevcoreError> {
        let asset = read_json(&asset_json, "asset")?;
        Ok(self.write().update_json(&asset)?)
    }

    /// Removes an asset and returns it as JSON; `NotFound` (at `asset_id`).
    pub fn remove(&self, asset_id: String) -> Result<String, RevcoreError> {
        Ok(self.write().remove_json(&asset_id)?.to_string())
    }

    /// The asset as JSON; `NotFound` (at `asset_id`).
    pub fn get(&self, asset_id: String) -> Result<String, RevcoreError> {
        Ok(self.read().get_json(&asset_id)?.to_string())
    }

    /// Every asset, by id, as a JSON array.
    pub fn assets(&self) -> String {
        self.read().assets_json().to_string()
    }

    /// How many assets the library holds.
    pub fn len(&self) -> u64 {
        self.read().len() as u64
    }

    /// Whether the library holds no asset.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Full-text search (docs/content.md, "Search"): at most `limit` (1..1000) hits, best
    /// first, as a JSON array. `filters_json`: a JSON object or None.
    pub fn search(
        &self,
        query: String,
        filters_json: Option<String>,
        limit: i64,
    ) -> Result<String, RevcoreError> {
        let filters = read_optional_json(filters_json.as_deref(), "filters")?;
        Ok(self
            .read()
            .search_json(&query, filters.as_ref(), limit)?
            .to_string())
    }

    /// Recommendations for a deal context (docs/content.md, "Recommendations"): at most
    /// `limit`, best first, each with its reasons, as a JSON array. `usage_json`: a JSON array
    /// of `{asset_id, uses, effectiveness}` or None.
    pub fn recommend(
        &self,
        context_json: String,
        limit: i64,
        usage_json: Option<String>,
    ) -> Result<String, RevcoreError> {
        let context = read_json(&context_json, "context")?;
        let usage = read_optional_json(usage_json.as_deref(), "usage")?;
        Ok(self
            .read()
            .recommend_json(&context, limit, usage.as_ref())?
            .to_string())
    }

    /// Content analytics (docs/content.md, "Analytics"): `events_json` and
    /// `opportunities_json` are JSON arrays, `options_json` `{"as_of", "stale_after_days"?,
    /// "expiring_within_days"?, "pipeline"?}`; the report as JSON text.
    pub fn analytics(
        &self,
        events_json: String,
        opportunities_json: String,
        options_json: String,
    ) -> Result<String, RevcoreError> {
        let events = read_json(&events_json, "events")?;
        let opportunities = read_json(&opportunities_json, "opportunities")?;
        let options = read_json(&options_json, "options")?;
        Ok(self
            .read()
            .analytics_json(&events, &opportunities, &options)?
            .to_string())
    }
}
