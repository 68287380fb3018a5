//! Value rules that serde cannot express: a valid email, a close date after creation, a known
//! time zone, a stage that exists in the pipeline, ids that are unique in a list, references
//! that point at something.
//!
//! Every check appends to a [`Problems`] list with the JSON path of the field and a stable code;
//! nothing stops at the first problem. Codes used here: `invalid_email`, `negative_amount`,
//! `close_before_create`, `unknown_time_zone`, `unknown_stage`, `duplicate_id`,
//! `end_before_start`, `invalid_weight`, `invalid_probability`, `empty`, `unknown_reference`,
//! `cycle`, `invalid_kind`, `self_reference`.

use super::*;
use crate::error::{join_path, Problems};
use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// What a record is checked against beyond itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// When given, opportunity stages must exist in it.
    pub pipeline: Option<&'a Pipeline>,
}

/// A type whose values can be checked. `path` is where the value sits in the document.
pub trait Validate {
    fn validate(&self, ctx: &Context<'_>, path: &str, out: &mut Problems);
}

/// The WHATWG HTML "valid e-mail address" grammar: the pragmatic standard browsers enforce.
fn email_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$",
        )
        .expect("static regex")
    })
}

pub fn is_valid_email(email: &str) -> bool {
    email.len() <= 254 && email_regex().is_match(email)
}

/// Whether `name` is an IANA time zone name this library knows.
pub fn is_known_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

fn at(path: &str, field: &str) -> String {
    join_path(path, field)
}

fn check_email(email: &Option<String>, path: &str, out: &mut Problems) {
    if let Some(e) = email {
        if !is_valid_email(e) {
            out.push(
                at(path, "email"),
                "invalid_email",
                format!("`{e}` is not a valid email address"),
            );
        }
    }
}

fn check_not_negative(m: &Option<Money>, path: &str, field: &str, out: &mut Problems) {
    if let Some(m) = m {
        if m.is_negative() {
            out.push(
                at(path, field),
                "negative_amount",
                format!("{field} must not be negative, got {m}"),
            );
        }
    }
}

fn check_not_blank(s: &str, path: &str, field: &str, out: &mut Problems) {
    if s.trim().is_empty() {
        out.push(
            at(path, field),
            "empty",
            format!("{field} must not be empty"),
        );
    }
}

impl Validate for Lead {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_email(&self.email, path, out);
        check_not_negative(&self.annual_revenue, path, "annual_revenue", out);
        for (field, t) in [
            ("converted_at", self.converted_at),
            ("first_touch_at", self.first_touch_at),
        ] {
            if let Some(t) = t {
                if t < self.created_at {
                    out.push(
                        at(path, field),
                        "before_create",
                        format!("{field} {t} is before created_at {}", self.created_at),
                    );
                }
            }
        }
    }
}

impl Validate for Account {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_not_blank(&self.name, path, "name", out);
        check_not_negative(&self.annual_revenue, path, "annual_revenue", out);
        if self.parent_id.as_ref() == Some(&self.id) {
            out.push(
                at(path, "parent_id"),
                "self_reference",
                "an account cannot be its own parent",
            );
        }
    }
}

impl Validate for Contact {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_email(&self.email, path, out);
    }
}

/// The rules of an opportunity's own values (not its pipeline): a non-negative amount, a stage,
/// closing no earlier than it was created. The CSV reader checks imported rows with it before
/// they become records.
pub(crate) fn opportunity_rules(
    stage: &str,
    amount: Option<&Money>,
    created_at: DateTime<Utc>,
    close_date: Option<NaiveDate>,
    closed_at: Option<DateTime<Utc>>,
    path: &str,
    out: &mut Problems,
) {
    check_not_negative(&amount.copied(), path, "amount", out);
    check_not_blank(stage, path, "stage", out);
    if let Some(close) = close_date {
        if close < created_at.date_naive() {
            out.push(
                at(path, "close_date"),
                "close_before_create",
                format!("close_date {close} is before created_at {created_at}"),
            );
        }
    }
    if let Some(closed) = closed_at {
        if closed < created_at {
            out.push(
                at(path, "closed_at"),
                "close_before_create",
                format!("closed_at {closed} is before created_at {created_at}"),
            );
        }
    }
}

