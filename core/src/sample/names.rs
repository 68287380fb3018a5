//! The word lists and the geography sample data is drawn from: people's names by region,
//! company name parts, industries, countries with cities, postal-code patterns, languages and
//! legal suffixes, titles, sources, products and the phrases content is written with.
//!
//! Everything here is a `&'static` table in a fixed order: the generator indexes into these
//! tables with its seeded RNG, so reordering or editing an entry changes the sample data (which
//! is fine between versions, but not within one).

use super::org::Region;

// ---------------------------------------------------------------------------------------------
// People

/// Given names common in North America.
pub const FIRST_NA: &[&str] = &[
    "James",
    "Mary",
    "Michael",
    "Jennifer",
    "David",
    "Linda",
    "Robert",
    "Patricia",
    "John",
    "Elizabeth",
    "Daniel",
    "Sarah",
    "Matthew",
    "Jessica",
    "Andrew",
    "Emily",
    "Joshua",
    "Ashley",
    "Christopher",
    "Megan",
    "Brian",
    "Lauren",
    "Kevin",
    "Rachel",
    "Jason",
    "Nicole",
    "Ryan",
    "Stephanie",
    "Tyler",
    "Hannah",
    "Carlos",
    "Maria",
    "Luis",
    "Sofia",
    "Jamal",
    "Aisha",
    "Marcus",
    "Tanya",
    "Diego",
    "Camila",
    "Ethan",
    "Olivia",
    "Noah",
    "Ava",
    "Logan",
    "Madison",
    "Derek",
    "Brooke",
    "Trevor",
    "Kayla",
    "Priya",
    "Wei",
];

/// Family names common in North America.
pub const LAST_NA: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Patel",
    "Kim",
    "Chen",
    "O'Brien",
];

/// Given names common in Europe, the Middle East and Africa.
pub const FIRST_EMEA: &[&str] = &[
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "George",
    "Charlotte",
    "Jack",
    "Sophie",
    "Lukas",
    "Anna",
    "Felix",
    "Lena",
    "Jonas",
    "Laura",
    "Maximilian",
    "Julia",
    "Léa",
    "Chloé",
    "Hugo",
    "Louis",
    "Camille",
    "Lucas",
    "Emma",
    "Sven",
    "Ingrid",
    "Lars",
    "Astrid",
    "Daan",
    "Sanne",
    "Pieter",
    "Femke",
    "Aoife",
    "Conor",
    "Siobhan",
    "Jürgen",
    "Søren",
    "Matteo",
    "Giulia",
    "Niamh",
    "Finn",
    "Elif",
    "Omar",
    "Leila",
    "Tomasz",
    "Zofia",
    "Mathilde",
    "Henrik",
    "Freya",
    "Callum",
    "Eilidh",
];

/// Family names common in Europe, the Middle East and Africa.
pub const LAST_EMEA: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Smith",
    "Jones",
    "Williams",
    "Brown",
    "Taylor",
    "Davies",
    "Evans",
    "Wilson",
    "Murphy",
    "Kelly",
    "O'Sullivan",
    "Walsh",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Lefèvre",
    "de Jong",
    "Jansen",
    "de Vries",
    "van Dijk",
    "Bakker",
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Rossi",
    "Bianchi",
    "Kowalski",
    "Nowak",
    "Yılmaz",
    "Haddad",
    "García",
    "Fernández",
    "Novák",
    "Larsen",
];

/// Given names common in Asia-Pacific.
pub const FIRST_APAC: &[&str] = &[
    "Wei", "Li", "Hiroshi", "Yuki", "Haruto", "Sakura", "Aarav", "Ananya", "Rohan", "Isha",
    "Arjun", "Kavya", "Jack", "Olivia", "Liam", "Chloe", "Noah", "Mia", "Ethan", "Grace", "Ming",
    "Xin", "Kenji", "Aiko", "Sanjay", "Deepa", "Vikram", "Nisha", "Siti", "Ahmad", "Nurul",
    "Hannah", "Lachlan", "Matilda", "Tama", "Aroha", "Jun", "Hana", "Min-jun", "Seo-yeon",
];

