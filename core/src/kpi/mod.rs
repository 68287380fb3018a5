//! KPIs for sales operations: fiscal calendars and period labels, the standard metrics with
//! written definitions (docs/kpis.md), and reports that group them by fields and periods,
//! optionally as the pipeline stood on a past date.

pub mod calendar;
pub mod coaching;
pub mod deals;
pub mod funnel;
pub mod metrics;
pub mod report;

pub use calendar::{Calendar, FiscalYearLabel, Period};
pub use coaching::{coaching_flags, coaching_flags_json, Coaching, CoachingRequest};
pub use funnel::{funnel, funnel_json, Funnel, FunnelOptions};
pub use metrics::Metric;
pub use report::{
    kpi_report, kpi_report_json, kpi_report_request_json, kpi_report_table, QuotaEntry,
    ReportRequest, Table,
};
