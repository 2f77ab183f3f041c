//! The staff queue of applications (`/instruction`), with its tabs and filters.

use super::*;
use crate::domain::actor::Actor;
use crate::mail::outbox;
use crate::referencing::queue::{self, QueueFilter, QueuePage};
use crate::web::kit::Tab;
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

/// The queue's filters as submitted (GET, so a filtered queue can be bookmarked).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueForm {
    pub etat: Option<String>,
    pub departement: Option<String>,
    pub du: Option<String>,
    pub au: Option<String>,
    pub page: Option<String>,
}

impl QueueForm {
    fn value(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or_default()
    }

    /// A link to the queue with these filters, another state and a page.
    fn link(&self, etat: &str, page: usize) -> String {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        with_query(
            "/instruction",
            &[
                ("etat", etat),
                ("departement", Self::value(&self.departement)),
                ("du", Self::value(&self.du)),
                ("au", Self::value(&self.au)),
                ("page", &page),
            ],
        )
    }
}

fn parse_day(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"));
    match parsed {
        Ok(day) => Some(day),
        Err(_) => {
            errors.insert(
                field.to_owned(),
                vec!["Date invalide : utilisez le format jj/mm/aaaa.".to_owned()],
            );
            None
        }
    }
}

fn check_queue_form(state: &AppState, form: &QueueForm) -> (QueueFilter, FieldErrors) {
    let mut errors = FieldErrors::new();
    let etat = QueueForm::value(&form.etat);
    let status = match etat {
        "" => None,
        s => match ReferencingStatus::parse(s) {
            Some(status) => Some(status),
            None => {
                errors.insert("etat".into(), vec!["État inconnu.".into()]);
                None
            }
        },
    };
    let typed = QueueForm::value(&form.departement);
    let departement = if typed.is_empty() {
        None
    } else {
        let code = typed.to_uppercase();
        let code = if code.len() == 1 && code.chars().all(|c| c.is_ascii_digit()) {
            format!("0{code}")
        } else {
            code
        };
        let simple = |s: &str| {
            deunicode::deunicode(s)
                .to_lowercase()
                .replace(['-', ' ', '\''], "")
        };
        let found = state.departements.get(&code).or_else(|| {
            state
                .departements
                .all()
                .iter()
                .find(|d| simple(&d.name) == simple(typed))
        });
        match found {
            Some(d) => Some(d.code.clone()),
            None => {
                errors.insert(
                    "departement".into(),
                    vec![format!(
                        "Département inconnu : « {typed} ». Indiquez son numéro (35, 2A, 974…) ou son nom."
                    )],
                );
                None
            }
        }
    };
    let since = parse_day(QueueForm::value(&form.du), "du", &mut errors);
    let until = parse_day(QueueForm::value(&form.au), "au", &mut errors);
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        errors.insert(
            "au".into(),
            vec!["La date de fin précède la date de début.".into()],
        );
    }
    (
        QueueFilter {
            status,
            departement,
            since: since.map(paris_midnight),
            // Inclusive: up to the end of that day.
            until: until.and_then(|d| d.succ_opt()).map(paris_midnight),
        },
        errors,
    )
}

/// `pages/referencing/queue`: the staff's queue of applications.
#[derive(Serialize)]
struct QueuePageView<'a> {
    tabs: Vec<Tab>,
    choices: Vec<Choice>,
    etat_all: bool,
    departement: &'a str,
    du: &'a str,
    au: &'a str,
    errors: FilterErrors,
    has_errors: bool,
    lines: Vec<QueueLine>,
    summary: String,
    pagination: crate::web::kit::Pagination,
    pending_changes: usize,
    pending_changes_text: String,
    failed_emails: i64,
    failed_emails_text: String,
}

/// What is wrong with each filter.
#[derive(Serialize)]
struct FilterErrors {
    etat: Option<String>,
    departement: Option<String>,
    du: Option<String>,
    au: Option<String>,
}

#[derive(Serialize)]
struct QueueLine {
    href: String,
    name: String,
    legal_name: String,
    city: String,
    departement: String,
    status: String,
    status_label: String,
    updated: String,
    updated_iso: String,
}

struct QueueData {
    page: QueuePage,
    pending_changes: usize,
    failed_emails: i64,
}

