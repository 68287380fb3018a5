//! The selling organisation: teams by region, reps with roles, calendars and quotas, and the
//! territory hierarchy with its conditions.

use super::crm::usd;
use super::names::{self, ascii_slug, COUNTRIES, INDUSTRIES, SEGMENTS};
use super::rng::{Rng, Stream};
use super::{id, midnight, Clock, SampleOptions, DAY};
use crate::condition::Condition;
use crate::model::{
    ClockTime, Quota, Rep, RepId, RepRole, Team, TeamId, Territory, TerritoryId, TimeOff,
    WorkingWindow,
};
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use serde_json::{json, Value};
use std::collections::HashSet;

/// The sales regions teams are organised by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    NaEast,
    NaWest,
    Emea,
    Apac,
}

/// A rep's home: IANA zone, standard UTC offset in hours (for business-hour timestamps), the
/// holiday calendar (a country code) and languages besides English.
pub struct Zone {
    pub name: &'static str,
    pub offset_h: i64,
    pub holidays: &'static str,
    pub languages: &'static [&'static str],
}

const NEW_YORK: Zone = Zone {
    name: "America/New_York",
    offset_h: -5,
    holidays: "US",
    languages: &["en"],
};
const CHICAGO: Zone = Zone {
    name: "America/Chicago",
    offset_h: -6,
    holidays: "US",
    languages: &["en"],
};
const LOS_ANGELES: Zone = Zone {
    name: "America/Los_Angeles",
    offset_h: -8,
    holidays: "US",
    languages: &["en"],
};
const LONDON: Zone = Zone {
    name: "Europe/London",
    offset_h: 0,
    holidays: "GB",
    languages: &["en"],
};
const BERLIN: Zone = Zone {
    name: "Europe/Berlin",
    offset_h: 1,
    holidays: "DE",
    languages: &["de", "en"],
};
const SINGAPORE: Zone = Zone {
    name: "Asia/Singapore",
    offset_h: 8,
    holidays: "SG",
    languages: &["en"],
};
const SYDNEY: Zone = Zone {
    name: "Australia/Sydney",
    offset_h: 10,
    holidays: "AU",
    languages: &["en"],
};

impl Region {
    pub const ALL: [Region; 4] = [Region::NaEast, Region::NaWest, Region::Emea, Region::Apac];

    pub fn index(self) -> usize {
        self as usize
    }
    /// The team name of the region.
    pub fn name(self) -> &'static str {
        match self {
            Region::NaEast => "NA East",
            Region::NaWest => "NA West",
            Region::Emea => "EMEA",
            Region::Apac => "APAC",
        }
    }
    /// The content tag of the region.
    pub fn tag(self) -> &'static str {
        match self {
            Region::NaEast | Region::NaWest => "na",
            Region::Emea => "emea",
            Region::Apac => "apac",
        }
    }
    /// Where the region's reps sit, by weight.
    fn zones(self) -> &'static [(Zone, u32)] {
        match self {
            Region::NaEast => &[(NEW_YORK, 7), (CHICAGO, 3)],
            Region::NaWest => &[(LOS_ANGELES, 1)],
            Region::Emea => &[(LONDON, 1), (BERLIN, 1)],
            Region::Apac => &[(SINGAPORE, 1), (SYDNEY, 1)],
        }
    }
    /// The usual UTC offset of the region, for records nobody owns.
    pub fn offset_h(self) -> i64 {
        match self {
            Region::NaEast => -5,
            Region::NaWest => -8,
            Region::Emea => 1,
            Region::Apac => 8,
        }
    }
}

/// Which reps may own a kind of record.
#[derive(Debug, Clone, Copy)]
pub enum Pool {
    /// SDRs and BDRs: leads.
    Sdr = 0,
    /// Account executives: new business.
    Ae = 1,
    /// Account managers and CSMs: existing customers.
    Am = 2,
    /// Anyone who sells (not managers, SEs or CSMs).
    Seller = 3,
}

