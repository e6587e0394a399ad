//! Word lists the generator draws names and texts from.

/// Given names.
pub const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Aroha", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Dana",
    "David", "Elena", "Emeka", "Eva", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan",
    "Jamal", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leon", "Lina", "Lucas", "Maya",
    "Mateo", "Mei", "Mila", "Nadia", "Noah", "Nora", "Omar", "Priya", "Rafael", "Rosa", "Sami",
    "Sara", "Sofia", "Tariq", "Tom", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];

/// Family names.
pub const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Almeida",
    "Andersen",
    "Bauer",
    "Becker",
    "Brown",
    "Castro",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "Garcia",
    "Gupta",
    "Hansen",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kim",
    "Kowalski",
    "Lambert",
    "Larsen",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Petrov",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Torres",
    "Varga",
    "Wagner",
    "Walker",
    "Weber",
    "Williams",
    "Yilmaz",
    "Zhang",
    "Zimmermann",
];

/// First halves of company names.
pub const COMPANY_PREFIXES: &[&str] = &[
    "Acorn", "Apex", "Arrow", "Atlas", "Aurora", "Beacon", "Birch", "Blue", "Bright", "Cedar",
    "Cobalt", "Copper", "Crest", "Delta", "Ember", "Falcon", "Fern", "Harbor", "Helix", "Horizon",
    "Iron", "Juniper", "Keystone", "Lumen", "Maple", "Meridian", "Nimbus", "North", "Nova", "Oak",
    "Orbit", "Pine", "Polar", "Prism", "Quartz", "Raven", "River", "Sage", "Summit", "Swift",
    "Terra", "Tidal", "Vertex", "Willow",
];

/// Second halves of company names.
pub const COMPANY_SUFFIXES: &[&str] = &[
    "Analytics",
    "Bank",
    "Foods",
    "Health",
    "Labs",
    "Logistics",
    "Media",
    "Motors",
    "Partners",
    "Retail",
    "Robotics",
    "Software",
    "Studios",
    "Systems",
    "Telecom",
    "Travel",
];

/// Industries.
pub const INDUSTRIES: &[&str] = &[
    "Software",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Logistics",
    "Media",
    "Education",
    "Energy",
    "Hospitality",
];

/// Job titles.
pub const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "CFO",
    "VP Sales",
    "Head of Marketing",
    "Operations Manager",
    "Data Engineer",
    "Product Manager",
    "Procurement Lead",
    "IT Director",
    "Analyst",
    "Founder",
];

/// Where contacts, leads and deals came from.
pub const SOURCES: &[&str] = &[
    "website",
    "referral",
    "outbound",
    "event",
    "partner",
    "paid_search",
    "webinar",
];

/// What deals sell.
pub const PRODUCTS: &[&str] = &[
    "Analytics Suite",
    "Data Platform",
    "Reporting Add-on",
    "Enterprise Plan",
    "Team Plan",
    "Onboarding Package",
    "Support Contract",
    "Integration Project",
];

/// Why deals were lost.
pub const LOST_REASONS: &[&str] = &[
    "Price",
    "Chose a competitor",
    "No budget",
    "No decision",
    "Timing",
    "Missing feature",
];

/// Subjects of activities.
pub const ACTIVITY_SUBJECTS: &[&str] = &[
    "Discovery call",
    "Follow up on proposal",
    "Product demo",
    "Send pricing",
    "Quarterly review",
    "Contract negotiation",
    "Technical deep dive",
    "Check in after onboarding",
];

/// Summaries of interactions.
pub const INTERACTION_SUMMARIES: &[&str] = &[
    "Asked about pricing tiers",
    "Requested a demo",
    "Shared the security questionnaire",
    "Discussed renewal",
    "Replied to the newsletter",
    "Reported a bug in exports",
    "Introduced a colleague",
    "Confirmed attendance",
];

/// Subjects of tickets.
pub const TICKET_SUBJECTS: &[&str] = &[
    "Cannot connect database",
    "Invoice question",
    "Export times out",
    "SSO setup help",
    "Dashboard shows no data",
    "Add seats to plan",
    "API rate limit reached",
    "Password reset not received",
];

/// Bodies of notes.
pub const NOTE_BODIES: &[&str] = &[
    "Budget approved for next quarter.",
    "Champion is the head of data.",
    "Wants an on-premises option.",
    "Legal review takes about two weeks.",
    "Evaluating two competitors.",
    "Happy with support so far.",
];

/// Tags put on records.
pub const TAGS: &[(&str, &str)] = &[
    ("vip", "#d4af37"),
    ("enterprise", "#1f6feb"),
    ("smb", "#2da44e"),
    ("partner", "#8250df"),
    ("churn-risk", "#cf222e"),
    ("upsell", "#bf8700"),
    ("newsletter", "#57606a"),
    ("event-2026", "#0969da"),
];

/// The trial-onboarding funnel, in order, with the share of the previous
/// step's users that reach each step: about half stop after `db_setup_started`.
pub const TRIAL_FUNNEL: &[(&str, f64)] = &[
    ("trial_started", 1.0),
    ("workspace_created", 0.9),
    ("db_setup_started", 0.88),
    ("db_setup_completed", 0.5),
    ("first_report_created", 0.8),
    ("subscription_started", 0.55),
];

/// Other product events sprinkled over trial users.
pub const OTHER_EVENTS: &[&str] = &["page_viewed", "docs_opened", "invite_sent", "feature_used"];
