//! The sample generator: deterministic, internally consistent, realistic enough that a user
//! would believe it, and refusing bad options with paths.

use chrono::NaiveDate;
use revcore::condition::domain::is_free_mail;
use revcore::error::Problems;
use revcore::model::validate::{Context, Validate, World};
use revcore::model::{LeadStatus, Pipeline, RepRole, StageKind};
use revcore::sample::{generate, generate_json, SampleOptions};
use revcore::Problem;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn problems(world: &World) -> Vec<Problem> {
    let mut out = Problems::new();
    world.validate(&Context::default(), "", &mut out);
    out.into_vec()
}

fn assert_valid(world: &World, label: &str) {
    let p = problems(world);
    assert!(
        p.is_empty(),
        "{label}: {} problems, first: {:#?}",
        p.len(),
        &p[..p.len().min(5)]
    );
}

fn zero() -> SampleOptions {
    SampleOptions {
        reps: 0,
        teams: 0,
        territories: 0,
        accounts: 0,
        contacts: 0,
        leads: 0,
        opportunities: 0,
        content: 0,
        events_per_lead: 0.0,
        events: None,
        content_events: 0,
        ..SampleOptions::default()
    }
}

fn default_world() -> World {
    generate(&SampleOptions::default())
}

// ---------------------------------------------------------------------------------------------
// Determinism

#[test]
fn same_seed_same_json() {
    let a = serde_json::to_string(&default_world()).unwrap();
    let b = serde_json::to_string(&default_world()).unwrap();
    assert_eq!(a, b);
    let opts = json!({"seed": 99, "leads": 300, "opportunities": 200});
    assert_eq!(generate_json(&opts).unwrap(), generate_json(&opts).unwrap());
}

/// Pinned values of the default world: the same on every platform and build profile (the
/// generator only uses integer arithmetic and IEEE basic float operations). Update them only
/// when the generator is changed on purpose.
#[test]
fn the_default_world_is_pinned() {
    let w = default_world();
    assert_eq!(w.reps[0].name, "Tanya Walker");
    assert_eq!(w.accounts[0].name, "Vantage Brands Inc.");
    assert_eq!(
        w.leads[0].email.as_deref(),
        Some("grace.kelly@orionmedical.co.jp")
    );
    let amount: i64 = w
        .opportunities
        .iter()
        .filter_map(|o| o.amount.map(|a| a.minor_units()))
        .sum();
    assert_eq!(amount, 2_609_093_200);
    let won = w
        .opportunities
        .iter()
        .filter(|o| o.stage == "Closed Won")
        .count();
    assert_eq!(won, 208);
    let revenue: i64 = w
        .accounts
        .iter()
        .filter_map(|a| a.annual_revenue.map(|m| m.minor_units()))
        .sum();
    assert_eq!(revenue, 9_433_330_300_000);
    let employees: u64 = w
        .accounts
        .iter()
        .filter_map(|a| a.employees.map(u64::from))
        .sum();
    assert_eq!(employees, 327_831);
    assert_eq!(
        w.events.last().unwrap().at.to_rfc3339(),
        "2025-07-14T15:47:05+00:00"
    );
}

#[test]
fn different_seeds_different_data() {
    let a = generate(&SampleOptions {
        seed: 7,
        ..Default::default()
    });
    let b = generate(&SampleOptions {
        seed: 8,
        ..Default::default()
    });
    assert_ne!(a.reps, b.reps);
    assert_ne!(a.accounts, b.accounts);
    assert_ne!(a.leads, b.leads);
    assert_ne!(a.opportunities, b.opportunities);
    assert_ne!(a.content, b.content);
    assert_ne!(a.events, b.events);
    assert_ne!(a.content_events, b.content_events);
    // Same shape, though.
    assert_eq!(a.reps.len(), b.reps.len());
    assert_eq!(a.teams, b.teams);
}

#[test]
fn generate_json_is_generate() {
    let via_json = generate_json(&json!({"seed": 7})).unwrap();
    assert_eq!(via_json, serde_json::to_value(default_world()).unwrap());
    assert_eq!(generate_json(&json!({})).unwrap(), via_json);
}