/// The organisation plus what later sections need to know about it.
pub struct Org {
    pub teams: Vec<Team>,
    pub reps: Vec<Rep>,
    pub territories: Vec<Territory>,
    /// Per rep: the standard UTC offset of their time zone, in hours.
    pub rep_offset: Vec<i64>,
    /// Active reps by pool and region, then by pool across regions, then all active reps.
    by_region: [[Vec<usize>; 4]; 4],
    by_pool: [Vec<usize>; 4],
    active: Vec<usize>,
    inactive: Vec<usize>,
}

fn in_pool(role: RepRole, pool: Pool) -> bool {
    use RepRole::*;
    match pool {
        Pool::Sdr => matches!(role, Sdr | Bdr),
        Pool::Ae => role == Ae,
        Pool::Am => matches!(role, Am | Csm),
        Pool::Seller => matches!(role, Ae | Am | Sdr | Bdr),
    }
}

impl Org {
    /// A rep to own a record of `region`: from the pool in the region, else the pool anywhere,
    /// else any seller, else any active rep, else any rep; `None` only when there are no reps.
    pub fn pick_owner(&self, rng: &mut Rng, region: Region, pool: Pool) -> Option<usize> {
        let lists = [
            &self.by_region[pool as usize][region.index()],
            &self.by_pool[pool as usize],
            &self.by_pool[Pool::Seller as usize],
            &self.active,
        ];
        for list in lists {
            if !list.is_empty() {
                return Some(*rng.pick(list));
            }
        }
        (!self.reps.is_empty()).then(|| rng.below(self.reps.len()))
    }

    /// A rep who has left, if any: they still own some old records.
    pub fn pick_inactive(&self, rng: &mut Rng) -> Option<usize> {
        (!self.inactive.is_empty()).then(|| *rng.pick(&self.inactive))
    }

    pub fn rep_id(&self, i: usize) -> RepId {
        self.reps[i].id.clone()
    }

    /// The UTC offset to use for a record owned by `owner` in `region`.
    pub fn offset(&self, owner: Option<usize>, region: Region) -> i64 {
        owner.map_or(region.offset_h(), |o| self.rep_offset[o])
    }
}

pub fn generate(options: &SampleOptions, clock: &Clock) -> Org {
    let teams = teams(options.teams, options.reps);
    let mut rng = Rng::new(options.seed, Stream::Reps);
    let (reps, rep_offset, rep_region) = reps(&mut rng, options, clock, &teams);
    let mut by_region: [[Vec<usize>; 4]; 4] = Default::default();
    let mut by_pool: [Vec<usize>; 4] = Default::default();
    let mut active = Vec::new();
    let mut inactive = Vec::new();
    for (i, rep) in reps.iter().enumerate() {
        if !rep.active {
            inactive.push(i);
            continue;
        }
        active.push(i);
        for pool in [Pool::Sdr, Pool::Ae, Pool::Am, Pool::Seller] {
            if in_pool(rep.role, pool) {
                by_region[pool as usize][rep_region[i].index()].push(i);
                by_pool[pool as usize].push(i);
            }
        }
    }
    let mut rng = Rng::new(options.seed, Stream::Territories);
    let territories = territories(&mut rng, options.territories, &reps, &rep_region);
    Org {
        teams,
        reps,
        territories,
        rep_offset,
        by_region,
        by_pool,
        active,
        inactive,
    }
}

/// Segments of a region beyond its first team.
const TEAM_SEGMENTS: &[&str] = &["Enterprise", "Commercial", "Strategic", "SMB"];

fn team_name(t: usize) -> String {
    let region = Region::ALL[t % 4].name();
    match t / 4 {
        0 => region.to_string(),
        k if k <= TEAM_SEGMENTS.len() => format!("{region} {}", TEAM_SEGMENTS[k - 1]),
        k => format!("{region} {}", k + 1),
    }
}

fn team_id(t: usize) -> TeamId {
    TeamId(format!("team-{}", super::url_slug(&team_name(t))))
}

fn rep_id(i: usize) -> RepId {
    RepId(id("rep", 4, i))
}