/// Family names common in Asia-Pacific.
pub const LAST_APAC: &[&str] = &[
    "Tan",
    "Lim",
    "Lee",
    "Ng",
    "Wong",
    "Chen",
    "Wang",
    "Zhang",
    "Liu",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Yamamoto",
    "Sharma",
    "Patel",
    "Gupta",
    "Singh",
    "Kumar",
    "Iyer",
    "Reddy",
    "Nair",
    "Smith",
    "Jones",
    "Williams",
    "Brown",
    "Wilson",
    "Taylor",
    "Nguyen",
    "Kelly",
    "Ryan",
    "Walker",
    "Kim",
    "Park",
    "Choi",
    "Rahman",
    "Abdullah",
    "Ngata",
    "Henare",
];

/// The name lists of a region: (given names, family names).
pub fn people(region: Region) -> (&'static [&'static str], &'static [&'static str]) {
    match region {
        Region::NaEast | Region::NaWest => (FIRST_NA, LAST_NA),
        Region::Emea => (FIRST_EMEA, LAST_EMEA),
        Region::Apac => (FIRST_APAC, LAST_APAC),
    }
}

/// The ASCII, lower-case form of a name for an email local part or a domain: accents folded
/// (`Müller` -> `mueller`, `Søren` -> `soren`), spaces and apostrophes dropped, hyphens kept.
pub fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            'a'..='z' | '0'..='9' | '-' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Å' => out.push('a'),
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'İ' => out.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ø' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ñ' => out.push('n'),
            'ç' => out.push('c'),
            'ł' => out.push('l'),
            'ś' | 'š' => out.push('s'),
            'ž' | 'ż' => out.push('z'),
            'ý' => out.push('y'),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Companies

/// First words of company names.
pub const COMPANY_PREFIX: &[&str] = &[
    "Northwind",
    "Acme",
    "Blue Harbor",
    "Summit",
    "Granite",
    "Evergreen",
    "Redwood",
    "Silverline",
    "Ironclad",
    "Brightpath",
    "Clearwater",
    "Cobalt",
    "Crescent",
    "Crestview",
    "Driftwood",
    "Eastgate",
    "Falcon",
    "Foxglove",
    "Harborview",
    "Highland",
    "Horizon",
    "Keystone",
    "Lakeshore",
    "Lighthouse",
    "Maple",
    "Meridian",
    "Moonstone",
    "Nimbus",
    "Northstar",
    "Oakridge",
    "Orion",
    "Pacific Crest",
    "Pinnacle",
    "Polaris",
    "Quantum",
    "Riverbend",
    "Sapphire",
    "Silver Birch",
    "Skyline",
    "Starling",
    "Stonebridge",
    "Sunridge",
    "Tidewater",
    "Timberline",
    "Vantage",
    "Westbrook",
    "Willow",
    "Zenith",
    "Aurora",
    "Beacon",
    "Bluebird",
    "Boulder",
    "Cascade",
    "Cedar",
    "Copperleaf",
    "Coral",
    "Cypress",
    "Ember",
    "Fairview",
    "Fernwood",
    "Glacier",
    "Greenfield",
    "Hawthorne",
    "Hillcrest",
    "Ivory",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Lumen",
    "Magnolia",
    "Marble",
    "Mesa",
    "Mosaic",
    "Nova",
    "Obsidian",
    "Onyx",
    "Osprey",
    "Parkside",
    "Peregrine",
    "Prairie",
    "Quarry",
    "Raven",
    "Ridgeway",
    "Saffron",
    "Sagebrush",
    "Sandstone",
    "Seabright",
    "Shoreline",
    "Slate",
    "Solstice",
    "Sparrow",
    "Spruce",
    "Sterling",
    "Sycamore",
    "Tamarack",
    "Thistle",
    "Topaz",
    "Trident",
    "Tundra",
    "Upland",
    "Verdant",
    "Vista",
    "Wavecrest",
    "Whitestone",
    "Wildflower",
    "Windward",
    "Alder",
    "Bramble",
    "Canyon",
    "Delta",
    "Elm Street",
    "Flint",
    "Harbor Lane",
    "Indigo",
    "Jasper",
    "Kingfisher",
];