impl Validate for Opportunity {
    fn validate(&self, ctx: &Context<'_>, path: &str, out: &mut Problems) {
        opportunity_rules(
            &self.stage,
            self.amount.as_ref(),
            self.created_at,
            self.close_date,
            self.closed_at,
            path,
            out,
        );
        if let Some(pipeline) = ctx.pipeline {
            if !self.stage.trim().is_empty() && pipeline.stage(&self.stage).is_none() {
                out.push(
                    at(path, "stage"),
                    "unknown_stage",
                    format!("stage `{}` is not in the pipeline", self.stage),
                );
            }
            for (i, change) in self.stage_history.iter().enumerate() {
                if pipeline.stage(&change.stage).is_none() {
                    out.push(
                        at(path, &format!("stage_history[{i}].stage")),
                        "unknown_stage",
                        format!("stage `{}` is not in the pipeline", change.stage),
                    );
                }
            }
        }
    }
}

impl Validate for Pipeline {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        if self.stages.is_empty() {
            out.push(
                at(path, "stages"),
                "empty",
                "a pipeline needs at least one stage",
            );
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, s) in self.stages.iter().enumerate() {
            let sp = at(path, &format!("stages[{i}]"));
            check_not_blank(&s.key, &sp, "key", out);
            check_not_blank(&s.name, &sp, "name", out);
            if !(0.0..=1.0).contains(&s.probability) {
                out.push(
                    at(&sp, "probability"),
                    "invalid_probability",
                    format!("probability must be between 0 and 1, got {}", s.probability),
                );
            }
            let labels = std::iter::once(&s.key)
                .chain(std::iter::once(&s.name))
                .chain(s.aliases.iter());
            let mut own = HashSet::new();
            for label in labels {
                let folded = pipeline::fold_label(label);
                if folded.is_empty() || !own.insert(folded.clone()) {
                    continue;
                }
                if let Some(first) = seen.insert(folded, i) {
                    out.push(
                        at(&sp, "key"),
                        "duplicate_id",
                        format!("label `{label}` also names stages[{first}]"),
                    );
                }
            }
        }
        if !self.stages.is_empty() && !self.stages.iter().any(|s| s.kind == StageKind::Open) {
            out.push(
                at(path, "stages"),
                "invalid_kind",
                "a pipeline needs at least one open stage",
            );
        }
    }
}

impl Validate for Rep {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_not_blank(&self.name, path, "name", out);
        check_email(&self.email, path, out);
        if !is_known_time_zone(&self.time_zone) {
            out.push(
                at(path, "time_zone"),
                "unknown_time_zone",
                format!(
                    "`{}` is not an IANA time zone name such as America/New_York",
                    self.time_zone
                ),
            );
        }
        for (i, w) in self.working_hours.iter().enumerate() {
            let wp = at(path, &format!("working_hours[{i}]"));
            if w.end <= w.start {
                out.push(
                    at(&wp, "end"),
                    "end_before_start",
                    format!("working hours end at {} but start at {}", w.end, w.start),
                );
            }
            if w.days.is_empty() {
                out.push(
                    at(&wp, "days"),
                    "empty",
                    "working hours need at least one day",
                );
            }
        }
        for (i, t) in self.out_of_office.iter().enumerate() {
            if t.end <= t.start {
                out.push(
                    at(path, &format!("out_of_office[{i}].end")),
                    "end_before_start",
                    format!("time off ends at {} but starts at {}", t.end, t.start),
                );
            }
        }
        if !(self.weight.is_finite() && self.weight > 0.0) {
            out.push(
                at(path, "weight"),
                "invalid_weight",
                format!("weight must be above 0, got {}", self.weight),
            );
        }
        for (i, q) in self.quotas.iter().enumerate() {
            let qp = at(path, &format!("quotas[{i}]"));
            if q.end < q.start {
                out.push(
                    at(&qp, "end"),
                    "end_before_start",
                    format!("quota ends {} before it starts {}", q.end, q.start),
                );
            }
            if q.amount.is_negative() {
                out.push(
                    at(&qp, "amount"),
                    "negative_amount",
                    "a quota must not be negative",
                );
            }
        }
        if self.manager_id.as_ref() == Some(&self.id) {
            out.push(
                at(path, "manager_id"),
                "self_reference",
                "a rep cannot manage themselves",
            );
        }
    }
}