/// Teams round the regions; a region's later teams are segments nested under its first one.
/// The manager of team `t` is rep `t` (reps are dealt to teams in turn).
fn teams(n: usize, reps: usize) -> Vec<Team> {
    (0..n)
        .map(|t| Team {
            id: team_id(t),
            name: team_name(t),
            manager_id: (t < reps).then(|| rep_id(t)),
            parent_id: (t >= 4).then(|| team_id(t % 4)),
            region: Some(Region::ALL[t % 4].name().to_string()),
        })
        .collect()
}

/// The roles of a team's members after its manager, in turn.
const ROLE_CYCLE: [RepRole; 12] = [
    RepRole::Ae,
    RepRole::Sdr,
    RepRole::Ae,
    RepRole::Am,
    RepRole::Sdr,
    RepRole::Ae,
    RepRole::Bdr,
    RepRole::Se,
    RepRole::Ae,
    RepRole::Sdr,
    RepRole::Csm,
    RepRole::Am,
];

fn reps(
    rng: &mut Rng,
    options: &SampleOptions,
    clock: &Clock,
    teams: &[Team],
) -> (Vec<Rep>, Vec<i64>, Vec<Region>) {
    let n = options.reps;
    let t = options.teams;
    let mut reps = Vec::with_capacity(n);
    let mut offsets = Vec::with_capacity(n);
    let mut regions = Vec::with_capacity(n);
    let mut emails: HashSet<String> = HashSet::with_capacity(n);
    let quarters = clock.quarters();
    let span_days = (clock.now - clock.start) / DAY;
    for i in 0..n {
        let team = (t > 0).then(|| i % t);
        // Position in the team: 0 is the manager. Without teams nobody manages.
        let pos = team.map_or(i + 1, |_| i / t);
        let role = if pos == 0 {
            RepRole::Manager
        } else {
            ROLE_CYCLE[(pos - 1) % ROLE_CYCLE.len()]
        };
        let region = team.map_or(Region::ALL[i % 4], |t| Region::ALL[t % 4]);
        let zone = rng.weighted(region.zones());

        let name_region = if rng.chance(0.85) {
            region
        } else {
            *rng.pick(&Region::ALL)
        };
        let (firsts, lasts) = names::people(name_region);
        let (mut first, mut last) = (*rng.pick(firsts), *rng.pick(lasts));
        for _ in 0..8 {
            if !emails.contains(&rep_email(first, last, 0)) {
                break;
            }
            first = *rng.pick(firsts);
            last = *rng.pick(lasts);
        }
        let mut email = rep_email(first, last, 0);
        let mut k = 2;
        while emails.contains(&email) {
            email = rep_email(first, last, k);
            k += 1;
        }
        emails.insert(email.clone());

        let hours = if rng.chance(0.7) {
            WorkingWindow::weekdays(hm(9, 0), hm(17, 0))
        } else {
            WorkingWindow::weekdays(hm(8, 30), hm(17, 30))
        };

        let mut languages: Vec<String> = zone.languages.iter().map(|s| s.to_string()).collect();
        let extra = match zone.holidays {
            "US" => rng.chance(0.2).then_some("es"),
            "GB" => rng.chance(0.2).then_some("fr"),
            "SG" => rng.chance(0.4).then_some("zh"),
            "DE" => rng.chance(0.15).then_some("nl"),
            _ => None,
        };
        languages.extend(extra.map(String::from));

        let start_date = if role == RepRole::Manager {
            clock.start_date - chrono::Duration::days(rng.range(365, 6 * 365))
        } else if rng.chance(0.75) {
            clock.start_date - chrono::Duration::days(rng.range(0, 4 * 365))
        } else {
            clock.start_date + chrono::Duration::days(rng.range(0, (span_days - 150).max(1)))
        };
        let ramping = (clock.end_date - start_date).num_days() < 180;
        let weight = if ramping {
            0.5
        } else {
            *rng.weighted(&[(1.0, 85), (1.5, 10), (0.5, 5)])
        };
        // A few reps have left: every eleventh rep (unless a manager) and some by chance.
        let left = rng.chance(0.03) || i % 11 == 10;
        let active = role == RepRole::Manager || !left;

        let mut skills: Vec<String> = Vec::new();
        match role {
            RepRole::Sdr => skills.push("inbound".into()),
            RepRole::Bdr => skills.push("outbound".into()),
            RepRole::Ae => skills.push(rng.pick(SEGMENTS).to_string()),
            RepRole::Am => skills.extend(["renewals".to_string(), "expansion".to_string()]),
            RepRole::Csm => skills.push("onboarding".into()),
            RepRole::Se => skills.extend(["demos".to_string(), "security_reviews".to_string()]),
            RepRole::Manager => skills.extend(["coaching".to_string(), "forecasting".to_string()]),
            RepRole::Other => {}
        }
        if matches!(
            role,
            RepRole::Sdr | RepRole::Bdr | RepRole::Ae | RepRole::Am
        ) {
            for _ in 0..1 + rng.below(2) {
                let industry = rng.pick(INDUSTRIES).0.to_string();
                if !skills.contains(&industry) {
                    skills.push(industry);
                }
            }
        }

        let capacity = match role {
            RepRole::Sdr | RepRole::Bdr => Some(100 + 10 * rng.below(11) as u32),
            RepRole::Ae => Some(30 + 5 * rng.below(9) as u32),
            RepRole::Am | RepRole::Csm => Some(25 + 5 * rng.below(6) as u32),
            _ => None,
        };

        let quotas = match role {
            RepRole::Ae => quotas(&quarters, start_date, 150_000 + 10_000 * rng.range(0, 16)),
            RepRole::Am => quotas(&quarters, start_date, 80_000 + 10_000 * rng.range(0, 8)),
            _ => Vec::new(),
        };

        let out_of_office = time_off(rng, clock, zone);

        let manager_id = match team {
            Some(t) if pos > 0 => Some(rep_id(t)),
            Some(t) if t >= 4 => Some(rep_id(t % 4)),
            _ => None,
        };

        reps.push(Rep {
            id: rep_id(i),
            name: format!("{first} {last}"),
            email: Some(email),
            team_id: team.map(|t| teams[t].id.clone()),
            role,
            active,
            time_zone: zone.name.to_string(),
            working_hours: vec![hours],
            holidays: holidays(zone.holidays, clock),
            out_of_office,
            skills,
            languages,
            capacity,
            weight,
            quotas,
            start_date: Some(start_date),
            manager_id,
        });
        offsets.push(zone.offset_h);
        regions.push(region);
    }
    (reps, offsets, regions)
}