#[test]
fn the_json_is_the_canonical_wire_form() {
    // Parsing the world back and re-emitting it changes nothing: the output is what
    // `normalize("world", ...)` would produce.
    let v = generate_json(&json!({"seed": 3, "leads": 200, "opportunities": 150})).unwrap();
    assert_eq!(revcore::normalize("world", &v, None).unwrap(), v);
}

#[test]
fn options_have_documented_defaults_and_round_trip() {
    let d = SampleOptions::default();
    assert_eq!(d.seed, 7);
    assert_eq!((d.reps, d.teams, d.territories), (24, 4, 12));
    assert_eq!(
        (d.accounts, d.contacts, d.leads, d.opportunities),
        (200, 600, 1000, 800)
    );
    assert_eq!((d.content, d.content_events), (60, 2000));
    assert_eq!(d.event_count(), 5000);
    assert_eq!(d.end_date, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["end_date"], "2026-06-30");
    assert_eq!(serde_json::from_value::<SampleOptions>(v).unwrap(), d);
    let o: SampleOptions = serde_json::from_value(json!({"leads": 10, "events": 3})).unwrap();
    assert_eq!((o.leads, o.event_count(), o.reps), (10, 3, 24));
}

// ---------------------------------------------------------------------------------------------
// Consistency

#[test]
fn worlds_validate_for_several_seeds() {
    for seed in [0, 1, 7, 42, 2024, u64::MAX] {
        let w = generate(&SampleOptions {
            seed,
            ..Default::default()
        });
        assert_valid(&w, &format!("seed {seed}"));
    }
}

#[test]
fn edge_sizes_validate() {
    let cases: Vec<(&str, SampleOptions)> = vec![
        ("all zero", zero()),
        (
            "one rep",
            SampleOptions {
                reps: 1,
                ..Default::default()
            },
        ),
        ("one rep alone", SampleOptions { reps: 1, ..zero() }),
        (
            "no reps, with leads",
            SampleOptions {
                reps: 0,
                ..Default::default()
            },
        ),
        (
            "5000 leads",
            SampleOptions {
                leads: 5000,
                ..Default::default()
            },
        ),
        (
            "reps without teams",
            SampleOptions {
                teams: 0,
                ..Default::default()
            },
        ),
        (
            "more teams than reps",
            SampleOptions {
                reps: 3,
                teams: 9,
                ..Default::default()
            },
        ),
        (
            "nested teams",
            SampleOptions {
                reps: 60,
                teams: 13,
                ..Default::default()
            },
        ),
        (
            "many territories",
            SampleOptions {
                territories: 1200,
                ..Default::default()
            },
        ),
        (
            "no accounts",
            SampleOptions {
                accounts: 0,
                ..Default::default()
            },
        ),
        (
            "opportunities only",
            SampleOptions {
                opportunities: 50,
                ..zero()
            },
        ),
        (
            "content events without deals or contacts",
            SampleOptions {
                content: 5,
                content_events: 40,
                ..zero()
            },
        ),
        (
            "events without leads",
            SampleOptions {
                events: Some(100),
                ..zero()
            },
        ),
        (
            "one content asset",
            SampleOptions {
                content: 1,
                ..Default::default()
            },
        ),
        (
            "leap-day end",
            SampleOptions {
                end_date: NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
                ..Default::default()
            },
        ),
        (
            "early end",
            SampleOptions {
                end_date: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(),
                ..Default::default()
            },
        ),
    ];
    for (label, o) in cases {
        let w = generate(&o);
        assert_valid(&w, label);
        assert_eq!(w.reps.len(), o.reps, "{label}");
        assert_eq!(w.teams.len(), o.teams, "{label}");
        assert_eq!(w.territories.len(), o.territories, "{label}");
        assert_eq!(w.accounts.len(), o.accounts, "{label}");
        assert_eq!(w.contacts.len(), o.contacts, "{label}");
        assert_eq!(w.leads.len(), o.leads, "{label}");
        assert_eq!(w.opportunities.len(), o.opportunities, "{label}");
        assert_eq!(w.content.len(), o.content, "{label}");
        let events = if o.leads == 0 { 0 } else { o.event_count() };
        assert_eq!(w.events.len(), events, "{label}");
        let content_events = if o.content == 0 { 0 } else { o.content_events };
        assert_eq!(w.content_events.len(), content_events, "{label}");
    }
}

