//! Calendars and periods for KPI reports (docs/kpis.md, "Calendars"): a fiscal year that starts
//! in any month, and the label of the period a day falls in (`2026-W27`, `2026-07`, `2026-Q3`,
//! `FY2027-Q1`, `2026`, `FY2027`).

use crate::error::Problems;
use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which calendar year names a fiscal year that straddles two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FiscalYearLabel {
    /// The year it ends in (Salesforce's default): a year from February 2026 is `FY2027`.
    #[default]
    End,
    /// The year it starts in: a year from February 2026 is `FY2026`.
    Start,
}

fn january() -> u32 {
    1
}

/// A fiscal calendar: `{"fiscal_year_start_month": 2, "fiscal_year_label": "end"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// The month (1-12) the fiscal year starts in; 1 (the default) makes it the calendar year.
    #[serde(default = "january")]
    pub fiscal_year_start_month: u32,
    #[serde(default)]
    pub fiscal_year_label: FiscalYearLabel,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            fiscal_year_start_month: 1,
            fiscal_year_label: FiscalYearLabel::End,
        }
    }
}

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// ISO 8601 week (Monday to Sunday), labelled by its ISO year: `2026-W01`.
    Week,
    Month,
    Quarter,
    FiscalQuarter,
    Year,
    FiscalYear,
}

impl Period {
    pub const ALL: [Period; 6] = [
        Period::Week,
        Period::Month,
        Period::Quarter,
        Period::FiscalQuarter,
        Period::Year,
        Period::FiscalYear,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::FiscalQuarter => "fiscal_quarter",
            Period::Year => "year",
            Period::FiscalYear => "fiscal_year",
        }
    }

    pub fn from_name(name: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl Calendar {
    /// Checks the calendar: the start month is 1 to 12 (`invalid_value` at `<at>.fiscal_year_start_month`).
    pub fn check(&self, at: &str, out: &mut Problems) {
        if !(1..=12).contains(&self.fiscal_year_start_month) {
            out.push(
                crate::error::join_path(at, "fiscal_year_start_month"),
                "invalid_value",
                format!(
                    "a fiscal year starts in month 1 to 12, not {}",
                    self.fiscal_year_start_month
                ),
            );
        }
    }

    /// The fiscal year a day falls in, as its label's number, and the 0-based month within it.
    fn fiscal(&self, day: NaiveDate) -> (i32, u32) {
        let start = self.fiscal_year_start_month.clamp(1, 12);
        let month = day.month();
        let (start_year, offset) = if month >= start {
            (day.year(), month - start)
        } else {
            (day.year() - 1, month + 12 - start)
        };
        let label_year = match self.fiscal_year_label {
            FiscalYearLabel::End if start != 1 => start_year + 1,
            _ => start_year,
        };
        (label_year, offset)
    }

    /// A number naming the period `day` falls in: two days share it exactly when they share
    /// the period's label (for grouping without writing labels).
    pub fn period_code(&self, day: NaiveDate, period: Period) -> i64 {
        let year = i64::from(day.year());
        match period {
            Period::Week => {
                let w = day.iso_week();
                i64::from(w.year()) * 100 + i64::from(w.week())
            }
            Period::Month => year * 100 + i64::from(day.month()),
            Period::Quarter => year * 10 + i64::from((day.month() - 1) / 3 + 1),
            Period::Year => year,
            Period::FiscalQuarter => {
                let (year, offset) = self.fiscal(day);
                i64::from(year) * 10 + i64::from(offset / 3 + 1)
            }
            Period::FiscalYear => i64::from(self.fiscal(day).0),
        }
    }

    /// The label of the period `day` falls in.
    pub fn label(&self, day: NaiveDate, period: Period) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = match period {
            Period::Week => {
                let w = day.iso_week();
                write!(out, "{}-W{:02}", w.year(), w.week())
            }
            Period::Month => write!(out, "{}-{:02}", day.year(), day.month()),
            Period::Quarter => write!(out, "{}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
            Period::Year => write!(out, "{}", day.year()),
            Period::FiscalQuarter => {
                let (year, offset) = self.fiscal(day);
                write!(out, "FY{year}-Q{}", offset / 3 + 1)
            }
            Period::FiscalYear => write!(out, "FY{}", self.fiscal(day).0),
        };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn labels() {
        let c = Calendar::default();
        assert_eq!(c.label(d(2026, 7, 1), Period::Month), "2026-07");
        assert_eq!(c.label(d(2026, 7, 1), Period::Quarter), "2026-Q3");
        assert_eq!(c.label(d(2026, 7, 1), Period::FiscalQuarter), "FY2026-Q3");
        assert_eq!(c.label(d(2026, 12, 31), Period::Year), "2026");
        // 2027-01-01 is a Friday: ISO week 53 of 2026.
        assert_eq!(c.label(d(2027, 1, 1), Period::Week), "2026-W53");
        assert_eq!(c.label(d(2026, 1, 1), Period::Week), "2026-W01");
    }

    #[test]
    fn period_codes_match_labels() {
        let calendars = [
            Calendar::default(),
            Calendar {
                fiscal_year_start_month: 4,
                fiscal_year_label: FiscalYearLabel::Start,
            },
            Calendar {
                fiscal_year_start_month: 11,
                fiscal_year_label: FiscalYearLabel::End,
            },
        ];
        let periods = [
            Period::Week,
            Period::Month,
            Period::Quarter,
            Period::Year,
            Period::FiscalQuarter,
            Period::FiscalYear,
        ];
        let days: Vec<NaiveDate> = (0..1200)
            .map(|i| d(2024, 1, 1) + chrono::Duration::days(i * 3 % 1100))
            .collect();
        for c in &calendars {
            for p in periods {
                for a in days.iter().step_by(7) {
                    for b in days.iter().step_by(11) {
                        assert_eq!(
                            c.period_code(*a, p) == c.period_code(*b, p),
                            c.label(*a, p) == c.label(*b, p),
                            "{a} {b} {p:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fiscal_years_start_in_any_month() {
        let feb = Calendar {
            fiscal_year_start_month: 2,
            fiscal_year_label: FiscalYearLabel::End,
        };
        assert_eq!(feb.label(d(2026, 2, 1), Period::FiscalQuarter), "FY2027-Q1");
        assert_eq!(
            feb.label(d(2026, 1, 31), Period::FiscalQuarter),
            "FY2026-Q4"
        );
        assert_eq!(feb.label(d(2026, 5, 1), Period::FiscalQuarter), "FY2027-Q2");
        assert_eq!(feb.label(d(2027, 1, 31), Period::FiscalYear), "FY2027");
        let start = Calendar {
            fiscal_year_label: FiscalYearLabel::Start,
            ..feb
        };
        assert_eq!(
            start.label(d(2026, 2, 1), Period::FiscalQuarter),
            "FY2026-Q1"
        );
        let oct = Calendar {
            fiscal_year_start_month: 10,
            ..Calendar::default()
        };
        assert_eq!(
            oct.label(d(2026, 9, 30), Period::FiscalQuarter),
            "FY2026-Q4"
        );
        assert_eq!(
            oct.label(d(2026, 10, 1), Period::FiscalQuarter),
            "FY2027-Q1"
        );
        assert_eq!(
            oct.label(d(2026, 12, 31), Period::FiscalQuarter),
            "FY2027-Q1"
        );
        assert_eq!(oct.label(d(2027, 1, 1), Period::FiscalQuarter), "FY2027-Q2");
    }
}
