//! Provider queries.

use cyberdir_domain::label::LabelStatus;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::labels::LabelRecord;
use super::schema::{
    labels, provider_incident_types, provider_search_words, provider_zone_departements, providers,
};
use super::{DbConnection, counters};
use cyberdir_domain::audience::{decode_list, encode_list};
use cyberdir_domain::provider::{LabelSummary, Provider, ReferencingStatus};
use cyberdir_domain::zone::Zone;

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = providers, treat_none_as_null = true)]
struct ProviderRow {
    id: String,
    legal_name: String,
    name: String,
    siret: String,
    address_line: String,
    postcode: String,
    commune_code: Option<String>,
    city: String,
    latitude: f64,
    longitude: f64,
    phone: String,
    email: String,
    website: Option<String>,
    description: String,
    audiences: String,
    remote: bool,
    zone_kind: String,
    zone_radius_km: Option<i32>,
    status: String,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    departement: String,
    search_text: Option<String>,
    sort_name: String,
}

/// A stored referencing state; an unknown one is an error, never read as some default.
pub fn parse_status(stored: &str) -> QueryResult<ReferencingStatus> {
    ReferencingStatus::parse(stored).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("unknown referencing status {stored:?}").into(),
        )
    })
}

fn row_of(
    provider: &Provider,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> ProviderRow {
    let (zone_kind, zone_radius_km) = match &provider.zone {
        Zone::Radius { radius_km } => ("radius", i32::try_from(*radius_km).ok()),
        Zone::Departements { .. } => ("departements", None),
        Zone::National => ("national", None),
    };
    ProviderRow {
        id: provider.id.clone(),
        legal_name: provider.legal_name.clone(),
        name: provider.name.clone(),
        siret: provider.siret.clone(),
        address_line: provider.address_line.clone(),
        postcode: provider.postcode.clone(),
        commune_code: provider.commune_code.clone(),
        city: provider.city.clone(),
        latitude: provider.latitude,
        longitude: provider.longitude,
        phone: provider.phone.clone(),
        email: provider.email.clone(),
        website: provider.website.clone(),
        description: provider.description.clone(),
        audiences: encode_list(&provider.audiences),
        remote: provider.remote,
        zone_kind: zone_kind.to_owned(),
        zone_radius_km,
        status: provider.status.as_str().to_owned(),
        version,
        created_at,
        updated_at,
        departement: provider.departement().unwrap_or_default(),
        search_text: Some(provider.staff_search_text()),
        sort_name: provider.sort_name(),
    }
}

/// Rewrites the words staff find the organisation by (`provider_search_words`), from its
/// search text: each word once.
fn write_search_words(conn: &mut DbConnection, id: &str, search_text: &str) -> QueryResult<()> {
    diesel::delete(provider_search_words::table.filter(provider_search_words::provider_id.eq(id)))
        .execute(conn)?;
    let words: std::collections::BTreeSet<&str> =
        search_text.split(' ').filter(|w| !w.is_empty()).collect();
    let rows: Vec<_> = words
        .into_iter()
        .map(|word| {
            (
                provider_search_words::word.eq(word),
                provider_search_words::provider_id.eq(id),
            )
        })
        .collect();
    if !rows.is_empty() {
        batch_insert!(conn, provider_search_words::table, &rows)?;
    }
    Ok(())
}

/// Rewrites the incident types, the départements of the zone and the search words.
fn write_links(conn: &mut DbConnection, provider: &Provider) -> QueryResult<()> {
    write_search_words(conn, &provider.id, &provider.staff_search_text())?;
    diesel::delete(
        provider_incident_types::table
            .filter(provider_incident_types::provider_id.eq(&provider.id)),
    )
    .execute(conn)?;
    diesel::delete(
        provider_zone_departements::table
            .filter(provider_zone_departements::provider_id.eq(&provider.id)),
    )
    .execute(conn)?;
    let incident_rows: Vec<_> = provider
        .incident_types
        .iter()
        .map(|code| {
            (
                provider_incident_types::provider_id.eq(&provider.id),
                provider_incident_types::incident_code.eq(code),
            )
        })
        .collect();
    if !incident_rows.is_empty() {
        batch_insert!(conn, provider_incident_types::table, &incident_rows)?;
    }
    if let Zone::Departements { departements } = &provider.zone {
        let zone_rows: Vec<_> = departements
            .iter()
            .map(|code| {
                (
                    provider_zone_departements::provider_id.eq(&provider.id),
                    provider_zone_departements::departement_code.eq(code),
                )
            })
            .collect();
        if !zone_rows.is_empty() {
            batch_insert!(conn, provider_zone_departements::table, &zone_rows)?;
        }
    }
    Ok(())
}

/// Inserts a provider with its incident types, zone and label in one transaction, and tells
/// every process's directory cache to refresh.
pub fn insert(conn: &mut DbConnection, provider: &Provider, now: NaiveDateTime) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(providers::table)
            .values(row_of(provider, 1, now, now))
            .execute(conn)?;
        write_links(conn, provider)?;
        if let Some(label) = &provider.label {
            diesel::insert_into(labels::table)
                .values(LabelRecord {
                    number: label.number.clone(),
                    provider_id: provider.id.clone(),
                    status: label.status,
                    valid_from: label.valid_from,
                    valid_until: label.valid_until,
                    created_at: now,
                    suspension_cause: (label.status == LabelStatus::Suspended)
                        .then(|| "staff".to_owned()),
                    renewal_until: label.renewal_until,
                    withdrawn_at: None,
                })
                .execute(conn)?;
        }
        if provider.status.is_public() {
            counters::bump(conn, counters::DIRECTORY)?;
        }
        Ok(())
    })
}

