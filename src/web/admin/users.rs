//! The admin page of users (`/admin/utilisateurs`): the accounts searched by email or name,
//! by role (tabs counting each within the search), paged, exported as shown in CSV; their
//! roles and disabled accounts.

use crate::web::page_error::{PageError, PageResult};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::auth::users::{self, AdminUserView, UserChange};
use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::http::extract::CurrentUser;
use crate::state::AppState;
use crate::web::kit::{
    Choice, blocking, date_fr, first_message, page_number, pagination, plural, with_query,
};
use crate::web::page;
use crate::web::session::AdminUser;
use crate::web::session::{check_form, data_of, see_other};

/// The columns that sort, and the order by default (by email).
const COLUMNS: [(&str, &str); 3] = [
    ("email", "Adresse électronique"),
    ("nom", "Nom"),
    ("cree", "Créé le"),
];

/// The order a list's address asks for (`tri`): its column and direction, or the message.
fn order_asked(raw: Option<&str>) -> Result<(String, users::UserOrder), AppError> {
    let tri = raw.map(str::trim).unwrap_or_default();
    let column = match tri.trim_start_matches('-') {
        "" | "email" => users::UserColumn::Email,
        "nom" => users::UserColumn::Name,
        "cree" => users::UserColumn::Created,
        _ => return Err(AppError::field("tri", "Ordre de tri inconnu.")),
    };
    let order = users::UserOrder {
        column,
        descending: tri.starts_with('-'),
    };
    Ok((
        if tri.is_empty() {
            "email".into()
        } else {
            tri.to_owned()
        },
        order,
    ))
}

#[derive(Serialize)]
struct UserLine {
    id: String,
    email: String,
    name: String,
    role_label: &'static str,
    verified: bool,
    disabled: bool,
    is_self: bool,
    roles: Vec<Choice>,
    created: String,
}

/// `pages/admin/users`: the accounts (a page of them, searched, in a role) and the
/// invitation form.
#[derive(Serialize)]
struct UsersView<'a> {
    #[serde(flatten)]
    list: crate::web::kit::ListPage<'a, UserLine>,
    q: &'a str,
    /// The role shown (its code; empty: every role), its tabs, and the CSV of what is shown.
    role: &'static str,
    tabs: Vec<crate::web::kit::Tab>,
    export: String,
    /// The columns that sort, the order kept by the search form (empty: the default) and
    /// the page sizes.
    headers: Vec<crate::web::listing::SortHeader>,
    tri: String,
    sizes: Vec<crate::web::listing::SizeChoice>,
    invite: super::invitations::InviteView,
}

/// A page of accounts, how many there are, and how many each role has (within the search).
pub(super) type Listed = (
    i64,
    Vec<AdminUserView>,
    std::collections::BTreeMap<String, i64>,
);

/// What the page shows besides the accounts: the search, the invitation form, and what the
/// last action did or why it failed.
pub(super) struct Around<'a> {
    pub q: &'a str,
    pub role: Option<Role>,
    /// The order as asked (`email`, `-cree`) and the page size.
    pub tri: String,
    pub per_page: usize,
    pub invite: super::invitations::InviteView,
    pub info: Option<&'a str>,
    pub error: Option<String>,
}

impl Around<'_> {
    /// The whole list again, with why the last action failed.
    fn failed(message: String) -> Self {
        Self {
            q: "",
            role: None,
            tri: "email".into(),
            per_page: crate::web::listing::PAGE_SIZES[0],
            invite: super::invitations::InviteView::empty(),
            info: None,
            error: Some(message),
        }
    }
}

