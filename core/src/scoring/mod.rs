//! Lead and deal scoring (issue 4): rule scoring with decay (`rules`, contract in
//! docs/scoring.md) and predictive models trained anywhere and run everywhere (`predictive`,
//! contract in docs/predictive.md).

pub mod predictive;
pub mod rules;
