//! What every page shares, written once: blocking work off the executor, field errors for
//! templates, the French error page of signed-in areas, role guards, and French formatting of
//! dates, sizes, amounts and plurals.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::page;
use crate::domain::actor::{Actor, Role};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::CurrentUser;
use crate::state::AppState;

pub use crate::french::{date_fr, datetime_fr, day_fr, euros, iso, plural, size_fr};

/// Runs blocking service work (database, hashing) off the async executor.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    web::block(work)
        .await
        .map_err(crate::http::problem::blocking_failed)
        .and_then(|r| r)
}

/// `{field: first message}` for templates; dots become underscores (`contact.name` ->
/// `contact_name`) so that templates can name them.
pub fn first_errors(errors: &FieldErrors) -> std::collections::BTreeMap<String, String> {
    errors
        .iter()
        .filter_map(|(field, messages)| {
            messages
                .first()
                .map(|m| (field.replace('.', "_"), m.clone()))
        })
        .collect()
}

/// An error of the summary at the top of a page, linking to its field
/// (`templates/pages/partials/error_summary.hbs`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorLink {
    pub href: String,
    pub message: String,
}

/// The errors of a refused form for the summary at the top of its page, in the order of the
/// page: `order` lists (field, anchor of its input) as the page shows them; an error of any
/// other field links to `elsewhere`.
pub fn error_links(
    errors: &FieldErrors,
    order: &[(&str, &str)],
    elsewhere: &str,
) -> Vec<ErrorLink> {
    let mut links: Vec<ErrorLink> = order
        .iter()
        .filter_map(|(field, anchor)| {
            Some(ErrorLink {
                href: format!("#{anchor}"),
                message: errors.get(*field)?.first()?.clone(),
            })
        })
        .collect();
    links.extend(
        errors
            .iter()
            .filter(|(field, _)| !order.iter().any(|(f, _)| f == field))
            .filter_map(|(_, messages)| messages.first())
            .map(|message| ErrorLink {
                href: format!("#{elsewhere}"),
                message: message.clone(),
            }),
    );
    links
}

/// The first message of a validation error.
pub fn first_message(errors: &FieldErrors) -> String {
    errors
        .values()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_else(|| "Certaines données sont invalides.".to_owned())
}

/// An error as a French page of a signed-in area, with the user's menu, the field messages of
/// a refused form, and a way back (`(href, label)`) that suits the area.
pub fn error_page(
    state: &AppState,
    user: &CurrentUser,
    error: &AppError,
    (back_href, back_label): (&str, &str),
) -> HttpResponse {
    let status = crate::http::problem::status_of(error);
    if status.is_server_error() {
        tracing::error!(%error, cause = ?error, "page error");
    }
    let heading = match status {
        StatusCode::FORBIDDEN => "Accès refusé",
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::CONFLICT => "Action impossible",
        StatusCode::PAYLOAD_TOO_LARGE => "Fichier trop volumineux",
        StatusCode::SERVICE_UNAVAILABLE => "Service momentanément indisponible",
        s if s.is_client_error() => "Requête invalide",
        _ => "Erreur",
    };
    let details: Vec<&String> = match error {
        AppError::Validation(errors) => errors.values().flatten().collect(),
        _ => Vec::new(),
    };
    page(
        state,
        status,
        "pages/error_signed_in",
        heading,
        Some(user),
        ErrorPage {
            heading,
            message: error.to_string(),
            details,
            back_href,
            back_label,
        },
    )
}

/// `pages/error_signed_in`: an error, for someone signed in.
#[derive(Serialize)]
struct ErrorPage<'a> {
    heading: &'a str,
    message: String,
    /// Each field's messages, when the error is a validation's.
    details: Vec<&'a String>,
    back_href: &'a str,
    back_label: &'a str,
}

/// [`error_page`] with the way back to the user's own area: the review queue for staff, the
/// portal for providers, the home page otherwise.
pub fn area_error_page(state: &AppState, user: &CurrentUser, error: &AppError) -> HttpResponse {
    let back = match user.role {
        r if r.is_staff() => ("/instruction", "Revenir à la file d'instruction"),
        Role::Provider => ("/espace", "Revenir à mon espace prestataire"),
        _ => ("/", "Revenir à l'accueil"),
    };
    error_page(state, user, error, back)
}

