//! The staff queue of applications (`/instruction`), with its tabs and filters.

use super::*;
use crate::domain::actor::Actor;
use crate::mail::outbox;
use crate::referencing::queue::{self, QueueColumn, QueueFilter, QueueOrder, QueuePage};
use crate::web::kit::Tab;
use crate::web::listing::{
    PAGE_SIZES, SizeChoice, SortHeader, days_between, departement_filter, page_size, size_choices,
    sort_headers,
};
use crate::web::page_error::PageResult;
use crate::web::session::StaffUser;

/// The queue's search, filters, order and page as submitted (GET, so a list can be
/// bookmarked and shared between staff).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueForm {
    pub q: Option<String>,
    /// `moi`: only the files the viewer follows.
    pub suivi: Option<String>,
    pub etat: Option<String>,
    pub departement: Option<String>,
    pub du: Option<String>,
    pub au: Option<String>,
    pub tri: Option<String>,
    pub par: Option<String>,
    pub page: Option<String>,
}

impl QueueForm {
    fn value(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or_default()
    }

    /// The address of the list with these filters and another state, order or page (`path`:
    /// the page or its export).
    fn link_to(&self, path: &str, etat: &str, tri: &str, page: usize) -> String {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        let tri = if tri == QueueOrder::default().as_param() {
            ""
        } else {
            tri
        };
        let par = Self::value(&self.par);
        let par = if par == PAGE_SIZES[0].to_string() {
            ""
        } else {
            par
        };
        with_query(
            path,
            &[
                ("q", Self::value(&self.q)),
                ("suivi", Self::value(&self.suivi)),
                ("etat", etat),
                ("departement", Self::value(&self.departement)),
                ("du", Self::value(&self.du)),
                ("au", Self::value(&self.au)),
                ("tri", tri),
                ("par", par),
                ("page", &page),
            ],
        )
    }

    fn link(&self, etat: &str, page: usize) -> String {
        self.link_to("/instruction", etat, &self.order_param(), page)
    }

    fn order_param(&self) -> String {
        QueueOrder::parse(Self::value(&self.tri))
            .unwrap_or_default()
            .as_param()
    }
}

/// The sortable columns: their name in addresses and their heading.
const SORTED_COLUMNS: [(&str, &str); 4] = [
    ("nom", "Nom"),
    ("commune", "Commune"),
    ("departement", "Département"),
    ("modifie", "Dernière modification"),
];

/// What the form asks for, checked: the filter, the order and the page size.
struct Checked {
    filter: QueueFilter,
    order: QueueOrder,
    per_page: usize,
}