pub(super) fn users_page(
    state: &AppState,
    admin: &CurrentUser,
    status: StatusCode,
    page_number: usize,
    (total, rows, counts): Listed,
    around: Around<'_>,
) -> PageResult {
    let role = around.role.map_or("", Role::as_str);
    let per_page = around.per_page;
    let ordered_link = |role: &str, order: &str, page: usize| {
        crate::web::listing::list_link(
            "/admin/utilisateurs",
            &[("q", around.q.trim()), ("role", role)],
            (order, "email"),
            per_page,
            page,
        )
    };
    let list_link = |role: &str, page: usize| ordered_link(role, &around.tri, page);
    let tab = |code: &'static str, label: &str, count: i64| crate::web::kit::Tab {
        href: list_link(code, 1),
        label: label.to_owned(),
        count,
        current: code == role,
        urgent: false,
    };
    let mut tabs = vec![tab("", "Tous", counts.values().sum())];
    tabs.extend(Role::ALL.iter().map(|r| {
        tab(
            r.as_str(),
            Role::label(*r),
            counts.get(r.as_str()).copied().unwrap_or(0),
        )
    }));
    let (info, error) = (around.info, around.error);
    let total = usize::try_from(total).unwrap_or(0);
    let lines: Vec<UserLine> = rows
        .into_iter()
        .map(|u| UserLine {
            is_self: u.id == admin.id,
            roles: Role::ALL
                .iter()
                .map(|r| Choice {
                    value: r.as_str().to_owned(),
                    label: Role::label(*r).to_owned(),
                    selected: *r == u.role,
                })
                .collect(),
            role_label: Role::label(u.role),
            id: u.id,
            email: u.email,
            name: u.display_name,
            verified: u.email_verified,
            disabled: u.disabled,
            created: date_fr(u.created_at),
        })
        .collect();
    let pages = pagination(page_number, total, per_page, |p| list_link(role, p));
    let headers =
        crate::web::listing::sort_headers(&COLUMNS, &around.tri, |o| ordered_link(role, o, 1));
    Ok(page(
        state,
        status,
        "pages/admin/users",
        if error.is_some() {
            "Erreur : utilisateurs"
        } else {
            "Utilisateurs"
        },
        Some(admin),
        UsersView {
            list: crate::web::kit::ListPage {
                summary: if around.q.trim().is_empty() {
                    plural(total, "compte", "comptes")
                } else if total == 0 {
                    format!("Aucun compte ne correspond à « {} ».", around.q.trim())
                } else {
                    format!(
                        "{} pour « {} »",
                        plural(total, "compte", "comptes"),
                        around.q.trim()
                    )
                },
                lines,
                pagination: pages,
                page: page_number,
                info,
                error,
            },
            q: around.q,
            role,
            tabs,
            export: with_query(
                "/admin/utilisateurs.csv",
                &[
                    ("q", around.q.trim()),
                    ("role", role),
                    (
                        "tri",
                        if around.tri == "email" {
                            ""
                        } else {
                            &around.tri
                        },
                    ),
                ],
            ),
            headers,
            tri: if around.tri == "email" {
                String::new()
            } else {
                around.tri.clone()
            },
            sizes: crate::web::listing::size_choices(per_page),
            invite: around.invite,
        },
    ))
}

/// What the list shows: its search, role, order and page size.
pub(super) struct Asked<'a> {
    pub search: &'a str,
    pub role: Option<Role>,
    pub order: users::UserOrder,
    pub per_page: usize,
}

impl Asked<'_> {
    /// Every account, by email, a page of the default size.
    pub fn all() -> Asked<'static> {
        Asked {
            search: "",
            role: None,
            order: users::UserOrder::default(),
            per_page: crate::web::listing::PAGE_SIZES[0],
        }
    }
}

pub(super) fn load_users(
    state: &AppState,
    admin: &Actor,
    asked: &Asked<'_>,
    page: usize,
) -> Result<Listed, AppError> {
    let page = i64::try_from(page).unwrap_or(1);
    let limit = i64::try_from(asked.per_page).unwrap_or(20);
    let (search, role) = (asked.search, asked.role);
    let (total, rows) = users::list_in(state, admin, search, role, asked.order, page, limit)?;
    Ok((total, rows, users::role_counts(state, admin, asked.search)?))
}

