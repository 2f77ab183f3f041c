//! Settings from the environment; `.env.example` documents each one.

use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Public URL of the service, used in links and to decide on Secure cookies.
    pub base_url: String,
    /// Seed the demo directory when the database holds no provider.
    pub demo: bool,
    pub log_format: LogFormat,
    pub db_pool_size: u32,
    /// Folder holding the official geography files, imported at start-up when the database
    /// has none yet.
    pub geo_dir: Option<PathBuf>,
    /// `smtp://host:port` or `smtps://user:pass@host`; unset: emails are written as `.eml` files.
    pub smtp_url: Option<String>,
    /// Where `.eml` files go without SMTP.
    pub outbox_dir: PathBuf,
    /// The From of every email.
    pub mail_from: String,
    /// The service's public name, in pages and emails (not the code name).
    pub service_name: String,
    /// How often the delivery worker looks at the outbox.
    pub outbox_poll_ms: u64,
    /// The ExpertCyber application fee, in euro cents (`EXPERTCYBER_FEE_EUROS`, default 800).
    pub label_fee_cents: i32,
    /// Days the provider has to answer major non-conformities (`EXPERTCYBER_CORRECTIVE_DAYS`).
    pub corrective_days: u32,
    /// Days past its end date a renewal under examination may hold a label valid
    /// (`EXPERTCYBER_RENEWAL_GRACE_DAYS`, default 90).
    pub renewal_grace_days: u32,
    /// Days an approved provider whose insurance certificate lapsed has to upload the next one
    /// before it is suspended (`INSURANCE_GRACE_DAYS`, default 30).
    pub insurance_grace_days: u32,
    /// Months a Kbis extract may be old when the file is submitted (`KBIS_MAX_AGE_MONTHS`,
    /// default 3, as the programme asks).
    pub kbis_max_age_months: u32,
    /// Years back the observatory's views may start (`OBSERVATORY_WINDOW_YEARS`, default 5);
    /// a node keeps in memory these years and one more, for the comparison with a year before,
    /// and never less than the 168 weeks the weekly wave detection reads.
    pub observatory_window_years: u32,
    /// Months before a label's end date from which its renewal may be filed
    /// (`EXPERTCYBER_RENEWAL_WINDOW_MONTHS`, default 6).
    pub renewal_window_months: u32,
    /// Days after a label is withdrawn before its holder may apply again
    /// (`EXPERTCYBER_REAPPLY_DAYS`, default 180).
    pub reapply_days: u32,
    /// How long a provider has to answer an offered request (`ASSIGNMENT_TIMEOUT`, default 2h).
    pub assignment_timeout: chrono::Duration,
    /// How long the providers an urgent request is offered to at once have to accept it before
    /// it goes to staff (`URGENT_ASSIGNMENT_TIMEOUT`, default 30m).
    pub urgent_assignment_timeout: chrono::Duration,
    /// Months after closing before a request is anonymised (`RETENTION_MONTHS`, default 12).
    pub retention_months: u32,
    /// Months a chat's transcript is kept after it ended (`CHAT_RETENTION_MONTHS`, default 12).
    pub chat_retention_months: u32,
    /// Beyond this estimated wait, the victim is told plainly and may leave a message
    /// (`CHAT_MAX_WAIT_MINUTES`, default 15).
    pub chat_max_wait_minutes: u32,
    /// An operator whose console has been silent this long is set absent, their chats sent
    /// back to the head of the queue (`CHAT_OPERATOR_SILENCE`, default 60s).
    pub chat_operator_silence: chrono::Duration,
    /// Days an anonymous diagnostic journey is kept (`JOURNEY_RETENTION_DAYS`, default 90);
    /// the facts it gave the observatory stay.
    pub journey_retention_days: u32,
    /// Public submissions accepted per client address and hour (`ASSISTANCE_RATE_LIMIT`,
    /// default 10; 0 turns the limit off, for load tests).
    pub assistance_rate_limit: u32,
    /// Diagnostic journeys one client may start per hour, on the site, in a module or through
    /// the API (`JOURNEY_RATE_LIMIT`, default 60; 0 turns the limit off, for load tests).
    pub journey_rate_limit: u32,
    /// At most one account email (password reset, "you already have an account") per address
    /// in this interval (`ACCOUNT_EMAIL_INTERVAL`, default 15m).
    pub account_email_interval: chrono::Duration,
    /// The bytes all uploads in flight may hold in memory at once, in MiB
    /// (`CYBERDIR_UPLOAD_MEMORY_MB`, default 64).
    pub upload_memory_mb: u32,
    /// The reverse proxies in front of the service, and the header they append.
    pub proxies: Proxies,
    /// `GET /metrics` and the HTTP instrumentation.
    pub metrics: MetricsSettings,
}

