//! Content assets with titles, descriptions and bodies written from templates (so that search
//! has words to find), tags for stages, personas, industries, products, regions and languages,
//! and the content events of reps and buyers on deals.

use super::crm::{company_base, Contacts};
use super::deals::Deals;
use super::names::{industry, persona_label, COMPETITORS, INDUSTRIES, METRICS, PERSONAS, PRODUCTS};
use super::org::{Org, Region};
use super::rng::{Rng, Stream};
use super::{id, instant, midnight, url_slug, Clock, SampleOptions, DAY};
use crate::model::{
    AssetId, AssetStatus, AssetType, Attributes, ContentAsset, ContentEvent, ContentEventKind,
    ContentTags, EventId, Pipeline, StageKind,
};
use chrono::Datelike;
use serde_json::Value;

const TYPES: &[(AssetType, u32)] = &[
    (AssetType::CaseStudy, 18),
    (AssetType::Deck, 12),
    (AssetType::OnePager, 14),
    (AssetType::Battlecard, 10),
    (AssetType::Video, 10),
    (AssetType::Playbook, 10),
    (AssetType::TrainingModule, 12),
    (AssetType::Whitepaper, 14),
];

/// The open stages (by position) each type of asset is for.
fn stage_positions(t: AssetType, rng: &mut Rng) -> Vec<usize> {
    match t {
        AssetType::CaseStudy => vec![2, 3],
        AssetType::Deck => vec![0, 1],
        AssetType::OnePager => vec![1, 2],
        AssetType::Battlecard => vec![3, 4],
        AssetType::Video => vec![1, 2],
        AssetType::Playbook => vec![rng.below(5)],
        AssetType::TrainingModule => vec![],
        AssetType::Whitepaper => vec![0],
    }
}

const PLAYBOOK_THEMES: &[&str] = &[
    "running discovery calls that uncover real pain",
    "multi-threading into the buying committee",
    "handling procurement and legal review",
    "building a mutual close plan",
    "qualifying opportunities with MEDDICC",
    "re-engaging deals that went dark",
];

const TRAINING_TOPICS: &[&str] = &[
    "discovery calls that find real pain",
    "objection handling for pricing pushback",
    "forecast hygiene and stage discipline",
    "negotiating multi-year renewals",
    "prospecting sequences that get replies",
    "running a tight mutual action plan",
];

const WHITEPAPER_TOPICS: &[&str] = &[
    "why forecasts miss and how stage history fixes them",
    "speed to lead: what slow routing costs you",
    "territory design for a hybrid sales team",
    "scoring leads with fit and engagement kept apart",
    "sales enablement that moves win rate",
];

/// Sentences any asset may use; `{…}` slots are filled per asset.
const GENERIC: &[&str] = &[
    "This asset is written for {persona} evaluating {product} at the {stage} stage.",
    "Use it when a prospect in {industry} asks how peers handle {metric}.",
    "Key points: faster lead response, cleaner handoffs between SDRs and AEs, and forecasts that hold up in the quarterly business review.",
    "Reps report that sharing it right after the discovery call moves deals to the next stage sooner.",
    "It covers pricing objections, security reviews and the questions legal teams ask most often.",
    "{product} {blurb}.",
    "Teams in {region} use it to align sales, marketing and customer success on one definition of pipeline.",
    "Pair it with a short ROI estimate so the economic buyer sees the payback period in numbers.",
];

struct Slots {
    customer: String,
    industry: &'static str,
    persona: &'static str,
    product: &'static str,
    blurb: &'static str,
    metric: &'static str,
    verb: &'static str,
    pct: i64,
    /// Months to a result; also tens of minutes a training module takes.
    months: i64,
    stage: String,
    region: &'static str,
    competitor: &'static str,
    year: i32,
}

