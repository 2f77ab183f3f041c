//! Accounts as admins manage them: the list and the role or disabled changes, shared by the API
//! and the admin page.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::accounts::{self, UserRow};
pub use crate::db::accounts::{UserColumn, UserOrder};
use crate::domain::actor::{Actor, Role};
use crate::error::AppError;
use crate::infra::Infra;

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

impl AdminUserView {
    /// A row with an unknown role is an error, never shown as some default role.
    pub fn of(u: UserRow) -> Result<Self, AppError> {
        let role = Role::parse(&u.role)
            .ok_or_else(|| AppError::Internal(format!("user {}: unknown role {}", u.id, u.role)))?;
        Ok(Self {
            role,
            email_verified: u.email_verified_at.is_some(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            disabled: u.disabled,
            created_at: u.created_at,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// One page of every account whose email or name holds `search`, by email (admins).
pub fn list(
    state: &Infra,
    admin: &Actor,
    search: &str,
    page: i64,
    limit: i64,
) -> Result<(i64, Vec<AdminUserView>), AppError> {
    list_in(
        state,
        admin,
        search,
        None,
        UserOrder::default(),
        page,
        limit,
    )
}

/// One page of the accounts whose email or name holds `search`, in `role` when given, in
/// `order` (admins): how many there are, and the page.
pub fn list_in(
    state: &Infra,
    admin: &Actor,
    search: &str,
    role: Option<Role>,
    order: UserOrder,
    page: i64,
    limit: i64,
) -> Result<(i64, Vec<AdminUserView>), AppError> {
    admin.require_admin()?;
    checked_search(search)?;
    let mut conn = state.pool.get()?;
    let role = role.map(Role::as_str);
    let offset = (page - 1).saturating_mul(limit);
    let (total, rows) = accounts::list_users_in(&mut conn, search, role, order, limit, offset)?;
    let views = rows
        .into_iter()
        .map(AdminUserView::of)
        .collect::<Result<_, _>>()?;
    Ok((total, views))
}

/// How many accounts whose email or name holds `search` each role has (admins).
pub fn role_counts(
    state: &Infra,
    admin: &Actor,
    search: &str,
) -> Result<std::collections::BTreeMap<String, i64>, AppError> {
    admin.require_admin()?;
    checked_search(search)?;
    let mut conn = state.pool.get()?;
    Ok(accounts::role_counts(&mut conn, search)?
        .into_iter()
        .collect())
}

fn checked_search(search: &str) -> Result<(), AppError> {
    if search.chars().count() > 200 {
        return Err(AppError::field(
            "q",
            "La recherche est limitée à 200 caractères.",
        ));
    }
    Ok(())
}

/// Changes a user's role or disables the account (admins; not their own). Disabling or a new
/// role ends the user's sessions.
pub fn change(
    state: &Infra,
    admin: &Actor,
    id: &str,
    change: &UserChange,
) -> Result<AdminUserView, AppError> {
    admin.require_admin()?;
    if admin.id == id {
        return Err(AppError::forbidden(
            "Vous ne pouvez pas modifier votre propre compte : demandez à un autre administrateur.",
        ));
    }
    let mut conn = state.pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let now = state.clock.now_naive();
        let current = accounts::user_by_id(conn, id)?
            .ok_or_else(|| AppError::not_found("Utilisateur introuvable."))?;
        let role = change
            .role
            .map(Role::as_str)
            .unwrap_or(current.role.as_str())
            .to_owned();
        let disabled = change.disabled.unwrap_or(current.disabled);
        accounts::set_role_and_disabled(conn, id, &role, disabled, now)?;
        if disabled || change.role.is_some() {
            accounts::delete_sessions_of(conn, id)?;
        }
        let updated = accounts::user_by_id(conn, id)?
            .ok_or_else(|| AppError::not_found("Utilisateur introuvable."))?;
        AdminUserView::of(updated)
    })
}