#[test]
fn without_reps_nobody_owns_anything() {
    let w = generate(&SampleOptions {
        reps: 0,
        ..Default::default()
    });
    assert!(w.accounts.iter().all(|a| a.owner_id.is_none()));
    assert!(w.contacts.iter().all(|c| c.owner_id.is_none()));
    assert!(w
        .leads
        .iter()
        .all(|l| l.owner_id.is_none() && l.first_touch_at.is_none()));
    assert!(w.opportunities.iter().all(|o| o.owner_id.is_none()));
    assert!(w.content.iter().all(|a| a.owner_id.is_none()));
    assert!(w.content_events.iter().all(|e| e.rep_id.is_none()));
    assert!(w.teams.iter().all(|t| t.manager_id.is_none()));
    assert!(w.territories.iter().all(|t| t.rep_ids.is_empty()));
}

#[test]
fn growing_one_section_leaves_the_others_alone() {
    let small = generate(&SampleOptions::default());
    let big = generate(&SampleOptions {
        leads: 3000,
        ..Default::default()
    });
    assert_eq!(small.reps, big.reps);
    assert_eq!(small.teams, big.teams);
    assert_eq!(small.territories, big.territories);
    assert_eq!(small.accounts, big.accounts);
    assert_eq!(small.contacts, big.contacts);
    assert_eq!(small.content, big.content);
    // Leads already generated stay as they were.
    assert_eq!(small.leads[..], big.leads[..small.leads.len()]);
    // Deals keep everything but their links to leads.
    for (a, b) in small.opportunities.iter().zip(&big.opportunities) {
        assert_eq!(
            (&a.id, &a.created_at, &a.stage, &a.amount),
            (&b.id, &b.created_at, &b.stage, &b.amount)
        );
        assert_eq!(a.stage_history, b.stage_history);
    }

    let more_deals = generate(&SampleOptions {
        opportunities: 2000,
        ..Default::default()
    });
    assert_eq!(small.leads, more_deals.leads);
    assert_eq!(small.events, more_deals.events);
    assert_eq!(small.opportunities[..], more_deals.opportunities[..800]);

    let more_reps = generate(&SampleOptions {
        reps: 40,
        ..Default::default()
    });
    assert_eq!(small.reps[..], more_reps.reps[..24]);
}

// ---------------------------------------------------------------------------------------------
// Bad options

/// The error `generate_json` gives, without printing a whole world when there is none.
fn err(options: &serde_json::Value) -> revcore::Error {
    match generate_json(options) {
        Ok(_) => panic!("{options} should be refused"),
        Err(e) => e,
    }
}

#[test]
fn unknown_keys_and_wrong_types_are_parse_errors_with_paths() {
    let e = err(&json!({"seed": 1, "leeds": 5}));
    assert_eq!(e.code(), "parse");
    assert_eq!(e.problems()[0].path, "leeds");
    assert_eq!(e.problems()[0].code, "unknown_field");

    let e = err(&json!({"leads": -1}));
    assert_eq!(e.code(), "parse");
    assert_eq!(e.problems()[0].path, "leads");

    let e = err(&json!({"reps": "ten"}));
    assert_eq!(e.code(), "parse");
    assert_eq!(e.problems()[0].path, "reps");
    assert_eq!(e.problems()[0].code, "invalid_type");

    let e = err(&json!({"end_date": "2026-13-01"}));
    assert_eq!(e.code(), "parse");
    assert_eq!(e.problems()[0].path, "end_date");

    let e = err(&json!({"seed": 1.5}));
    assert_eq!((e.code(), e.problems()[0].path.as_str()), ("parse", "seed"));

    let e = err(&json!([1, 2]));
    assert_eq!(e.code(), "parse");
}