impl Slots {
    fn fill(&self, template: &str) -> String {
        template
            .replace("{customer}", &self.customer)
            .replace("{industry}", self.industry)
            .replace("{persona}", self.persona)
            .replace("{product}", self.product)
            .replace("{blurb}", self.blurb)
            .replace("{metric}", self.metric)
            .replace("{verb}", self.verb)
            .replace("{pct}", &self.pct.to_string())
            .replace("{months}", &self.months.to_string())
            .replace("{minutes}", &(self.months * 10).to_string())
            .replace("{stage}", &self.stage)
            .replace("{region}", self.region)
            .replace("{competitor}", self.competitor)
            .replace("{year}", &self.year.to_string())
    }
}

/// Title, description and the type's own sentences.
fn write(t: AssetType, s: &Slots, rng: &mut Rng) -> (String, String, Vec<&'static str>) {
    let (titles, description, own): (&[&str], &str, &[&str]) = match t {
        AssetType::CaseStudy => (
            &[
                "Case study: how {customer} {verb} {metric} by {pct}% with {product}",
                "Customer story: {customer} {verb} {metric} by {pct}% in {months} months",
            ],
            "How {customer}, a {industry} company in {region}, {verb} {metric} by {pct}% after rolling out {product}.",
            &[
                "{customer} is a {industry} company selling across {region}.",
                "Before {product}, the team relied on spreadsheets and weekly pipeline calls, and {metric} kept getting worse.",
                "Within {months} months of going live, they {verb} {metric} by {pct}%.",
                "The revenue operations lead credits clean data and automated routing for the result.",
            ],
        ),
        AssetType::Deck => (
            &[
                "{product} first-call deck for {industry}",
                "{product} overview for {persona}",
                "Executive briefing: {product} for {industry} leaders",
            ],
            "Slides for a first meeting: the problem, how {product} solves it, and proof from {industry} customers.",
            &[
                "The deck opens with the cost of {metric} for a typical {industry} team.",
                "Three customer logos and one short story make the case before the demo.",
            ],
        ),
        AssetType::OnePager => (
            &["{product} one-pager for {industry}", "{product} at a glance: {metric}"],
            "One page on what {product} does, who it is for and what it costs.",
            &[
                "The summary fits on a single page: problem, solution, proof and pricing.",
                "Leave it behind after a demo so champions can forward it internally.",
            ],
        ),
        AssetType::Battlecard => (
            &[
                "Battlecard: {product} vs {competitor}",
                "Competitive battlecard: winning against {competitor} in {industry}",
            ],
            "Where {competitor} is strong, where it is weak, and the questions that expose the difference.",
            &[
                "{competitor} tends to win on price; we win on time to value and on the depth of our {product} integration.",
                "Landmines to lay: ask how {competitor} handles territory changes in the middle of a quarter.",
                "When {competitor} discounts late in the deal, hold on value and bring in the executive sponsor.",
            ],
        ),
        AssetType::Video => (
            &["Demo video: {product} in five minutes", "Video walkthrough: {product} for {persona}"],
            "A short recorded demo of {product} that buyers can watch on their own time.",
            &[
                "The recording shows a rep working a live pipeline in {product}.",
                "Send it to {persona} who missed the live demo.",
            ],
        ),
        AssetType::Playbook => (
            &["{stage} playbook: {theme}"],
            "Step-by-step guidance for reps in the {stage} stage.",
            &[
                "Each step lists the goal, the questions to ask and the exit criteria for the stage.",
                "Managers use it in deal reviews to spot missing steps early.",
            ],
        ),
        AssetType::TrainingModule => (
            &["Training: {theme}"],
            "A self-paced module for new and experienced reps, with a short quiz at the end.",
            &[
                "The module takes about {minutes} minutes and ends with a short quiz.",
                "Managers can assign it to new reps in their first 30 days to shorten ramp time.",
            ],
        ),
        AssetType::Whitepaper => (
            &["Whitepaper: {theme}", "Whitepaper: the state of revenue operations in {industry} ({year})"],
            "Research and practical advice on {metric} for revenue leaders.",
            &[
                "We surveyed revenue leaders in {region} about {metric}.",
                "Teams that review stage history every week forecast within {pct}% of actuals.",
            ],
        ),
    };
    let theme = match t {
        AssetType::Playbook => *rng.pick(PLAYBOOK_THEMES),
        AssetType::TrainingModule => *rng.pick(TRAINING_TOPICS),
        _ => *rng.pick(WHITEPAPER_TOPICS),
    };
    let title = s.fill(rng.pick::<&str>(titles)).replace("{theme}", theme);
    (title, s.fill(description), own.to_vec())
}

