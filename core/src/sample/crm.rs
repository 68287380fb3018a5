//! Accounts, the contacts at them, leads and the leads' engagement events.

use super::names::{
    self, ascii_slug, Country, COMPANY_CORE, COMPANY_DISAMBIGUATOR, COMPANY_MODIFIER,
    COMPANY_PREFIX, COUNTRIES, COUNTRY_WEIGHTS, FREE_MAIL, LEAD_SOURCES, LEAD_TITLES, PERSONAS,
};
use super::org::{Org, Pool, Region};
use super::rng::{Rng, Stream};
use super::{date_of, id, instant, working_time, Clock, SampleOptions, DAY, HOUR};
use crate::model::{
    Account, AccountId, Attributes, Contact, ContactId, Currency, EngagementEvent, EventId, Lead,
    LeadId, LeadStatus, Money,
};
use chrono::Datelike;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Whole dollars as money.
pub fn usd(dollars: i64) -> Money {
    static USD: OnceLock<Currency> = OnceLock::new();
    let usd = *USD.get_or_init(|| Currency::from_code("USD").expect("USD is known"));
    Money::from_minor(dollars.saturating_mul(100), usd).expect("amounts in range")
}

/// A company name without legal suffix ("Northwind Logistics") and the industry it suggests.
pub fn company_base(rng: &mut Rng) -> (String, &'static str) {
    let (core, industry) = *rng.pick(COMPANY_CORE);
    let style = rng.below(100);
    let base = if style < 65 {
        format!("{} {core}", rng.pick(COMPANY_PREFIX))
    } else if style < 85 {
        format!(
            "{} {} {core}",
            rng.pick(COMPANY_PREFIX),
            rng.pick(COMPANY_MODIFIER)
        )
    } else {
        format!("{} {core}", rng.pick(COMPANY_MODIFIER))
    };
    (base, industry)
}

/// The domain of a company name: `northwindlogistics.com`, `northwind-logistics.de`.
fn company_domain(rng: &mut Rng, base: &str, country: &Country) -> String {
    let words: Vec<String> = base
        .split(' ')
        .map(ascii_slug)
        .filter(|w| !w.is_empty())
        .collect();
    let name = if rng.chance(0.25) {
        words.join("-")
    } else {
        words.concat()
    };
    let tld = if country.code != "US" && rng.chance(0.5) {
        country.tld
    } else {
        "com"
    };
    format!("{name}.{tld}")
}

fn company_key(base: &str) -> String {
    ascii_slug(&base.replace(' ', ""))
}

/// `base`, or `base` with a word or a number added, whichever is not taken yet.
fn claim_name(base: String, used: &mut HashSet<String>) -> String {
    if used.insert(company_key(&base)) {
        return base;
    }
    for word in COMPANY_DISAMBIGUATOR {
        let candidate = format!("{base} {word}");
        if used.insert(company_key(&candidate)) {
            return candidate;
        }
    }
    let mut k = 2;
    loop {
        let candidate = format!("{base} {k}");
        if used.insert(company_key(&candidate)) {
            return candidate;
        }
        k += 1;
    }
}

/// A city of a country with its postal code: (city, state/province, postal code, region).
fn place(
    rng: &mut Rng,
    country: &'static Country,
) -> (&'static str, Option<&'static str>, String, Region) {
    let city = rng.pick(country.cities);
    (
        city.name,
        city.subdivision,
        rng.pattern(city.postal),
        city.region,
    )
}

fn pick_country(rng: &mut Rng) -> &'static Country {
    &COUNTRIES[rng.weighted_index(&COUNTRY_WEIGHTS)]
}

fn phone(rng: &mut Rng, country: &Country) -> String {
    if country.dial == "+1" {
        // 555-01xx numbers are reserved for fiction.
        let area = *rng.pick(&["212", "415", "312", "617", "206", "416"]);
        rng.pattern(&format!("+1 {area} 555 01##"))
    } else {
        rng.pattern(&format!("{} ## #### ####", country.dial))
    }
}

/// Account tiers by headcount.
pub const TIERS: [&str; 4] = ["smb", "mid_market", "enterprise", "strategic"];

fn tier_of(employees: u32) -> usize {
    match employees {
        0..200 => 0,
        200..1000 => 1,
        1000..10_000 => 2,
        _ => 3,
    }
}

