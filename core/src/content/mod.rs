//! Sales enablement: content analytics (usage, influence on win rate, stale content) and rep
//! readiness (training programs, certifications, onboarding ramp). docs/content.md is the
//! contract.

pub mod analytics;
pub mod readiness;

pub use analytics::{analytics, analytics_json, AnalyticsOptions, ContentAnalytics};
pub use readiness::{readiness, readiness_json, ReadinessOptions, ReadinessReport};
