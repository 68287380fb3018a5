//! The JSON-level entry points every host calls: validate or normalise a document of a named
//! kind, give the JSON Schema of a kind, the default pipeline, and stage lookup.
//!
//! Bindings hand JSON values in and take JSON values out; all parsing, checking and
//! error-building happens here, once, so that Python, Node and Swift answer alike.

use crate::condition::Condition;
use crate::error::{Error, Problems, Result};
use crate::model::validate::{validate_list, Context, Identified, Validate, World};
use crate::model::*;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The kinds of document [`validate`], [`normalize`] and [`schema`] accept, by wire name.
/// A plural name is a list of that record (`"leads"`), where ids must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Lead,
    Account,
    Contact,
    Opportunity,
    Pipeline,
    Rep,
    Team,
    Territory,
    ContentAsset,
    EngagementEvent,
    ContentEvent,
    Money,
    Condition,
    Leads,
    Accounts,
    Contacts,
    Opportunities,
    Reps,
    Teams,
    Territories,
    ContentAssets,
    EngagementEvents,
    ContentEvents,
    World,
    RoutingConfig,
    ScoringModel,
}

impl Kind {
    pub const ALL: [Kind; 26] = [
        Kind::Lead,
        Kind::Account,
        Kind::Contact,
        Kind::Opportunity,
        Kind::Pipeline,
        Kind::Rep,
        Kind::Team,
        Kind::Territory,
        Kind::ContentAsset,
        Kind::EngagementEvent,
        Kind::ContentEvent,
        Kind::Money,
        Kind::Condition,
        Kind::Leads,
        Kind::Accounts,
        Kind::Contacts,
        Kind::Opportunities,
        Kind::Reps,
        Kind::Teams,
        Kind::Territories,
        Kind::ContentAssets,
        Kind::EngagementEvents,
        Kind::ContentEvents,
        Kind::World,
        Kind::RoutingConfig,
        Kind::ScoringModel,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Kind::Lead => "lead",
            Kind::Account => "account",
            Kind::Contact => "contact",
            Kind::Opportunity => "opportunity",
            Kind::Pipeline => "pipeline",
            Kind::Rep => "rep",
            Kind::Team => "team",
            Kind::Territory => "territory",
            Kind::ContentAsset => "content_asset",
            Kind::EngagementEvent => "engagement_event",
            Kind::ContentEvent => "content_event",
            Kind::Money => "money",
            Kind::Condition => "condition",
            Kind::Leads => "leads",
            Kind::Accounts => "accounts",
            Kind::Contacts => "contacts",
            Kind::Opportunities => "opportunities",
            Kind::Reps => "reps",
            Kind::Teams => "teams",
            Kind::Territories => "territories",
            Kind::ContentAssets => "content_assets",
            Kind::EngagementEvents => "engagement_events",
            Kind::ContentEvents => "content_events",
            Kind::World => "world",
            Kind::RoutingConfig => "routing_config",
            Kind::ScoringModel => "scoring_model",
        }
    }

    /// Looks a kind up by wire name; an unknown name is a `not_found` error listing the kinds.
    pub fn from_name(name: &str) -> Result<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                Error::not_found(
                    "kind",
                    "unknown_kind",
                    format!(
                        "unknown kind `{name}`; expected one of {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

/// Reads a document of type `T`, naming the path of any field that does not fit.
pub fn parse<T: DeserializeOwned>(value: &Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(Error::from)
}

/// Reads a list element by element, so that one bad record does not hide the problems of the
/// next: every element's parse error is reported, each under `[i]`.
fn parse_list<T: DeserializeOwned>(value: &Value) -> Result<Vec<T>> {
    let items = value
        .as_array()
        .ok_or_else(|| Error::parse("", "invalid_type", "expected a list"))?;
    let mut out = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match parse::<T>(item) {
            Ok(x) => out.push(x),
            Err(e) => problems.extend(e.under(&format!("[{i}]")).problems().iter().cloned()),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Parse(problems))
    }
}

fn check<T: Validate>(x: &T, ctx: &Context<'_>) -> Result<()> {
    let mut out = Problems::new();
    x.validate(ctx, "", &mut out);
    out.into_result(Error::Validation)
}

fn one<T: DeserializeOwned + Validate + Serialize>(
    value: &Value,
    ctx: &Context<'_>,
) -> Result<Value> {
    let x: T = parse(value)?;
    check(&x, ctx)?;
    Ok(serde_json::to_value(&x).expect("domain types serialise"))
}

fn many<T: DeserializeOwned + Validate + Identified + Serialize>(
    value: &Value,
    ctx: &Context<'_>,
) -> Result<Value> {
    let xs: Vec<T> = parse_list(value)?;
    let mut out = Problems::new();
    validate_list(&xs, ctx, "", &mut out);
    out.into_result(Error::Validation)?;
    Ok(serde_json::to_value(&xs).expect("domain types serialise"))
}

/// A routing config checked on its own: pool members and rep targets cannot be checked
/// against reps here (the router does that when it is built).
fn routing_config(value: &Value) -> Result<Value> {
    let config: crate::routing::RoutingConfig = parse(value)?;
    crate::routing::check_config_alone(&config)?;
    Ok(serde_json::to_value(&config).expect("routing configs serialise"))
}

/// A rule scoring model (docs/scoring.md), checked and re-emitted with defaults filled in.
fn scoring_model(value: &Value) -> Result<Value> {
    let model: crate::scoring::rules::ScoringModel = parse(value)?;
    crate::scoring::rules::check_model(&model)?;
    Ok(serde_json::to_value(&model).expect("scoring models serialise"))
}

fn condition(value: &Value) -> Result<Value> {
    Ok(Condition::parse(value)?.to_json())
}

/// Parses, checks and re-emits a document in its canonical wire form: defaults filled in,
/// unknown record keys moved into `attributes`, money and instants normalised. Fails with
/// `parse` (shape) or `validation` (values) errors listing every problem with its path.
///
/// `pipeline`, when given, is the pipeline opportunities' stages must belong to.
pub fn normalize(kind: &str, value: &Value, pipeline: Option<&Value>) -> Result<Value> {
    let kind = Kind::from_name(kind)?;
    let pipeline: Option<Pipeline> = match pipeline {
        Some(p) => {
            let p: Pipeline = parse(p).map_err(|e| e.under("pipeline"))?;
            check(&p, &Context::default()).map_err(|e| e.under("pipeline"))?;
            Some(p)
        }
        None => None,
    };
    let ctx = Context {
        pipeline: pipeline.as_ref(),
    };
    match kind {
        Kind::Lead => one::<Lead>(value, &ctx),
        Kind::Account => one::<Account>(value, &ctx),
        Kind::Contact => one::<Contact>(value, &ctx),
        Kind::Opportunity => one::<Opportunity>(value, &ctx),
        Kind::Pipeline => one::<Pipeline>(value, &ctx),
        Kind::Rep => one::<Rep>(value, &ctx),
        Kind::Team => one::<Team>(value, &ctx),
        Kind::Territory => one::<Territory>(value, &ctx),
        Kind::ContentAsset => one::<ContentAsset>(value, &ctx),
        Kind::EngagementEvent => one::<EngagementEvent>(value, &ctx),
        Kind::ContentEvent => one::<ContentEvent>(value, &ctx),
        Kind::Money => one::<Money>(value, &ctx),
        Kind::Condition => condition(value),
        Kind::Leads => many::<Lead>(value, &ctx),
        Kind::Accounts => many::<Account>(value, &ctx),
        Kind::Contacts => many::<Contact>(value, &ctx),
        Kind::Opportunities => many::<Opportunity>(value, &ctx),
        Kind::Reps => many::<Rep>(value, &ctx),
        Kind::Teams => many::<Team>(value, &ctx),
        Kind::Territories => many::<Territory>(value, &ctx),
        Kind::ContentAssets => many::<ContentAsset>(value, &ctx),
        Kind::EngagementEvents => many::<EngagementEvent>(value, &ctx),
        Kind::ContentEvents => many::<ContentEvent>(value, &ctx),
        Kind::World => one::<World>(value, &ctx),
        Kind::RoutingConfig => routing_config(value),
        Kind::ScoringModel => scoring_model(value),
    }
}

/// Checks a document of a kind; `Ok(())` or an error listing every problem with its path.
pub fn validate(kind: &str, value: &Value, pipeline: Option<&Value>) -> Result<()> {
    normalize(kind, value, pipeline).map(|_| ())
}

use crate::content::readiness;

fn schema_of<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).expect("schemas serialise")
}