/// Writes every field and the status of a provider if it is still at `expected_version`;
/// returns false (nothing written) when someone else changed it first.
pub fn update(
    conn: &mut DbConnection,
    provider: &Provider,
    expected_version: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let current = providers::table
        .find(&provider.id)
        .select((providers::created_at, providers::status))
        .first::<(NaiveDateTime, String)>(conn)
        .optional()?;
    let Some((created_at, was)) = current else {
        return Ok(false);
    };
    // Only a change to what the public reads moves the published directory's version (a
    // draft edited in a loop must not rebuild every node's directory and open data).
    let was_public = ReferencingStatus::parse(&was).is_some_and(ReferencingStatus::is_public);
    let row = row_of(provider, expected_version + 1, created_at, now);
    let changed = diesel::update(
        providers::table
            .find(&provider.id)
            .filter(providers::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    write_links(conn, provider)?;
    if was_public || provider.status.is_public() {
        counters::bump(conn, counters::DIRECTORY)?;
    }
    Ok(true)
}

/// Changes a provider's referencing status (used by tests and the workflow to come).
pub fn set_status(
    conn: &mut DbConnection,
    provider_id: &str,
    status: ReferencingStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let changed = diesel::update(providers::table.find(provider_id))
            .set((
                providers::status.eq(status.as_str()),
                providers::updated_at.eq(now),
                providers::version.eq(providers::version + 1),
            ))
            .execute(conn)?;
        counters::bump(conn, counters::DIRECTORY)?;
        Ok(changed)
    })
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    providers::table.count().get_result(conn)
}