/// Provider accounts only; `refusal` says, in the area's words, who the page is for.
pub fn require_provider(user: &Actor, refusal: &str) -> Result<(), AppError> {
    if user.role == Role::Provider {
        Ok(())
    } else {
        Err(AppError::forbidden(refusal.to_owned()))
    }
}

/// Staff and admins only; `refusal` says, in the area's words, who the page is for.
pub fn require_staff(user: &Actor, refusal: &str) -> Result<(), AppError> {
    user.require_staff()
        .map_err(|_| AppError::forbidden(refusal.to_owned()))
}

/// Admins only.
pub fn require_admin(user: &Actor) -> Result<(), AppError> {
    user.require_admin()
        .map_err(|_| AppError::forbidden("Cette page est réservée aux administrateurs."))
}

/// A query or form value as typed, trimmed; `None` when absent or blank.
pub fn filled(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `path?k=v&...`, leaving out empty values.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            url.append_pair(k, v);
        }
    }
    let query = url.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

#[derive(Serialize, Debug)]
pub struct Pagination {
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The first and last pages, and two on each side of this one; a gap is a `None` number.
    pub numbers: Vec<PageNumber>,
}

/// A link to a numbered page, or the gap between two (`number` is `None`).
#[derive(Serialize, Debug, PartialEq)]
pub struct PageNumber {
    pub number: Option<usize>,
    pub href: String,
    pub current: bool,
}

/// The page that asks before an irreversible or external action (refuse, suspend, remove,
/// disable, revoke): what will happen, what was typed, and the same form again with
/// `confirme=oui`, or the way back. It works without JavaScript.
#[derive(Serialize, Debug)]
pub struct Confirmation {
    pub question: String,
    pub consequence: String,
    pub details: Vec<Detail>,
    /// Where the confirmed form posts, and its fields but the CSRF token.
    pub action: String,
    pub fields: Vec<Detail>,
    pub confirm_label: String,
    pub cancel_href: String,
}

/// A labelled value (a detail shown, or a hidden field: `label` is then its name).
#[derive(Serialize, Debug)]
pub struct Detail {
    #[serde(rename = "name")]
    pub label: String,
    pub value: String,
}

impl Confirmation {
    /// The page that asks (`pages/confirm`), titled by its confirming button.
    pub fn page(self, state: &AppState, user: &CurrentUser) -> HttpResponse {
        let title = self.confirm_label.clone();
        page(
            state,
            StatusCode::OK,
            "pages/confirm",
            &title,
            Some(user),
            self,
        )
    }
}

/// Whether a form says its action was confirmed.
pub fn confirmed(field: &str) -> bool {
    field == "oui"
}

/// A page of a list (failed emails, accounts): what it holds, its lines, the links to the
/// pages around it, and what the last action did.
#[derive(Serialize)]
pub struct ListPage<'a, L> {
    pub summary: String,
    pub lines: Vec<L>,
    pub pagination: Pagination,
    pub page: usize,
    pub info: Option<&'a str>,
    pub error: Option<String>,
}

/// Links to the previous and next pages of a list.
pub fn pagination(
    page: usize,
    total: usize,
    per_page: usize,
    link: impl Fn(usize) -> String,
) -> Pagination {
    let pages = total.div_ceil(per_page.max(1)).max(1);
    let mut numbers = Vec::new();
    for number in 1..=pages {
        let near = number.abs_diff(page) <= 2;
        if number == 1 || number == pages || near {
            numbers.push(PageNumber {
                number: Some(number),
                href: link(number),
                current: number == page,
            });
        } else if numbers
            .last()
            .is_some_and(|n: &PageNumber| n.number.is_some())
        {
            numbers.push(PageNumber {
                number: None,
                href: String::new(),
                current: false,
            });
        }
    }
    Pagination {
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        numbers,
    }
}

