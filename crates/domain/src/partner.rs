//! The partner module's rules: which origins may frame it, what it offers, the partner's accent
//! colour, its state, and the life of its API keys. Pure: the service brings the clock and the
//! taxonomy.

use chrono::{Months, NaiveDateTime};
use serde::Serialize;

use crate::audience::Audience;

/// How long a new API key lasts.
pub const KEY_VALIDITY_MONTHS: u32 = 18;
/// During a rotation the replaced key stays valid this long, so the partner can switch over.
pub const ROTATION_OVERLAP_DAYS: i64 = 30;
/// Staff are shown keys that expire within this many days.
pub const EXPIRING_SOON_DAYS: i64 = 60;
/// At most two keys are valid at once: the one in use and the one replacing it.
pub const MAX_VALID_KEYS: i64 = 2;
/// How long a form of the module stays valid once shown.
pub const FORM_VALIDITY_HOURS: i64 = 4;
/// The most origins one partner may list.
pub const MAX_ORIGINS: usize = 20;

/// When a key issued at `now` expires.
pub fn key_expiry(now: NaiveDateTime) -> NaiveDateTime {
    now.checked_add_months(Months::new(KEY_VALIDITY_MONTHS))
        .unwrap_or(NaiveDateTime::MAX)
}

/// When a replaced key expires: after the overlap, or sooner if it was to expire sooner.
pub fn replaced_expiry(current: NaiveDateTime, now: NaiveDateTime) -> NaiveDateTime {
    current.min(now + chrono::Duration::days(ROTATION_OVERLAP_DAYS))
}

/// A key is valid from its creation until it expires or is revoked.
pub fn key_is_valid(
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    revoked_at.is_none() && now < expires_at
}

/// Where a key stands now: derived from its dates, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Valid,
    Expired,
    Revoked,
}

impl KeyStatus {
    /// A key's status at `now`: revoked wins over expired.
    pub fn at(
        expires_at: NaiveDateTime,
        revoked_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> KeyStatus {
        match revoked_at {
            Some(_) => KeyStatus::Revoked,
            None if key_is_valid(expires_at, revoked_at, now) => KeyStatus::Valid,
            None => KeyStatus::Expired,
        }
    }
}

/// Whether staff should be told to rotate a valid key.
pub fn key_expires_soon(expires_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    expires_at - now <= chrono::Duration::days(EXPIRING_SOON_DAYS)
}

/// A partner's state: only an active partner's module is shown. Stored as text (see
/// `db::stored`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    utoipa::ToSchema,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum PartnerState {
    Active,
    Paused,
    Archived,
}

impl PartnerState {
    pub const ALL: [PartnerState; 3] = [Self::Active, Self::Paused, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Actif",
            Self::Paused => "En pause",
            Self::Archived => "Archivé",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }
}

/// What the module offers on the partner's site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The diagnostic, its result with the professionals nearby, and the request.
    Journey,
    /// The diagnostic and its advice; a professional is found on the main site.
    Diagnostic,
    /// The search for a professional and the request, without the diagnostic.
    Search,
    /// The whole journey for one audience (the first question is answered by the scope).
    Audience(Audience),
    /// The whole journey; the search and the request offer one category's incident types.
    Category(String),
}

impl Scope {
    /// The stored form: `parcours`, `diagnostic`, `recherche`, `public:<audience>`,
    /// `categorie:<category>`.
    pub fn code(&self) -> String {
        match self {
            Self::Journey => "parcours".into(),
            Self::Diagnostic => "diagnostic".into(),
            Self::Search => "recherche".into(),
            Self::Audience(a) => format!("public:{}", a.code()),
            Self::Category(c) => format!("categorie:{c}"),
        }
    }

    /// Reads a stored or submitted scope; the category's existence is the caller's to check.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "parcours" => Some(Self::Journey),
            "diagnostic" => Some(Self::Diagnostic),
            "recherche" => Some(Self::Search),
            other => {
                if let Some(a) = other.strip_prefix("public:") {
                    Audience::parse(a).map(Self::Audience)
                } else {
                    other
                        .strip_prefix("categorie:")
                        .filter(|c| {
                            !c.is_empty()
                                && c.len() <= 60
                                && c.bytes().all(|b| {
                                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
                                })
                        })
                        .map(|c| Self::Category(c.to_owned()))
                }
            }
        }
    }

    pub fn offers_diagnostic(&self) -> bool {
        !matches!(self, Self::Search)
    }

    /// Whether the module itself finds a professional and takes the request.
    pub fn offers_help(&self) -> bool {
        !matches!(self, Self::Diagnostic)
    }

    pub fn audience(&self) -> Option<Audience> {
        match self {
            Self::Audience(a) => Some(*a),
            _ => None,
        }
    }

    pub fn category(&self) -> Option<&str> {
        match self {
            Self::Category(c) => Some(c),
            _ => None,
        }
    }
}

/// Why an origin is refused, in French.
pub type Refusal = &'static str;