/// The role a list's address asks for: none for every role, else a known one.
fn role_asked(raw: Option<&str>) -> Result<Option<Role>, AppError> {
    match raw.map(str::trim).unwrap_or_default() {
        "" => Ok(None),
        code => Role::parse(code)
            .map(Some)
            .ok_or_else(|| AppError::field("role", "Rôle inconnu : choisissez un onglet.")),
    }
}

/// The list's address: its search and what the last action did.
#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    pub q: Option<String>,
    pub role: Option<String>,
    pub tri: Option<String>,
    pub par: Option<String>,
    pub info: Option<String>,
    pub page: Option<String>,
}

#[get("/admin/utilisateurs")]
pub async fn users_get(
    state: web::Data<AppState>,
    user: AdminUser,
    query: web::Query<UsersQuery>,
) -> PageResult {
    let user = user.0;
    let page_number = page_number(query.page.as_deref());
    let info = match query.info.as_deref() {
        Some("role") => Some("Le rôle est modifié : l'utilisateur devra se reconnecter."),
        Some("desactive") => Some("Le compte est désactivé et ses sessions sont fermées."),
        Some("reactive") => Some("Le compte est réactivé."),
        Some("invite") => Some(
            "L'invitation est envoyée : la personne choisit son mot de passe avec le lien reçu, valable 7 jours.",
        ),
        _ => None,
    };
    let q = query.q.clone().unwrap_or_default();
    let role_asked = role_asked(query.role.as_deref());
    let role = role_asked.as_ref().ok().copied().flatten();
    let order_asked = order_asked(query.tri.as_deref());
    let (tri, order) = match &order_asked {
        Ok((tri, order)) => (tri.clone(), *order),
        Err(_) => ("email".to_owned(), users::UserOrder::default()),
    };
    let size_asked = crate::web::listing::page_size(query.par.as_deref())
        .map_err(|message| AppError::field("par", message));
    let per_page = *size_asked
        .as_ref()
        .unwrap_or(&crate::web::listing::PAGE_SIZES[0]);
    let (inner, admin, search) = (data_of(&state), user.actor.clone(), q.clone());
    let loaded = blocking(move || {
        let asked = Asked {
            search: &search,
            role: role_asked?,
            order,
            per_page: size_asked?,
        };
        order_asked?;
        load_users(&inner, &admin, &asked, page_number)
    })
    .await;
    match loaded {
        Ok(data) => users_page(
            &state,
            &user,
            StatusCode::OK,
            page_number,
            data,
            Around {
                q: &q,
                role,
                tri,
                per_page,
                invite: super::invitations::InviteView::empty(),
                info,
                error: None,
            },
        ),
        Err(AppError::Validation(errors)) => {
            let message = first_message(&errors);
            let (inner, admin) = (data_of(&state), user.actor.clone());
            let data = blocking(move || load_users(&inner, &admin, &Asked::all(), 1)).await?;
            users_page(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                1,
                data,
                Around::failed(message),
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub csrf_token: String,
    /// A role (`provider`, `staff`, `auditor`, `admin`), or empty to keep it.
    #[serde(default)]
    pub role: String,
    /// `true` to disable, `false` to enable, or empty to keep it.
    #[serde(default)]
    pub disabled: String,
    #[serde(default)]
    pub page: String,
    /// `oui` once the admin confirmed disabling the account.
    #[serde(default)]
    pub confirme: String,
}

/// The page that asks before an account is disabled (its sessions are closed at once).
fn disable_confirmation(id: &str, form: &UserForm) -> crate::web::kit::Confirmation {
    use crate::web::kit::{Confirmation, Detail};
    Confirmation {
        question: "Désactiver ce compte ?".into(),
        consequence:
            "La personne ne pourra plus se connecter et ses sessions ouvertes sont fermées \
                      à l'instant. Vous pourrez réactiver le compte ensuite."
                .into(),
        details: Vec::new(),
        action: format!("/admin/utilisateurs/{id}"),
        fields: vec![
            Detail {
                label: "disabled".into(),
                value: "true".into(),
            },
            Detail {
                label: "page".into(),
                value: form.page.clone(),
            },
        ],
        confirm_label: "Confirmer : désactiver le compte".into(),
        cancel_href: with_query("/admin/utilisateurs", &[("page", form.page.trim())]),
    }
}

#[post("/admin/utilisateurs/{id}")]
pub async fn user_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AdminUser,
    path: web::Path<String>,
    form: web::Form<UserForm>,
) -> PageResult {
    let user = user.0;
    let form = form.into_inner();
    check_form(&req, &state, &user, &form.csrf_token)?;
    let id = path.into_inner();
    let page_number = page_number(Some(&form.page));
    let change = (|| {
        let role = match form.role.trim() {
            "" => None,
            r => Some(Role::parse(r).ok_or_else(|| AppError::field("role", "Rôle inconnu."))?),
        };
        let disabled = match form.disabled.trim() {
            "" => None,
            "true" => Some(true),
            "false" => Some(false),
            _ => return Err(AppError::field("disabled", "Valeur invalide.")),
        };
        Ok(UserChange { role, disabled })
    })();
    if let Ok(change) = &change
        && change.disabled == Some(true)
        && !crate::web::kit::confirmed(&form.confirme)
    {
        return Ok(disable_confirmation(&id, &form).page(&state, &user));
    }
    let result = match change {
        Ok(change) => {
            let (inner, admin) = (data_of(&state), user.clone());
            let done = if change.disabled == Some(true) {
                "desactive"
            } else if change.disabled == Some(false) {
                "reactive"
            } else {
                "role"
            };
            blocking(move || users::change(&inner, &admin, &id, &change))
                .await
                .map(|_| done)
        }
        Err(e) => Err(e),
    };
    let (status, message) = match result {
        Ok(done) => {
            let page = if page_number > 1 {
                page_number.to_string()
            } else {
                String::new()
            };
            return Ok(see_other(&with_query(
                "/admin/utilisateurs",
                &[("info", done), ("page", &page)],
            )));
        }
        Err(AppError::Validation(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, first_message(&errors))
        }
        Err(e @ AppError::Forbidden(_)) => (StatusCode::FORBIDDEN, e.to_string()),
        Err(e) => return Err(PageError::from(e)),
    };
    let (inner, admin) = (data_of(&state), user.actor.clone());
    match blocking(move || load_users(&inner, &admin, &Asked::all(), page_number)).await {
        Ok(data) => users_page(
            &state,
            &user,
            status,
            page_number,
            data,
            Around::failed(message),
        ),
        Err(e) => Err(PageError::from(e)),
    }
}

/// The accounts as shown (search, role), every one, in CSV.
#[get("/admin/utilisateurs.csv")]
pub async fn users_export(
    state: web::Data<AppState>,
    user: AdminUser,
    query: web::Query<UsersQuery>,
) -> PageResult {
    let role = role_asked(query.role.as_deref())?;
    let (_, order) = order_asked(query.tri.as_deref())?;
    let search = query.q.clone().unwrap_or_default();
    let (inner, admin) = (data_of(&state), user.0.actor.clone());
    let every = i64::from(i32::MAX);
    let (_, rows) =
        blocking(move || users::list_in(&inner, &admin, &search, role, order, 1, every)).await?;
    let lines = rows.iter().map(|u| {
        vec![
            u.email.clone(),
            u.display_name.clone(),
            Role::label(u.role).to_owned(),
            if u.email_verified { "oui" } else { "non" }.to_owned(),
            if u.disabled { "désactivé" } else { "actif" }.to_owned(),
            date_fr(u.created_at),
        ]
    });
    let header = [
        "Adresse électronique",
        "Nom",
        "Rôle",
        "Adresse vérifiée",
        "Compte",
        "Créé le",
    ];
    Ok(crate::web::listing::csv_file(
        "comptes.csv",
        &header,
        lines,
    )?)
}
