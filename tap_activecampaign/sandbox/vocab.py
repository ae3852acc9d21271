"""Word lists that make generated records read like a real marketing account."""

from __future__ import annotations

FIRST_NAMES = (
    "Ada", "Alan", "Alice", "Amir", "Ana", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Dana",
    "David", "Elena", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jade",
    "James", "Jin", "Kai", "Kemal", "Lara", "Leo", "Lucia", "Maya", "Mei", "Mia", "Nadia", "Noah",
    "Olga", "Omar", "Pablo", "Priya", "Quinn", "Rosa", "Ryan", "Sara", "Sofia", "Tariq", "Theo",
    "Uma", "Victor", "Wendy", "Xavier", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

LAST_NAMES = (
    "Abbott", "Alvarez", "Baker", "Bauer", "Becker", "Chen", "Cohen", "Diaz", "Dubois", "Evans",
    "Fischer", "Garcia", "Gupta", "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lopez",
    "Martin", "Meyer", "Moreau", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Quinn",
    "Rossi", "Sato", "Schmidt", "Silva", "Smith", "Tanaka", "Torres", "Varga", "Wagner", "Walsh",
    "Weber", "Wong", "Yilmaz", "Young", "Zhang",
)  # fmt: skip

EMAIL_DOMAINS = (
    "example.com", "example.org", "example.net", "mail.example.com", "corp.example",
    "shop.example", "acme.test", "contoso.test",
)  # fmt: skip

COMPANY_WORDS = (
    "Blue", "North", "Silver", "Bright", "Rapid", "Green", "Summit", "Harbor", "Pioneer", "Atlas",
    "Cedar", "Orbit", "Nimbus", "Granite", "Vertex", "Willow", "Copper", "Lumen",
)  # fmt: skip

COMPANY_KINDS = (
    "Labs", "Logistics", "Foods", "Studio", "Systems", "Health", "Partners", "Outfitters",
    "Analytics", "Media", "Works", "Consulting",
)  # fmt: skip

DEAL_PRODUCTS = (
    "Annual plan", "Onboarding package", "Enterprise licence", "Renewal", "Consulting block",
    "Pilot", "Upgrade", "Support contract", "Training day", "Expansion seats",
)  # fmt: skip

PIPELINES = ("Sales", "Partnerships", "Renewals", "Enterprise", "Onboarding", "Upsell")

STAGE_TITLES = (
    "To Contact", "In Contact", "Qualified", "Proposal Sent", "Negotiation", "Closing",
)  # fmt: skip

CAMPAIGN_TOPICS = (
    "Spring Sale", "Product Update", "Weekly Digest", "Webinar Invite", "Welcome Series",
    "Black Friday", "Customer Survey", "New Feature", "Re-engagement", "Holiday Greetings",
    "Event Reminder", "Case Study",
)  # fmt: skip

CAMPAIGN_TYPES = ("single", "single", "single", "recurring", "split", "responder", "text")

LIST_NAMES = (
    "Newsletter", "Customers", "Leads", "Webinar Attendees", "Beta Testers", "Partners",
    "Event Guests", "Trial Users", "VIP", "Press", "Students", "Retailers",
)  # fmt: skip

SEGMENT_NAMES = (
    "Opened last 30 days", "Never clicked", "High score", "Chicago area", "Trial expiring",
    "Purchased twice", "Bounced once", "Newsletter only", "Has open deal", "Inactive 90 days",
)  # fmt: skip

TAG_WORDS = (
    "customer", "lead", "vip", "webinar", "newsletter", "trial", "churn-risk", "partner",
    "event", "beta", "wholesale", "referral", "enterprise", "smb", "press", "student",
)  # fmt: skip

AUTOMATION_NAMES = (
    "Welcome new subscribers", "Abandoned cart", "Birthday email", "Lead scoring",
    "Re-engage inactive", "Webinar follow-up", "Deal won thank-you", "Trial nurture",
    "Tag on click", "Onboarding drip",
)  # fmt: skip

FIELD_TITLES = (
    "Company size", "Industry", "Birthday", "Favourite colour", "Plan", "Lead source",
    "Job title", "Country", "Newsletter topics", "Account manager", "Signup date",
    "Preferred language", "Annual revenue", "Referral code",
)  # fmt: skip

FIELD_TYPES = (
    "text", "text", "textarea", "dropdown", "checkbox", "radio", "date", "datetime", "hidden",
    "listbox",
)  # fmt: skip

FORM_NAMES = (
    "Newsletter signup", "Contact us", "Webinar registration", "Download the guide",
    "Request a demo", "Event RSVP",
)  # fmt: skip

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile",
)

COLORS = ("32B0FC", "F2B51F", "7B61FF", "2EBD85", "FF5C5C", "8E8E93")

CURRENCIES = ("usd", "usd", "usd", "eur", "gbp", "cad")