/// The page asked for, 1 when absent or invalid.
pub fn page_number(raw: Option<&str>) -> usize {
    raw.and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| (1..=crate::http::paging::MAX_PAGE as usize).contains(p))
        .unwrap_or(1)
}

/// A tab of a queue: a state, how many are in it, and whether it is the one shown.
#[derive(Debug, Serialize)]
pub struct Tab {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub current: bool,
    /// A state that needs someone now (shown apart).
    pub urgent: bool,
}

/// An option of a select named by its code (the observatory's and the partners' forms).
#[derive(Debug, Serialize)]
pub struct Coded {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// An option of a select.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Incident types as the options of a select, `selected` saying which are chosen.
pub fn incident_choices<'a>(
    types: impl IntoIterator<Item = &'a crate::domain::taxonomy::IncidentType>,
    selected: impl Fn(&str) -> bool,
) -> Vec<Choice> {
    types
        .into_iter()
        .map(|t| Choice {
            value: t.code.clone(),
            label: t.label.clone(),
            selected: selected(&t.code),
        })
        .collect()
}

/// A form that carries only its CSRF token (a button that posts).
#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

/// Post, redirect, get: after a form did its work, the browser is sent to `path` with what to
/// say there (`?info=slug`, which the page turns into its sentence through its `InfoQuery`), so
/// that a reload does not post again.
/// A `#fragment` of `path` stays at its end, where the browser reads it.
pub fn done(path: &str, info: &str) -> crate::web::page_error::PageResult {
    let (path, fragment) = path.split_at(path.find('#').unwrap_or(path.len()));
    let joiner = if path.contains('?') { '&' } else { '?' };
    let info: String = url::form_urlencoded::byte_serialize(info.as_bytes()).collect();
    Ok(super::session::see_other(&format!(
        "{path}{joiner}info={info}{fragment}"
    )))
}

/// The query of a page reached after a form: what to say there (`info`, see [`done`]) and the
/// page of a list.
#[derive(Debug, Default, Deserialize)]
pub struct InfoQuery {
    pub info: Option<String>,
    pub page: Option<String>,
}

/// A form that carries nothing but its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf_token: String,
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::LOCATION;

    fn location(path: &str, info: &str) -> String {
        let response = super::done(path, info).unwrap();
        assert_eq!(response.status(), 303);
        response
            .headers()
            .get(LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn after_a_form_the_browser_goes_to_the_page_with_what_to_say_there() {
        assert_eq!(location("/audit", "enregistre"), "/audit?info=enregistre");
        // A page that already has a query, and one with a place in it: the fragment last.
        assert_eq!(
            location("/instruction/demandes?etat=escalated", "ok"),
            "/instruction/demandes?etat=escalated&info=ok"
        );
        assert_eq!(
            location("/espace/organisations/a/label/b#criteres", "reponses"),
            "/espace/organisations/a/label/b?info=reponses#criteres"
        );
        // What is said is a value, never more of the address.
        assert_eq!(location("/x", "a&b=c#d"), "/x?info=a%26b%3Dc%23d");
    }

    #[test]
    fn a_long_list_links_its_first_last_and_nearby_pages_with_gaps_between() {
        let shown = |page, total| -> Vec<Option<usize>> {
            super::pagination(page, total, 20, |p| format!("?page={p}"))
                .numbers
                .into_iter()
                .map(|n| n.number)
                .collect()
        };
        assert_eq!(shown(1, 20), vec![Some(1)]);
        assert_eq!(shown(1, 0), vec![Some(1)]);
        assert_eq!(
            shown(30, 1_200),
            vec![
                Some(1),
                None,
                Some(28),
                Some(29),
                Some(30),
                Some(31),
                Some(32),
                None,
                Some(60)
            ]
        );
        assert_eq!(
            shown(2, 1_200),
            vec![Some(1), Some(2), Some(3), Some(4), None, Some(60)]
        );
        let pagination = super::pagination(3, 100, 20, |p| format!("?page={p}"));
        let current: Vec<_> = pagination.numbers.iter().filter(|n| n.current).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].href, "?page=3");
    }
}
