//! An organisation's label area in the portal: its applications and its current label.

use super::views::{LabelApplicationView, LabelView};
use crate::db::labels as queries;
use crate::domain::actor::Actor;
use crate::domain::provider::Provider;
use crate::error::AppError;
use crate::infra::Infra;

pub struct Overview {
    pub provider: Provider,
    pub applications: Vec<LabelApplicationView>,
    /// The newest label, whatever its state.
    pub label: Option<LabelView>,
}

/// For the organisation's members and staff (others: 404).
pub fn overview(
    state: &Infra,
    criteria: &crate::label::criteria::Framework,
    user: &Actor,
    provider_id: &str,
) -> Result<Overview, AppError> {
    let mut conn = state.pool.get()?;
    let (provider, _, access) = crate::referencing::load(&mut conn, user, provider_id)?;
    let applications = super::applications_on(&mut conn, criteria, provider_id, access)?;
    let label = queries::current_label_of(&mut conn, provider_id)?
        .map(|l| super::labels::view_of(&l, &provider.name, state.clock.today()));
    Ok(Overview {
        provider,
        applications,
        label,
    })
}

/// Checks that application `id` is one `user` may see and belongs to organisation
/// `provider_id` (the one in the address), without building its view.
pub fn belongs_to(
    state: &Infra,
    user: &Actor,
    provider_id: &str,
    id: &str,
) -> Result<(), AppError> {
    let mut conn = state.pool.get()?;
    let (row, _) = super::load(&mut conn, user, id)?;
    if row.provider_id != provider_id {
        return Err(AppError::not_found("Demande de label introuvable."));
    }
    Ok(())
}