/// What later sections need to know about an account.
pub struct AccountMeta {
    pub region: Region,
    pub tier: usize,
    /// The name without legal suffix.
    pub base: String,
    pub created: i64,
    pub owner: Option<usize>,
    pub country: &'static Country,
}

pub struct Accounts {
    pub list: Vec<Account>,
    pub meta: Vec<AccountMeta>,
}

pub fn accounts(options: &SampleOptions, clock: &Clock, org: &Org) -> Accounts {
    let n = options.accounts;
    let mut rng = Rng::new(options.seed, Stream::Accounts);
    let mut list: Vec<Account> = Vec::with_capacity(n);
    let mut meta: Vec<AccountMeta> = Vec::with_capacity(n);
    let mut used: HashSet<String> = HashSet::with_capacity(n);
    let mut domains: HashSet<String> = HashSet::with_capacity(n);
    for i in 0..n {
        let country = pick_country(&mut rng);
        let (city, subdivision, postal, region) = place(&mut rng, country);
        let parent = (i >= 20 && rng.chance(0.04)).then(|| rng.below(i));
        let (base, industry) = match parent {
            Some(p) => {
                let suffix = if meta[p].country.code == country.code {
                    city
                } else {
                    country.name
                };
                let base = claim_name(format!("{} {suffix}", meta[p].base), &mut used);
                (base, list[p].industry.clone().unwrap_or_default())
            }
            None => {
                let (mut base, mut industry) = company_base(&mut rng);
                for _ in 0..6 {
                    if !used.contains(&company_key(&base)) {
                        break;
                    }
                    (base, industry) = company_base(&mut rng);
                }
                (claim_name(base, &mut used), industry.to_string())
            }
        };
        let mut domain = company_domain(&mut rng, &base, country);
        if !domains.insert(domain.clone()) {
            domain = format!("{}-{}.com", company_key(&base), i + 1);
            domains.insert(domain.clone());
        }
        let legal = rng.chance(0.5).then(|| *rng.pick(country.legal));
        let name = match legal {
            Some(l) => format!("{base} {l}"),
            None => base.clone(),
        };
        let employees = {
            // Mostly small and mid-sized companies, and a few large enterprises.
            let e = if rng.chance(0.03) {
                rng.lognormal(20_000.0, 0.8)
            } else {
                rng.lognormal(220.0, 1.6)
            };
            let e = e.clamp(2.0, 200_000.0).round() as u32;
            if e > 1000 {
                e / 50 * 50
            } else {
                e
            }
        };
        let tier = tier_of(employees);
        let (_, revenue_per_employee) = names::industry(&industry);
        let revenue = (f64::from(employees)
            * f64::from(revenue_per_employee)
            * rng.lognormal(1.0, 0.3)) as i64;
        let revenue = (revenue / 1000 * 1000).max(50_000);
        let pool = if rng.chance(0.35) { Pool::Am } else { Pool::Ae };
        let owner = match rng.below(100) {
            0..3 => org
                .pick_inactive(&mut rng)
                .or_else(|| org.pick_owner(&mut rng, region, pool)),
            3..13 => None,
            _ => org.pick_owner(&mut rng, region, pool),
        };
        let created = rng.range(clock.start - 5 * 365 * DAY, clock.now - 30 * DAY);
        let created =
            working_time(&mut rng, created, org.offset(owner, region)).min(clock.now - 30 * DAY);
        list.push(Account {
            id: AccountId(id("acct", 5, i)),
            name,
            website: Some(format!("https://www.{domain}")),
            domain: Some(domain),
            industry: Some(industry),
            employees: Some(employees),
            annual_revenue: Some(usd(revenue)),
            country: Some(country.code.to_string()),
            region: subdivision.map(String::from),
            city: Some(city.to_string()),
            postal_code: Some(postal),
            tier: Some(TIERS[tier].to_string()),
            owner_id: owner.map(|o| org.rep_id(o)),
            parent_id: parent.map(|p| list[p].id.clone()),
            created_at: Some(instant(created)),
            attributes: Attributes::new(),
        });
        meta.push(AccountMeta {
            region,
            tier,
            base,
            created,
            owner,
            country,
        });
    }
    Accounts { list, meta }
}

/// A person's email local part: `first.last`, sometimes `flast` or `first`.
fn local_part(rng: &mut Rng, first: &str, last: &str) -> String {
    let (f, l) = (ascii_slug(first), ascii_slug(last));
    match rng.below(10) {
        0 | 1 => format!("{}{l}", &f[..1.min(f.len())]),
        2 => f,
        _ => format!("{f}.{l}"),
    }
}