#[test]
fn sizes_beyond_the_limits_are_too_large() {
    let e = err(&json!({"leads": 1_000_001, "events_per_lead": 1}));
    assert_eq!(e.code(), "validation");
    assert_eq!(e.problems().len(), 1, "{e}");
    assert_eq!(e.problems()[0].path, "leads");
    assert_eq!(e.problems()[0].code, "too_large");

    // Every problem is reported.
    let e = err(&json!({"reps": 2_000_000, "content": 3_000_000}));
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&"reps") && paths.contains(&"content"),
        "{paths:?}"
    );

    // Within each limit but too many in all (leads bring five events each by default).
    let e = err(&json!({"leads": 1_000_000}));
    assert_eq!(e.problems()[0].path, "");
    assert_eq!(e.problems()[0].code, "too_large");
    let e = err(&json!({"events": 1_000_001}));
    assert_eq!(e.problems()[0].path, "events");

    let e = err(&json!({"events_per_lead": 1000}));
    assert_eq!(
        (e.problems()[0].path.as_str(), e.problems()[0].code.as_str()),
        ("events_per_lead", "too_large")
    );
    let e = err(&json!({"events_per_lead": -1}));
    assert_eq!(
        (e.problems()[0].path.as_str(), e.problems()[0].code.as_str()),
        ("events_per_lead", "invalid_value")
    );

    let e = err(&json!({"end_date": "0900-01-01"}));
    assert_eq!(
        (e.problems()[0].path.as_str(), e.problems()[0].code.as_str()),
        ("end_date", "out_of_range")
    );

    // At the limits is fine (checked without generating).
    let o: SampleOptions =
        serde_json::from_value(json!({"leads": 1_000_000, "events_per_lead": 1})).unwrap();
    assert!(o.check().is_ok());
}

// ---------------------------------------------------------------------------------------------
// Realism a user would notice

#[test]
fn every_team_has_a_manager_among_its_reps() {
    for o in [
        SampleOptions::default(),
        SampleOptions {
            reps: 60,
            teams: 9,
            ..Default::default()
        },
    ] {
        let w = generate(&o);
        for team in &w.teams {
            let manager = team.manager_id.as_ref().expect("every team has a manager");
            let rep = w.reps.iter().find(|r| &r.id == manager).unwrap();
            assert_eq!(rep.team_id.as_ref(), Some(&team.id), "{}", team.name);
            assert_eq!(rep.role, RepRole::Manager);
            assert!(rep.active);
            for member in w
                .reps
                .iter()
                .filter(|r| r.team_id.as_ref() == Some(&team.id))
            {
                if member.id != *manager {
                    assert_eq!(member.manager_id.as_ref(), Some(manager));
                }
            }
        }
    }
}

#[test]
fn reps_look_like_a_sales_org() {
    let w = generate(&SampleOptions {
        reps: 200,
        ..Default::default()
    });
    let zones: BTreeSet<&str> = w.reps.iter().map(|r| r.time_zone.as_str()).collect();
    for z in [
        "America/New_York",
        "America/Chicago",
        "America/Los_Angeles",
        "Europe/London",
        "Europe/Berlin",
        "Asia/Singapore",
        "Australia/Sydney",
    ] {
        assert!(zones.contains(z), "{z} in {zones:?}");
    }
    let roles: BTreeSet<String> = w.reps.iter().map(|r| format!("{:?}", r.role)).collect();
    for role in ["Sdr", "Ae", "Am", "Manager"] {
        assert!(roles.contains(role), "{roles:?}");
    }
    let emails: BTreeSet<&str> = w.reps.iter().filter_map(|r| r.email.as_deref()).collect();
    assert_eq!(emails.len(), w.reps.len(), "rep emails are unique");
    assert!(emails.iter().all(|e| e.ends_with("@revcore-sample.com")));
    assert!(w.reps.iter().any(|r| !r.active), "a few reps have left");
    assert!(w.reps.iter().filter(|r| !r.active).count() < 30);
    assert!(w.reps.iter().any(|r| !r.out_of_office.is_empty()));
    assert!(w
        .reps
        .iter()
        .all(|r| !r.holidays.is_empty() && !r.working_hours.is_empty()));
    assert!(w.reps.iter().any(|r| r.weight != 1.0));
    assert!(w.reps.iter().filter(|r| r.weight == 1.0).count() > w.reps.len() / 2);
    for rep in w.reps.iter().filter(|r| r.role == RepRole::Ae) {
        assert!(!rep.quotas.is_empty(), "{} has quotas", rep.name);
        assert!(rep.quotas.len() <= 8);
        for q in &rep.quotas {
            assert_eq!(q.amount.currency().code(), "USD");
            assert!(q.amount.minor_units() > 0);
            assert!(q.start < q.end);
        }
        assert!(rep.quotas.windows(2).all(|w| w[0].end < w[1].start));
        assert!(rep.capacity.is_some());
    }
}