fn check_queue_form(state: &AppState, viewer: &Actor, form: &QueueForm) -> (Checked, FieldErrors) {
    let mut errors = FieldErrors::new();
    let followed_by = match QueueForm::value(&form.suivi) {
        "" => None,
        "moi" => Some(viewer.id.clone()),
        _ => {
            errors.insert("suivi".into(), vec!["Choix de suivi inconnu.".into()]);
            None
        }
    };
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
    let departement = departement_filter(state, QueueForm::value(&form.departement), &mut errors);
    let search = QueueForm::value(&form.q).to_owned();
    if let Err(AppError::Validation(found)) = queue::search_words(&search) {
        errors.extend(found);
    }
    let tri = QueueForm::value(&form.tri);
    let order = if tri.is_empty() {
        QueueOrder::default()
    } else {
        QueueOrder::parse(tri).unwrap_or_else(|| {
            errors.insert("tri".into(), vec!["Ordre de tri inconnu.".into()]);
            QueueOrder::default()
        })
    };
    let per_page = page_size(form.par.as_deref()).unwrap_or_else(|message| {
        errors.insert("par".into(), vec![message]);
        PAGE_SIZES[0]
    });
    let (since, until) = days_between(
        QueueForm::value(&form.du),
        QueueForm::value(&form.au),
        &mut errors,
    );
    let filter = QueueFilter {
        status,
        departement,
        since,
        until,
        search,
        followed_by,
    };
    (
        Checked {
            filter,
            order,
            per_page,
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
    q: &'a str,
    mine: bool,
    mine_href: String,
    tri: String,
    sizes: Vec<SizeChoice>,
    headers: Vec<SortHeader>,
    caption: String,
    export_href: String,
    export_label: String,
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
    q: Option<String>,
    suivi: Option<String>,
    tri: Option<String>,
    par: Option<String>,
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
    checked: Option<&Checked>,
    page: usize,
) -> Result<QueueData, AppError> {
    let pending_changes = queue::pending_change_requests(state, staff)?;
    let (failed_emails, _) = outbox::list(state, staff, outbox::OutboxStatus::Failed, 1, 1)?;
    let page = match checked {
        Some(c) => {
            let offset = (page - 1).saturating_mul(c.per_page);
            queue::select(state, staff, &c.filter, c.order, offset, c.per_page)?
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
    let (checked, errors) = check_queue_form(&state, &user.actor, &form);
    let per_page = checked.per_page;
    let page_no = page_number(form.page.as_deref());
    let (inner, staff) = (data_of(&state), user.actor.clone());
    // Invalid filters show an empty list with the messages, not everything.
    let valid = errors.is_empty();
    let data =
        blocking(move || load_queue(&inner, &staff, valid.then_some(&checked), page_no)).await?;
    let tri = form.order_param();
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
            departement: r.departement.clone(),
            status: r.status.clone(),
            status_label: stored_state_label(&r.status),
            updated: date_fr(r.updated_at),
            updated_iso: iso(r.updated_at),
        })
        .collect();
    let pages = pagination(page_no, data.page.total, per_page, |p| form.link(&etat, p));
    let headers = sort_headers(&SORTED_COLUMNS, &tri, |order| {
        form.link_to("/instruction", &etat, order, 1)
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
        || !QueueForm::value(&form.q).is_empty()
        || !QueueForm::value(&form.suivi).is_empty()
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
            q: QueueForm::value(&form.q),
            mine: QueueForm::value(&form.suivi) == "moi",
            mine_href: with_query("/instruction", &[("suivi", "moi")]),
            sizes: size_choices(per_page),
            export_href: form.link_to("/instruction/export.csv", &etat, &tri, 1),
            export_label: format!(
                "Exporter {} (CSV)",
                if data.page.total == 1 {
                    "ce dossier".to_owned()
                } else {
                    format!("ces {}", plural(data.page.total, "dossier", "dossiers"))
                }
            ),
            caption: caption_of(&tri),
            headers,
            tri,
            departement: QueueForm::value(&form.departement),
            du: QueueForm::value(&form.du),
            au: QueueForm::value(&form.au),
            errors: FilterErrors {
                q: first("q"),
                suivi: first("suivi"),
                tri: first("tri"),
                par: first("par"),
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

/// `GET /instruction/export.csv`: the list with the same search, filters and order, every
/// line of it (not a page), as CSV written while it is read.
#[get("/instruction/export.csv")]
pub async fn queue_export(
    state: web::Data<AppState>,
    user: StaffUser,
    form: web::Query<QueueForm>,
) -> PageResult {
    let form = form.into_inner();
    let (checked, errors) = check_queue_form(&state, &user.0.actor, &form);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let (inner, staff) = (data_of(&state), user.0.actor.clone());
    let day = crate::french::time::paris(inner.clock.now_naive()).format("%Y-%m-%d");
    let filename = format!("dossiers-referencement-{day}.csv");
    let response = download::streamed(
        "text/csv; charset=utf-8",
        &filename,
        "dossiers.csv",
        move |out| queue::export(&inner, &staff, &checked.filter, checked.order, out),
    )?;
    Ok(response)
}

/// The table's caption: what it holds and in which order.
fn caption_of(tri: &str) -> String {
    let order = QueueOrder::parse(tri).unwrap_or_default();
    let how = match (order.column, order.descending) {
        (QueueColumn::Updated, true) => "du plus récemment modifié au plus ancien",
        (QueueColumn::Updated, false) => "du plus anciennement modifié au plus récent",
        (QueueColumn::Created, true) => "du plus récemment créé au plus ancien",
        (QueueColumn::Created, false) => "du plus anciennement créé au plus récent",
        (QueueColumn::Name, false) => "par nom, de A à Z",
        (QueueColumn::Name, true) => "par nom, de Z à A",
        (QueueColumn::City, false) => "par commune, de A à Z",
        (QueueColumn::City, true) => "par commune, de Z à A",
        (QueueColumn::Departement, false) => "par département, dans l'ordre des numéros",
        (QueueColumn::Departement, true) => "par département, dans l'ordre inverse des numéros",
    };
    format!("Dossiers, {how}")
}
