//! Pipelines: the ordered stages a deal moves through, each open, won or lost.
//!
//! CRMs spell the same stage many ways ("Closed Won", "closedwon", "Won"), so a stage is found
//! by its key, its name or any alias, compared after folding case and dropping everything but
//! letters and digits. The default pipeline knows the stock Salesforce and HubSpot labels.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether a stage is still in play or closed one way or the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

/// The forecast bucket a deal is reported in (Salesforce's forecast categories).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategory {
    Pipeline,
    BestCase,
    Commit,
    Closed,
    Omitted,
}

impl ForecastCategory {
    /// The wire name, e.g. `"best_case"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ForecastCategory::Pipeline => "pipeline",
            ForecastCategory::BestCase => "best_case",
            ForecastCategory::Commit => "commit",
            ForecastCategory::Closed => "closed",
            ForecastCategory::Omitted => "omitted",
        }
    }
}

/// One stage: `{"key": "Won", "name": "Closed Won", "kind": "won", "probability": 1.0, "forecast_category": "closed"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub key: String,
    pub name: String,
    pub kind: StageKind,
    /// Chance of winning from this stage, 0 to 1.
    pub probability: f64,
    pub forecast_category: ForecastCategory,
    /// Other labels exports use for this stage (`"closedwon"`, `"Closed Won"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The stages of a sales process, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub stages: Vec<Stage>,
}

/// Folds a stage label for lookup: `"Closed Won"`, `"closed_won"` and `"closedwon"` are one.
pub fn fold_label(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Pipeline {
    /// The stage a label names (key, name or alias, compared folded), if any.
    pub fn stage(&self, label: &str) -> Option<&Stage> {
        let wanted = fold_label(label);
        if wanted.is_empty() {
            return None;
        }
        self.stages.iter().find(|s| {
            fold_label(&s.key) == wanted
                || fold_label(&s.name) == wanted
                || s.aliases.iter().any(|a| fold_label(a) == wanted)
        })
    }

    /// Position of the stage a label names, in pipeline order.
    pub fn stage_index(&self, label: &str) -> Option<usize> {
        let stage = self.stage(label)?;
        self.stages.iter().position(|s| std::ptr::eq(s, stage))
    }

    /// `given`, or the stock pipeline when none is given.
    pub fn given_or_default(given: Option<&Pipeline>) -> std::borrow::Cow<'_, Pipeline> {
        match given {
            Some(p) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(Pipeline::default_pipeline()),
        }
    }

    /// A generic B2B pipeline that recognises the stock Salesforce and HubSpot stage labels.
    pub fn default_pipeline() -> Pipeline {
        fn stage(
            key: &str,
            name: &str,
            kind: StageKind,
            probability: f64,
            forecast_category: ForecastCategory,
            aliases: &[&str],
        ) -> Stage {
            Stage {
                key: key.into(),
                name: name.into(),
                kind,
                probability,
                forecast_category,
                aliases: aliases.iter().map(|a| a.to_string()).collect(),
            }
        }
        use ForecastCategory::*;
        use StageKind::*;
        Self {
            id: Some("default".into()),
            name: Some("Default pipeline".into()),
            stages: vec![
                stage(
                    "prospecting",
                    "Prospecting",
                    Open,
                    0.1,
                    Pipeline,
                    &["appointmentscheduled", "Appointment Scheduled", "New"],
                ),
                stage(
                    "qualification",
                    "Qualification",
                    Open,
                    0.2,
                    Pipeline,
                    &["qualifiedtobuy", "Qualified To Buy", "Discovery"],
                ),
                stage(
                    "needs_analysis",
                    "Needs Analysis",
                    Open,
                    0.35,
                    Pipeline,
                    &[
                        "presentationscheduled",
                        "Presentation Scheduled",
                        "Value Proposition",
                        "Id. Decision Makers",
                        "Demo",
                    ],
                ),
                stage(
                    "proposal",
                    "Proposal",
                    Open,
                    0.6,
                    BestCase,
                    &[
                        "decisionmakerboughtin",
                        "Decision Maker Bought-In",
                        "Proposal/Price Quote",
                        "Perception Analysis",
                    ],
                ),
                stage(
                    "negotiation",
                    "Negotiation",
                    Open,
                    0.8,
                    Commit,
                    &["contractsent", "Contract Sent", "Negotiation/Review"],
                ),
                stage("won", "Closed Won", Won, 1.0, Closed, &["closedwon", "Won"]),
                stage(
                    "lost",
                    "Closed Lost",
                    Lost,
                    0.0,
                    Omitted,
                    &["closedlost", "Lost"],
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pipeline_recognises_usual_labels() {
        let p = Pipeline::default_pipeline();
        for label in ["Won", "Closed Won", "closedwon", "CLOSED_WON", "won"] {
            assert_eq!(p.stage(label).unwrap().kind, StageKind::Won, "{label}");
        }
        for label in ["Lost", "Closed Lost", "closedlost"] {
            assert_eq!(p.stage(label).unwrap().kind, StageKind::Lost, "{label}");
        }
        assert_eq!(p.stage("contractsent").unwrap().key, "negotiation");
        assert_eq!(p.stage_index("Proposal"), Some(3));
        assert!(p.stage("Closed Maybe").is_none());
        assert!(p.stage("").is_none());
    }
}
