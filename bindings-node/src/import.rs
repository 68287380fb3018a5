//! `readOpportunitiesCsv`, `readLeadsCsv`, `readAccountsCsv` (and their `...Async` versions,
//! read off the main thread) and the `ImportedRecords` they return (docs/import.md). Convert,
//! call, convert: the records stay on the Rust side until JS asks for them.

use crate::convert::{optional_arg, string_from_js, Json};
use crate::error::OrThrow;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use revcore::import::{Imported, RecordKind};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// The records of one CSV import and the problems of its bad rows.
#[napi]
pub struct ImportedRecords {
    imported: Arc<Imported>,
}

#[napi]
impl ImportedRecords {
    /// How many records were read (bad rows are not counted).
    #[napi(getter, catch_unwind)]
    pub fn length(&self) -> u32 {
        u32::try_from(self.imported.records.len()).unwrap_or(u32::MAX)
    }

    /// `'opportunities'`, `'leads'` or `'accounts'`.
    #[napi(getter, catch_unwind)]
    pub fn kind(&self) -> &'static str {
        self.imported.records.kind().name()
    }

    /// One object per problem of a bad row: `{line, column, field, code, message}`.
    #[napi(getter, catch_unwind, ts_return_type = "ImportRowError[]")]
    pub fn errors(&self) -> Json {
        Json(serde_json::to_value(&self.imported.errors).expect("row errors serialise"))
    }

    /// The record at `index` in wire form, or `null` past the end.
    #[napi(catch_unwind, ts_return_type = "Opportunity | Lead | Account | null")]
    pub fn get(&self, index: u32) -> Option<Json> {
        self.imported.records.get_json(index as usize).map(Json)
    }

    /// Every record in wire form, in file order.
    #[napi(
        js_name = "toArray",
        catch_unwind,
        ts_return_type = "Array<Opportunity | Lead | Account>"
    )]
    pub fn to_array(&self) -> Json {
        Json(self.imported.records.to_json())
    }
}

/// The records behind `value` when it is an `ImportedRecords` (another engine reads them in
/// place, no objects cross); `None` for any other value. Records of another kind than `kind`
/// are a `parse` error at `at`.
pub(crate) fn imported_of(
    env: &Env,
    value: Unknown,
    kind: RecordKind,
    at: &str,
) -> Result<Option<Arc<Imported>>> {
    if !ImportedRecords::instance_of(env, &value)? {
        return Ok(None);
    }
    let records = ClassInstance::<ImportedRecords>::from_unknown(value)?;
    let imported = records.imported.clone();
    imported.records.expect_kind(kind, at).or_throw(env)?;
    Ok(Some(imported))
}

/// The arguments every reader takes, read on the main thread.
struct Request {
    kind: &'static str,
    path: PathBuf,
    mapping: Value,
    options: Value,
}

impl Request {
    fn from_js(
        env: &Env,
        kind: &'static str,
        path: Unknown,
        mapping: Unknown,
        options: Option<Unknown>,
    ) -> Result<Request> {
        Ok(Request {
            kind,
            path: PathBuf::from(string_from_js(env, path, "path")?),
            mapping: crate::convert::arg(env, mapping, "mapping")?,
            options: optional_arg(env, options, "options")?,
        })
    }

    fn read(&self) -> revcore::Result<Imported> {
        revcore::import::read_csv_path_with_options_json(
            self.kind,
            &self.path,
            &self.mapping,
            Some(&self.options),
        )
    }

    fn sync(self, env: &Env) -> Result<ImportedRecords> {
        self.read()
            .map(|imported| ImportedRecords {
                imported: Arc::new(imported),
            })
            .or_throw(env)
    }
}

/// A read on the libuv thread pool.
pub struct ReadCsv(Request);

impl Task for ReadCsv {
    type Output = revcore::Result<Imported>;
    type JsValue = ImportedRecords;

    fn compute(&mut self) -> Result<Self::Output> {
        let request = &self.0;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| request.read()))
            .map_err(|_| Error::from_reason("revcore panicked while reading a CSV file"))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<ImportedRecords> {
        output
            .map(|imported| ImportedRecords {
                imported: Arc::new(imported),
            })
            .or_throw(&env)
    }
}

macro_rules! readers {
    ($($kind:literal => $sync:ident / $js_sync:literal, $async_fn:ident / $js_async:literal;)*) => {$(
        /// Reads a CSV export (docs/import.md): `mapping` is `'hubspot'`, `'salesforce'` or
        /// `{field: column}`; `options` `{pipeline?, date_order?, strict?, currency?, fields?}`.
        #[napi(
            js_name = $js_sync,
            catch_unwind,
            ts_args_type = "path: string, mapping: ImportMapping, options?: ImportOptions | null"
        )]
        pub fn $sync(
            env: Env,
            path: Unknown,
            mapping: Unknown,
            options: Option<Unknown>,
        ) -> Result<ImportedRecords> {
            Request::from_js(&env, $kind, path, mapping, options)?.sync(&env)
        }

        /// As the synchronous reader, read off the main thread.
        #[napi(
            js_name = $js_async,
            catch_unwind,
            ts_args_type = "path: string, mapping: ImportMapping, options?: ImportOptions | null"
        )]
        pub fn $async_fn(
            env: Env,
            path: Unknown,
            mapping: Unknown,
            options: Option<Unknown>,
        ) -> Result<AsyncTask<ReadCsv>> {
            Ok(AsyncTask::new(ReadCsv(Request::from_js(&env, $kind, path, mapping, options)?)))
        }
    )*};
}

readers! {
    "opportunities" => read_opportunities_csv / "readOpportunitiesCsv", read_opportunities_csv_async / "readOpportunitiesCsvAsync";
    "leads" => read_leads_csv / "readLeadsCsv", read_leads_csv_async / "readLeadsCsvAsync";
    "accounts" => read_accounts_csv / "readAccountsCsv", read_accounts_csv_async / "readAccountsCsvAsync";
}