#[test]
fn territories_form_a_hierarchy_that_covers_the_accounts() {
    let w = generate(&SampleOptions {
        territories: 200,
        ..Default::default()
    });
    let names: Vec<&str> = w.territories.iter().map(|t| t.name.as_str()).collect();
    for n in [
        "North America",
        "EMEA",
        "APAC",
        "NA East",
        "DACH",
        "US-NY",
        "Germany",
        "US ZIP 000",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let roots: Vec<_> = w
        .territories
        .iter()
        .filter(|t| t.parent_id.is_none())
        .collect();
    assert_eq!(roots.len(), 3);
    for a in &w.accounts {
        let matching: Vec<_> = roots
            .iter()
            .filter(|t| t.condition.as_ref().unwrap().matches(a))
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{} ({:?}) is in one world region",
            a.name,
            a.country
        );
    }
    // A US account falls in its state's territory and in NA East or NA West.
    let us = w
        .accounts
        .iter()
        .find(|a| a.country.as_deref() == Some("US"))
        .expect("a US account");
    let state = format!("US-{}", us.region.as_deref().unwrap());
    let t = w.territories.iter().find(|t| t.name == state).unwrap();
    assert!(t.condition.as_ref().unwrap().matches(us));
    let sub: Vec<_> = w
        .territories
        .iter()
        .filter(|t| t.name == "NA East" || t.name == "NA West")
        .filter(|t| t.condition.as_ref().unwrap().matches(us))
        .collect();
    assert_eq!(sub.len(), 1);
    assert!(!sub[0].rep_ids.is_empty());
    let ent = w
        .territories
        .iter()
        .find(|t| t.name == "NA East Enterprise")
        .unwrap();
    for r in &ent.rep_ids {
        let rep = w.reps.iter().find(|x| &x.id == r).unwrap();
        assert_eq!(rep.role, RepRole::Ae);
    }
}

#[test]
fn accounts_and_contacts_are_plausible() {
    let w = default_world();
    let domains: BTreeSet<&str> = w
        .accounts
        .iter()
        .filter_map(|a| a.domain.as_deref())
        .collect();
    assert_eq!(domains.len(), w.accounts.len(), "domains are unique");
    let names: BTreeSet<&str> = w.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), w.accounts.len(), "names are unique");
    let countries: BTreeSet<&str> = w
        .accounts
        .iter()
        .filter_map(|a| a.country.as_deref())
        .collect();
    assert!(countries.len() >= 8, "{countries:?}");
    let tiers: BTreeSet<&str> = w
        .accounts
        .iter()
        .filter_map(|a| a.tier.as_deref())
        .collect();
    assert!(tiers.len() >= 3, "{tiers:?}");
    let by_id: HashMap<&str, _> = w.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let personas: BTreeSet<&str> = w
        .contacts
        .iter()
        .filter_map(|c| c.persona.as_deref())
        .collect();
    assert_eq!(
        personas,
        BTreeSet::from([
            "champion",
            "economic_buyer",
            "end_user",
            "legal",
            "technical_evaluator"
        ])
    );
    for c in &w.contacts {
        let a = by_id[c.account_id.as_ref().unwrap().as_str()];
        let email = c.email.as_deref().unwrap();
        assert!(
            email.ends_with(&format!("@{}", a.domain.as_deref().unwrap())),
            "{email}"
        );
        assert_eq!(c.country, a.country);
    }
    let emails: BTreeSet<&str> = w
        .contacts
        .iter()
        .filter_map(|c| c.email.as_deref())
        .collect();
    assert_eq!(emails.len(), w.contacts.len());
}

