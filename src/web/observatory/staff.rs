//! `/observatoire`: the staff dashboard (filters, charts each with its data table, a CSV of
//! each view as shown).

use super::context;
use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{get, web};
use chrono::{Days, NaiveDate};
use serde::Deserialize;

use super::charts::{self, Bar, Line, LineStyle};
use crate::domain::audience::Audience;
use crate::error::AppError;
use crate::french::{change_fr, number_fr};
use crate::http::download::{Disposition, file};
use crate::http::extract::CurrentUser;
use crate::observatory::dashboard::{Dashboard, Filter};
use crate::state::AppState;
use crate::web::kit::{blocking, filled, first_errors, with_query};
use crate::web::page;
use crate::web::session::StaffUser;
use crate::web::session::data_of;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(dashboard_page).service(download);
}

/// The dashboard's query string, as a person's form sends it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DashboardQuery {
    pub periode: Option<String>,
    pub du: Option<String>,
    pub au: Option<String>,
    pub public: Option<String>,
    #[serde(rename = "type")]
    pub incident_type: Option<String>,
    pub categorie: Option<String>,
    pub region: Option<String>,
    pub departement: Option<String>,
    pub canal: Option<String>,
    pub vue: Option<String>,
}

fn set(value: &Option<String>) -> Option<String> {
    filled(value).map(str::to_owned)
}

fn date(
    value: &Option<String>,
    field: &str,
    errors: &mut crate::error::FieldErrors,
) -> Option<NaiveDate> {
    let text = set(value)?;
    let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.insert(
            field.to_owned(),
            vec!["Date invalide : choisissez un jour (jj/mm/aaaa).".to_owned()],
        );
    }
    parsed
}

impl DashboardQuery {
    /// The filter this query asks for: a preset period ending today, or the days chosen.
    pub fn filter(&self, today: NaiveDate) -> Result<Filter, AppError> {
        let mut errors = crate::error::FieldErrors::new();
        let back = |days: u64| Some(today - Days::new(days));
        let (from, to) = match self.periode.as_deref().unwrap_or("mois") {
            "semaine" => (back(6), Some(today)),
            "mois" => (back(29), Some(today)),
            "trimestre" => (back(90), Some(today)),
            "annee" => (back(364), Some(today)),
            _ => (
                date(&self.du, "du", &mut errors),
                date(&self.au, "au", &mut errors),
            ),
        };
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Filter {
            from,
            to,
            audience: set(&self.public),
            incident_type: set(&self.incident_type),
            category: set(&self.categorie),
            region: set(&self.region),
            departement: set(&self.departement),
            channel: set(&self.canal),
        })
    }

    /// The CSV of one view, with the same filters.
    fn csv_url(&self, vue: &str) -> String {
        let text = |v: &Option<String>| set(v).unwrap_or_default();
        let values = [
            ("periode", text(&self.periode)),
            ("du", text(&self.du)),
            ("au", text(&self.au)),
            ("public", text(&self.public)),
            ("type", text(&self.incident_type)),
            ("categorie", text(&self.categorie)),
            ("region", text(&self.region)),
            ("departement", text(&self.departement)),
            ("canal", text(&self.canal)),
            ("vue", vue.to_owned()),
        ];
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        with_query("/observatoire/donnees.csv", &pairs)
    }
}

/// The periods offered, each ending today, and the period chosen by its days.
const PERIODS: [(&str, &str); 5] = [
    ("semaine", "7 derniers jours"),
    ("mois", "30 derniers jours"),
    ("trimestre", "91 derniers jours"),
    ("annee", "365 derniers jours"),
    ("personnalisee", "Période choisie"),
];

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn minutes_fr(m: Option<u32>) -> String {
    match m {
        None => "—".into(),
        Some(m) if m < 60 => format!("{m}\u{a0}min"),
        Some(m) if m < 48 * 60 => format!("{}\u{a0}h\u{a0}{:02}", m / 60, m % 60),
        Some(m) => format!("{}\u{a0}jours", m / (24 * 60)),
    }
}

fn percent_fr(p: Option<f64>) -> String {
    p.map_or_else(
        || "—".into(),
        |p| format!("{}\u{202f}%", (p * 10.0).round() / 10.0).replace('.', ","),
    )
}

