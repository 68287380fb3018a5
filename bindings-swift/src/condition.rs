//! The condition language as a Swift object: parsed once, then matched and explained against
//! records handed in as JSON text.

use crate::{read_json, RevcoreError};
use std::sync::Arc;

/// A parsed, validated condition (`revcore::Condition`); immutable, so shared freely.
#[derive(Debug, uniffi::Object)]
pub struct Condition {
    inner: revcore::Condition,
}

#[uniffi::export]
impl Condition {
    /// Parses a condition document; throws `InvalidConfig` listing every problem with its path.
    #[uniffi::constructor]
    pub fn new(spec_json: String) -> Result<Arc<Self>, RevcoreError> {
        let spec = read_json(&spec_json, "")?;
        let inner = revcore::Condition::parse(&spec)?;
        Ok(Arc::new(Condition { inner }))
    }

    /// Whether the record (a JSON object) satisfies the condition.
    pub fn matches(&self, record_json: String) -> Result<bool, RevcoreError> {
        let record = read_json(&record_json, "")?;
        Ok(self.inner.matches(&record))
    }

    /// Why the record matches or not, as JSON text (`{"matched": bool, "node": ...}`).
    pub fn explain(&self, record_json: String) -> Result<String, RevcoreError> {
        let record = read_json(&record_json, "")?;
        let explanation = self.inner.explain(&record);
        serde_json::to_string(&explanation).map_err(|e| revcore::Error::from(e).into())
    }

    /// The canonical JSON text of the condition (what the constructor accepts).
    pub fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// The field paths the condition reads, sorted and deduplicated.
    pub fn fields(&self) -> Vec<String> {
        self.inner.fields()
    }
}