/// Middle words that make more names ("Northwind Global Logistics", "Precision Robotics").
pub const COMPANY_MODIFIER: &[&str] = &[
    "Global",
    "United",
    "Advanced",
    "Digital",
    "Applied",
    "Integrated",
    "First",
    "Prime",
    "Pacific",
    "Atlantic",
    "Continental",
    "Modern",
    "Precision",
    "Allied",
    "Premier",
    "Coastal",
    "National",
    "Metro",
    "Smart",
    "Open",
];

/// Last words of company names with the industry they suggest.
pub const COMPANY_CORE: &[(&str, &str)] = &[
    ("Logistics", "transportation"),
    ("Freight", "transportation"),
    ("Analytics", "software"),
    ("Software", "software"),
    ("Cloud", "software"),
    ("Data", "software"),
    ("Systems", "technology"),
    ("Labs", "technology"),
    ("Security", "technology"),
    ("Health", "healthcare"),
    ("Medical", "healthcare"),
    ("Clinics", "healthcare"),
    ("Biosciences", "life_sciences"),
    ("Pharma", "life_sciences"),
    ("Foods", "consumer_goods"),
    ("Beverages", "consumer_goods"),
    ("Brands", "retail"),
    ("Outfitters", "retail"),
    ("Capital", "financial_services"),
    ("Financial", "financial_services"),
    ("Payments", "financial_services"),
    ("Insurance", "insurance"),
    ("Assurance", "insurance"),
    ("Energy", "energy"),
    ("Solar", "energy"),
    ("Manufacturing", "manufacturing"),
    ("Industries", "manufacturing"),
    ("Robotics", "manufacturing"),
    ("Materials", "manufacturing"),
    ("Construction", "construction"),
    ("Builders", "construction"),
    ("Properties", "real_estate"),
    ("Realty", "real_estate"),
    ("Media", "media"),
    ("Studios", "media"),
    ("Telecom", "telecommunications"),
    ("Networks", "telecommunications"),
    ("Learning", "education"),
    ("Academy", "education"),
    ("Hospitality", "hospitality"),
    ("Hotels", "hospitality"),
    ("Consulting", "professional_services"),
    ("Advisors", "professional_services"),
    ("Motors", "automotive"),
    ("Mobility", "automotive"),
    ("Aerospace", "aerospace"),
    ("Agritech", "agriculture"),
    ("Farms", "agriculture"),
];

/// Words appended when a name is taken ("Northwind Logistics Group").
pub const COMPANY_DISAMBIGUATOR: &[&str] = &[
    "Group",
    "Holdings",
    "International",
    "Worldwide",
    "Solutions",
    "Services",
    "Partners",
    "Collective",
    "Enterprises",
    "Co",
];

/// Every industry code used, with a label for prose and the revenue per employee in USD.
pub const INDUSTRIES: &[(&str, &str, u32)] = &[
    ("software", "software", 250_000),
    ("technology", "technology", 220_000),
    ("healthcare", "healthcare", 120_000),
    ("life_sciences", "life sciences", 300_000),
    ("consumer_goods", "consumer goods", 280_000),
    ("retail", "retail", 180_000),
    ("financial_services", "financial services", 350_000),
    ("insurance", "insurance", 400_000),
    ("energy", "energy", 600_000),
    ("manufacturing", "manufacturing", 220_000),
    ("construction", "construction", 200_000),
    ("real_estate", "real estate", 450_000),
    ("media", "media", 260_000),
    ("telecommunications", "telecommunications", 380_000),
    ("education", "education", 90_000),
    ("hospitality", "hospitality", 70_000),
    ("professional_services", "professional services", 160_000),
    ("automotive", "automotive", 330_000),
    ("transportation", "transportation and logistics", 190_000),
    ("aerospace", "aerospace", 310_000),
    ("agriculture", "agriculture", 240_000),
];