/// Every published (approved) provider, ordered by id, with incident types, zone and label.
pub fn load_published(conn: &mut DbConnection) -> QueryResult<Vec<Provider>> {
    Ok(load_in(conn, &[ReferencingStatus::Approved])?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// Every provider in one of `statuses`, ordered by id, with its last change (read a chunk at a
/// time, so that no query names more ids than a database takes).
pub fn load_in(
    conn: &mut DbConnection,
    statuses: &[ReferencingStatus],
) -> QueryResult<Vec<(Provider, chrono::NaiveDateTime)>> {
    const CHUNK: i64 = 5_000;
    let mut all = Vec::new();
    loop {
        let after = all
            .last()
            .map(|(p, _): &(Provider, _)| p.id.clone())
            .unwrap_or_default();
        let chunk = load_chunk(conn, statuses, &after, CHUNK)?;
        let done = (chunk.len() as i64) < CHUNK;
        all.extend(chunk);
        if done {
            return Ok(all);
        }
    }
}

/// Up to `limit` providers in one of `statuses` whose id comes after `after`, ordered by id,
/// with their last change: the bulk export reads the directory so, in constant memory.
pub fn load_chunk(
    conn: &mut DbConnection,
    statuses: &[ReferencingStatus],
    after: &str,
    limit: i64,
) -> QueryResult<Vec<(Provider, chrono::NaiveDateTime)>> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let rows: Vec<ProviderRow> = providers::table
        .filter(providers::status.eq_any(&statuses))
        .filter(providers::id.gt(after))
        .order(providers::id)
        .limit(limit)
        .select(ProviderRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let changed: HashMap<String, chrono::NaiveDateTime> =
        rows.iter().map(|r| (r.id.clone(), r.updated_at)).collect();
    let incidents: Vec<(String, String)> = provider_incident_types::table
        .filter(provider_incident_types::provider_id.eq_any(&ids))
        .select((
            provider_incident_types::provider_id,
            provider_incident_types::incident_code,
        ))
        .load(conn)?;
    let zones: Vec<(String, String)> = provider_zone_departements::table
        .filter(provider_zone_departements::provider_id.eq_any(&ids))
        .select((
            provider_zone_departements::provider_id,
            provider_zone_departements::departement_code,
        ))
        .order(provider_zone_departements::departement_code)
        .load(conn)?;
    let label_rows: Vec<LabelRecord> = labels::table
        .filter(labels::provider_id.eq_any(&ids))
        .select(LabelRecord::as_select())
        .order(labels::created_at)
        .load(conn)?;
    Ok(assemble(rows, incidents, zones, label_rows)?
        .into_iter()
        .map(|p| {
            let at = changed.get(&p.id).copied().unwrap_or_default();
            (p, at)
        })
        .collect())
}

/// Fills the staff lists' keys (département, search text, sort name) of the rows written
/// before they existed, a thousand at a time; returns how many were filled. Every later write
/// sets them (`row_of`).
pub fn fill_staff_keys(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut filled = 0;
    loop {
        let rows: Vec<ProviderRow> = providers::table
            .filter(providers::search_text.is_null())
            .order(providers::id)
            .limit(1_000)
            .select(ProviderRow::as_select())
            .load(conn)?;
        if rows.is_empty() {
            return Ok(filled);
        }
        conn.transaction(|conn| {
            for provider in assemble(rows, Vec::new(), Vec::new(), Vec::new())? {
                let search_text = provider.staff_search_text();
                diesel::update(providers::table.find(&provider.id))
                    .set((
                        providers::departement.eq(provider.departement().unwrap_or_default()),
                        providers::search_text.eq(&search_text),
                        providers::sort_name.eq(provider.sort_name()),
                    ))
                    .execute(conn)?;
                write_search_words(conn, &provider.id, &search_text)?;
                filled += 1;
            }
            QueryResult::Ok(())
        })?;
    }
}

/// A provider in any state, with its version (for optimistic concurrency).
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(Provider, i32)>> {
    let Some(row) = providers::table
        .find(id)
        .select(ProviderRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let version = row.version;
    let incidents: Vec<(String, String)> = provider_incident_types::table
        .filter(provider_incident_types::provider_id.eq(id))
        .select((
            provider_incident_types::provider_id,
            provider_incident_types::incident_code,
        ))
        .load(conn)?;
    let zones: Vec<(String, String)> = provider_zone_departements::table
        .filter(provider_zone_departements::provider_id.eq(id))
        .select((
            provider_zone_departements::provider_id,
            provider_zone_departements::departement_code,
        ))
        .order(provider_zone_departements::departement_code)
        .load(conn)?;
    let label_rows: Vec<LabelRecord> = labels::table
        .filter(labels::provider_id.eq(id))
        .order(labels::created_at)
        .select(LabelRecord::as_select())
        .load(conn)?;
    Ok(assemble(vec![row], incidents, zones, label_rows)?
        .pop()
        .map(|p| (p, version)))
}

fn assemble(
    rows: Vec<ProviderRow>,
    incidents: Vec<(String, String)>,
    zones: Vec<(String, String)>,
    label_rows: Vec<LabelRecord>,
) -> QueryResult<Vec<Provider>> {
    let mut incidents_by: HashMap<String, Vec<String>> = HashMap::new();
    for (pid, code) in incidents {
        incidents_by.entry(pid).or_default().push(code);
    }
    let mut zones_by: HashMap<String, Vec<String>> = HashMap::new();
    for (pid, code) in zones {
        zones_by.entry(pid).or_default().push(code);
    }
    // The newest label wins (rows are ordered by creation).
    let mut label_by: HashMap<String, LabelSummary> = HashMap::new();
    for l in label_rows {
        label_by.insert(
            l.provider_id,
            LabelSummary {
                number: l.number,
                status: l.status,
                valid_from: l.valid_from,
                valid_until: l.valid_until,
                renewal_until: l.renewal_until,
            },
        );
    }
    rows.into_iter()
        .map(|row| {
            let zone = match row.zone_kind.as_str() {
                "radius" => Zone::Radius {
                    radius_km: row
                        .zone_radius_km
                        .and_then(|r| u32::try_from(r).ok())
                        .unwrap_or(0),
                },
                "departements" => Zone::Departements {
                    departements: zones_by.remove(&row.id).unwrap_or_default(),
                },
                _ => Zone::National,
            };
            let mut incident_types = incidents_by.remove(&row.id).unwrap_or_default();
            incident_types.sort();
            Ok(Provider {
                label: label_by.remove(&row.id),
                incident_types,
                zone,
                status: parse_status(&row.status)?,
                audiences: decode_list(&row.audiences),
                id: row.id,
                legal_name: row.legal_name,
                name: row.name,
                siret: row.siret,
                address_line: row.address_line,
                postcode: row.postcode,
                commune_code: row.commune_code,
                city: row.city,
                latitude: row.latitude,
                longitude: row.longitude,
                phone: row.phone,
                email: row.email,
                website: row.website,
                description: row.description,
                remote: row.remote,
            })
        })
        .collect()
}

/// Whether another organisation that is referenced or under review uses this SIRET.
/// The organisations staff removed (status `removed`) that held `siret`, other than
/// `except_id`: (id, trade name or legal name).
pub fn removed_with_siret(
    conn: &mut DbConnection,
    siret: &str,
    except_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    providers::table
        .filter(providers::siret.eq(siret))
        .filter(providers::id.ne(except_id))
        .filter(providers::status.eq(ReferencingStatus::Removed.as_str()))
        .order(providers::updated_at.desc())
        .select((providers::id, providers::name))
        .load(conn)
}

pub fn siret_in_use_elsewhere(
    conn: &mut DbConnection,
    siret: &str,
    except_id: &str,
) -> QueryResult<bool> {
    let live = [
        ReferencingStatus::Submitted,
        ReferencingStatus::InReview,
        ReferencingStatus::ChangesRequested,
        ReferencingStatus::Approved,
        ReferencingStatus::Suspended,
    ]
    .map(|s| s.as_str());
    let n: i64 = providers::table
        .filter(providers::siret.eq(siret))
        .filter(providers::id.ne(except_id))
        .filter(providers::status.eq_any(live))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
