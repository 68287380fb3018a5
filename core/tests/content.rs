//! Properties of content analytics and rep readiness (docs/content.md) over sample worlds and
//! random training data: the counts add up, every interval holds its rate, scores stay in
//! 0..=100, and the same input gives the same report.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use proptest::prelude::*;
use revcore::content::analytics::{analytics, AnalyticsOptions};
use revcore::content::readiness::{
    readiness, Certification, Completion, ReadinessOptions, TrainingModule, TrainingProgram,
};
use revcore::model::RepRole;
use revcore::sample::{generate, SampleOptions};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    }
}

fn end_of(options: &SampleOptions, days_back: i64) -> DateTime<Utc> {
    (options.end_date - Duration::days(days_back))
        .and_time(NaiveTime::MIN)
        .and_utc()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn analytics_counts_add_up(seed in 0u64..1_000, days_back in 0i64..400) {
        let options = SampleOptions {
            seed,
            reps: 6,
            accounts: 20,
            contacts: 40,
            leads: 30,
            opportunities: 60,
            content: 25,
            content_events: 400,
            ..SampleOptions::default()
        };
        let world = generate(&options);
        let as_of = end_of(&options, days_back);
        let opts = AnalyticsOptions::new(as_of);
        let assets: Vec<_> = world.content.iter().collect();
        let report = analytics(&assets, &world.content_events, &world.opportunities, &opts)
            .expect("a sample world is valid");
        prop_assert_eq!(report.assets.len(), world.content.len());
        let counted: u64 = report
            .assets
            .iter()
            .map(|a| a.shares + a.views + a.downloads + a.presents)
            .sum();
        let u = &report.unmatched;
        prop_assert_eq!(
            counted + u.unknown_asset + u.after_as_of,
            world.content_events.len() as u64
        );
        for i in &report.influence {
            prop_assert_eq!(i.used.deals + i.not_used.deals, report.closed_deals);
            prop_assert_eq!(i.used.won + i.not_used.won, report.won_deals);
            prop_assert_eq!(i.by_stage.iter().map(|s| s.rate.deals).sum::<u64>(), i.used.deals);
            prop_assert_eq!(i.by_stage.iter().map(|s| s.rate.won).sum::<u64>(), i.used.won);
            for r in std::iter::once(&i.used)
                .chain(std::iter::once(&i.not_used))
                .chain(i.by_stage.iter().map(|s| &s.rate))
            {
                match (r.win_rate, r.low, r.high) {
                    (Some(p), Some(lo), Some(hi)) => {
                        prop_assert!((0.0..=p).contains(&lo) && p <= hi && hi <= 1.0, "{:?}", r);
                    }
                    (None, None, None) => prop_assert_eq!(r.deals, 0),
                    _ => prop_assert!(false, "a rate without its interval: {:?}", r),
                }
            }
        }
        for s in &report.stale {
            prop_assert!(!s.reasons.is_empty());
        }
        let again = analytics(&assets, &world.content_events, &world.opportunities, &opts)
            .expect("valid");
        prop_assert_eq!(again, report);
    }

    #[test]
    fn readiness_scores_stay_in_range(
        seed in 0u64..1_000,
        modules in proptest::collection::vec((1u32..5, any::<bool>(), proptest::option::of(0u32..60)), 0..5),
        certs in proptest::collection::vec((1u32..5, proptest::option::of(1u32..400), any::<bool>()), 0..3),
        picks in proptest::collection::vec((0usize..8, 0usize..8, 0i64..500, any::<bool>()), 0..40),
        share in 0.05f64..2.0,
    ) {
        let options = SampleOptions { seed, reps: 8, opportunities: 80, ..SampleOptions::default() };
        let world = generate(&options);
        let as_of = end_of(&options, 0);
        let program = TrainingProgram {
            id: "P".into(),
            name: "Program".into(),
            roles: vec![RepRole::Ae, RepRole::Sdr],
            modules: modules
                .iter()
                .enumerate()
                .map(|(i, (w, required, due))| TrainingModule {
                    id: format!("m{i}"),
                    title: format!("Module {i}"),
                    required: *required,
                    weight: f64::from(*w),
                    due_days: *due,
                    asset_id: None,
                })
                .collect(),
            certifications: certs
                .iter()
                .enumerate()
                .map(|(i, (w, valid, ae_only))| Certification {
                    id: format!("c{i}"),
                    name: format!("Cert {i}"),
                    roles: if *ae_only { vec![RepRole::Ae] } else { vec![] },
                    valid_days: *valid,
                    weight: f64::from(*w),
                })
                .collect(),
        };
        let items: Vec<String> = program
            .modules
            .iter()
            .map(|m| m.id.clone())
            .chain(program.certifications.iter().map(|c| c.id.clone()))
            .chain(["nope".to_string()])
            .collect();
        let completions: Vec<Completion> = picks
            .iter()
            .map(|(r, i, back, passed)| Completion {
                rep_id: world.reps[r % world.reps.len()].id.to_string(),
                program_id: "P".into(),
                item_id: items[i % items.len()].clone(),
                completed_at: as_of - Duration::days(*back - 30),
                passed: *passed,
            })
            .collect();
        let opts = ReadinessOptions { as_of, ramp_quota_share: share, pipeline: None, coaching: None };
        let report = readiness(&[program], &world.reps, &completions, &world.opportunities, &opts)
            .expect("valid input");
        prop_assert_eq!(report.reps.len(), world.reps.len());
        let used: u64 = completions.len() as u64;
        let u = &report.unmatched;
        prop_assert!(u.unknown_rep == 0 && u.unknown_program == 0);
        prop_assert!(u.unknown_item + u.failed + u.after_as_of <= used);
        for r in &report.reps {
            prop_assert_eq!(r.completed + r.missing.len() as u64, r.required);
            match r.score {
                Some(s) => prop_assert!((0.0..=100.0).contains(&s), "{}", s),
                None => prop_assert_eq!(r.required, 0),
            }
            if let (Some(first), Some(days)) = (r.ramp.first_win_on, r.ramp.days_to_first_win) {
                prop_assert!(days >= 0 && Some(first) >= r.ramp.start_date);
            }
            if let Some(d) = r.ramp.days_to_quota_share {
                let first = r.ramp.days_to_first_win.expect("reaching the share takes a win");
                prop_assert!(d >= first);
            }
        }
    }
}