/// Who may read `/metrics` (`CYBERDIR_METRICS_ALLOW`, comma-separated CIDR blocks, default
/// loopback: `127.0.0.1/32, ::1/128`; the client's address as resolved behind the trusted
/// proxies), and whether the HTTP answers are measured at all (`CYBERDIR_METRICS`, `on` by
/// default; `off` also hides the endpoint).
#[derive(Debug, Clone)]
pub struct MetricsSettings {
    pub enabled: bool,
    pub allow: Vec<Cidr>,
}

/// Reverse proxies whose forwarding header is believed (`CYBERDIR_TRUSTED_PROXIES`,
/// comma-separated CIDR blocks, none by default) and the one header they append
/// (`CYBERDIR_PROXY_HEADER`): the other family is the client's word, passed on untouched.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub trusted: Vec<Cidr>,
    pub header: ProxyHeader,
}

/// The forwarding header a proxy appends the client's address to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For` (nginx, HAProxy, Traefik, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=…` (RFC 7239).
    Forwarded,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}={value:?}: {expected}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub expected: &'static str,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/cyberdir.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let bind = get("CYBERDIR_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let base_url = get("CYBERDIR_BASE_URL").unwrap_or_else(|| format!("http://{bind}"));
        if url::Url::parse(&base_url).is_err() {
            return Err(ConfigError {
                name: "CYBERDIR_BASE_URL",
                value: base_url,
                expected: "an absolute URL such as https://cyberdir.example.fr",
            });
        }
        let demo = match get("CYBERDIR_DEMO").as_deref() {
            None | Some("1") | Some("true") | Some("yes") => true,
            Some("0") | Some("false") | Some("no") => false,
            Some(other) => {
                return Err(ConfigError {
                    name: "CYBERDIR_DEMO",
                    value: other.to_owned(),
                    expected: "1 or 0",
                });
            }
        };
        let log_format = match get("CYBERDIR_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "CYBERDIR_LOG_FORMAT",
                    value: other.to_owned(),
                    expected: "text or json",
                });
            }
        };
        let db_pool_size = match get("CYBERDIR_DB_POOL_SIZE") {
            None => 10,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=200).contains(n))
                .ok_or(ConfigError {
                    name: "CYBERDIR_DB_POOL_SIZE",
                    value: v,
                    expected: "a number from 1 to 200",
                })?,
        };
        let service_name = get("CYBERDIR_SERVICE_NAME")
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Assistance cyber".to_owned());
        let mail_from = get("CYBERDIR_MAIL_FROM")
            .unwrap_or_else(|| format!("\"{service_name}\" <ne-pas-repondre@cyberdir.localhost>"));
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError {
                name: "CYBERDIR_MAIL_FROM",
                value: mail_from,
                expected: "an address such as \"cyberdir <ne-pas-repondre@exemple.fr>\"",
            });
        }
        let outbox_poll_ms = match get("CYBERDIR_OUTBOX_POLL_MS") {
            None => 2000,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (50..=600_000).contains(n))
                .ok_or(ConfigError {
                    name: "CYBERDIR_OUTBOX_POLL_MS",
                    value: v,
                    expected: "milliseconds from 50 to 600000",
                })?,
        };
        let label_fee_cents = match get("EXPERTCYBER_FEE_EUROS") {
            None => 80_000,
            Some(v) => v
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (0..=100_000).contains(n))
                .map(|euros| euros * 100)
                .ok_or(ConfigError {
                    name: "EXPERTCYBER_FEE_EUROS",
                    value: v,
                    expected: "whole euros from 0 to 100000",
                })?,
        };
        let corrective_days = whole(
            &get,
            "EXPERTCYBER_CORRECTIVE_DAYS",
            60,
            1..=365,
            "days from 1 to 365",
        )?;
        let renewal_grace_days = whole(
            &get,
            "EXPERTCYBER_RENEWAL_GRACE_DAYS",
            90,
            0..=365,
            "days from 0 to 365",
        )?;
        let insurance_grace_days = whole(
            &get,
            "INSURANCE_GRACE_DAYS",
            30,
            0..=365,
            "days from 0 to 365",
        )?;
        let kbis_max_age_months = whole(
            &get,
            "KBIS_MAX_AGE_MONTHS",
            3,
            1..=12,
            "months from 1 to 12",
        )?;
        let observatory_window_years = whole(
            &get,
            "OBSERVATORY_WINDOW_YEARS",
            5,
            1..=20,
            "years from 1 to 20",
        )?;
        let renewal_window_months = whole(
            &get,
            "EXPERTCYBER_RENEWAL_WINDOW_MONTHS",
            6,
            1..=24,
            "months from 1 to 24",
        )?;
        let reapply_days = whole(
            &get,
            "EXPERTCYBER_REAPPLY_DAYS",
            180,
            0..=1095,
            "days from 0 to 1095",
        )?;
        let assignment_timeout = match get("ASSIGNMENT_TIMEOUT") {
            None => chrono::Duration::hours(2),
            Some(v) => parse_duration(&v)
                .filter(|d| *d >= chrono::Duration::minutes(1) && *d <= chrono::Duration::days(7))
                .ok_or(ConfigError {
                    name: "ASSIGNMENT_TIMEOUT",
                    value: v,
                    expected: "a duration from 1m to 7d such as 2h, 90m or 30s",
                })?,
        };
        let urgent_assignment_timeout = match get("URGENT_ASSIGNMENT_TIMEOUT") {
            None => chrono::Duration::minutes(30),
            Some(v) => parse_duration(&v)
                .filter(|d| *d >= chrono::Duration::minutes(1) && *d <= chrono::Duration::hours(24))
                .ok_or(ConfigError {
                    name: "URGENT_ASSIGNMENT_TIMEOUT",
                    value: v,
                    expected: "a duration from 1m to 24h such as 30m or 1h",
                })?,
        };
        let chat_retention_months = whole(
            &get,
            "CHAT_RETENTION_MONTHS",
            12,
            1..=120,
            "months from 1 to 120",
        )?;
        let chat_max_wait_minutes = whole(
            &get,
            "CHAT_MAX_WAIT_MINUTES",
            15,
            1..=240,
            "minutes from 1 to 240",
        )?;
        let chat_operator_silence = match get("CHAT_OPERATOR_SILENCE") {
            None => chrono::Duration::seconds(60),
            Some(v) => parse_duration(&v)
                .filter(|d| *d >= chrono::Duration::seconds(20) && *d <= chrono::Duration::hours(1))
                .ok_or(ConfigError {
                    name: "CHAT_OPERATOR_SILENCE",
                    value: v,
                    expected: "a duration from 20s to 1h such as 60s or 2m",
                })?,
        };
        let journey_retention_days = whole(
            &get,
            "JOURNEY_RETENTION_DAYS",
            90,
            1..=3650,
            "days from 1 to 3650",
        )?;
        let retention_months = whole(
            &get,
            "RETENTION_MONTHS",
            12,
            1..=120,
            "months from 1 to 120",
        )?;
        let assistance_rate_limit = match get("ASSISTANCE_RATE_LIMIT") {
            None => 10,
            Some(v) => v.trim().parse().ok().ok_or(ConfigError {
                name: "ASSISTANCE_RATE_LIMIT",
                value: v,
                expected: "a number of requests per hour (0 for no limit)",
            })?,
        };
        let journey_rate_limit = match get("JOURNEY_RATE_LIMIT") {
            None => 60,
            Some(v) => v.trim().parse().ok().ok_or(ConfigError {
                name: "JOURNEY_RATE_LIMIT",
                value: v,
                expected: "a number of journeys per hour (0 for no limit)",
            })?,
        };
        let account_email_interval = match get("ACCOUNT_EMAIL_INTERVAL") {
            None => chrono::Duration::minutes(15),
            Some(v) => parse_duration(&v)
                .filter(|d| *d >= chrono::Duration::seconds(1) && *d <= chrono::Duration::days(1))
                .ok_or(ConfigError {
                    name: "ACCOUNT_EMAIL_INTERVAL",
                    value: v,
                    expected: "a duration from 1s to 1d such as 15m",
                })?,
        };
        let proxy_header = match get("CYBERDIR_PROXY_HEADER")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("x-forwarded-for") => ProxyHeader::XForwardedFor,
            Some("forwarded") => ProxyHeader::Forwarded,
            Some(_) => {
                return Err(ConfigError {
                    name: "CYBERDIR_PROXY_HEADER",
                    value: get("CYBERDIR_PROXY_HEADER").unwrap_or_default(),
                    expected: "x-forwarded-for or forwarded",
                });
            }
        };
        let trusted_proxies = cidr_list(&get, "CYBERDIR_TRUSTED_PROXIES", "")?;
        let metrics = MetricsSettings {
            enabled: match get("CYBERDIR_METRICS").as_deref() {
                None | Some("on") | Some("1") | Some("true") => true,
                Some("off") | Some("0") | Some("false") => false,
                Some(other) => {
                    return Err(ConfigError {
                        name: "CYBERDIR_METRICS",
                        value: other.to_owned(),
                        expected: "on or off",
                    });
                }
            },
            allow: cidr_list(&get, "CYBERDIR_METRICS_ALLOW", "127.0.0.1/32, ::1/128")?,
        };
        let upload_memory_mb = whole(
            &get,
            "CYBERDIR_UPLOAD_MEMORY_MB",
            64,
            11..=4096,
            "MiB from 11 to 4096 (one 10 MB file must fit)",
        )?;
        Ok(Self {
            upload_memory_mb,
            account_email_interval,
            proxies: Proxies {
                trusted: trusted_proxies,
                header: proxy_header,
            },
            metrics,
            assignment_timeout,
            urgent_assignment_timeout,
            retention_months,
            chat_retention_months,
            chat_max_wait_minutes,
            chat_operator_silence,
            journey_retention_days,
            assistance_rate_limit,
            journey_rate_limit,
            label_fee_cents,
            corrective_days,
            renewal_grace_days,
            renewal_window_months,
            insurance_grace_days,
            kbis_max_age_months,
            observatory_window_years,
            reapply_days,
            smtp_url: get("SMTP_URL"),
            outbox_dir: get("CYBERDIR_OUTBOX_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("data/outbox")),
            mail_from,
            service_name,
            outbox_poll_ms,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind,
            base_url: base_url.trim_end_matches('/').to_owned(),
            demo,
            log_format,
            db_pool_size,
            geo_dir: get("CYBERDIR_GEO_DIR").map(PathBuf::from),
        })
    }
}

