//! Staff's list of assistance requests: a page of it with the counts per state, and every
//! request of it as CSV, filtered, searched and sorted by the database
//! (`db::assistance::staff_list`). The export leaves the victims' contact out: a file that
//! leaves the service is not erased with the request.

use std::collections::HashMap;
use std::io::Write;

use super::staff::request_list;
use super::views::RequestList;
use crate::db::assistance::staff_list::{self as queries, RequestQuery};
use crate::domain::actor::Actor;
use crate::domain::assistance::RequestStatus;
use crate::error::AppError;
use crate::french::time::paris_iso;
use crate::infra::Infra;

/// One page of the list: the requests passing every filter, `limit` from `offset`, how many
/// pass, the counts per state over every filter but the state, and the requests whose
/// victim an email could not reach.
pub fn page(
    state: &Infra,
    user: &Actor,
    query: &RequestQuery,
    offset: i64,
    limit: i64,
) -> Result<(RequestList, i64), AppError> {
    user.require_staff()?;
    let mut conn = state.pool.get()?;
    let mut query = query.clone();
    queries::rarest_first(&mut conn, &mut query)?;
    let rows = queries::page(&mut conn, &query, offset, limit)?;
    // The tabs' counts give the total too: one reading of the requests fewer.
    let counts = queries::counts_by_status(&mut conn, &query)?;
    let total = counts
        .iter()
        .filter(|(status, _)| query.status.as_ref().is_none_or(|s| s == status))
        .map(|(_, n)| n)
        .sum();
    let list = request_list(&mut conn, state, &rows, counts)?;
    Ok((list, total))
}

/// Providers' names an export keeps at once (most requests of a list share a few providers).
const NAMES_KEPT: usize = 1_000;

pub const EXPORT_HEADER: [&str; 11] = [
    "reference",
    "recue_le_heure_de_paris",
    "incident",
    "public",
    "code_postal",
    "departement",
    "etat",
    "urgente",
    "professionnel",
    "refus_ou_sans_reponse",
    "modifiee_le_heure_de_paris",
];

/// Writes every request passing `query`, in its order, to `out` as CSV (UTF-8 with its
/// byte-order mark), a chunk at a time from one snapshot of the database, without the
/// victims' name, email, phone or description. Returns how many lines were written.
pub fn export(
    state: &Infra,
    staff: &Actor,
    query: &RequestQuery,
    out: impl Write,
) -> Result<usize, AppError> {
    staff.require_staff()?;
    let mut conn = state.pool.get()?;
    let mut query = query.clone();
    queries::rarest_first(&mut conn, &mut query)?;
    let mut providers: HashMap<String, String> = HashMap::new();
    crate::csv_export::write(
        &mut conn,
        out,
        &EXPORT_HEADER,
        |conn, offset, limit| Ok(queries::page(conn, &query, offset, limit)?),
        |conn, r| {
            // The names met so far, a bounded number: memory stays the same whatever the list.
            if providers.len() >= NAMES_KEPT {
                providers.clear();
            }
            let provider = match &r.provider_id {
                Some(id) if !providers.contains_key(id) => {
                    let name = crate::db::providers::find(conn, id)?
                        .map(|(p, _)| p.display_name())
                        .unwrap_or_default();
                    providers.entry(id.clone()).or_insert(name).clone()
                }
                Some(id) => providers.get(id).cloned().unwrap_or_default(),
                None => String::new(),
            };
            let incident = state
                .taxonomy
                .get(&r.incident_type)
                .map_or(r.incident_type.clone(), |t| t.label.clone());
            let audience = crate::domain::audience::Audience::parse(&r.audience)
                .map_or(r.audience.as_str(), |a| a.label());
            Ok(vec![
                r.id.clone(),
                paris_iso(r.created_at),
                incident,
                audience.to_owned(),
                r.postcode.clone().unwrap_or_default(),
                r.departement.clone().unwrap_or_default(),
                RequestStatus::label(r.status).to_owned(),
                if r.urgent { "oui" } else { "non" }.to_owned(),
                provider,
                r.failed_assignments.to_string(),
                paris_iso(r.updated_at),
            ])
        },
    )
}