/// The prose label and revenue per employee of an industry code.
pub fn industry(code: &str) -> (&'static str, u32) {
    INDUSTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, label, rpe)| (*label, *rpe))
        .unwrap_or(("business", 200_000))
}

/// Free-mail providers leads sign up with (each is on the condition language's free-mail list).
pub const FREE_MAIL: &[(&str, u32)] = &[
    ("gmail.com", 50),
    ("outlook.com", 12),
    ("hotmail.com", 10),
    ("yahoo.com", 10),
    ("icloud.com", 8),
    ("gmx.de", 4),
    ("web.de", 3),
    ("yahoo.co.uk", 2),
    ("proton.me", 1),
];

// ---------------------------------------------------------------------------------------------
// Geography

/// A city accounts and leads sit in. `postal` is a pattern: `#` a digit, `@` a capital letter,
/// anything else literal.
pub struct City {
    pub name: &'static str,
    pub subdivision: Option<&'static str>,
    pub postal: &'static str,
    pub region: Region,
}

/// A country with what records there look like.
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    /// Share of companies here, out of the sum over all countries.
    pub weight: u32,
    /// Languages spoken, most common first.
    pub languages: &'static [&'static str],
    pub dial: &'static str,
    pub legal: &'static [&'static str],
    pub tld: &'static str,
    pub cities: &'static [City],
}

const fn city(
    name: &'static str,
    subdivision: &'static str,
    postal: &'static str,
    region: Region,
) -> City {
    City {
        name,
        subdivision: if subdivision.is_empty() {
            None
        } else {
            Some(subdivision)
        },
        postal,
        region,
    }
}

use Region::{Apac, Emea, NaEast, NaWest};