impl Validate for Team {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_not_blank(&self.name, path, "name", out);
        if self.parent_id.as_ref() == Some(&self.id) {
            out.push(
                at(path, "parent_id"),
                "self_reference",
                "a team cannot be its own parent",
            );
        }
    }
}

impl Validate for Territory {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_not_blank(&self.name, path, "name", out);
        if self.parent_id.as_ref() == Some(&self.id) {
            out.push(
                at(path, "parent_id"),
                "self_reference",
                "a territory cannot be its own parent",
            );
        }
    }
}

impl Validate for ContentAsset {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_not_blank(&self.title, path, "title", out);
        if let (Some(p), Some(e)) = (self.published_at, self.expires_at) {
            if e < p {
                out.push(
                    at(path, "expires_at"),
                    "end_before_start",
                    format!("expires_at {e} is before published_at {p}"),
                );
            }
        }
    }
}

/// Event kinds are snake_case names so that scoring rules can refer to them.
fn check_kind_name(kind: &str, path: &str, out: &mut Problems) {
    let ok = !kind.is_empty()
        && kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        out.push(
            at(path, "kind"),
            "invalid_kind",
            format!("event kind `{kind}` must be a snake_case name such as page_view"),
        );
    }
}

impl Validate for EngagementEvent {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        check_kind_name(&self.kind, path, out);
    }
}

impl Validate for ContentEvent {
    fn validate(&self, _: &Context<'_>, _: &str, _: &mut Problems) {}
}

impl Validate for Money {
    fn validate(&self, _: &Context<'_>, _: &str, _: &mut Problems) {}
}

impl Validate for crate::condition::Condition {
    fn validate(&self, _: &Context<'_>, _: &str, _: &mut Problems) {}
}

/// Something with an id that must be unique within its list.
pub trait Identified {
    fn id_str(&self) -> Option<&str>;
}

macro_rules! identified {
    ($($t:ty => |$x:ident| $e:expr;)*) => {$(
        impl Identified for $t {
            fn id_str(&self) -> Option<&str> {
                let $x = self;
                $e
            }
        }
    )*};
}

identified! {
    Lead => |x| Some(x.id.as_str());
    Account => |x| Some(x.id.as_str());
    Contact => |x| Some(x.id.as_str());
    Opportunity => |x| Some(x.id.as_str());
    Rep => |x| Some(x.id.as_str());
    Team => |x| Some(x.id.as_str());
    Territory => |x| Some(x.id.as_str());
    ContentAsset => |x| Some(x.id.as_str());
    EngagementEvent => |x| x.id.as_ref().map(|i| i.as_str());
    ContentEvent => |x| x.id.as_ref().map(|i| i.as_str());
}

/// Checks every item of a list and that ids are unique (`duplicate_id` at `[i].id`).
pub fn validate_list<T: Validate + Identified>(
    items: &[T],
    ctx: &Context<'_>,
    path: &str,
    out: &mut Problems,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let ip = at(path, &format!("[{i}]"));
        item.validate(ctx, &ip, out);
        if let Some(id) = item.id_str() {
            if let Some(first) = seen.insert(id, i) {
                out.push(
                    at(&ip, "id"),
                    "duplicate_id",
                    format!("id `{id}` is already used at [{first}]"),
                );
            }
        }
    }
}

/// A whole CRM world as [`crate::sample`] produces it: every list, plus the references
/// between them (an opportunity's owner is a known rep, a territory's parent exists, ...).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct World {
    #[serde(default)]
    pub reps: Vec<Rep>,
    #[serde(default)]
    pub teams: Vec<Team>,
    #[serde(default)]
    pub territories: Vec<Territory>,
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub leads: Vec<Lead>,
    #[serde(default)]
    pub opportunities: Vec<Opportunity>,
    #[serde(default = "Pipeline::default_pipeline")]
    pub pipeline: Pipeline,
    #[serde(default)]
    pub content: Vec<ContentAsset>,
    #[serde(default)]
    pub events: Vec<EngagementEvent>,
    #[serde(default)]
    pub content_events: Vec<ContentEvent>,
    /// A routing config that fits the world (docs/routing.md); the sample generator writes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_config: Option<crate::routing::RoutingConfig>,
    /// A rule scoring model that fits the world's leads and events (docs/scoring.md); the
    /// sample generator writes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring_model: Option<crate::scoring::rules::ScoringModel>,
}

struct RefCheck<'a> {
    known: HashSet<&'a str>,
    list: &'static str,
}

