//! The scoring model document (docs/scoring.md, "Model"): the serde/schemars types, and the
//! check pass that reports every problem with its path (relative to the model) and returns
//! the parsed conditions. Nothing here scores; `engine` compiles a checked model.

use crate::condition::Condition;
use crate::error::{Problem, Problems};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The largest size of points, caps, thresholds and minimums (`out_of_range` above it): far
/// beyond any real model, small enough that sums stay exact to the cent.
pub const MAX_POINTS: f64 = 1_000_000.0;

/// The most rules in one list (`too_large`).
pub const MAX_RULES: usize = 10_000;

/// A rule scoring model (docs/scoring.md). Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringModel {
    /// Must be 1.
    pub version: u32,
    /// Who the lead is: conditions on the lead, each worth its points once.
    #[serde(default)]
    pub fit_rules: Vec<FitRule>,
    /// What the lead did: points per event of a kind, decayed by age, capped per rule.
    #[serde(default)]
    pub engagement_rules: Vec<EngagementRule>,
    /// Penalties: a condition on the lead (fit side) or an event kind (engagement side).
    #[serde(default)]
    pub negative_rules: Vec<NegativeRule>,
    /// Caps shared by the rules that name the group (all on one side).
    #[serde(default)]
    pub groups: Vec<RuleGroup>,
    /// Caps on the positive points of each side.
    #[serde(default)]
    pub caps: SideCaps,
    pub grades: GradeThresholds,
    pub mql: MqlRule,
}

/// A condition on the lead worth `points` (> 0) when it matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FitRule {
    pub id: String,
    pub label: String,
    /// A condition document on the lead (problems reported under its path).
    #[schemars(with = "Condition")]
    pub condition: Value,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Points for every event of one kind, decayed with a half-life and capped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementRule {
    pub id: String,
    pub label: String,
    /// The event kind counted (snake_case, e.g. `demo_request`).
    pub event: String,
    /// A condition on the event (`url`, `attributes.<key>`, ...); absent means every event of the kind.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Condition>")]
    pub filter: Option<Value>,
    /// Points per event, before decay (> 0).
    pub points: f64,
    /// The most points this rule gives a lead (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// An event this many days old is worth half (> 0); absent means no decay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_life_days: Option<f64>,
    /// Events older than this many days are not counted (> 0); absent means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback_days: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A penalty (`points` < 0): either a `condition` on the lead (fit side, once) or an `event`
/// kind (engagement side, per event, with the optional `where`, `cap`, decay and lookback of
/// an engagement rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NegativeRule {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Condition>")]
    pub condition: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Condition>")]
    pub filter: Option<Value>,
    /// Below 0.
    pub points: f64,
    /// The most points this rule takes away (> 0; event rules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_life_days: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback_days: Option<f64>,
}

/// Rules that share a cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleGroup {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The most points the group's rules give together (> 0).
    pub cap: f64,
}

/// Caps on the positive points of each side.(absent: no cap).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SideCaps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement: Option<f64>,
}

/// Grade thresholds, highest first: `fit` holds the minimums of A, B and C (below the last
/// is D); `engagement` those of 1, 2 and 3 (below the last is 4). Strictly decreasing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeThresholds {
    pub fit: [f64; 3],
    pub engagement: [f64; 3],
}

/// When a lead is marketing-qualified: every minimum given is met (at least one is given).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MqlRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_min: Option<f64>,
}

/// The conditions of a checked model, parsed (None where absent or invalid).
pub(crate) struct Checked {
    pub fit: Vec<Option<Condition>>,
    pub engagement: Vec<Option<Condition>>,
    /// Per negative rule: the lead condition and the event condition.
    pub negative: Vec<(Option<Condition>, Option<Condition>)>,
}

/// Which side a group's rules are on, once the first rule naming it is seen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Fit,
    Engagement,
}