pub const COUNTRIES: &[Country] = &[
    Country {
        code: "US",
        name: "United States",
        weight: 40,
        languages: &["en", "es"],
        dial: "+1",
        legal: &["Inc.", "LLC", "Corp."],
        tld: "com",
        cities: &[
            city("New York", "NY", "100##", NaEast),
            city("Boston", "MA", "021##", NaEast),
            city("Chicago", "IL", "606##", NaEast),
            city("Atlanta", "GA", "303##", NaEast),
            city("Miami", "FL", "331##", NaEast),
            city("Austin", "TX", "787##", NaEast),
            city("Dallas", "TX", "752##", NaEast),
            city("Philadelphia", "PA", "191##", NaEast),
            city("Raleigh", "NC", "276##", NaEast),
            city("Columbus", "OH", "432##", NaEast),
            city("Minneapolis", "MN", "554##", NaEast),
            city("Nashville", "TN", "372##", NaEast),
            city("Detroit", "MI", "482##", NaEast),
            city("Denver", "CO", "802##", NaWest),
            city("Seattle", "WA", "981##", NaWest),
            city("San Francisco", "CA", "941##", NaWest),
            city("Los Angeles", "CA", "900##", NaWest),
            city("San Diego", "CA", "921##", NaWest),
            city("San Jose", "CA", "951##", NaWest),
            city("Portland", "OR", "972##", NaWest),
            city("Phoenix", "AZ", "850##", NaWest),
            city("Salt Lake City", "UT", "841##", NaWest),
        ],
    },
    Country {
        code: "CA",
        name: "Canada",
        weight: 6,
        languages: &["en", "fr"],
        dial: "+1",
        legal: &["Inc.", "Ltd."],
        tld: "ca",
        cities: &[
            city("Toronto", "ON", "M5H #@#", NaEast),
            city("Ottawa", "ON", "K1P #@#", NaEast),
            city("Montreal", "QC", "H3B #@#", NaEast),
            city("Vancouver", "BC", "V6B #@#", NaWest),
            city("Calgary", "AB", "T2P #@#", NaWest),
        ],
    },
    Country {
        code: "GB",
        name: "United Kingdom",
        weight: 10,
        languages: &["en"],
        dial: "+44",
        legal: &["Ltd", "plc"],
        tld: "co.uk",
        cities: &[
            city("London", "ENG", "EC2A #@@", Emea),
            city("Manchester", "ENG", "M1 #@@", Emea),
            city("Bristol", "ENG", "BS1 #@@", Emea),
            city("Cambridge", "ENG", "CB2 #@@", Emea),
            city("Edinburgh", "SCT", "EH1 #@@", Emea),
        ],
    },
    Country {
        code: "IE",
        name: "Ireland",
        weight: 2,
        languages: &["en"],
        dial: "+353",
        legal: &["Ltd", "DAC"],
        tld: "ie",
        cities: &[
            city("Dublin", "", "D02 @#@#", Emea),
            city("Cork", "", "T12 @#@#", Emea),
        ],
    },
    Country {
        code: "DE",
        name: "Germany",
        weight: 9,
        languages: &["de", "en"],
        dial: "+49",
        legal: &["GmbH", "AG", "SE"],
        tld: "de",
        cities: &[
            city("Berlin", "BE", "101##", Emea),
            city("Munich", "BY", "803##", Emea),
            city("Hamburg", "HH", "200##", Emea),
            city("Frankfurt", "HE", "603##", Emea),
            city("Cologne", "NW", "506##", Emea),
            city("Stuttgart", "BW", "701##", Emea),
        ],
    },
    Country {
        code: "AT",
        name: "Austria",
        weight: 1,
        languages: &["de"],
        dial: "+43",
        legal: &["GmbH", "AG"],
        tld: "at",
        cities: &[city("Vienna", "", "1##0", Emea)],
    },
    Country {
        code: "CH",
        name: "Switzerland",
        weight: 2,
        languages: &["de", "fr"],
        dial: "+41",
        legal: &["AG", "GmbH", "SA"],
        tld: "ch",
        cities: &[
            city("Zurich", "ZH", "80##", Emea),
            city("Geneva", "GE", "12##", Emea),
        ],
    },
    Country {
        code: "FR",
        name: "France",
        weight: 5,
        languages: &["fr"],
        dial: "+33",
        legal: &["SA", "SAS"],
        tld: "fr",
        cities: &[
            city("Paris", "IDF", "750##", Emea),
            city("Lyon", "ARA", "6900#", Emea),
        ],
    },
    Country {
        code: "NL",
        name: "Netherlands",
        weight: 3,
        languages: &["nl", "en"],
        dial: "+31",
        legal: &["B.V.", "N.V."],
        tld: "nl",
        cities: &[
            city("Amsterdam", "NH", "10## @@", Emea),
            city("Rotterdam", "ZH", "30## @@", Emea),
            city("Utrecht", "UT", "35## @@", Emea),
        ],
    },
    Country {
        code: "SE",
        name: "Sweden",
        weight: 2,
        languages: &["sv", "en"],
        dial: "+46",
        legal: &["AB"],
        tld: "se",
        cities: &[
            city("Stockholm", "", "11# ##", Emea),
            city("Gothenburg", "", "41# ##", Emea),
        ],
    },
    Country {
        code: "SG",
        name: "Singapore",
        weight: 4,
        languages: &["en", "zh"],
        dial: "+65",
        legal: &["Pte Ltd"],
        tld: "com.sg",
        cities: &[city("Singapore", "", "01####", Apac)],
    },
    Country {
        code: "AU",
        name: "Australia",
        weight: 7,
        languages: &["en"],
        dial: "+61",
        legal: &["Pty Ltd"],
        tld: "com.au",
        cities: &[
            city("Sydney", "NSW", "20##", Apac),
            city("Melbourne", "VIC", "30##", Apac),
            city("Brisbane", "QLD", "40##", Apac),
            city("Perth", "WA", "60##", Apac),
        ],
    },
    Country {
        code: "NZ",
        name: "New Zealand",
        weight: 1,
        languages: &["en"],
        dial: "+64",
        legal: &["Ltd"],
        tld: "co.nz",
        cities: &[
            city("Auckland", "AUK", "10##", Apac),
            city("Wellington", "WGN", "60##", Apac),
        ],
    },
    Country {
        code: "JP",
        name: "Japan",
        weight: 4,
        languages: &["ja", "en"],
        dial: "+81",
        legal: &["K.K."],
        tld: "co.jp",
        cities: &[
            city("Tokyo", "13", "10#-####", Apac),
            city("Osaka", "27", "53#-####", Apac),
        ],
    },
    Country {
        code: "IN",
        name: "India",
        weight: 4,
        languages: &["en", "hi"],
        dial: "+91",
        legal: &["Pvt Ltd"],
        tld: "co.in",
        cities: &[
            city("Bengaluru", "KA", "5600##", Apac),
            city("Mumbai", "MH", "4000##", Apac),
            city("Pune", "MH", "4110##", Apac),
            city("Hyderabad", "TS", "5000##", Apac),
        ],
    },
];