/// The selection (without a valid filter, only the reminders of change requests and failed
/// emails).
fn load_queue(
    state: &AppState,
    staff: &Actor,
    filter: Option<&QueueFilter>,
    page: usize,
) -> Result<QueueData, AppError> {
    let pending_changes = queue::pending_change_requests(state, staff)?;
    let (failed_emails, _) = outbox::list(state, staff, outbox::OutboxStatus::Failed, 1, 1)?;
    let page = match filter {
        Some(filter) => {
            let offset = (page - 1).saturating_mul(QUEUE_PAGE);
            queue::select(state, staff, filter, offset, QUEUE_PAGE)?
        }
        None => QueuePage::default(),
    };
    Ok(QueueData {
        page,
        pending_changes,
        failed_emails,
    })
}

#[get("/instruction")]
pub async fn queue_get(
    state: web::Data<AppState>,
    user: StaffUser,
    form: web::Query<QueueForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    let (filter, errors) = check_queue_form(&state, &form);
    let page_no = page_number(form.page.as_deref());
    let (inner, staff) = (data_of(&state), user.actor.clone());
    // Invalid filters show an empty list with the messages, not everything.
    let valid = errors.is_empty();
    let data =
        blocking(move || load_queue(&inner, &staff, valid.then_some(&filter), page_no)).await?;
    let etat = QueueForm::value(&form.etat).to_owned();
    let all: i64 = data.page.counts.values().sum();
    let mut tabs = vec![Tab {
        label: "Tous".into(),
        count: all,
        href: form.link("", 1),
        current: etat.is_empty(),
        urgent: false,
    }];
    tabs.extend(STATES.iter().map(|s| Tab {
        label: state_label(*s),
        count: data.page.counts.get(s.as_str()).copied().unwrap_or(0),
        href: form.link(s.as_str(), 1),
        current: etat == s.as_str(),
        urgent: false,
    }));
    let lines: Vec<QueueLine> = data
        .page
        .lines
        .iter()
        .map(|r| QueueLine {
            href: format!("/instruction/dossiers/{}", r.id),
            name: if r.name.is_empty() {
                "(sans nom commercial)".into()
            } else {
                r.name.clone()
            },
            legal_name: r.legal_name.clone(),
            city: r.city.clone(),
            departement: queue::departement_of(r).unwrap_or_default(),
            status: r.status.clone(),
            status_label: stored_state_label(&r.status),
            updated: date_fr(r.updated_at),
            updated_iso: iso(r.updated_at),
        })
        .collect();
    let pages = pagination(page_no, data.page.total, QUEUE_PAGE, |p| {
        form.link(&etat, p)
    });
    let choices: Vec<Choice> = STATES
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: state_label(*s),
            selected: etat == s.as_str(),
        })
        .collect();
    let first = |f: &str| errors.get(f).and_then(|m| m.first()).cloned();
    let filtered = !etat.is_empty()
        || !QueueForm::value(&form.departement).is_empty()
        || !QueueForm::value(&form.du).is_empty()
        || !QueueForm::value(&form.au).is_empty();
    let summary = match data.page.total {
        0 if filtered => "Aucun dossier ne correspond à ces critères.".to_owned(),
        0 => "Aucun dossier.".to_owned(),
        n => plural(n, "dossier", "dossiers"),
    };
    let (status, title) = if valid {
        (StatusCode::OK, "File d'instruction".to_owned())
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Erreur : file d'instruction".to_owned(),
        )
    };
    Ok(page(
        &state,
        status,
        "pages/referencing/queue",
        &title,
        Some(&user),
        QueuePageView {
            tabs,
            choices,
            etat_all: etat.is_empty(),
            departement: QueueForm::value(&form.departement),
            du: QueueForm::value(&form.du),
            au: QueueForm::value(&form.au),
            errors: FilterErrors {
                etat: first("etat"),
                departement: first("departement"),
                du: first("du"),
                au: first("au"),
            },
            has_errors: !valid,
            lines,
            summary,
            pagination: pages,
            pending_changes: data.pending_changes,
            pending_changes_text: plural(
                data.pending_changes,
                "demande de modification en attente",
                "demandes de modification en attente",
            ),
            failed_emails: data.failed_emails,
            failed_emails_text: plural(
                usize::try_from(data.failed_emails).unwrap_or(0),
                "courriel en échec",
                "courriels en échec",
            ),
        },
    ))
}