/// Checks every value rule of the model (docs/scoring.md, "Validation"); problems go to
/// `out` in document order with paths relative to the model.
pub(crate) fn check_model(model: &ScoringModel, out: &mut Problems) -> Checked {
    if model.version != 1 {
        out.push(
            "version",
            "unsupported_version",
            format!(
                "scoring model version {} is not supported (expected 1)",
                model.version
            ),
        );
    }
    let groups: HashMap<&str, usize> = model
        .groups
        .iter()
        .enumerate()
        .rev()
        .map(|(i, g)| (g.id.as_str(), i))
        .collect();
    let mut group_side: Vec<Option<Side>> = vec![None; model.groups.len()];
    let mut ids = HashSet::new();
    let mut rule_id = |id: &str, path: &str, out: &mut Problems| {
        if id.is_empty() {
            out.push(format!("{path}.id"), "empty", "a rule needs an id");
        } else if !ids.insert(id.to_string()) {
            out.push(
                format!("{path}.id"),
                "duplicate_id",
                format!("rule id `{id}` is used twice (ids are unique across all rules)"),
            );
        }
    };
    let mut group_ref = |group: &Option<String>, side: Side, path: &str, out: &mut Problems| {
        let Some(g) = group else { return };
        match groups.get(g.as_str()) {
            None => out.push(
                format!("{path}.group"),
                "unknown_reference",
                format!("no group `{g}`"),
            ),
            Some(&i) => match group_side[i] {
                None => group_side[i] = Some(side),
                Some(s) if s != side => out.push(
                    format!("{path}.group"),
                    "mixed_group",
                    format!("group `{g}` already holds rules of the other side (fit and engagement rules cannot share a group)"),
                ),
                Some(_) => {}
            },
        }
    };

    list_size(model.fit_rules.len(), "fit_rules", out);
    let mut fit = Vec::with_capacity(model.fit_rules.len());
    for (i, r) in model.fit_rules.iter().enumerate() {
        let path = format!("fit_rules[{i}]");
        rule_id(&r.id, &path, out);
        fit.push(condition(
            Some(&r.condition),
            &format!("{path}.condition"),
            out,
        ));
        positive_points(r.points, &path, out);
        group_ref(&r.group, Side::Fit, &path, out);
    }

    list_size(model.engagement_rules.len(), "engagement_rules", out);
    let mut engagement = Vec::with_capacity(model.engagement_rules.len());
    for (i, r) in model.engagement_rules.iter().enumerate() {
        let path = format!("engagement_rules[{i}]");
        rule_id(&r.id, &path, out);
        event_kind(&r.event, &format!("{path}.event"), out);
        engagement.push(condition(r.filter.as_ref(), &format!("{path}.where"), out));
        positive_points(r.points, &path, out);
        limit(r.cap, &format!("{path}.cap"), out);
        days(r.half_life_days, &format!("{path}.half_life_days"), out);
        days(r.lookback_days, &format!("{path}.lookback_days"), out);
        group_ref(&r.group, Side::Engagement, &path, out);
    }

    list_size(model.negative_rules.len(), "negative_rules", out);
    let mut negative = Vec::with_capacity(model.negative_rules.len());
    for (i, r) in model.negative_rules.iter().enumerate() {
        let path = format!("negative_rules[{i}]");
        rule_id(&r.id, &path, out);
        match (&r.condition, &r.event) {
            (None, None) => out.push(
                path.clone(),
                "missing_trigger",
                "a negative rule needs a `condition` (on the lead) or an `event` kind",
            ),
            (Some(_), Some(_)) => out.push(
                format!("{path}.event"),
                "multiple_triggers",
                "a negative rule has a `condition` or an `event`, not both",
            ),
            _ => {}
        }
        let lead = condition(r.condition.as_ref(), &format!("{path}.condition"), out);
        if let Some(kind) = &r.event {
            event_kind(kind, &format!("{path}.event"), out);
        }
        let on_event = condition(r.filter.as_ref(), &format!("{path}.where"), out);
        if !(r.points.is_finite() && r.points < 0.0) {
            out.push(
                format!("{path}.points"),
                "invalid_points",
                format!("a negative rule's points must be below 0, got {}", r.points),
            );
        } else {
            amount(r.points, &format!("{path}.points"), out);
        }
        limit(r.cap, &format!("{path}.cap"), out);
        days(r.half_life_days, &format!("{path}.half_life_days"), out);
        days(r.lookback_days, &format!("{path}.lookback_days"), out);
        if r.event.is_none() && r.condition.is_some() {
            // Event settings on a lead-condition rule would silently do nothing.
            let event_only = [
                ("where", r.filter.is_some()),
                ("cap", r.cap.is_some()),
                ("half_life_days", r.half_life_days.is_some()),
                ("lookback_days", r.lookback_days.is_some()),
            ];
            for (key, given) in event_only {
                if given {
                    out.push(
                        format!("{path}.{key}"),
                        "not_applicable",
                        format!("`{key}` applies to event rules only; this rule has a condition"),
                    );
                }
            }
        }
        negative.push((lead, on_event));
    }

    let mut seen = HashSet::new();
    for (i, g) in model.groups.iter().enumerate() {
        let path = format!("groups[{i}]");
        if g.id.is_empty() {
            out.push(format!("{path}.id"), "empty", "a group needs an id");
        } else if !seen.insert(g.id.as_str()) {
            out.push(
                format!("{path}.id"),
                "duplicate_id",
                format!("group id `{}` is used twice", g.id),
            );
        }
        limit(Some(g.cap), &format!("{path}.cap"), out);
    }
    limit(model.caps.fit, "caps.fit", out);
    limit(model.caps.engagement, "caps.engagement", out);

    for (name, thresholds) in [
        ("fit", &model.grades.fit),
        ("engagement", &model.grades.engagement),
    ] {
        for (j, t) in thresholds.iter().enumerate() {
            let path = format!("grades.{name}[{j}]");
            if amount(*t, &path, out)
                && j > 0
                && thresholds[j - 1].is_finite()
                && *t >= thresholds[j - 1]
            {
                out.push(
                    path,
                    "thresholds_out_of_order",
                    format!(
                        "grade thresholds go from highest to lowest: {t} is not below {}",
                        thresholds[j - 1]
                    ),
                );
            }
        }
    }
    let mql = &model.mql;
    if mql.fit_min.is_none() && mql.engagement_min.is_none() && mql.total_min.is_none() {
        out.push(
            "mql",
            "empty",
            "the MQL rule needs `fit_min` and/or `engagement_min`, or `total_min`",
        );
    }
    for (key, v) in [
        ("fit_min", mql.fit_min),
        ("engagement_min", mql.engagement_min),
        ("total_min", mql.total_min),
    ] {
        if let Some(v) = v {
            amount(v, &format!("mql.{key}"), out);
        }
    }
    Checked {
        fit,
        engagement,
        negative,
    }
}

