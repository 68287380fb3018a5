//! A short tour of revcore on its own sample data: `cargo run --release -p revcore --example quickstart`.
//!
//! Each engine adds its section here (routing, rule scoring and predictive scoring so far;
//! KPIs and content next).

use revcore::model::{Pipeline, StageKind};
use revcore::sample::{generate, SampleOptions};
use revcore::{Condition, Record};
use std::collections::BTreeMap;

fn main() -> Result<(), revcore::Error> {
    let world = generate(&SampleOptions {
        seed: 7,
        ..SampleOptions::default()
    });

    println!(
        "revcore {} quickstart: sample world, seed 7\n",
        revcore::VERSION
    );
    println!(
        "  {} reps in {} teams, {} territories, {} accounts, {} contacts",
        world.reps.len(),
        world.teams.len(),
        world.territories.len(),
        world.accounts.len(),
        world.contacts.len()
    );
    println!(
        "  {} leads with {} engagement events, {} opportunities, {} content assets with {} uses\n",
        world.leads.len(),
        world.events.len(),
        world.opportunities.len(),
        world.content.len(),
        world.content_events.len()
    );

    println!("A few accounts:");
    for a in world.accounts.iter().take(3) {
        println!(
            "  {:<8} {:<34} {:<18} {:>7} employees  {}",
            a.id,
            a.name,
            a.industry.as_deref().unwrap_or("-"),
            a.employees.map(|e| e.to_string()).unwrap_or_default(),
            a.country.as_deref().unwrap_or("-")
        );
    }

    println!("\nA few leads:");
    for l in world.leads.iter().take(4) {
        println!(
            "  {:<8} {:<36} {:<30} {:<3} via {}",
            l.id,
            l.email.as_deref().unwrap_or("-"),
            l.company.as_deref().unwrap_or("-"),
            l.country.as_deref().unwrap_or("-"),
            l.source.as_deref().unwrap_or("-")
        );
    }

    // The condition language: which leads look like enterprise prospects in North America?
    let spec = serde_json::json!({"all": [
        {"field": "country", "in": ["US", "CA"]},
        {"field": "employees", "gte": 1000},
        {"not": {"field": "email", "free_mail": true}}
    ]});
    let enterprise_na = Condition::parse(&spec)?;
    let hits: Vec<_> = world
        .leads
        .iter()
        .filter(|l| enterprise_na.matches(*l))
        .collect();
    println!(
        "\nCondition {}\n  matches {} of {} leads",
        enterprise_na.to_json(),
        hits.len(),
        world.leads.len()
    );
    if let Some(miss) = world.leads.iter().find(|l| !enterprise_na.matches(*l)) {
        let why = serde_json::to_string(&enterprise_na.explain(miss)).unwrap_or_default();
        println!(
            "  why not {} ({:?}, {:?} employees): {why}",
            miss.id,
            miss.field("country"),
            miss.employees
        );
    }

    // Pipeline by stage: open deals, their count and amount, in pipeline order.
    let pipeline = Pipeline::default_pipeline();
    let mut by_stage: BTreeMap<usize, (u32, f64)> = BTreeMap::new();
    let (mut won, mut lost) = (0u32, 0u32);
    for o in &world.opportunities {
        let Some(i) = pipeline.stage_index(&o.stage) else {
            continue;
        };
        match pipeline.stages[i].kind {
            StageKind::Open => {
                let e = by_stage.entry(i).or_default();
                e.0 += 1;
                e.1 += o.amount.map(|m| m.amount_f64()).unwrap_or(0.0);
            }
            StageKind::Won => won += 1,
            StageKind::Lost => lost += 1,
        }
    }
    println!("\nOpen pipeline by stage (USD):");
    for (i, (count, amount)) in &by_stage {
        println!(
            "  {:<16} {:>4} deals  {:>14.0}",
            pipeline.stages[*i].name, count, amount
        );
    }
    println!("  closed: {won} won, {lost} lost");

    // Routing: the sample routing config, each lead routed at the moment it arrived.
    if let Some(config) = world.routing_config.clone() {
        let router =
            revcore::Router::new(config, world.reps.clone(), world.accounts.clone(), None)?;
        println!("\nRouting the first leads as they arrived:");
        for lead in world.leads.iter().take(6) {
            let d = router.route(lead, lead.created_at);
            let who = match (d.owner_id(), d.queue()) {
                (Some(rep), _) => format!("-> {}", rep.as_str()),
                (None, Some(q)) => format!("-> queue {}", q.as_str()),
                (None, None) => "-> nobody".to_string(),
            };
            let skipped: Vec<String> = d
                .trace
                .iter()
                .filter_map(|s| match (s.rep_id.as_ref(), s.reason) {
                    (Some(rep), Some(reason)) => Some(format!("{} {reason}", rep.as_str())),
                    _ => None,
                })
                .collect();
            println!(
                "  {:<12} {:<3} {:<16} rule {:<12} territory {:<24} SLA {}",
                d.lead_id.as_str(),
                lead.country.as_deref().unwrap_or("-"),
                who,
                d.rule_id().map_or("-", |r| r.as_str()),
                d.territory_id().map_or("-", |t| t.as_str()),
                d.sla_due
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "-".into())
            );
            if !skipped.is_empty() {
                println!("               skipped: {}", skipped.join(", "));
            }
        }
        let report = revcore::routing::simulate_json(
            &serde_json::to_value(&world.routing_config).unwrap_or_default(),
            &serde_json::to_value(&world.reps).unwrap_or_default(),
            &serde_json::to_value(&world.leads).unwrap_or_default(),
            Some(&serde_json::to_value(&world.accounts).unwrap_or_default()),
        )?;
        println!(
            "  replaying all {} leads: {} assigned, queued {}",
            report["leads"], report["assigned"], report["queued"]
        );
    }

    // Rule scoring: the sample scoring model on the first leads and their events, now = the
    // last day of the data.
    if let Some(model) = world.scoring_model.clone() {
        let scorer = revcore::Scorer::new(model)?;
        let now = world
            .leads
            .iter()
            .map(|l| l.created_at)
            .max()
            .unwrap_or_default();
        println!("\nScoring the first leads (fit + engagement = total, grade, MQL):");
        for lead in world.leads.iter().take(5) {
            let events: Vec<_> = world
                .events
                .iter()
                .filter(|e| e.lead_id == lead.id)
                .cloned()
                .collect();
            let s = scorer.score(lead, &events, now);
            let why: Vec<String> = s
                .contributions
                .iter()
                .map(|c| format!("{} {:+}", c.rule.id, c.points))
                .collect();
            println!(
                "  {:<12} {:>6} + {:>6} = {:>6}  {}  MQL {:<5} {}",
                s.lead_id,
                s.fit,
                s.engagement,
                s.total,
                s.grade,
                s.mql,
                why.join(", ")
            );
        }
    }

    // Predictive scoring: a logistic model of conversion trained on the sample leads.
    {
        use revcore::scoring::predictive::{Algorithm, FeatureKind, FeatureSpec, TrainOptions};
        let rows: Vec<serde_json::Value> = world
            .leads
            .iter()
            .map(|l| {
                let mut row = serde_json::to_value(l).unwrap_or_default();
                row["converted"] = serde_json::Value::Bool(l.status.as_str() == "converted");
                row
            })
            .collect();
        let features = [
            FeatureSpec::new("source", FeatureKind::Categorical),
            FeatureSpec::new("industry", FeatureKind::Categorical),
            FeatureSpec::log("employees"),
        ];
        let model = revcore::PredictiveModel::train(
            &rows,
            "converted",
            &features,
            Algorithm::Logistic,
            &TrainOptions::default(),
        )?;
        let eval = model.evaluate(&rows, "converted")?;
        println!(
            "\nA conversion model on {} leads ({} converted): AUC {:.3} on its training rows",
            eval.rows,
            eval.positives,
            eval.auc.unwrap_or(f64::NAN)
        );
        let p = model.predict(&rows[0])?;
        let top: Vec<String> = p
            .factors
            .iter()
            .take(3)
            .map(|f| format!("{} {:+.3}", f.feature, f.contribution))
            .collect();
        println!(
            "  {}: probability {:.3}; top factors {}",
            world.leads[0].id,
            p.probability,
            top.join(", ")
        );
    }

    // KPIs: win rate, won amount, average deal and median cycle by rep and close quarter
    // (docs/kpis.md), for two reps.
    let request = revcore::kpi::ReportRequest {
        metrics: [
            "won_count",
            "win_rate",
            "won_amount",
            "avg_deal_size",
            "median_cycle_days",
        ]
        .map(String::from)
        .to_vec(),
        group_by: vec!["owner_id".into(), "close_date:quarter".into()],
        calendar: None,
        as_of: None,
        pipeline: Some(world.pipeline.clone()),
        quotas: None,
        leads: None,
        sla_minutes: None,
    };
    let table = revcore::kpi::kpi_report(&world.opportunities, &request)?;
    let mut reps: Vec<&str> = table
        .rows
        .iter()
        .filter_map(|r| r["owner_id"].as_str())
        .collect();
    reps.dedup();
    reps.truncate(2);
    println!("\nKPIs by rep and close quarter (two reps, then all deals):");
    println!(
        "  {:<8} {:<8} {:>4} {:>9} {:>12} {:>10} {:>7}",
        "rep", "quarter", "won", "win rate", "won USD", "avg deal", "cycle"
    );
    let num = |v: &serde_json::Value, digits: usize| {
        v.as_f64()
            .map_or("-".to_string(), |x| format!("{x:.digits$}"))
    };
    for row in &table.rows {
        let rep = row["owner_id"].as_str();
        if rep.is_some_and(|r| !reps.contains(&r))
            || (rep.is_none() && !row["close_date:quarter"].is_null())
        {
            continue;
        }
        println!(
            "  {:<8} {:<8} {:>4} {:>9} {:>12} {:>10} {:>7}",
            rep.unwrap_or("all"),
            row["close_date:quarter"].as_str().unwrap_or("all"),
            row["won_count"].as_u64().unwrap_or(0),
            num(&row["win_rate"], 3),
            num(&row["won_amount"], 0),
            num(&row["avg_deal_size"], 0),
            num(&row["median_cycle_days"], 0),
        );
    }

    // Sales content: search the sample library, then recommend content for an open deal.
    {
        use revcore::content::{DealContext, SearchFilters};
        let library = revcore::ContentLibrary::new(world.content.clone())?;
        // The sample's last day (SampleOptions::end_date): expired content is left out.
        let as_of = Some(SampleOptions::default().end_date);
        let filters = SearchFilters {
            as_of,
            ..SearchFilters::default()
        };
        let query = "case study lead response";
        println!("\nSearching {} assets for \"{query}\":", library.len());
        for hit in library.search(query, &filters, 3)? {
            println!("  {:>7.4}  {}  {}", hit.score, hit.asset_id, hit.title);
            println!("           {}", hit.snippet);
        }
        let deal = world
            .opportunities
            .iter()
            .find(|o| o.closed_at.is_none())
            .unwrap_or(&world.opportunities[0]);
        let account = world
            .accounts
            .iter()
            .find(|a| Some(&a.id) == deal.account_id.as_ref());
        let context = DealContext {
            stage: Some(deal.stage.clone()),
            industry: account.and_then(|a| a.industry.clone()),
            language: Some("en".into()),
            as_of,
            ..DealContext::default()
        };
        println!(
            "\nContent for deal {} ({}, {}):",
            deal.id,
            deal.stage,
            context.industry.as_deref().unwrap_or("any industry")
        );
        for r in library.recommend(&context, 3, &[])? {
            let why: Vec<String> = r
                .reasons
                .iter()
                .map(|x| format!("{:?} {:+.2}", x.kind, x.points).to_lowercase())
                .collect();
            println!(
                "  {:>7.4}  {}  {}  ({})",
                r.score,
                r.asset_id,
                r.title,
                why.join(", ")
            );
        }
    }

    let problems = revcore::validate(
        "world",
        &serde_json::to_value(&world).unwrap_or_default(),
        None,
    );
    println!(
        "\nThe sample world is internally consistent: {}",
        if problems.is_ok() { "yes" } else { "NO" }
    );
    Ok(())
}