/// `local@domain`, numbered when the address is taken.
fn claim_email(local: &str, domain: &str, used: &mut HashSet<String>) -> String {
    let email = format!("{local}@{domain}");
    if used.insert(email.clone()) {
        return email;
    }
    let mut k = 2;
    loop {
        let email = format!("{local}{k}@{domain}");
        if used.insert(email.clone()) {
            return email;
        }
        k += 1;
    }
}

pub struct Contacts {
    pub list: Vec<Contact>,
    /// Contact indices grouped by account: those of account `a` are
    /// `order[offsets[a]..offsets[a + 1]]`.
    offsets: Vec<usize>,
    order: Vec<u32>,
}

impl Contacts {
    pub fn of_account(&self, a: usize) -> &[u32] {
        if a + 1 >= self.offsets.len() {
            return &[];
        }
        &self.order[self.offsets[a]..self.offsets[a + 1]]
    }
}

pub fn contacts(options: &SampleOptions, clock: &Clock, accounts: &Accounts) -> Contacts {
    let n = options.contacts;
    let n_acc = accounts.list.len();
    let mut rng = Rng::new(options.seed, Stream::Contacts);
    let mut list = Vec::with_capacity(n);
    let mut account_of: Vec<Option<usize>> = Vec::with_capacity(n);
    let mut used: HashSet<String> = HashSet::with_capacity(n);
    let persona_weights: Vec<u32> = PERSONAS.iter().map(|p| p.1).collect();
    for j in 0..n {
        // Every account gets a contact before any gets a second.
        let a = (n_acc > 0).then(|| if j < n_acc { j } else { rng.below(n_acc) });
        let (region, domain, country, created_from) = match a {
            Some(a) => {
                let m = &accounts.meta[a];
                let domain = accounts.list[a].domain.clone().unwrap_or_default();
                (m.region, domain, m.country, m.created)
            }
            None => {
                let country = pick_country(&mut rng);
                let (_, _, _, region) = place(&mut rng, country);
                let (base, _) = company_base(&mut rng);
                (
                    region,
                    company_domain(&mut rng, &base, country),
                    country,
                    clock.start,
                )
            }
        };
        let (firsts, lasts) = names::people(region);
        let (first, last) = (*rng.pick(firsts), *rng.pick(lasts));
        let p = &PERSONAS[rng.weighted_index(&persona_weights)];
        let title = *rng.pick(p.2);
        let local = local_part(&mut rng, first, last);
        let email = claim_email(&local, &domain, &mut used);
        let phone = rng.chance(0.7).then(|| phone(&mut rng, country));
        let created = rng.range(created_from, clock.now);
        list.push(Contact {
            id: ContactId(id("cont", 5, j)),
            account_id: a.map(|a| accounts.list[a].id.clone()),
            email: Some(email),
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            title: Some(title.to_string()),
            persona: Some(p.0.to_string()),
            phone,
            country: Some(country.code.to_string()),
            owner_id: a.and_then(|a| accounts.list[a].owner_id.clone()),
            created_at: Some(instant(created)),
            attributes: Attributes::new(),
        });
        account_of.push(a);
    }
    // Group by account in one counting pass.
    let mut offsets = vec![0usize; n_acc + 1];
    for a in account_of.iter().flatten() {
        offsets[a + 1] += 1;
    }
    for a in 0..n_acc {
        offsets[a + 1] += offsets[a];
    }
    let mut fill = offsets.clone();
    let mut order = vec![0u32; offsets[n_acc]];
    for (j, a) in account_of.iter().enumerate() {
        if let Some(a) = a {
            order[fill[*a]] = j as u32;
            fill[*a] += 1;
        }
    }
    Contacts {
        list,
        offsets,
        order,
    }
}

/// What kind of address a lead signed up with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LeadKind {
    /// At the domain of a known account.
    Known(usize),
    /// Gmail and the like.
    FreeMail,
    /// A company that is not an account yet.
    NewCompany,
}

pub struct Leads {
    pub list: Vec<Lead>,
    /// Per lead, the account whose domain its email is at.
    pub known_account: Vec<Option<u32>>,
}