impl RefCheck<'_> {
    fn check(&self, id: Option<&str>, path: String, out: &mut Problems) {
        if let Some(id) = id {
            if !self.known.contains(id) {
                out.push(
                    path,
                    "unknown_reference",
                    format!("`{id}` is not the id of any of the {}", self.list),
                );
            }
        }
    }
}

fn ids_of<'a, T: Identified>(items: &'a [T], list: &'static str) -> RefCheck<'a> {
    RefCheck {
        known: items.iter().filter_map(|x| x.id_str()).collect(),
        list,
    }
}

/// Reports a `cycle` at the first item whose parent chain comes back to itself.
fn check_hierarchy<'a>(parents: &[(&'a str, Option<&'a str>)], list: &str, out: &mut Problems) {
    let parent_of: HashMap<&str, Option<&str>> = parents.iter().copied().collect();
    for (i, (id, _)) in parents.iter().enumerate() {
        let mut cur = parent_of.get(id).copied().flatten();
        let mut steps = 0;
        while let Some(p) = cur {
            if p == *id {
                out.push(
                    format!("{list}[{i}].parent_id"),
                    "cycle",
                    format!("`{id}` is its own ancestor"),
                );
                break;
            }
            steps += 1;
            if steps > parents.len() {
                break;
            }
            cur = parent_of.get(p).copied().flatten();
        }
    }
}