/// An allowed origin as a browser writes it (`https://host[:port]`, lower case, no default
/// port), or why it is refused. Plain `http` is admitted for loopback hosts only, for a
/// partner's own tests.
pub fn parse_origin(raw: &str) -> Result<String, Refusal> {
    let raw = raw.trim();
    let url = url::Url::parse(raw).map_err(|_| {
        "Chaque origine s'écrit https://nom-de-domaine, avec un port s'il le faut, par exemple https://www.exemple.fr."
    })?;
    let host = url
        .host_str()
        .ok_or("Une origine doit nommer un domaine : https://www.exemple.fr.")?;
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(
                "Une origine doit commencer par https:// (le module ne s'affiche que sur des sites sécurisés).",
            );
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Une origine ne contient ni identifiant ni mot de passe.");
    }
    // An origin has no path, query or fragment: only `https://host[:port]`, a slash at most.
    let bare = raw.trim_end_matches('/');
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || bare.matches('/').count() != 2
    {
        return Err(
            "Une origine s'arrête au nom de domaine et au port : sans chemin, ni « ? », ni « # ».",
        );
    }
    if host.contains('*') {
        return Err("Une origine est exacte : pas de joker « * ».");
    }
    // The URL standard lets `;`, quotes and more through in a host; an origin goes into a
    // `Content-Security-Policy`, so its host is a domain name (letters, digits, hyphens, dots)
    // or an IP address, nothing else.
    match url.host() {
        Some(url::Host::Domain(domain)) if is_domain_name(domain) => {}
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {}
        _ => {
            return Err(
                "Le nom de domaine d'une origine ne contient que des lettres, des chiffres, des tirets et des points.",
            );
        }
    }
    Ok(url.origin().ascii_serialization())
}