/// The countries' weights, in table order.
pub const COUNTRY_WEIGHTS: [u32; COUNTRIES.len()] = {
    let mut w = [0; COUNTRIES.len()];
    let mut i = 0;
    while i < COUNTRIES.len() {
        w[i] = COUNTRIES[i].weight;
        i += 1;
    }
    w
};

// ---------------------------------------------------------------------------------------------
// Sales vocabulary

/// The buying roles of contacts, with weights and the titles people in them hold.
pub const PERSONAS: &[(&str, u32, &[&str])] = &[
    (
        "economic_buyer",
        15,
        &[
            "VP of Sales",
            "Chief Revenue Officer",
            "CFO",
            "VP Operations",
            "Chief Operating Officer",
        ],
    ),
    (
        "champion",
        20,
        &[
            "Director of Revenue Operations",
            "Sales Operations Manager",
            "Head of Sales Enablement",
            "Director of Sales",
            "Marketing Operations Manager",
        ],
    ),
    (
        "technical_evaluator",
        20,
        &[
            "Solutions Architect",
            "IT Director",
            "Data Engineer",
            "CRM Administrator",
            "Head of IT",
        ],
    ),
    (
        "end_user",
        35,
        &[
            "Account Executive",
            "Sales Development Representative",
            "Customer Success Manager",
            "Sales Manager",
            "Marketing Manager",
        ],
    ),
    (
        "legal",
        10,
        &[
            "General Counsel",
            "Legal Counsel",
            "Procurement Manager",
            "Contracts Manager",
        ],
    ),
];

/// The prose label of a persona.
pub fn persona_label(code: &str) -> &'static str {
    match code {
        "economic_buyer" => "economic buyers",
        "champion" => "champions",
        "technical_evaluator" => "technical evaluators",
        "end_user" => "end users",
        "legal" => "legal and procurement teams",
        _ => "buyers",
    }
}

/// Titles of people who fill in forms without being a known contact.
pub const LEAD_TITLES: &[&str] = &[
    "VP of Sales",
    "Head of Revenue Operations",
    "Sales Operations Analyst",
    "Marketing Manager",
    "Demand Generation Manager",
    "Founder",
    "CEO",
    "Sales Manager",
    "Account Executive",
    "Business Development Representative",
    "IT Manager",
    "Consultant",
    "Operations Director",
    "Student",
];