/// What the content events need to know about the assets.
pub struct Assets {
    pub list: Vec<ContentAsset>,
    /// When each asset became usable (midnight UTC of `published_at`), if it did.
    published: Vec<Option<i64>>,
    /// Usable assets by pipeline stage index they are tagged for.
    by_stage: Vec<Vec<u32>>,
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn assets(options: &SampleOptions, clock: &Clock, org: &Org, pipeline: &Pipeline) -> Assets {
    let n = options.content;
    let mut rng = Rng::new(options.seed, Stream::Content);
    let open: Vec<usize> = (0..pipeline.stages.len())
        .filter(|&s| pipeline.stages[s].kind == StageKind::Open)
        .collect();
    let mut list = Vec::with_capacity(n);
    let mut published_at = Vec::with_capacity(n);
    let mut by_stage: Vec<Vec<u32>> = vec![Vec::new(); pipeline.stages.len()];
    let span_days = (clock.now - clock.start) / DAY;
    for i in 0..n {
        let asset_type = *rng.weighted(TYPES);
        let product = rng.pick(PRODUCTS);
        let (ind_code, ind_label, _) = *rng.pick(INDUSTRIES);
        let persona = match asset_type {
            AssetType::CaseStudy => "economic_buyer",
            _ => rng.pick(PERSONAS).0,
        };
        let region = rng.chance(0.4).then(|| *rng.pick(&Region::ALL));
        let (verb_metric, metric_verb) = *rng.pick(METRICS);
        let (customer, customer_industry) = company_base(&mut rng);
        let positions = stage_positions(asset_type, &mut rng);
        let stage_idx: Vec<usize> = positions
            .iter()
            .filter_map(|p| open.get(*p).copied())
            .collect();
        let status = *rng.weighted(&[
            (AssetStatus::Published, 80),
            (AssetStatus::Draft, 12),
            (AssetStatus::Archived, 8),
        ]);
        let published = (status != AssetStatus::Draft)
            .then(|| clock.start_date + chrono::Duration::days(rng.range(-365, span_days - 7)));
        let slots = Slots {
            customer,
            industry: if asset_type == AssetType::CaseStudy {
                industry(customer_industry).0
            } else {
                ind_label
            },
            persona: persona_label(persona),
            product: product.0,
            blurb: product.2,
            metric: verb_metric,
            verb: metric_verb,
            pct: 15 + 5 * rng.range(0, 12),
            months: rng.range(2, 10),
            stage: stage_idx.first().map_or_else(
                || "Qualification".to_string(),
                |s| pipeline.stages[*s].name.clone(),
            ),
            region: region.map_or("every region", |r| match r {
                Region::NaEast | Region::NaWest => "North America",
                Region::Emea => "EMEA",
                Region::Apac => "APAC",
            }),
            competitor: rng.pick::<&str>(COMPETITORS),
            year: published.map_or(clock.end_date.year(), |p| p.year()),
        };
        let (mut title, description, own) = write(asset_type, &slots, &mut rng);
        let mut sentences: Vec<String> = own.iter().map(|s| slots.fill(s)).collect();
        let extra = 2 + rng.below(2);
        let mut used = Vec::with_capacity(extra);
        while used.len() < extra {
            let k = rng.below(GENERIC.len());
            if !used.contains(&k) {
                used.push(k);
                sentences.push(slots.fill(GENERIC[k]));
            }
        }
        let body = sentences.join(" ");
        let language = if rng.chance(0.85) {
            "en"
        } else {
            match region.unwrap_or(Region::Emea) {
                Region::NaEast | Region::NaWest => "es",
                Region::Emea => *rng.pick(&["de", "fr"]),
                Region::Apac => "ja",
            }
        };
        if language != "en" {
            title = format!("{title} ({})", language.to_uppercase());
        }
        let expires = published.and_then(|p| {
            let days = match status {
                AssetStatus::Archived if rng.chance(0.6) => rng.range(90, 366),
                AssetStatus::Published if rng.chance(0.25) => rng.range(180, 541),
                _ => return None,
            };
            Some(p + chrono::Duration::days(days))
        });
        let personas = if asset_type == AssetType::CaseStudy {
            vec!["economic_buyer".to_string(), "champion".to_string()]
        } else {
            vec![persona.to_string()]
        };
        let industries = match asset_type {
            AssetType::CaseStudy => vec![customer_industry.to_string()],
            AssetType::Deck | AssetType::OnePager | AssetType::Whitepaper if rng.chance(0.5) => {
                vec![ind_code.to_string()]
            }
            AssetType::Battlecard if rng.chance(0.5) => vec![ind_code.to_string()],
            _ => Vec::new(),
        };
        let (format, minutes) = match asset_type {
            AssetType::Deck => ("pptx", None),
            AssetType::Video => ("mp4", Some(rng.range(3, 16))),
            AssetType::Playbook => ("docx", None),
            AssetType::TrainingModule => ("scorm", Some(slots.months * 10)),
            _ => ("pdf", None),
        };
        let mut attributes = Attributes::new();
        attributes.insert("format".into(), Value::String(format.into()));
        if let Some(m) = minutes {
            attributes.insert("duration_minutes".into(), Value::from(m));
        }
        let asset_id = AssetId(id("asset", 4, i));
        if published.is_some() {
            for s in &stage_idx {
                by_stage[*s].push(i as u32);
            }
        }
        list.push(ContentAsset {
            url: Some(format!(
                "https://content.revcore-sample.com/{asset_id}/{}",
                url_slug(&title)
            )),
            id: asset_id,
            title: capitalised(&title),
            asset_type,
            description: Some(description),
            body: Some(body),
            tags: ContentTags {
                stages: stage_idx
                    .iter()
                    .map(|s| pipeline.stages[*s].key.clone())
                    .collect(),
                personas,
                industries,
                products: vec![product.1.to_string()],
                regions: region
                    .map(|r| vec![r.tag().to_string()])
                    .unwrap_or_default(),
                languages: vec![language.to_string()],
            },
            status,
            published_at: published,
            expires_at: expires,
            owner_id: (!org.reps.is_empty() && rng.chance(0.85))
                .then(|| org.rep_id(rng.below(org.reps.len()))),
            attributes,
        });
        published_at.push(published.map(midnight));
    }
    Assets {
        list,
        published: published_at,
        by_stage,
    }
}

const EVENT_KINDS: &[(ContentEventKind, u32)] = &[
    (ContentEventKind::Share, 35),
    (ContentEventKind::View, 40),
    (ContentEventKind::Download, 10),
    (ContentEventKind::Present, 15),
];

/// Content events: reps sharing and presenting assets on deals, buyers at the deal's account
/// viewing and downloading them; each after the asset was published, within the deal's life.
pub fn events(
    options: &SampleOptions,
    clock: &Clock,
    org: &Org,
    contacts: &Contacts,
    deals: &Deals,
    assets: &Assets,
    pipeline: &Pipeline,
) -> Vec<ContentEvent> {
    let n = if assets.list.is_empty() {
        0
    } else {
        options.content_events
    };
    let mut rng = Rng::new(options.seed, Stream::ContentEvents);
    let mut out: Vec<ContentEvent> = Vec::with_capacity(n);
    if n == 0 {
        return out;
    }
    let mut usable: Vec<u32> = (0..assets.list.len() as u32)
        .filter(|&a| assets.published[a as usize].is_some())
        .collect();
    let mut published = assets.published.clone();
    if usable.is_empty() {
        // Only drafts: treat them as available from the start.
        usable = (0..assets.list.len() as u32).collect();
        published = vec![Some(clock.start); assets.list.len()];
    }
    let available = |a: u32| published[a as usize].unwrap_or(clock.start);
    let n_deals = deals.list.len();
    for _ in 0..n {
        let kind = *rng.weighted(EVENT_KINDS);
        let mut deal = None;
        let mut asset = *rng.pick(&usable);
        let mut at = 0;
        if n_deals > 0 && rng.chance(0.75) {
            // Won deals use more content: a lost deal is often swapped for another.
            let mut d = rng.below(n_deals);
            if deals.meta[d].lost && rng.chance(0.35) {
                d = rng.below(n_deals);
            }
            let m = &deals.meta[d];
            let t = rng.range(m.created, m.end.max(m.created + 1));
            let stage = deals.list[d]
                .stage_history
                .iter()
                .take_while(|c| c.at.timestamp() <= t)
                .last()
                .and_then(|c| pipeline.stages.iter().position(|s| s.name == c.stage));
            let fitting = stage.map_or(&[][..], |s| &assets.by_stage[s][..]);
            for _ in 0..4 {
                asset = if !fitting.is_empty() && rng.chance(0.6) {
                    *rng.pick(fitting)
                } else {
                    *rng.pick(&usable)
                };
                if available(asset) <= t {
                    break;
                }
            }
            let t = t.max(available(asset));
            if t < m.end {
                deal = Some(d);
                at = t;
            }
        }
        if deal.is_none() {
            at = rng.range(available(asset).max(clock.start), clock.now);
        }
        let account = deal.and_then(|d| deals.meta[d].account);
        let (rep, contact) = match kind {
            ContentEventKind::Share | ContentEventKind::Present => {
                let rep = deal
                    .and_then(|d| deals.meta[d].owner.map(|o| o as usize))
                    .or_else(|| (!org.reps.is_empty()).then(|| rng.below(org.reps.len())));
                let contact = match account {
                    Some(a) if rng.chance(0.6) => {
                        let cs = contacts.of_account(a as usize);
                        (!cs.is_empty()).then(|| cs[rng.below(cs.len())] as usize)
                    }
                    _ => None,
                };
                (rep, contact)
            }
            ContentEventKind::View | ContentEventKind::Download => {
                let contact = match account {
                    Some(a) => {
                        let cs = contacts.of_account(a as usize);
                        (!cs.is_empty()).then(|| cs[rng.below(cs.len())] as usize)
                    }
                    None if !contacts.list.is_empty() && rng.chance(0.7) => {
                        Some(rng.below(contacts.list.len()))
                    }
                    None => None,
                };
                (None, contact)
            }
        };
        let account_id = match (account, contact) {
            (Some(_), _) => deal.and_then(|d| deals.list[d].account_id.clone()),
            (None, Some(c)) => contacts.list[c].account_id.clone(),
            _ => None,
        };
        let duration = (kind == ContentEventKind::View).then(|| {
            let u = rng.unit();
            15 + (u * u * 1200.0) as u32
        });
        out.push(ContentEvent {
            asset_id: assets.list[asset as usize].id.clone(),
            kind,
            at: instant(at),
            id: None,
            rep_id: rep.map(|r| org.rep_id(r)),
            opportunity_id: deal.map(|d| deals.list[d].id.clone()),
            account_id,
            contact_id: contact.map(|c| contacts.list[c].id.clone()),
            duration_seconds: duration,
            attributes: Attributes::new(),
        });
    }
    out.sort_by_key(|e| e.at);
    for (i, e) in out.iter_mut().enumerate() {
        e.id = Some(EventId(id("cev", 6, i)));
    }
    out
}