fn rep_email(first: &str, last: &str, k: usize) -> String {
    let (f, l) = (ascii_slug(first), ascii_slug(last));
    if k == 0 {
        format!("{f}.{l}@revcore-sample.com")
    } else {
        format!("{f}.{l}{k}@revcore-sample.com")
    }
}

fn hm(h: u16, m: u16) -> ClockTime {
    ClockTime::from_hm(h, m).expect("a valid time")
}

/// A quota per fiscal quarter from the one the rep started in (half in that first quarter),
/// ten percent higher in the second year, in whole thousands of dollars.
fn quotas(quarters: &[(NaiveDate, NaiveDate)], start: NaiveDate, base: i64) -> Vec<Quota> {
    quarters
        .iter()
        .enumerate()
        .filter(|(_, (_, last))| *last >= start)
        .map(|(q, (first, last))| {
            let mut amount = if q >= 4 { base * 11 / 10 } else { base };
            if start > *first {
                amount /= 2;
            }
            Quota {
                start: *first,
                end: *last,
                amount: usd(amount / 1000 * 1000),
            }
        })
        .collect()
}

/// Public holidays of a calendar in the two years and the year after.
fn holidays(calendar: &str, clock: &Clock) -> Vec<NaiveDate> {
    let last = clock.end_date + chrono::Duration::days(365);
    let mut out = Vec::new();
    for year in clock.start_date.year()..=last.year() {
        let d = |m, d| NaiveDate::from_ymd_opt(year, m, d);
        let nth = |m, wd, n| NaiveDate::from_weekday_of_month_opt(year, m, wd, n);
        let last_monday = |m| nth(m, Weekday::Mon, 5).or_else(|| nth(m, Weekday::Mon, 4));
        let days = match calendar {
            "US" => vec![
                d(1, 1),
                last_monday(5),
                d(7, 4),
                nth(9, Weekday::Mon, 1),
                nth(11, Weekday::Thu, 4),
                d(12, 25),
            ],
            "GB" => vec![
                d(1, 1),
                last_monday(5),
                last_monday(8),
                d(12, 25),
                d(12, 26),
            ],
            "DE" => vec![d(1, 1), d(5, 1), d(10, 3), d(12, 25), d(12, 26)],
            "SG" => vec![d(1, 1), d(5, 1), d(8, 9), d(12, 25)],
            _ => vec![d(1, 1), d(1, 26), d(4, 25), d(12, 25), d(12, 26)],
        };
        out.extend(
            days.into_iter()
                .flatten()
                .filter(|d| *d >= clock.start_date && *d <= last),
        );
    }
    out.sort();
    out
}