/// A setting listing address blocks, comma-separated (`default` when unset).
fn cidr_list(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<Vec<Cidr>, ConfigError> {
    let value = get(name).unwrap_or_else(|| default.to_owned());
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ConfigError {
            name,
            value: value.clone(),
            expected: "comma-separated CIDR blocks such as 10.0.0.0/8, ::1/128",
        })
}

/// `2h`, `90m`, `30s`, `1d`; a bare number is minutes.
impl Config {
    /// Served over HTTPS: cookies are `Secure` with a `__Host-` name, and browsers are told to
    /// keep to HTTPS (HSTS).
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The session cookie's name.
    pub fn session_cookie(&self) -> &'static str {
        if self.https() {
            "__Host-cyberdir_session"
        } else {
            "cyberdir_session"
        }
    }

    /// The anonymous forms' CSRF cookie's name.
    pub fn csrf_cookie(&self) -> &'static str {
        if self.https() {
            "__Host-cyberdir_csrf"
        } else {
            "cyberdir_csrf"
        }
    }
}

/// A block of IP addresses such as `10.0.0.0/8` or `::1/128` (a bare address is the block of
/// that one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(ipnet::IpNet);

impl Cidr {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        // An IPv4 client seen through an IPv6 socket is the IPv4 address it maps.
        let ip = match ip {
            V6(v6) => v6.to_ipv4_mapped().map_or(ip, V4),
            v4 => v4,
        };
        self.0.contains(&ip)
    }
}