pub fn leads(options: &SampleOptions, clock: &Clock, org: &Org, accounts: &Accounts) -> Leads {
    let n = options.leads;
    let n_acc = accounts.list.len();
    let mut rng = Rng::new(options.seed, Stream::Leads);
    let mut list = Vec::with_capacity(n);
    let mut known_account = Vec::with_capacity(n);
    let mut used: HashSet<String> = HashSet::with_capacity(n);
    for i in 0..n {
        let source = *rng.weighted(LEAD_SOURCES);
        let known_share = if source == "outbound" { 0.6 } else { 0.35 };
        let free_share = match source {
            "web" | "paid_search" => 0.3,
            "webinar" => 0.35,
            "referral" => 0.2,
            "event" => 0.15,
            "partner" => 0.05,
            _ => 0.0,
        };
        let kind = if n_acc > 0 && rng.chance(known_share) {
            LeadKind::Known(rng.below(n_acc))
        } else if rng.chance(free_share) {
            LeadKind::FreeMail
        } else {
            LeadKind::NewCompany
        };
        let country = match kind {
            LeadKind::Known(a) => accounts.meta[a].country,
            _ => pick_country(&mut rng),
        };
        let (city, subdivision, postal, region) = match kind {
            LeadKind::Known(a) => {
                let acc = &accounts.list[a];
                (
                    acc.city.clone(),
                    acc.region.clone(),
                    acc.postal_code.clone(),
                    accounts.meta[a].region,
                )
            }
            _ => {
                let (city, sub, postal, region) = place(&mut rng, country);
                (
                    Some(city.to_string()),
                    sub.map(String::from),
                    Some(postal),
                    region,
                )
            }
        };
        // Most leads arrive in the region's working hours; web forms also at night and weekends.
        let created = clock.growing_instant(&mut rng);
        let created = if rng.chance(0.8) {
            working_time(&mut rng, created, region.offset_h()).clamp(clock.start, clock.now - 1)
        } else {
            created
        };
        let name_region = if rng.chance(0.85) {
            region
        } else {
            *rng.pick(&Region::ALL)
        };
        let (firsts, lasts) = names::people(name_region);
        let (first, last) = (*rng.pick(firsts), *rng.pick(lasts));

        let (email, company, website, industry, employees) = match kind {
            LeadKind::Known(a) => {
                let acc = &accounts.list[a];
                let m = &accounts.meta[a];
                let domain = acc.domain.as_deref().unwrap_or_default();
                let local = local_part(&mut rng, first, last);
                let company = match rng.below(20) {
                    0..12 => acc.name.clone(),
                    12..17 => m.base.clone(),
                    _ => m.base.to_lowercase(),
                };
                let website = rng.chance(0.3).then(|| format!("www.{domain}"));
                let industry = rng.chance(0.6).then(|| acc.industry.clone()).flatten();
                let employees = rng.chance(0.5).then_some(acc.employees).flatten();
                (
                    claim_email(&local, domain, &mut used),
                    Some(company),
                    website,
                    industry,
                    employees,
                )
            }
            LeadKind::FreeMail => {
                let domain = *rng.weighted(FREE_MAIL);
                let local = format!("{}{}", local_part(&mut rng, first, last), rng.range(1, 100));
                let company = rng.chance(0.5).then(|| company_base(&mut rng).0);
                let employees = rng
                    .chance(0.3)
                    .then(|| rng.lognormal(20.0, 1.2).clamp(1.0, 5000.0) as u32);
                (
                    claim_email(&local, domain, &mut used),
                    company,
                    None,
                    None,
                    employees,
                )
            }
            LeadKind::NewCompany => {
                let (base, industry) = company_base(&mut rng);
                let domain = company_domain(&mut rng, &base, country);
                let local = local_part(&mut rng, first, last);
                let company = match rng.chance(0.3) {
                    true => format!("{base} {}", rng.pick(country.legal)),
                    false => base,
                };
                let website = rng.chance(0.5).then(|| format!("https://{domain}"));
                let industry = rng.chance(0.7).then(|| industry.to_string());
                let employees = rng
                    .chance(0.7)
                    .then(|| rng.lognormal(120.0, 1.5).clamp(1.0, 100_000.0) as u32);
                (
                    claim_email(&local, &domain, &mut used),
                    Some(company),
                    website,
                    industry,
                    employees,
                )
            }
        };
        let annual_revenue = match (employees, &industry) {
            (Some(e), Some(ind)) if rng.chance(0.3) => {
                // Self-reported, in whole millions.
                let revenue = i64::from(e) * i64::from(names::industry(ind).1);
                Some(usd(((revenue + 500_000) / 1_000_000).max(1) * 1_000_000))
            }
            _ => None,
        };
        let title = match kind {
            LeadKind::Known(_) if rng.chance(0.6) => {
                let persona = rng.below(PERSONAS.len());
                *rng.pick(PERSONAS[persona].2)
            }
            LeadKind::FreeMail => *rng.pick(LEAD_TITLES),
            _ => *rng.pick(&LEAD_TITLES[..LEAD_TITLES.len() - 1]),
        };
        let language = if rng.chance(0.8) {
            country.languages[0]
        } else {
            *rng.pick(country.languages)
        };

        let age_days = (clock.now - created) / DAY;
        let mut status = if age_days < 7 {
            *rng.weighted(&[(LeadStatus::New, 6), (LeadStatus::Working, 4)])
        } else {
            *rng.weighted(&[
                (LeadStatus::New, 3),
                (LeadStatus::Working, 12),
                (LeadStatus::Nurturing, 35),
                (LeadStatus::Qualified, 10),
                (LeadStatus::Disqualified, 25),
                (LeadStatus::Converted, 15),
            ])
        };
        if status == LeadStatus::Converted && !matches!(kind, LeadKind::Known(_)) {
            status = LeadStatus::Qualified;
        }
        let converted_at = if status == LeadStatus::Converted {
            let t = created + rng.range(3 * DAY, 60 * DAY);
            if t < clock.now {
                Some(t)
            } else {
                status = LeadStatus::Qualified;
                None
            }
        } else {
            None
        };
        let pool = match status {
            LeadStatus::Qualified | LeadStatus::Converted if rng.chance(0.6) => Pool::Ae,
            _ => Pool::Sdr,
        };
        let owner = if status == LeadStatus::New && rng.chance(0.5) {
            None
        } else {
            org.pick_owner(&mut rng, region, pool)
        };
        let touched = owner.is_some() && (status != LeadStatus::New || rng.chance(0.3));
        let first_touch_at = touched
            .then(|| {
                let delay = match rng.below(10) {
                    0..6 => rng.range(5 * 60, 4 * HOUR),
                    6..9 => rng.range(4 * HOUR, 48 * HOUR),
                    _ => rng.range(2 * DAY, 7 * DAY),
                };
                created + delay
            })
            .filter(|t| *t < clock.now && converted_at.is_none_or(|c| *t <= c));

        let mut attributes = Attributes::new();
        let year = date_of(created).year();
        let quarter = date_of(created).month0() / 3 + 1;
        let theme = *rng.pick(names::CAMPAIGN_THEMES);
        let campaign = format!("{year}-q{quarter}-{theme}");
        let mut put = |k: &str, v: String| {
            attributes.insert(k.to_string(), Value::String(v));
        };
        match source {
            "web" => {
                put(
                    "utm_source",
                    rng.pick(&["organic", "direct", "newsletter", "g2"])
                        .to_string(),
                );
                put("utm_medium", "organic".into());
                put("utm_campaign", campaign);
            }
            "paid_search" => {
                put(
                    "utm_source",
                    rng.pick(&["google", "bing", "linkedin"]).to_string(),
                );
                put("utm_medium", "cpc".into());
                put("utm_campaign", campaign);
            }
            "webinar" => {
                put("utm_source", "webinar".into());
                put("utm_medium", "email".into());
                put("utm_campaign", format!("{year}-q{quarter}-webinar-{theme}"));
            }
            "event" => put(
                "event_name",
                format!("{} {year}", rng.pick(names::EVENT_NAMES)),
            ),
            "partner" => put("partner", rng.pick(names::PARTNERS).to_string()),
            "outbound" => put("sequence", format!("outbound-{theme}")),
            _ => {}
        }

        list.push(Lead {
            id: LeadId(id("lead", 6, i)),
            created_at: instant(created),
            email: Some(email),
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            title: Some(title.to_string()),
            phone: rng.chance(0.5).then(|| phone(&mut rng, country)),
            company,
            website,
            industry,
            employees,
            annual_revenue,
            country: Some(country.code.to_string()),
            region: subdivision,
            city: city.filter(|_| rng.chance(0.6)),
            postal_code: postal.filter(|_| rng.chance(0.4)),
            language: Some(language.to_string()),
            source: Some(source.to_string()),
            status,
            owner_id: owner.map(|o| org.rep_id(o)),
            account_id: match (kind, converted_at) {
                (LeadKind::Known(a), Some(_)) => Some(accounts.list[a].id.clone()),
                _ => None,
            },
            first_touch_at: first_touch_at.map(instant),
            converted_at: converted_at.map(instant),
            attributes,
        });
        known_account.push(match kind {
            LeadKind::Known(a) => Some(a as u32),
            _ => None,
        });
    }
    Leads {
        list,
        known_account,
    }
}

