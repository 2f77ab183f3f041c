//! Communes as the public looks them up: autocomplete by name or postcode, and the communes of
//! a postcode (from the imported geography).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::geo::{self as queries, CommuneRow};
use crate::domain::text::fold;
use crate::error::AppError;
use crate::infra::Infra;

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneView {
    /// INSEE code.
    pub code: String,
    pub name: String,
    pub departement: String,
    pub postcodes: Vec<String>,
    pub population: i32,
    pub latitude: f64,
    pub longitude: f64,
}

fn views(conn: &mut DbConnection, rows: Vec<CommuneRow>) -> Result<Vec<CommuneView>, AppError> {
    let codes: Vec<String> = rows.iter().map(|c| c.code.clone()).collect();
    let mut postcodes = queries::postcodes_of(conn, &codes)?;
    Ok(rows
        .into_iter()
        .map(|c| CommuneView {
            postcodes: postcodes.remove(&c.code).unwrap_or_default(),
            code: c.code,
            name: c.name,
            departement: c.departement_code,
            population: c.population,
            latitude: c.latitude,
            longitude: c.longitude,
        })
        .collect())
}

/// Autocomplete: by name prefix or postcode prefix, most populous first.
pub fn autocomplete(state: &Infra, q: &str, limit: i64) -> Result<Vec<CommuneView>, AppError> {
    let mut conn = state.pool.get()?;
    let q = q.trim();
    let rows = if q.bytes().all(|b| b.is_ascii_digit()) {
        queries::search_by_postcode(&mut conn, q, limit)?
    } else {
        queries::search_by_name(&mut conn, &fold(q), limit)?
    };
    views(&mut conn, rows)
}

/// The communes a postcode serves (none for an unknown one).
pub fn of_postcode(state: &Infra, postcode: &str) -> Result<Vec<CommuneView>, AppError> {
    let mut conn = state.pool.get()?;
    let rows = queries::communes_of_postcode(&mut conn, postcode)?;
    views(&mut conn, rows)
}
