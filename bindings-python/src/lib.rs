//! Python bindings of revcore: the native module `revcore._native`, wrapped by the pure-Python
//! package `revcore` (python/revcore), which also defines the exception classes.
//!
//! Each file mirrors a core module and does nothing but convert arguments (convert.rs), call
//! the core with the GIL released (error.rs, `enter_core`) and convert the result back. No
//! business rule lives here: if Node or Swift would need the same code, it belongs in the core.

pub mod api;
pub mod condition;
pub mod content;
pub mod convert;
pub mod error;
pub mod import;
pub mod kpi;
pub mod predictive;
pub mod readiness;
pub mod routing;
pub mod sample;
pub mod scoring;

use pyo3::prelude::*;

#[pymodule]
mod _native {
    #[pymodule_export]
    use crate::api::{classify_stage, default_pipeline, kinds, normalize, schema, validate};
    #[pymodule_export]
    use crate::condition::Condition;
    #[pymodule_export]
    use crate::content::ContentLibrary;
    #[pymodule_export]
    use crate::import::{read_accounts_csv, read_leads_csv, read_opportunities_csv, Records};
    #[pymodule_export]
    use crate::kpi::{coaching_flags, funnel, kpi_report};
    #[pymodule_export]
    use crate::predictive::{threshold_for_capacity, PredictiveModel};
    #[pymodule_export]
    use crate::readiness::readiness;
    #[pymodule_export]
    use crate::routing::{simulate, Router};
    #[pymodule_export]
    use crate::sample::sample_generate;
    #[pymodule_export]
    use crate::scoring::Scorer;

    use super::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", revcore::VERSION)
    }
}