#[test]
fn leads_mix_known_accounts_free_mail_and_new_companies() {
    let w = default_world();
    let domains: BTreeSet<&str> = w
        .accounts
        .iter()
        .filter_map(|a| a.domain.as_deref())
        .collect();
    let lead_domain = |l: &revcore::model::Lead| {
        l.email
            .as_deref()
            .unwrap()
            .rsplit_once('@')
            .unwrap()
            .1
            .to_string()
    };
    let known = w
        .leads
        .iter()
        .filter(|l| domains.contains(lead_domain(l).as_str()))
        .count();
    let free = w
        .leads
        .iter()
        .filter(|l| is_free_mail(&lead_domain(l)))
        .count();
    let other = w.leads.len() - known - free;
    assert!(
        known > 100 && free > 50 && other > 100,
        "known {known}, free {free}, other {other}"
    );
    let sources: BTreeSet<&str> = w.leads.iter().filter_map(|l| l.source.as_deref()).collect();
    assert_eq!(
        sources,
        BTreeSet::from([
            "event",
            "outbound",
            "paid_search",
            "partner",
            "referral",
            "web",
            "webinar"
        ])
    );
    let statuses: BTreeSet<&str> = w.leads.iter().map(|l| l.status.as_str()).collect();
    assert_eq!(statuses.len(), 6, "{statuses:?}");
    assert!(w
        .leads
        .iter()
        .any(|l| l.attributes.contains_key("utm_campaign")));
    let start = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    for l in &w.leads {
        let d = l.created_at.date_naive();
        assert!(d >= start && d <= end, "{d}");
        if l.status == LeadStatus::Converted {
            let a = l
                .account_id
                .as_ref()
                .expect("converted leads have an account");
            let acc = w.accounts.iter().find(|x| &x.id == a).unwrap();
            assert_eq!(lead_domain(l), acc.domain.clone().unwrap());
            assert!(l.converted_at.unwrap() >= l.created_at);
        } else {
            assert!(l.converted_at.is_none());
        }
    }
}

#[test]
fn engagement_events_follow_their_leads() {
    let w = default_world();
    assert_eq!(w.events.len(), 5000);
    let created: HashMap<&str, _> = w
        .leads
        .iter()
        .map(|l| (l.id.as_str(), l.created_at))
        .collect();
    let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let mut per_lead: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    for e in &w.events {
        let c = created[e.lead_id.as_str()];
        assert!(e.at >= c, "{:?} before its lead {c}", e.id);
        assert!(e.at.date_naive() <= end);
        *per_lead.entry(e.lead_id.as_str()).or_default() += 1;
        kinds.insert(e.kind.as_str());
    }
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    // Engaged leads get more events than disqualified ones.
    let avg = |status: LeadStatus| {
        let ls: Vec<_> = w.leads.iter().filter(|l| l.status == status).collect();
        ls.iter()
            .map(|l| per_lead.get(l.id.as_str()).copied().unwrap_or(0))
            .sum::<usize>() as f64
            / ls.len() as f64
    };
    assert!(avg(LeadStatus::Qualified) > avg(LeadStatus::Disqualified));
    // Nobody opens email after unsubscribing.
    let mut unsubscribed = BTreeSet::new();
    for e in &w.events {
        if unsubscribed.contains(e.lead_id.as_str()) {
            assert_eq!(e.kind, "page_view");
        }
        if e.kind == "unsubscribe" {
            assert!(unsubscribed.insert(e.lead_id.as_str()));
        }
    }
}

