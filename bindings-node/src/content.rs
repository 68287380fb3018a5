//! `ContentLibrary` (core `content`, contract in docs/content.md): the content library, search
//! and recommendations. Convert, call, convert, as everywhere. Dates in filters and contexts are `YYYY-MM-DD`
//! strings (a `Date` reads as an instant, which the core refuses at its path).

use crate::convert::{from_js, string_from_js, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

/// An optional document argument: absent, `undefined` and `null` are none.
fn optional_from_js(env: &Env, value: Option<Unknown<'_>>, at: &str) -> Result<Option<Value>> {
    match value {
        Some(v) if !matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => {
            from_js(env, v, at).map(Some)
        }
        _ => Ok(None),
    }
}

/// A limit argument: absent, `undefined` or `null` is `default`; any other value must be an
/// integer (the core then checks its range), else a `parse` error at `limit`.
fn limit_from_js(env: &Env, value: Option<Unknown<'_>>, default: i64) -> Result<i64> {
    match optional_from_js(env, value, "limit")? {
        None => Ok(default),
        Some(v) => v.as_i64().ok_or_else(|| {
            crate::error::to_js_error(
                env,
                &revcore::Error::parse("limit", "invalid_type", "expected an integer"),
            )
        }),
    }
}

/// A content library: validated assets, full-text search and recommendations for a deal.
/// `new ContentLibrary(assets)` throws a `ValidationError` / `ParseError` listing every problem
/// under `assets[i]`.
#[napi]
pub struct ContentLibrary {
    inner: revcore::ContentLibrary,
}

#[napi]
impl ContentLibrary {
    #[napi(constructor, catch_unwind, ts_args_type = "assets: ContentAsset[]")]
    pub fn new(env: Env, assets: Unknown) -> Result<Self> {
        let assets = from_js(&env, assets, "assets")?;
        let inner = revcore::ContentLibrary::from_json(&assets).or_throw(&env)?;
        Ok(ContentLibrary { inner })
    }

    /// Adds an asset; a `conflict` error (`duplicate_id` at `asset.id`) when its id is taken.
    #[napi(catch_unwind, ts_args_type = "asset: ContentAsset")]
    pub fn add(&mut self, env: Env, asset: Unknown) -> Result<()> {
        let asset = from_js(&env, asset, "asset")?;
        self.inner.add_json(&asset).or_throw(&env)
    }

    /// Replaces the asset with the same id; `not_found` (at `asset.id`) when there is none.
    #[napi(catch_unwind, ts_args_type = "asset: ContentAsset")]
    pub fn update(&mut self, env: Env, asset: Unknown) -> Result<()> {
        let asset = from_js(&env, asset, "asset")?;
        self.inner.update_json(&asset).or_throw(&env)
    }

    /// Removes an asset and returns it; `not_found` (at `asset_id`) for an unknown id.
    #[napi(
        catch_unwind,
        ts_args_type = "assetId: string",
        ts_return_type = "ContentAsset"
    )]
    pub fn remove(&mut self, env: Env, asset_id: Unknown) -> Result<Json> {
        let id = string_from_js(&env, asset_id, "asset_id")?;
        self.inner.remove_json(&id).map(Json).or_throw(&env)
    }

    /// The asset `assetId`; `not_found` (at `asset_id`) for an unknown id.
    #[napi(
        catch_unwind,
        ts_args_type = "assetId: string",
        ts_return_type = "ContentAsset"
    )]
    pub fn get(&self, env: Env, asset_id: Unknown) -> Result<Json> {
        let id = string_from_js(&env, asset_id, "asset_id")?;
        self.inner.get_json(&id).map(Json).or_throw(&env)
    }

    /// Every asset, by id.
    #[napi(catch_unwind, ts_return_type = "ContentAsset[]")]
    pub fn assets(&self) -> Json {
        Json(self.inner.assets_json())
    }

    /// How many assets the library holds.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// Full-text search (docs/content.md, "Search"): at most `limit` (default 10, 1..1000) hits,
    /// best first. `filters`: tag lists, `types`, `statuses` (default published only), `as_of`
    /// (a `YYYY-MM-DD` string, or a Date or RFC 3339 string whose UTC day counts; default: no
    /// date check).
    #[napi(
        catch_unwind,
        ts_args_type = "query: string, filters?: Record<string, unknown> | null, limit?: number | null",
        ts_return_type = "SearchHit[]"
    )]
    pub fn search(
        &self,
        env: Env,
        query: Unknown,
        filters: Option<Unknown>,
        limit: Option<Unknown>,
    ) -> Result<Json> {
        let query = string_from_js(&env, query, "query")?;
        let filters = optional_from_js(&env, filters, "filters")?;
        let limit = limit_from_js(&env, limit, 10)?;
        self.inner
            .search_json(&query, filters.as_ref(), limit)
            .map(Json)
            .or_throw(&env)
    }

    /// Recommendations for a deal `context` (docs/content.md, "Recommendations"): at most
    /// `limit` (default 5), best first, each with its `reasons`. `usage`: an array of
    /// `{ asset_id, uses, effectiveness }`.
    #[napi(
        catch_unwind,
        ts_args_type = "context: Record<string, unknown>, limit?: number | null, usage?: Array<{ asset_id: string; uses?: number; effectiveness?: number }> | null",
        ts_return_type = "Recommendation[]"
    )]
    pub fn recommend(
        &self,
        env: Env,
        context: Unknown,
        limit: Option<Unknown>,
        usage: Option<Unknown>,
    ) -> Result<Json> {
        let context = from_js(&env, context, "context")?;
        let limit = limit_from_js(&env, limit, 5)?;
        let usage = optional_from_js(&env, usage, "usage")?;
        self.inner
            .recommend_json(&context, limit, usage.as_ref())
            .map(Json)
            .or_throw(&env)
    }

    /// Content analytics (docs/content.md, "Analytics") of `events` (content events) and
    /// `opportunities`; `options` holds `as_of` (required: a Date or an RFC 3339 string),
    /// `stale_after_days`, `expiring_within_days` and `pipeline`.
    #[napi(
        catch_unwind,
        ts_args_type = "events: ContentEvent[], opportunities: Opportunity[], options: { as_of: string | Date; stale_after_days?: number; expiring_within_days?: number; pipeline?: Pipeline }",
        ts_return_type = "ContentAnalytics"
    )]
    pub fn analytics(
        &self,
        env: Env,
        events: Unknown,
        opportunities: Unknown,
        options: Unknown,
    ) -> Result<Json> {
        let events = from_js(&env, events, "events")?;
        let opportunities = from_js(&env, opportunities, "opportunities")?;
        let options = from_js(&env, options, "options")?;
        self.inner
            .analytics_json(&events, &opportunities, &options)
            .map(Json)
            .or_throw(&env)
    }
}