/// Results and errors that have a schema but are not documents to validate:
/// `problem` (one entry of an error's `errors`), `explanation` (what `Condition::explain` returns),
/// `sample_options` (what `sample.generate` accepts), `score` (what `Scorer::score` returns),
/// readiness's inputs and report (`training_program`, `completion`, `readiness_options`,
/// `readiness_report`), the KPI funnel and coaching results (`funnel`, `coaching`) and content
/// analytics (`content_analytics`), content search and recommendations (`search_filters`,
/// `search_hit`, `deal_context`, `recommendation`).
pub const RESULT_SCHEMAS: [&str; 15] = [
    "problem",
    "explanation",
    "sample_options",
    "score",
    "training_program",
    "completion",
    "readiness_options",
    "readiness_report",
    "funnel",
    "coaching",
    "content_analytics",
    "search_filters",
    "search_hit",
    "deal_context",
    "recommendation",
];

/// The JSON Schema (draft 2020-12) of a kind (or of a result named in [`RESULT_SCHEMAS`]),
/// generated from the Rust types.
pub fn schema(kind: &str) -> Result<Value> {
    match kind {
        "problem" => return Ok(schema_of::<crate::error::Problem>()),
        "explanation" => return Ok(schema_of::<crate::condition::Explanation>()),
        "sample_options" => return Ok(schema_of::<crate::sample::SampleOptions>()),
        "score" => return Ok(schema_of::<crate::scoring::rules::Score>()),
        "training_program" => return Ok(schema_of::<readiness::TrainingProgram>()),
        "completion" => return Ok(schema_of::<readiness::Completion>()),
        "readiness_options" => return Ok(schema_of::<readiness::ReadinessOptions>()),
        "readiness_report" => return Ok(schema_of::<readiness::ReadinessReport>()),
        "funnel" => return Ok(schema_of::<crate::kpi::Funnel>()),
        "coaching" => return Ok(schema_of::<crate::kpi::Coaching>()),
        "content_analytics" => return Ok(schema_of::<crate::content::ContentAnalytics>()),
        "search_filters" => return Ok(schema_of::<crate::content::SearchFilters>()),
        "search_hit" => return Ok(schema_of::<crate::content::SearchHit>()),
        "deal_context" => return Ok(schema_of::<crate::content::DealContext>()),
        "recommendation" => return Ok(schema_of::<crate::content::Recommendation>()),
        _ => {}
    }
    Ok(match Kind::from_name(kind)? {
        Kind::Lead => schema_of::<Lead>(),
        Kind::Account => schema_of::<Account>(),
        Kind::Contact => schema_of::<Contact>(),
        Kind::Opportunity => schema_of::<Opportunity>(),
        Kind::Pipeline => schema_of::<Pipeline>(),
        Kind::Rep => schema_of::<Rep>(),
        Kind::Team => schema_of::<Team>(),
        Kind::Territory => schema_of::<Territory>(),
        Kind::ContentAsset => schema_of::<ContentAsset>(),
        Kind::EngagementEvent => schema_of::<EngagementEvent>(),
        Kind::ContentEvent => schema_of::<ContentEvent>(),
        Kind::Money => schema_of::<Money>(),
        Kind::Condition => schema_of::<Condition>(),
        Kind::Leads => schema_of::<Vec<Lead>>(),
        Kind::Accounts => schema_of::<Vec<Account>>(),
        Kind::Contacts => schema_of::<Vec<Contact>>(),
        Kind::Opportunities => schema_of::<Vec<Opportunity>>(),
        Kind::Reps => schema_of::<Vec<Rep>>(),
        Kind::Teams => schema_of::<Vec<Team>>(),
        Kind::Territories => schema_of::<Vec<Territory>>(),
        Kind::ContentAssets => schema_of::<Vec<ContentAsset>>(),
        Kind::EngagementEvents => schema_of::<Vec<EngagementEvent>>(),
        Kind::ContentEvents => schema_of::<Vec<ContentEvent>>(),
        Kind::World => schema_of::<World>(),
        Kind::RoutingConfig => schema_of::<crate::routing::RoutingConfig>(),
        Kind::ScoringModel => schema_of::<crate::scoring::rules::ScoringModel>(),
    })
}

/// The default pipeline in wire form.
pub fn default_pipeline() -> Value {
    serde_json::to_value(Pipeline::default_pipeline()).expect("pipelines serialise")
}

/// The stage a label names in `pipeline` (the default pipeline when `None`), in wire form, or
/// `None` when no stage has that key, name or alias.
pub fn classify_stage(label: &str, pipeline: Option<&Value>) -> Result<Option<Value>> {
    let pipeline = match pipeline {
        Some(p) => {
            let p: Pipeline = parse(p).map_err(|e| e.under("pipeline"))?;
            check(&p, &Context::default()).map_err(|e| e.under("pipeline"))?;
            p
        }
        None => Pipeline::default_pipeline(),
    };
    Ok(pipeline
        .stage(label)
        .map(|s| serde_json::to_value(s).expect("stages serialise")))
}