/// Local midnight of `date` in `zone`, as UTC seconds.
fn local_midnight(zone: &Zone, date: NaiveDate) -> i64 {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone.name
        .parse::<chrono_tz::Tz>()
        .ok()
        .and_then(|tz| tz.from_local_datetime(&naive).earliest())
        .map(|t| t.timestamp())
        .unwrap_or(midnight(date) - zone.offset_h * super::HOUR)
}

/// Some reps take a week or two off; a few are away around `end_date` itself.
fn time_off(rng: &mut Rng, clock: &Clock, zone: &Zone) -> Vec<TimeOff> {
    let mut out = Vec::new();
    let span_days = (clock.now - clock.start) / DAY;
    if rng.chance(0.35) {
        for _ in 0..1 + rng.below(2) {
            let first = clock.start_date + chrono::Duration::days(rng.range(0, span_days));
            let days = rng.range(2, 11);
            let reason = *rng.weighted(&[("Vacation", 6), ("Conference", 2), ("Sick leave", 2)]);
            out.push((first, days, reason));
        }
    }
    if rng.chance(0.1) {
        let first = clock.end_date - chrono::Duration::days(rng.range(0, 4));
        out.push((first, rng.range(5, 15), "Vacation"));
    } else if rng.chance(0.02) {
        let first = clock.start_date + chrono::Duration::days(rng.range(0, span_days));
        out.push((first, rng.range(30, 91), "Parental leave"));
    }
    out.sort_by_key(|(first, _, _)| *first);
    out.into_iter()
        .map(|(first, days, reason)| TimeOff {
            start: super::instant(local_midnight(zone, first)),
            end: super::instant(local_midnight(zone, first + chrono::Duration::days(days))),
            reason: Some(reason.to_string()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Territories

/// Who covers a territory.
enum Cover {
    /// Every seller of these regions (AEs only when `aes_only`).
    Regions(&'static [Region], bool),
    /// One or two sellers of the region.
    Few(Region),
}

struct Spec {
    name: String,
    parent: Option<usize>,
    priority: i32,
    condition: Value,
    cover: Cover,
}

const NA: &[Region] = &[Region::NaEast, Region::NaWest];
const NA_EAST: &[Region] = &[Region::NaEast];
const NA_WEST: &[Region] = &[Region::NaWest];
const EMEA: &[Region] = &[Region::Emea];
const APAC: &[Region] = &[Region::Apac];

fn countries_of(region: Region) -> Vec<&'static str> {
    COUNTRIES
        .iter()
        .filter(|c| c.cities.iter().any(|city| city.region == region))
        .map(|c| c.code)
        .collect()
}

/// The US and Canadian states and provinces of a region, in table order.
fn subdivisions_of(region: Region) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for c in COUNTRIES
        .iter()
        .filter(|c| c.code == "US" || c.code == "CA")
    {
        for city in c.cities.iter().filter(|city| city.region == region) {
            let s = city
                .subdivision
                .expect("North American cities have a state");
            if !out.contains(&(c.code, s)) {
                out.push((c.code, s));
            }
        }
    }
    out
}

/// The fixed top of the hierarchy; parents always come before their children.
fn template() -> Vec<Spec> {
    let emea = countries_of(Region::Emea);
    let apac = countries_of(Region::Apac);
    let east: Vec<&str> = subdivisions_of(Region::NaEast)
        .iter()
        .map(|(_, s)| *s)
        .collect();
    let west: Vec<&str> = subdivisions_of(Region::NaWest)
        .iter()
        .map(|(_, s)| *s)
        .collect();
    let na_in = json!({"field": "country", "in": ["US", "CA"]});
    let big = json!({"field": "employees", "gte": 1000});
    let spec = |name: &str, parent, priority, condition, cover| Spec {
        name: name.to_string(),
        parent,
        priority,
        condition,
        cover,
    };
    vec![
        spec(
            "North America",
            None,
            0,
            na_in.clone(),
            Cover::Regions(NA, false),
        ),
        spec(
            "EMEA",
            None,
            0,
            json!({"field": "country", "in": emea}),
            Cover::Regions(EMEA, false),
        ),
        spec(
            "APAC",
            None,
            0,
            json!({"field": "country", "in": apac}),
            Cover::Regions(APAC, false),
        ),
        spec(
            "NA East",
            Some(0),
            0,
            json!({"all": [na_in, {"field": "region", "in": east}]}),
            Cover::Regions(NA_EAST, false),
        ),
        spec(
            "NA West",
            Some(0),
            0,
            json!({"all": [na_in, {"field": "region", "in": west}]}),
            Cover::Regions(NA_WEST, false),
        ),
        spec(
            "UK & Ireland",
            Some(1),
            0,
            json!({"field": "country", "in": ["GB", "IE"]}),
            Cover::Regions(EMEA, false),
        ),
        spec(
            "DACH",
            Some(1),
            0,
            json!({"field": "country", "in": ["DE", "AT", "CH"]}),
            Cover::Regions(EMEA, false),
        ),
        spec(
            "ANZ",
            Some(2),
            0,
            json!({"field": "country", "in": ["AU", "NZ"]}),
            Cover::Regions(APAC, false),
        ),
        spec(
            "Asia",
            Some(2),
            0,
            json!({"field": "country", "in": ["SG", "JP", "IN"]}),
            Cover::Regions(APAC, false),
        ),
        spec(
            "NA East Enterprise",
            Some(3),
            10,
            json!({"all": [na_in, {"field": "region", "in": east}, big]}),
            Cover::Regions(NA_EAST, true),
        ),
        spec(
            "NA West Enterprise",
            Some(4),
            10,
            json!({"all": [na_in, {"field": "region", "in": west}, big]}),
            Cover::Regions(NA_WEST, true),
        ),
        spec(
            "France, Benelux & Nordics",
            Some(1),
            0,
            json!({"field": "country", "in": ["FR", "NL", "SE"]}),
            Cover::Regions(EMEA, false),
        ),
        spec(
            "EMEA Enterprise",
            Some(1),
            10,
            json!({"all": [{"field": "country", "in": emea}, big]}),
            Cover::Regions(EMEA, true),
        ),
        spec(
            "APAC Enterprise",
            Some(2),
            10,
            json!({"all": [{"field": "country", "in": apac}, big]}),
            Cover::Regions(APAC, true),
        ),
    ]
}

/// After the template: a territory per US state and Canadian province, then per country
/// elsewhere.
fn leaves() -> Vec<Spec> {
    let mut out = Vec::new();
    for (region, parent) in [(Region::NaEast, 3), (Region::NaWest, 4)] {
        for (country, sub) in subdivisions_of(region) {
            out.push(Spec {
                name: format!("{country}-{sub}"),
                parent: Some(parent),
                priority: 0,
                condition: json!({"all": [{"field": "country", "eq": country}, {"field": "region", "eq": sub}]}),
                cover: Cover::Few(region),
            });
        }
    }
    for c in COUNTRIES
        .iter()
        .filter(|c| c.code != "US" && c.code != "CA")
    {
        let parent = match c.code {
            "GB" | "IE" => 5,
            "DE" | "AT" | "CH" => 6,
            "FR" | "NL" | "SE" => 11,
            "AU" | "NZ" => 7,
            _ => 8,
        };
        out.push(Spec {
            name: c.name.to_string(),
            parent: Some(parent),
            priority: 0,
            condition: json!({"field": "country", "eq": c.code}),
            cover: Cover::Few(c.cities[0].region),
        });
    }
    out
}

/// Past the leaves: US ZIP-code bands, three digits (`US ZIP 100`), then four, and so on.
fn zip_band(mut k: usize) -> Spec {
    let mut digits = 3;
    let mut count = 1000;
    while k >= count {
        k -= count;
        digits += 1;
        count *= 10;
    }
    let prefix = format!("{k:0digits$}");
    let region = if prefix.starts_with(['8', '9']) {
        Region::NaWest
    } else {
        Region::NaEast
    };
    Spec {
        name: format!("US ZIP {prefix}"),
        parent: Some(0),
        priority: 0,
        condition: json!({"all": [{"field": "country", "eq": "US"}, {"field": "postal_code", "starts_with": prefix}]}),
        cover: Cover::Few(region),
    }
}

fn territories(rng: &mut Rng, n: usize, reps: &[Rep], rep_region: &[Region]) -> Vec<Territory> {
    let sellers = |region: Region, aes_only: bool| -> Vec<usize> {
        (0..reps.len())
            .filter(|&i| rep_region[i] == region)
            .filter(|&i| {
                if aes_only {
                    reps[i].role == RepRole::Ae
                } else {
                    in_pool(reps[i].role, Pool::Seller)
                }
            })
            .collect()
    };
    let sellers_by_region: Vec<Vec<usize>> =
        Region::ALL.iter().map(|r| sellers(*r, false)).collect();
    let aes_by_region: Vec<Vec<usize>> = Region::ALL.iter().map(|r| sellers(*r, true)).collect();
    let template = template();
    let leaves = if n > template.len() {
        leaves()
    } else {
        Vec::new()
    };
    let fixed = template.len() + leaves.len();
    let mut ids: Vec<TerritoryId> = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    let mut template = template.into_iter();
    let mut leaves = leaves.into_iter();
    for k in 0..n {
        let spec = template
            .next()
            .or_else(|| leaves.next())
            .unwrap_or_else(|| zip_band(k - fixed));
        let mut rep_ids: Vec<usize> = match spec.cover {
            Cover::Regions(regions, aes_only) => {
                let by = if aes_only {
                    &aes_by_region
                } else {
                    &sellers_by_region
                };
                regions
                    .iter()
                    .flat_map(|r| by[r.index()].iter().copied())
                    .collect()
            }
            Cover::Few(region) => {
                let pool = &sellers_by_region[region.index()];
                let mut picked = Vec::new();
                if !pool.is_empty() {
                    for _ in 0..1 + rng.below(2) {
                        let r = *rng.pick(pool);
                        if !picked.contains(&r) {
                            picked.push(r);
                        }
                    }
                }
                picked
            }
        };
        rep_ids.sort_unstable();
        let condition = Condition::parse(&spec.condition)
            .expect("the sample territory conditions are valid condition documents");
        let id = TerritoryId(format!("terr-{}", super::url_slug(&spec.name)));
        out.push(Territory {
            id: id.clone(),
            name: spec.name,
            parent_id: spec.parent.map(|p| ids[p].clone()),
            priority: spec.priority,
            condition: Some(condition),
            rep_ids: rep_ids.into_iter().map(|i| reps[i].id.clone()).collect(),
        });
        ids.push(id);
    }
    out
}