/// The page's data: the filter form's choices, the figures, the charts and their tables.
fn view(state: &AppState, query: &DashboardQuery, d: &Dashboard) -> context::Dashboard {
    // A period ending today holds a day not over yet: the week that holds it says so.
    let today = state.clock.today();
    let ongoing = |w: &crate::observatory::dashboard::WeekCount| {
        d.to == today && (w.week..=w.week + Days::new(6)).contains(&today)
    };
    let labels: Vec<String> = d
        .weeks
        .iter()
        .map(|w| {
            let label = w.week.format("%d/%m").to_string();
            // A partial week says so on the chart, or it reads as a drop.
            match (w.days < 7, ongoing(w)) {
                (true, true) => format!("{label} ({} j, en cours)", w.days),
                (true, false) => format!("{label} ({} j)", w.days),
                (false, true) => format!("{label} (en cours)"),
                (false, false) => label,
            }
        })
        .collect();
    let current: Vec<Option<f64>> = d.weeks.iter().map(|w| Some(w.count as f64)).collect();
    let before: Vec<Option<f64>> = d.weeks.iter().map(|w| Some(w.year_before as f64)).collect();
    let weeks_chart = charts::line_chart(
        "Signalements par semaine",
        &labels,
        &[
            Line {
                label: "Période choisie",
                values: &current,
                style: LineStyle::Current,
            },
            Line {
                label: "Un an avant",
                values: &before,
                style: LineStyle::Previous,
            },
        ],
    );
    let top: Vec<context::Threats> = d
        .top
        .iter()
        .map(|a| {
            let bars: Vec<Bar> = a
                .threats
                .iter()
                .map(|t| Bar {
                    label: &t.label,
                    value: Some(t.count),
                    change_percent: t.change_percent,
                })
                .collect();
            context::Threats {
                audience: a.audience.label(),
                chart: charts::bar_chart(
                    &format!("Principales menaces : {}", a.audience.label()),
                    &bars,
                ),
                rows: a
                    .threats
                    .iter()
                    .map(|t| context::ThreatLine {
                        label: t.label.clone(),
                        count: number_fr(t.count),
                        previous: number_fr(t.previous),
                        change: t
                            .change_percent
                            .map(change_fr)
                            .unwrap_or_else(|| "nouveau".into()),
                    })
                    .collect(),
            }
        })
        .collect();
    let f = &d.funnel;
    let funnel_chart = charts::funnel_chart(
        "Parcours des demandes d'assistance",
        &[
            ("Demandes", Some(f.requests)),
            ("Acceptées", Some(f.accepted)),
            ("Résolues", Some(f.resolved)),
        ],
    );
    let selected = |v: &Option<String>, code: &str| set(v).as_deref() == Some(code);
    let coded = |code: &str, label: &str, selected: bool| context::Coded {
        code: code.to_owned(),
        label: label.to_owned(),
        selected,
    };
    let periods = PERIODS
        .iter()
        .map(|(code, label)| {
            coded(
                code,
                label,
                query.periode.as_deref().unwrap_or("mois") == *code,
            )
        })
        .collect();
    context::Dashboard {
        definition: crate::observatory::SIGNALEMENT,
        period: format!(
            "du {} au {}{}",
            day(d.from),
            day(d.to),
            if d.to == today {
                " (journée d'aujourd'hui en cours)"
            } else {
                ""
            }
        ),
        cases: number_fr(d.cases),
        previous_cases: number_fr(d.previous_cases),
        unnamed: number_fr(d.unnamed),
        change: crate::domain::observatory::change_percent(d.cases, d.previous_cases)
            .map(change_fr),
        weeks_chart,
        weeks: d
            .weeks
            .iter()
            .map(|w| context::WeekLine {
                week: day(w.week),
                partial: match (w.days < 7, ongoing(w)) {
                    (true, running) => Some(format!(
                        "partielle : {} sur 7{}",
                        crate::french::plural(usize::from(w.days), "jour", "jours"),
                        if running { ", en cours" } else { "" }
                    )),
                    (false, true) => Some("en cours".to_owned()),
                    (false, false) => None,
                },
                count: number_fr(w.count),
                year_before: number_fr(w.year_before),
            })
            .collect(),
        top,
        regions: d
            .regions
            .iter()
            .map(|r| context::RegionLine {
                name: r.name.clone(),
                count: number_fr(r.count),
                departements: r
                    .departements
                    .iter()
                    .map(|p| context::PlaceCount {
                        name: format!("{} ({})", p.name, p.code),
                        count: number_fr(p.count),
                    })
                    .collect(),
            })
            .collect(),
        unplaced: number_fr(d.unplaced),
        journeys: context::Journeys {
            total: number_fr(d.journeys.total),
            started: number_fr(d.journeys.started),
            advice: number_fr(d.journeys.advice),
            redirection: number_fr(d.journeys.redirection),
            search: number_fr(d.journeys.search),
            request: number_fr(d.journeys.request),
        },
        funnel_chart,
        funnel: context::Funnel {
            requests: number_fr(f.requests),
            accepted: number_fr(f.accepted),
            resolved: number_fr(f.resolved),
            escalated: number_fr(f.escalated),
        },
        response: context::Response {
            accepted: number_fr(d.response.accepted),
            median: minutes_fr(d.response.median_minutes),
            p90: minutes_fr(d.response.p90_minutes),
            within_hour: percent_fr(d.response.within_hour_percent),
        },
        csv: context::CsvLinks {
            weeks: query.csv_url("semaines"),
            threats: query.csv_url("menaces"),
            places: query.csv_url("territoires"),
            journeys: query.csv_url("parcours"),
            assistance: query.csv_url("assistance"),
        },
        form: context::DashboardForm {
            periods,
            du: set(&query.du).unwrap_or_else(|| d.from.to_string()),
            au: set(&query.au).unwrap_or_else(|| d.to.to_string()),
            audiences: Audience::ALL
                .iter()
                .map(|a| coded(a.code(), a.label(), selected(&query.public, a.code())))
                .collect(),
            types: state
                .taxonomy
                .all()
                .iter()
                .map(|t| coded(&t.code, &t.label, selected(&query.incident_type, &t.code)))
                .collect(),
            categories: state
                .taxonomy
                .categories()
                .into_iter()
                .map(|c| {
                    coded(
                        c,
                        &crate::domain::taxonomy::category_label(c),
                        selected(&query.categorie, c),
                    )
                })
                .collect(),
            regions: state
                .departements
                .regions()
                .into_iter()
                .map(|(code, name)| coded(&code, &name, selected(&query.region, &code)))
                .collect(),
            departements: state
                .departements
                .all()
                .iter()
                .map(|dep| {
                    coded(
                        &dep.code,
                        &format!("{} ({})", dep.name, dep.code),
                        selected(&query.departement, &dep.code),
                    )
                })
                .collect(),
            channels: crate::observatory::CHANNELS
                .iter()
                .map(|c| coded(c, channel_label(c), selected(&query.canal, c)))
                .collect(),
        },
        errors: Default::default(),
        invalid: false,
    }
}