impl Validate for World {
    fn validate(&self, _: &Context<'_>, path: &str, out: &mut Problems) {
        let mut pipeline_problems = Problems::new();
        self.pipeline.validate(
            &Context::default(),
            &at(path, "pipeline"),
            &mut pipeline_problems,
        );
        let pipeline_ok = pipeline_problems.is_empty();
        out.extend(pipeline_problems.into_vec());
        let ctx = Context {
            pipeline: pipeline_ok.then_some(&self.pipeline),
        };
        validate_list(&self.reps, &ctx, &at(path, "reps"), out);
        validate_list(&self.teams, &ctx, &at(path, "teams"), out);
        validate_list(&self.territories, &ctx, &at(path, "territories"), out);
        validate_list(&self.accounts, &ctx, &at(path, "accounts"), out);
        validate_list(&self.contacts, &ctx, &at(path, "contacts"), out);
        validate_list(&self.leads, &ctx, &at(path, "leads"), out);
        validate_list(&self.opportunities, &ctx, &at(path, "opportunities"), out);
        validate_list(&self.content, &ctx, &at(path, "content"), out);
        validate_list(&self.events, &ctx, &at(path, "events"), out);
        validate_list(&self.content_events, &ctx, &at(path, "content_events"), out);

        let reps = ids_of(&self.reps, "reps");
        let teams = ids_of(&self.teams, "teams");
        let territories = ids_of(&self.territories, "territories");
        let accounts = ids_of(&self.accounts, "accounts");
        let contacts = ids_of(&self.contacts, "contacts");
        let leads = ids_of(&self.leads, "leads");
        let opps = ids_of(&self.opportunities, "opportunities");
        let assets = ids_of(&self.content, "content");
        let p = |list: &str, i: usize, field: &str| at(path, &format!("{list}[{i}].{field}"));
        for (i, r) in self.reps.iter().enumerate() {
            teams.check(
                r.team_id.as_ref().map(|x| x.as_str()),
                p("reps", i, "team_id"),
                out,
            );
            reps.check(
                r.manager_id.as_ref().map(|x| x.as_str()),
                p("reps", i, "manager_id"),
                out,
            );
        }
        for (i, t) in self.teams.iter().enumerate() {
            reps.check(
                t.manager_id.as_ref().map(|x| x.as_str()),
                p("teams", i, "manager_id"),
                out,
            );
            teams.check(
                t.parent_id.as_ref().map(|x| x.as_str()),
                p("teams", i, "parent_id"),
                out,
            );
        }
        for (i, t) in self.territories.iter().enumerate() {
            territories.check(
                t.parent_id.as_ref().map(|x| x.as_str()),
                p("territories", i, "parent_id"),
                out,
            );
            for (j, r) in t.rep_ids.iter().enumerate() {
                reps.check(
                    Some(r.as_str()),
                    p("territories", i, &format!("rep_ids[{j}]")),
                    out,
                );
            }
        }
        for (i, a) in self.accounts.iter().enumerate() {
            reps.check(
                a.owner_id.as_ref().map(|x| x.as_str()),
                p("accounts", i, "owner_id"),
                out,
            );
            accounts.check(
                a.parent_id.as_ref().map(|x| x.as_str()),
                p("accounts", i, "parent_id"),
                out,
            );
        }
        for (i, c) in self.contacts.iter().enumerate() {
            accounts.check(
                c.account_id.as_ref().map(|x| x.as_str()),
                p("contacts", i, "account_id"),
                out,
            );
            reps.check(
                c.owner_id.as_ref().map(|x| x.as_str()),
                p("contacts", i, "owner_id"),
                out,
            );
        }
        for (i, l) in self.leads.iter().enumerate() {
            reps.check(
                l.owner_id.as_ref().map(|x| x.as_str()),
                p("leads", i, "owner_id"),
                out,
            );
            accounts.check(
                l.account_id.as_ref().map(|x| x.as_str()),
                p("leads", i, "account_id"),
                out,
            );
        }
        for (i, o) in self.opportunities.iter().enumerate() {
            reps.check(
                o.owner_id.as_ref().map(|x| x.as_str()),
                p("opportunities", i, "owner_id"),
                out,
            );
            accounts.check(
                o.account_id.as_ref().map(|x| x.as_str()),
                p("opportunities", i, "account_id"),
                out,
            );
            contacts.check(
                o.contact_id.as_ref().map(|x| x.as_str()),
                p("opportunities", i, "contact_id"),
                out,
            );
            leads.check(
                o.lead_id.as_ref().map(|x| x.as_str()),
                p("opportunities", i, "lead_id"),
                out,
            );
        }
        for (i, a) in self.content.iter().enumerate() {
            reps.check(
                a.owner_id.as_ref().map(|x| x.as_str()),
                p("content", i, "owner_id"),
                out,
            );
        }
        for (i, e) in self.events.iter().enumerate() {
            leads.check(Some(e.lead_id.as_str()), p("events", i, "lead_id"), out);
        }
        for (i, e) in self.content_events.iter().enumerate() {
            assets.check(
                Some(e.asset_id.as_str()),
                p("content_events", i, "asset_id"),
                out,
            );
            reps.check(
                e.rep_id.as_ref().map(|x| x.as_str()),
                p("content_events", i, "rep_id"),
                out,
            );
            opps.check(
                e.opportunity_id.as_ref().map(|x| x.as_str()),
                p("content_events", i, "opportunity_id"),
                out,
            );
        }
        let terr: Vec<_> = self
            .territories
            .iter()
            .map(|t| (t.id.as_str(), t.parent_id.as_ref().map(|x| x.as_str())))
            .collect();
        check_hierarchy(&terr, &at(path, "territories"), out);
        let tm: Vec<_> = self
            .teams
            .iter()
            .map(|t| (t.id.as_str(), t.parent_id.as_ref().map(|x| x.as_str())))
            .collect();
        check_hierarchy(&tm, &at(path, "teams"), out);
        // The routing config must fit these reps and accounts: build a router from them.
        if let Some(config) = &self.routing_config {
            let built = crate::routing::Router::new(
                config.clone(),
                self.reps.clone(),
                self.accounts.clone(),
                None,
            );
            if let Err(e) = built {
                for p in e.problems() {
                    // Rep and account problems are reported above; keep the config's own.
                    if let Some(rest) = p.path.strip_prefix("config") {
                        let mut p = p.clone();
                        p.path = at(path, &format!("routing_config{rest}"));
                        out.extend([p]);
                    }
                }
            }
        }
        if let Some(model) = &self.scoring_model {
            if let Err(e) = crate::scoring::rules::check_model(model) {
                out.extend(
                    e.problems()
                        .iter()
                        .map(|p| p.clone().under(&at(path, "scoring_model"))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@sub.example.com", "x_y@a-b.io"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.com",
            "a@b",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn time_zones() {
        assert!(is_known_time_zone("America/New_York"));
        assert!(is_known_time_zone("UTC"));
        assert!(!is_known_time_zone("Mars/Olympus"));
        assert!(!is_known_time_zone(""));
    }
}
