//! The sample world's rule scoring model (docs/scoring.md): fit rules on the fields the sample
//! leads carry (title, industry, employees, country, source, email), engagement rules on the
//! sample event kinds (a pricing-page rule on page views' `url`), penalties for free mail,
//! students and unsubscribes. The same for every seed and size: it depends on no record.

use serde_json::{json, Value};

/// The sample scoring model, in wire form.
pub fn scoring_model() -> Value {
    json!({
        "version": 1,
        "fit_rules": [
            {"id": "decision_maker", "label": "Decision maker",
             "condition": {"field": "title", "matches": "(?i)vp|head|chief|ceo|founder|director"},
             "points": 20, "group": "persona"},
            {"id": "revenue_role", "label": "Works in sales or revenue",
             "condition": {"field": "title", "matches": "(?i)sales|revenue|operations"},
             "points": 10, "group": "persona"},
            {"id": "target_industry", "label": "Target industry",
             "condition": {"field": "industry", "in": ["software", "technology", "financial_services",
                                                         "healthcare", "manufacturing", "professional_services"]},
             "points": 10, "group": "firmographics"},
            {"id": "mid_market", "label": "200 to 4,999 employees",
             "condition": {"field": "employees", "between": [200, 4999]},
             "points": 15, "group": "firmographics"},
            {"id": "enterprise", "label": "5,000 employees or more",
             "condition": {"field": "employees", "gte": 5000},
             "points": 25, "group": "firmographics"},
            {"id": "core_market", "label": "Core market",
             "condition": {"field": "country", "in": ["US", "CA", "GB", "DE", "FR", "NL", "AU"]},
             "points": 10},
            {"id": "warm_source", "label": "Referral or partner",
             "condition": {"field": "source", "in": ["referral", "partner"]},
             "points": 10}
        ],
        "engagement_rules": [
            {"id": "demo_request", "label": "Requested a demo", "event": "demo_request",
             "points": 30, "cap": 30, "half_life_days": 30, "lookback_days": 180},
            {"id": "meeting_booked", "label": "Booked a meeting", "event": "meeting_booked",
             "points": 25, "cap": 25, "half_life_days": 30, "lookback_days": 180},
            {"id": "webinar", "label": "Attended a webinar", "event": "webinar_attended",
             "points": 12, "cap": 24, "half_life_days": 30, "lookback_days": 180},
            {"id": "form_submit", "label": "Submitted a form", "event": "form_submit",
             "points": 10, "cap": 20, "half_life_days": 30, "lookback_days": 180},
            {"id": "content_download", "label": "Downloaded content", "event": "content_download",
             "points": 6, "cap": 18, "half_life_days": 21, "lookback_days": 120, "group": "content"},
            {"id": "email_click", "label": "Clicked an email", "event": "email_click",
             "points": 3, "cap": 12, "half_life_days": 14, "lookback_days": 60, "group": "content"},
            {"id": "email_open", "label": "Opened an email", "event": "email_open",
             "points": 1, "cap": 5, "half_life_days": 7, "lookback_days": 30, "group": "content"},
            {"id": "pricing_page", "label": "Viewed pricing", "event": "page_view",
             "where": {"field": "url", "eq": "/pricing"},
             "points": 8, "cap": 16, "half_life_days": 14, "lookback_days": 90, "group": "web"},
            {"id": "page_view", "label": "Visited the site", "event": "page_view",
             "points": 1, "cap": 10, "half_life_days": 7, "lookback_days": 30, "group": "web"}
        ],
        "negative_rules": [
            {"id": "free_mail", "label": "Free-mail address",
             "condition": {"field": "email", "free_mail": true}, "points": -15},
            {"id": "student", "label": "Student",
             "condition": {"any": [{"field": "title", "contains": "student"},
                                   {"field": "email", "ends_with": ".edu"}]},
             "points": -30},
            {"id": "unsubscribed", "label": "Unsubscribed", "event": "unsubscribe",
             "points": -20, "cap": 20, "lookback_days": 365}
        ],
        "groups": [
            {"id": "persona", "label": "Persona", "cap": 25},
            {"id": "firmographics", "label": "Firmographics", "cap": 35},
            {"id": "content", "label": "Content and email", "cap": 25},
            {"id": "web", "label": "Website", "cap": 20}
        ],
        "caps": {"fit": 80, "engagement": 100},
        "grades": {"fit": [60, 40, 20], "engagement": [35, 15, 5]},
        "mql": {"fit_min": 40, "engagement_min": 15}
    })
}
