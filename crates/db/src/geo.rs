//! Reference geography queries: communes, postcodes, imports.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{communes, geo_imports, postcodes};
use super::{DbConnection, counters};

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = communes)]
pub struct CommuneRow {
    pub code: String,
    pub name: String,
    pub search_name: String,
    pub departement_code: String,
    pub parent_code: Option<String>,
    pub population: i32,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = postcodes)]
pub struct PostcodeRow {
    pub postcode: String,
    pub commune_code: String,
    pub label: String,
}

#[derive(Queryable, Debug, Clone)]
pub struct GeoImportRow {
    pub id: i64,
    pub imported_at: NaiveDateTime,
    pub communes: i32,
    pub postcodes: i32,
    pub skipped: i32,
}

/// Rows per INSERT: keeps well under both backends' bind-parameter limits.
const CHUNK: usize = 2000;

/// Replaces the whole reference geography in one transaction: readers see the old data or the
/// new, never a mix, and a failed import leaves the previous one in place.
pub fn replace_all(
    conn: &mut DbConnection,
    commune_rows: &[CommuneRow],
    postcode_rows: &[PostcodeRow],
    skipped: usize,
    now: NaiveDateTime,
    mut progress: impl FnMut(usize),
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::delete(postcodes::table).execute(conn)?;
        diesel::delete(communes::table).execute(conn)?;
        for chunk in commune_rows.chunks(CHUNK) {
            batch_insert!(conn, communes::table, chunk)?;
            progress(chunk.len());
        }
        for chunk in postcode_rows.chunks(CHUNK) {
            batch_insert!(conn, postcodes::table, chunk)?;
            progress(chunk.len());
        }
        let as_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        diesel::insert_into(geo_imports::table)
            .values((
                geo_imports::imported_at.eq(now),
                geo_imports::communes.eq(as_i32(commune_rows.len())),
                geo_imports::postcodes.eq(as_i32(postcode_rows.len())),
                geo_imports::skipped.eq(as_i32(skipped)),
            ))
            .execute(conn)?;
        counters::bump(conn, counters::GEOGRAPHY)
    })
}

pub fn commune_count(conn: &mut DbConnection) -> QueryResult<i64> {
    communes::table.count().get_result(conn)
}

pub fn commune(conn: &mut DbConnection, code: &str) -> QueryResult<Option<CommuneRow>> {
    communes::table
        .find(code)
        .select(CommuneRow::as_select())
        .first(conn)
        .optional()
}

/// The communes a postcode serves, most populous first.
pub fn communes_of_postcode(
    conn: &mut DbConnection,
    postcode: &str,
) -> QueryResult<Vec<CommuneRow>> {
    postcodes::table
        .inner_join(communes::table)
        .filter(postcodes::postcode.eq(postcode))
        .order((communes::population.desc(), communes::code))
        .select(CommuneRow::as_select())
        .load(conn)
}

/// Communes whose folded name starts with `folded_prefix`, most populous first.
pub fn search_by_name(
    conn: &mut DbConnection,
    folded_prefix: &str,
    limit: i64,
) -> QueryResult<Vec<CommuneRow>> {
    communes::table
        .filter(communes::search_name.like(format!("{folded_prefix}%")))
        .order((communes::population.desc(), communes::code))
        .limit(limit)
        .select(CommuneRow::as_select())
        .load(conn)
}

/// Communes served by a postcode starting with `prefix`, most populous first.
pub fn search_by_postcode(
    conn: &mut DbConnection,
    prefix: &str,
    limit: i64,
) -> QueryResult<Vec<CommuneRow>> {
    postcodes::table
        .inner_join(communes::table)
        .filter(postcodes::postcode.like(format!("{prefix}%")))
        .order((communes::population.desc(), communes::code))
        .select(CommuneRow::as_select())
        .distinct()
        .limit(limit)
        .load(conn)
}

/// Postcodes of each commune; a city with arrondissements gets theirs.
pub fn postcodes_of(
    conn: &mut DbConnection,
    codes: &[String],
) -> QueryResult<BTreeMap<String, Vec<String>>> {
    let direct: Vec<(String, String)> = postcodes::table
        .filter(postcodes::commune_code.eq_any(codes))
        .select((postcodes::commune_code, postcodes::postcode))
        .load(conn)?;
    let via_arrondissements: Vec<(Option<String>, String)> = postcodes::table
        .inner_join(communes::table)
        .filter(communes::parent_code.eq_any(codes))
        .select((communes::parent_code, postcodes::postcode))
        .load(conn)?;
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let parents = via_arrondissements
        .into_iter()
        .filter_map(|(parent, pc)| parent.map(|p| (p, pc)));
    for (code, postcode) in direct.into_iter().chain(parents) {
        map.entry(code).or_default().push(postcode);
    }
    for list in map.values_mut() {
        list.sort();
        list.dedup();
    }
    Ok(map)
}

/// Communes (not arrondissements' parents) within a box around a point, to find the nearest.
pub fn communes_in_box(
    conn: &mut DbConnection,
    latitude: f64,
    longitude: f64,
    delta_degrees: f64,
) -> QueryResult<Vec<CommuneRow>> {
    communes::table
        .filter(communes::latitude.between(latitude - delta_degrees, latitude + delta_degrees))
        .filter(communes::longitude.between(longitude - delta_degrees, longitude + delta_degrees))
        .select(CommuneRow::as_select())
        .load(conn)
}

/// Each département's population (from the imported communes); empty before an import.
pub fn population_by_departement(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(String, i32)> = communes::table
        .select((communes::departement_code, communes::population))
        .load(conn)?;
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for (departement, population) in rows {
        *sums.entry(departement).or_default() += i64::from(population.max(0));
    }
    Ok(sums.into_iter().collect())
}