/// A block (`10.0.0.0/8`, `2001:db8::/32`) or one address (`127.0.0.1`), read by `ipnet`.
impl std::str::FromStr for Cidr {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let text = text.trim();
        if let Ok(block) = text.parse::<ipnet::IpNet>() {
            return Ok(Self(block));
        }
        let one: std::net::IpAddr = text.parse().map_err(|_| ())?;
        Ok(Self(ipnet::IpNet::from(one)))
    }
}

/// A whole number setting within `range` (`expected` says it in words), `default` when unset.
fn whole(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    expected: &'static str,
) -> Result<u32, ConfigError> {
    let Some(value) = get(name) else {
        return Ok(default);
    };
    match value.trim().parse().ok().filter(|n| range.contains(n)) {
        Some(n) => Ok(n),
        None => Err(ConfigError {
            name,
            value,
            expected,
        }),
    }
}

/// A duration as people write it (`30s`, `15m`, `2h`, `1d`, `1h 30m`: `humantime`); a bare number
/// is minutes.
fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    let with_unit = if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        format!("{text}m")
    } else {
        text.to_owned()
    };
    let parsed = humantime::parse_duration(&with_unit).ok()?;
    chrono::Duration::from_std(parsed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn cidr_blocks_hold_their_addresses_only() {
        let private: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(private.contains("10.20.30.40".parse().unwrap()));
        assert!(!private.contains("11.0.0.1".parse().unwrap()));
        assert!(private.contains("::ffff:10.1.2.3".parse().unwrap()));
        let one: Cidr = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_read_as_people_write_them() {
        let minutes = |n| Some(chrono::Duration::minutes(n));
        assert_eq!(parse_duration("90"), minutes(90));
        assert_eq!(parse_duration("15m"), minutes(15));
        assert_eq!(parse_duration("15min"), minutes(15));
        assert_eq!(parse_duration("2h"), minutes(120));
        assert_eq!(parse_duration("1d"), minutes(24 * 60));
        assert_eq!(parse_duration("1h 30m"), minutes(90));
        assert_eq!(parse_duration("30s"), Some(chrono::Duration::seconds(30)));
        for bad in ["", "deux heures", "-5m", "5x"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind, DEFAULT_BIND);
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert!(c.demo);
        assert_eq!(c.log_format, LogFormat::Text);
    }

    /// `.env.example` shows a value for every setting the code reads, and each value it shows
    /// (set or commented out) is one the real parser accepts.
    #[test]
    fn env_example_agrees_with_the_parser() {
        let example = include_str!("../../../.env.example");
        let mut shown = std::collections::BTreeSet::new();
        for line in example.lines() {
            let line = line.trim_start_matches('#').trim();
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                continue;
            }
            shown.insert(name.to_owned());
            if let Err(e) = config(&[(name, value)]) {
                panic!(".env.example shows {name}={value}, which the parser refuses: {e}");
            }
        }
        let read = std::sync::Mutex::new(std::collections::BTreeSet::new());
        Config::from_lookup(|name| {
            read.lock().unwrap().insert(name.to_owned());
            None
        })
        .unwrap();
        let read = read.into_inner().unwrap();
        let missing: Vec<_> = read.difference(&shown).collect();
        assert!(missing.is_empty(), ".env.example lacks {missing:?}");
        // A value out of range is refused, never clamped in silence.
        for (name, value) in [
            ("ASSIGNMENT_TIMEOUT", "30s"),
            ("RETENTION_MONTHS", "0"),
            ("CYBERDIR_PROXY_HEADER", "x-real-ip"),
        ] {
            assert!(config(&[(name, value)]).is_err(), "{name}={value}");
        }
    }

    #[test]
    fn rejects_bad_values_naming_the_setting() {
        let err = config(&[("CYBERDIR_LOG_FORMAT", "xml")]).unwrap_err();
        assert_eq!(err.name, "CYBERDIR_LOG_FORMAT");
        assert!(config(&[("CYBERDIR_DEMO", "peut-être")]).is_err());
        assert!(config(&[("CYBERDIR_BASE_URL", "not a url")]).is_err());
        assert!(!config(&[("CYBERDIR_DEMO", "0")]).unwrap().demo);
    }
}