/// Where leads come from, with weights.
pub const LEAD_SOURCES: &[(&str, u32)] = &[
    ("web", 30),
    ("paid_search", 15),
    ("outbound", 15),
    ("webinar", 12),
    ("event", 10),
    ("partner", 10),
    ("referral", 8),
];

/// What lead marketing campaigns are about (for `utm_campaign`).
pub const CAMPAIGN_THEMES: &[&str] = &[
    "revops-benchmark",
    "pipeline-health",
    "forecasting-101",
    "lead-routing",
    "sales-enablement",
    "ai-scoring",
    "territory-planning",
    "customer-stories",
];

/// Named events and webinars leads are met at.
pub const EVENT_NAMES: &[&str] = &[
    "RevOps Summit",
    "SaaStr Annual",
    "Dreamforce",
    "Sales Enablement Forum",
    "Pipeline Live",
    "Forecasting Masterclass",
];

/// Partners who refer leads.
pub const PARTNERS: &[&str] = &[
    "Brightline Consulting",
    "Cloudbridge Partners",
    "Northgate Systems Integrators",
    "Peak RevOps Agency",
];

/// Pages a lead looks at; the pricing and demo pages are what engaged buyers visit.
pub const PAGES: &[(&str, u32)] = &[
    ("/", 20),
    ("/product", 15),
    ("/pricing", 12),
    ("/customers", 8),
    ("/blog/forecasting-accuracy", 8),
    ("/blog/lead-routing-rules", 8),
    ("/integrations", 6),
    ("/security", 4),
    ("/demo", 5),
    ("/careers", 2),
];

/// Why deals are lost, with weights.
pub const LOST_REASONS: &[(&str, u32)] = &[
    ("No decision", 25),
    ("Competitor", 20),
    ("Price", 18),
    ("Timing", 15),
    ("No budget", 12),
    ("Product fit", 10),
];

/// Competitors deals are lost to and battlecards are written against.
pub const COMPETITORS: &[&str] = &[
    "Pipedrift",
    "Closewise",
    "Forecastly",
    "LeadLoop",
    "Dealstream",
    "Funnelry",
];

/// What is sold: (display name, tag code, what it does).
pub const PRODUCTS: &[(&str, &str, &str)] = &[
    (
        "Revenue Cloud",
        "revenue_cloud",
        "keeps one source of truth for pipeline and bookings",
    ),
    (
        "Routing Engine",
        "routing_engine",
        "routes every inbound lead to the right rep in seconds",
    ),
    (
        "Analytics Suite",
        "analytics_suite",
        "puts win-rate, cycle-length and coverage dashboards in one place",
    ),
    (
        "Enablement Hub",
        "enablement_hub",
        "puts the right content in front of reps at each stage",
    ),
    (
        "Forecasting",
        "forecasting",
        "calls the quarter from stage history instead of gut feel",
    ),
];

/// Kinds of deal, with weights: (attribute value, name suffix, weight).
pub const DEAL_TYPES: &[(&str, &str, u32)] = &[
    ("new_business", "New Business", 65),
    ("expansion", "Expansion", 25),
    ("renewal", "Renewal", 10),
];

/// Outcomes customers report, for case studies: (metric, verb).
pub const METRICS: &[(&str, &str)] = &[
    ("onboarding time", "cut"),
    ("lead response time", "cut"),
    ("sales cycle length", "shortened"),
    ("forecast error", "reduced"),
    ("ramp time for new reps", "cut"),
    ("time spent on CRM admin", "reduced"),
    ("pipeline coverage", "doubled"),
    ("win rate", "raised"),
    ("churn", "reduced"),
];

/// Skills reps are known for, besides industries.
pub const SEGMENTS: &[&str] = &["enterprise", "mid_market", "smb"];