const EVENT_KINDS: [&str; 9] = [
    "page_view",
    "email_open",
    "email_click",
    "content_download",
    "form_submit",
    "webinar_attended",
    "demo_request",
    "meeting_booked",
    "unsubscribe",
];
const ENGAGED: [u32; 9] = [60, 40, 24, 16, 10, 10, 14, 16, 1];
const COLD: [u32; 9] = [80, 60, 16, 12, 6, 6, 3, 2, 3];
const LOST: [u32; 9] = [70, 60, 8, 6, 4, 2, 1, 1, 12];

/// Engagement events: `options.event_count()` in all, shared out so that engaged leads
/// (working, qualified, converted) get more, each after its lead was created.
pub fn events(options: &SampleOptions, clock: &Clock, leads: &Leads) -> Vec<EngagementEvent> {
    let total = if leads.list.is_empty() {
        0
    } else {
        options.event_count()
    };
    let mut rng = Rng::new(options.seed, Stream::Events);
    let mut out = Vec::with_capacity(total);
    if total == 0 {
        return out;
    }
    // Each lead's share: its status, how long it has been around, and chance.
    let weights: Vec<f64> = leads
        .list
        .iter()
        .map(|l| {
            let status = match l.status {
                LeadStatus::Converted => 3.0,
                LeadStatus::Qualified => 2.5,
                LeadStatus::Working => 1.5,
                LeadStatus::Nurturing => 1.0,
                LeadStatus::New => 0.6,
                LeadStatus::Disqualified => 0.5,
            };
            let age_days = ((clock.now - l.created_at.timestamp()) / DAY) as f64;
            status * (0.2 + 1.6 * rng.unit()) * ((age_days / 45.0).min(1.0) + 0.05)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut cumulative = 0.0;
    let mut assigned = 0usize;
    let mut times: Vec<i64> = Vec::new();
    for (i, lead) in leads.list.iter().enumerate() {
        cumulative += weights[i];
        let upto = if i + 1 == leads.list.len() {
            total
        } else {
            ((total as f64 * cumulative / sum).round() as usize).min(total)
        };
        let count = upto.saturating_sub(assigned);
        assigned += count;
        if count == 0 {
            continue;
        }
        let created = lead.created_at.timestamp();
        let span = (clock.now - created).clamp(1, 200 * DAY);
        times.clear();
        times.extend((0..count).map(|_| {
            let u = rng.unit();
            created + (span as f64 * u * u) as i64
        }));
        times.sort_unstable();
        let source = lead.source.as_deref().unwrap_or("");
        let opening = match source {
            "web" | "paid_search" => Some("form_submit"),
            "webinar" => Some("webinar_attended"),
            _ => None,
        };
        if opening.is_some() {
            times[0] = created;
        }
        let table = match lead.status {
            LeadStatus::Working | LeadStatus::Qualified | LeadStatus::Converted => &ENGAGED,
            LeadStatus::Disqualified => &LOST,
            _ => &COLD,
        };
        let account_id = lead.account_id.clone();
        let mut unsubscribed = false;
        for (j, &at) in times.iter().enumerate() {
            let kind = match (j, opening) {
                (0, Some(k)) => k,
                _ if unsubscribed => "page_view",
                _ => EVENT_KINDS[rng.weighted_index(table)],
            };
            unsubscribed |= kind == "unsubscribe";
            // Page views say which page (a pricing-page visit is a classic scoring signal).
            let mut attributes = Attributes::new();
            if kind == "page_view" {
                attributes.insert(
                    "url".into(),
                    Value::String(rng.weighted(names::PAGES).to_string()),
                );
            }
            out.push(EngagementEvent {
                lead_id: lead.id.clone(),
                kind: kind.to_string(),
                at: instant(at),
                id: Some(EventId(id("evt", 7, out.len()))),
                contact_id: None,
                account_id: account_id.clone(),
                attributes,
            });
        }
    }
    out
}