#[test]
fn opportunities_move_through_the_pipeline() {
    let w = default_world();
    let p = Pipeline::default_pipeline();
    let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let (mut won, mut lost, mut backwards) = (0, 0, 0);
    let ae_ids: BTreeSet<&str> = w
        .reps
        .iter()
        .filter(|r| r.role == RepRole::Ae)
        .map(|r| r.id.as_str())
        .collect();
    let mut owned_by_ae = 0;
    for o in &w.opportunities {
        let stage = p.stage(&o.stage).expect("a stage of the default pipeline");
        assert_eq!(stage.name, o.stage, "stages are written by name");
        assert_eq!(o.forecast_category, Some(stage.forecast_category));
        let h = &o.stage_history;
        assert!(!h.is_empty());
        assert_eq!(h[0].at, o.created_at);
        assert_eq!(h.last().unwrap().stage, o.stage);
        for pair in h.windows(2) {
            assert!(pair[0].at < pair[1].at, "{} history is time-ordered", o.id);
            let (a, b) = (
                p.stage_index(&pair[0].stage).unwrap(),
                p.stage_index(&pair[1].stage).unwrap(),
            );
            let b_kind = p.stages[b].kind;
            if b_kind == StageKind::Open {
                assert!(
                    b == a + 1 || b + 1 == a,
                    "{}: {} -> {}",
                    o.id,
                    pair[0].stage,
                    pair[1].stage
                );
                backwards += usize::from(b + 1 == a);
            }
        }
        match stage.kind {
            StageKind::Won | StageKind::Lost => {
                let closed = o.closed_at.expect("closed deals have closed_at");
                assert!(closed >= o.created_at);
                assert_eq!(o.close_date, Some(closed.date_naive()));
                assert_eq!(h.last().unwrap().at, closed);
                assert!(closed.date_naive() <= end);
                if stage.kind == StageKind::Won {
                    won += 1;
                    assert!(o.lost_reason.is_none());
                } else {
                    lost += 1;
                    assert!(o.lost_reason.is_some());
                }
            }
            StageKind::Open => {
                assert!(o.closed_at.is_none());
                assert!(o.close_date.unwrap() >= o.created_at.date_naive());
                assert!(o.lost_reason.is_none());
            }
        }
        if let Some(a) = o.amount {
            let dollars = a.minor_units();
            assert_eq!(dollars % 100, 0, "whole dollars");
            assert!((500_000..=25_000_000).contains(&dollars), "{a}");
        }
        owned_by_ae += usize::from(
            o.owner_id
                .as_ref()
                .is_some_and(|r| ae_ids.contains(r.as_str())),
        );
    }
    let rate = f64::from(won) / f64::from(won + lost);
    assert!((0.15..=0.45).contains(&rate), "won rate {rate}");
    assert!(backwards > 0, "some deals step back a stage");
    assert!(
        owned_by_ae * 10 >= w.opportunities.len() * 9,
        "AEs own the deals"
    );
    let open = w.opportunities.len() - (won + lost) as usize;
    assert!(open > 20, "{open} open deals");
    assert!(w.opportunities.iter().any(|o| o.lead_id.is_some()));
    assert!(w.opportunities.iter().any(|o| o.contact_id.is_some()));
    // Deals spread over both fiscal years.
    let years: BTreeSet<i32> = w
        .opportunities
        .iter()
        .map(|o| o.created_at.date_naive().to_string()[..4].parse().unwrap())
        .collect();
    assert_eq!(years, BTreeSet::from([2024, 2025, 2026]));
}

#[test]
fn content_reads_like_a_library() {
    let w = default_world();
    let types: BTreeSet<String> = w
        .content
        .iter()
        .map(|a| format!("{:?}", a.asset_type))
        .collect();
    assert!(types.len() >= 6, "{types:?}");
    let published = w
        .content
        .iter()
        .filter(|a| a.published_at.is_some())
        .count();
    assert!(published * 10 >= w.content.len() * 7);
    for a in &w.content {
        assert!(a.title.len() > 10);
        assert!(
            a.body.as_deref().unwrap().matches(". ").count() >= 2,
            "{}",
            a.title
        );
        assert!(!a.tags.products.is_empty() && !a.tags.languages.is_empty());
    }
    assert!(w
        .content
        .iter()
        .any(|a| a.title.starts_with("Case study: how ")));
    let assets: HashMap<&str, _> = w.content.iter().map(|a| (a.id.as_str(), a)).collect();
    let opps: HashMap<&str, _> = w.opportunities.iter().map(|o| (o.id.as_str(), o)).collect();
    for e in &w.content_events {
        let a = assets[e.asset_id.as_str()];
        if let Some(p) = a.published_at {
            assert!(e.at.date_naive() >= p);
        }
        if let Some(o) = &e.opportunity_id {
            let o = opps[o.as_str()];
            assert!(e.at >= o.created_at);
            if let Some(c) = o.closed_at {
                assert!(e.at <= c);
            }
            assert_eq!(e.account_id, o.account_id);
        }
        assert_eq!(
            e.duration_seconds.is_some(),
            e.kind == revcore::model::ContentEventKind::View
        );
    }
    assert!(w.content_events.windows(2).all(|p| p[0].at <= p[1].at));
    assert!(
        w.content_events
            .iter()
            .filter(|e| e.opportunity_id.is_some())
            .count()
            > 1000
    );
}

#[test]
fn a_hundred_thousand_leads_is_quick() {
    let t = std::time::Instant::now();
    let w = generate(&SampleOptions {
        leads: 100_000,
        events: Some(100_000),
        ..Default::default()
    });
    assert_eq!(w.leads.len(), 100_000);
    eprintln!("100,000 leads and 100,000 events in {:?}", t.elapsed());
}