/// A domain name as DNS writes it (after IDNA): labels of 1 to 63 letters, digits and inner
/// hyphens, 253 characters at most.
fn is_domain_name(domain: &str) -> bool {
    domain.len() <= 253
        && domain.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `origin` is exactly what [`parse_origin`] makes of it (for origins read back from
/// storage before they go into a header).
pub fn is_clean_origin(origin: &str) -> bool {
    parse_origin(origin).is_ok_and(|parsed| parsed == origin)
}

/// The origins typed by staff (one per line, or separated by spaces or commas), each checked;
/// duplicates are dropped. Errors name the origin refused.
pub fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    let mut origins: Vec<String> = Vec::new();
    for item in raw
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
    {
        let origin = parse_origin(item).map_err(|why| format!("« {item} » : {why}"))?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    if origins.is_empty() {
        return Err(
            "Indiquez au moins une origine autorisée, par exemple https://www.exemple.fr.".into(),
        );
    }
    if origins.len() > MAX_ORIGINS {
        return Err(format!("{MAX_ORIGINS} origines au plus."));
    }
    Ok(origins)
}

/// An accent colour `#rrggbb` (lower case) on which white text stays readable: the design
/// system asks a contrast of 4.5:1 at least (RGAA 3.2, WCAG AA).
pub fn parse_accent(raw: &str) -> Result<String, Refusal> {
    let hex = raw.strip_prefix('#').unwrap_or(raw);
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("Une couleur s'écrit en hexadécimal, par exemple #000091.");
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    let rgb = [channel(0), channel(2), channel(4)];
    if contrast_with_white(rgb) < 4.5 {
        return Err(
            "Cette couleur est trop claire : le texte blanc n'y serait pas lisible (contraste de 4,5:1 au moins). Choisissez une teinte plus foncée.",
        );
    }
    Ok(format!("#{}", hex.to_ascii_lowercase()))
}

/// WCAG 2 contrast ratio between a colour and white.
fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
    1.05 / (luminance + 0.05)
}

/// A partner's public id, from its name: lower-case ASCII words joined by dashes.
pub fn public_id_from(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut id = String::new();
    for word in words {
        if id.len() + word.len() + 1 > 40 {
            break;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(word);
    }
    if id.is_empty() {
        "partenaire".into()
    } else {
        id
    }
}

/// Whether a path segment can be a partner's public id (checked before any query).
pub fn is_public_id(raw: &str) -> bool {
    (1..=48).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_key_is_valid_until_its_expiry_and_revoked_whatever_its_dates() {
        let expires = at("2027-06-01 00:00");
        let status =
            |now: &str, revoked: Option<&str>| KeyStatus::at(expires, revoked.map(at), at(now));
        assert_eq!(status("2027-05-31 23:59", None), KeyStatus::Valid);
        assert_eq!(status("2027-06-01 00:00", None), KeyStatus::Expired);
        assert_eq!(
            status("2027-01-01 00:00", Some("2026-12-01 00:00")),
            KeyStatus::Revoked
        );
        assert_eq!(
            status("2028-01-01 00:00", Some("2026-12-01 00:00")),
            KeyStatus::Revoked
        );
        assert_eq!(serde_json::to_value(KeyStatus::Valid).unwrap(), "valid");
    }

    #[test]
    fn origins_are_exact_https_hosts() {
        assert_eq!(
            parse_origin("https://www.Banque.fr").unwrap(),
            "https://www.banque.fr"
        );
        assert_eq!(
            parse_origin("https://www.banque.fr/").unwrap(),
            "https://www.banque.fr"
        );
        assert_eq!(
            parse_origin("https://a.fr:8443").unwrap(),
            "https://a.fr:8443"
        );
        assert_eq!(parse_origin("https://a.fr:443").unwrap(), "https://a.fr");
        assert!(
            parse_origin("https://mairie-évry.fr")
                .unwrap()
                .starts_with("https://xn--")
        );
        assert!(is_clean_origin("https://a.fr") && !is_clean_origin("https://a.fr;x"));
        assert_eq!(
            parse_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            parse_origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        for refused in [
            "http://www.banque.fr",
            "www.banque.fr",
            "https://www.banque.fr/aide",
            "https://www.banque.fr/?x=1",
            "https://www.banque.fr#x",
            "https://user:pw@banque.fr",
            "https://*.banque.fr",
            "javascript:alert(1)",
            "*",
            "'self'",
            "https://",
            "https://b.example;script-src",
            "https://b.example;script-src 'unsafe-inline'",
            "https://b.example'",
            "https://\"b.example\"",
            "https://b.example,https://c.example",
            "https://-b.example",
        ] {
            assert!(
                parse_origin(refused).is_err(),
                "{refused} should be refused"
            );
        }
    }

    #[test]
    fn origin_lists_are_checked_and_deduplicated() {
        assert_eq!(
            parse_origins("https://a.fr\nhttps://A.fr/, https://b.fr").unwrap(),
            vec!["https://a.fr", "https://b.fr"]
        );
        assert!(parse_origins("  ").is_err());
        let error = parse_origins("https://a.fr http://b.fr").unwrap_err();
        assert!(error.contains("http://b.fr"), "{error}");
    }

    #[test]
    fn scopes_read_back_what_they_write() {
        for scope in [
            Scope::Journey,
            Scope::Diagnostic,
            Scope::Search,
            Scope::Audience(Audience::Collectivite),
            Scope::Category("arnaques".into()),
        ] {
            assert_eq!(Scope::parse(&scope.code()), Some(scope));
        }
        for refused in ["", "public:martien", "categorie:", "categorie:A B", "tout"] {
            assert_eq!(Scope::parse(refused), None, "{refused}");
        }
        assert!(!Scope::Search.offers_diagnostic());
        assert!(!Scope::Diagnostic.offers_help());
    }

    #[test]
    fn accents_keep_white_text_readable() {
        assert_eq!(parse_accent("#000091").unwrap(), "#000091");
        assert_eq!(parse_accent("1F5C99").unwrap(), "#1f5c99");
        // Yellow, light grey and the design system's light blue fail 4.5:1 with white.
        for light in ["#ffcc00", "#cccccc", "#8585f6"] {
            assert!(parse_accent(light).is_err(), "{light}");
        }
        for bad in ["", "#12345", "#ggggggg", "red", "#12345678"] {
            assert!(parse_accent(bad).is_err(), "{bad}");
        }
        // The boundary: #767676 is the lightest grey that passes on white.
        assert!(parse_accent("#767676").is_ok());
        assert!(parse_accent("#777777").is_err());
    }

    #[test]
    fn keys_last_eighteen_months_and_overlap_thirty_days_in_a_rotation() {
        let now = at("2026-12-01 10:00");
        assert_eq!(key_expiry(now), at("2028-06-01 10:00"));
        assert_eq!(
            replaced_expiry(at("2028-01-01 00:00"), now),
            at("2026-12-31 10:00")
        );
        assert_eq!(
            replaced_expiry(at("2026-12-05 00:00"), now),
            at("2026-12-05 00:00")
        );
        assert!(key_is_valid(at("2026-12-01 10:01"), None, now));
        assert!(!key_is_valid(now, None, now));
        assert!(!key_is_valid(at("2027-01-01 00:00"), Some(now), now));
        assert!(key_expires_soon(at("2027-01-30 10:00"), now));
        assert!(!key_expires_soon(at("2027-01-30 10:01"), now));
    }

    #[test]
    fn public_ids_are_readable_slugs() {
        assert_eq!(
            public_id_from("Banque Exemple & Fils"),
            "banque-exemple-fils"
        );
        assert_eq!(
            public_id_from("Mairie de Saint-Étienne"),
            "mairie-de-saint-etienne"
        );
        assert_eq!(public_id_from("!!!"), "partenaire");
        assert!(public_id_from(&"mot ".repeat(40)).len() <= 40);
        assert!(is_public_id("banque-exemple"));
        assert!(!is_public_id("Banque"));
        assert!(!is_public_id("a/b"));
        assert!(!is_public_id(""));
    }
}