fn list_size(n: usize, path: &str, out: &mut Problems) {
    if n > MAX_RULES {
        out.push(
            path,
            "too_large",
            format!("{n} rules; at most {MAX_RULES} in one list"),
        );
    }
}

/// A finite number of points within ±[`MAX_POINTS`] with at most two decimals; reports the
/// first thing wrong and says whether it was fine.
fn amount(x: f64, path: &str, out: &mut Problems) -> bool {
    if !x.is_finite() {
        out.push(path, "invalid_value", format!("{x} is not a number"));
        false
    } else if x.abs() > MAX_POINTS {
        out.push(path, "out_of_range", format!("{x} is beyond ±{MAX_POINTS}"));
        false
    } else if super::round2(x) != x {
        out.push(
            path,
            "too_precise",
            format!("{x} has more than two decimals"),
        );
        false
    } else {
        true
    }
}

fn positive_points(points: f64, path: &str, out: &mut Problems) {
    let path = format!("{path}.points");
    if !(points.is_finite() && points > 0.0) {
        out.push(
            path,
            "invalid_points",
            format!("points must be above 0 (penalties go in negative_rules), got {points}"),
        );
    } else {
        amount(points, &path, out);
    }
}

/// A cap: above 0, and a valid amount.
fn limit(cap: Option<f64>, path: &str, out: &mut Problems) {
    let Some(cap) = cap else { return };
    if !(cap.is_finite() && cap > 0.0) {
        out.push(
            path,
            "invalid_value",
            format!("a cap must be above 0, got {cap}"),
        );
    } else {
        amount(cap, path, out);
    }
}

/// A half-life or lookback: a finite number of days above 0.
fn days(d: Option<f64>, path: &str, out: &mut Problems) {
    let Some(d) = d else { return };
    if !(d.is_finite() && d > 0.0) {
        out.push(
            path,
            "invalid_value",
            format!("a number of days must be above 0, got {d}"),
        );
    }
}

/// Event kinds are snake_case names, as `validate("engagement_event", ..)` requires of events.
fn event_kind(kind: &str, path: &str, out: &mut Problems) {
    let ok = kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        out.push(
            path,
            "invalid_kind",
            format!("event kind `{kind}` must be a snake_case name such as page_view"),
        );
    }
}

fn condition(spec: Option<&Value>, path: &str, out: &mut Problems) -> Option<Condition> {
    match Condition::parse(spec?) {
        Ok(c) => Some(c),
        Err(e) => {
            out.extend(e.problems().iter().cloned().map(|p: Problem| p.under(path)));
            None
        }
    }
}