fn channel_label(code: &str) -> &'static str {
    match code {
        "site" => "Site",
        "api" => "API",
        "module" => "Module des partenaires",
        _ => "Autre",
    }
}

async fn compute(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    query: &DashboardQuery,
) -> Result<Dashboard, AppError> {
    let filter = query.filter(state.clock.today())?;
    let (inner, actor) = (data_of(state), user.actor.clone());
    blocking(move || crate::observatory::dashboard(&inner, &inner.observatory, &actor, &filter))
        .await
}

#[get("/observatoire")]
async fn dashboard_page(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<DashboardQuery>,
) -> PageResult {
    let user = user.0;
    let query = query.into_inner();
    match compute(&state, &user, &query).await {
        Ok(d) => Ok(page(
            &state,
            StatusCode::OK,
            "pages/observatory/dashboard",
            "Observatoire",
            Some(&user),
            view(&state, &query, &d),
        )),
        Err(AppError::Validation(errors)) => {
            // The filters as sent, with each problem beside its field; the views are not shown.
            let fallback = DashboardQuery::default();
            let Ok(d) = compute(&state, &user, &fallback).await else {
                return Err(PageError::from(AppError::Validation(errors)));
            };
            let data = context::Dashboard {
                errors: first_errors(&errors),
                invalid: true,
                ..view(&state, &query, &d)
            };
            Ok(page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/observatory/dashboard",
                "Erreur : observatoire",
                Some(&user),
                data,
            ))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// One view as CSV (UTF-8 with a BOM, so that a spreadsheet reads the accents).
#[get("/observatoire/donnees.csv")]
async fn download(
    state: web::Data<AppState>,
    user: StaffUser,
    query: web::Query<DashboardQuery>,
) -> PageResult {
    let user = user.0;
    let query = query.into_inner();
    let d = compute(&state, &user, &query).await?;
    let vue = query.vue.as_deref().unwrap_or("semaines");
    let Some(rows) = csv_rows(&d, vue) else {
        return Err(PageError::from(AppError::not_found(
            "Cette vue n'existe pas : semaines, menaces, territoires, parcours ou assistance.",
        )));
    };
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for row in rows {
        if let Err(e) = out.write_record(&row) {
            return Err(PageError::from(AppError::Internal(e.to_string())));
        }
    }
    match out.into_inner() {
        Ok(bytes) => Ok(file(
            "text/csv; charset=utf-8",
            Disposition::Attachment,
            &format!("observatoire-{vue}-{}-{}.csv", d.from, d.to),
            "observatoire.csv",
            bytes,
        )),
        Err(e) => Err(PageError::from(AppError::Internal(e.to_string()))),
    }
}

/// The rows of one view, header first, exact figures (staff only).
fn csv_rows(d: &Dashboard, vue: &str) -> Option<Vec<Vec<String>>> {
    let header = |cols: &[&str]| cols.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let mut rows = Vec::new();
    match vue {
        "semaines" => {
            rows.push(header(&[
                "semaine_du",
                "signalements",
                "un_an_avant",
                "jours_dans_la_periode",
            ]));
            for w in &d.weeks {
                rows.push(vec![
                    w.week.to_string(),
                    w.count.to_string(),
                    w.year_before.to_string(),
                    w.days.to_string(),
                ]);
            }
        }
        "menaces" => {
            rows.push(header(&[
                "public",
                "type_incident",
                "libelle",
                "signalements",
                "periode_precedente",
            ]));
            for a in &d.top {
                for t in &a.threats {
                    rows.push(vec![
                        a.audience.code().to_owned(),
                        t.code.clone(),
                        t.label.clone(),
                        t.count.to_string(),
                        t.previous.to_string(),
                    ]);
                }
            }
        }
        "territoires" => {
            rows.push(header(&["region", "departement", "nom", "signalements"]));
            for r in &d.regions {
                for p in &r.departements {
                    rows.push(vec![
                        r.name.clone(),
                        p.code.clone(),
                        p.name.clone(),
                        p.count.to_string(),
                    ]);
                }
            }
            rows.push(vec![
                String::new(),
                String::new(),
                "Sans lieu".into(),
                d.unplaced.to_string(),
            ]);
        }
        "parcours" => {
            let j = &d.journeys;
            rows.push(header(&["issue", "parcours"]));
            for (k, v) in [
                ("total", j.total),
                ("interrompu", j.started),
                ("conseils", j.advice),
                ("orientation", j.redirection),
                ("recherche", j.search),
                ("demande", j.request),
            ] {
                rows.push(vec![k.to_owned(), v.to_string()]);
            }
        }
        "assistance" => {
            let (f, r) = (&d.funnel, &d.response);
            rows.push(header(&["mesure", "valeur"]));
            let opt = |v: Option<u32>| v.map(|m| m.to_string()).unwrap_or_default();
            for (k, v) in [
                ("demandes", f.requests.to_string()),
                ("acceptees", f.accepted.to_string()),
                ("resolues", f.resolved.to_string()),
                ("transmises_equipe", f.escalated.to_string()),
                ("delai_median_minutes", opt(r.median_minutes)),
                ("delai_p90_minutes", opt(r.p90_minutes)),
                (
                    "part_acceptees_en_une_heure",
                    r.within_hour_percent
                        .map(|p| format!("{p:.1}"))
                        .unwrap_or_default(),
                ),
            ] {
                rows.push(vec![k.to_owned(), v]);
            }
        }
        _ => return None,
    }
    Some(rows)
}
