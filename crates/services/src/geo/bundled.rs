//! The official geography shipped in the repository (`fixtures/geo/`, gzip, with its source and
//! licence): a fresh installation resolves every commune and postcode exactly, with nothing to
//! download. Imported on the first start when the database has no geography.

use flate2::read::GzDecoder;

use super::import::{ImportError, ImportSummary, import_readers};
use crate::db::Pool;

const POSTCODES: &[u8] =
    include_bytes!("../../../../fixtures/geo/base-officielle-codes-postaux.csv.gz");
const COMMUNES: &[u8] = include_bytes!("../../../../fixtures/geo/communes.json.gz");

/// Replaces the geography with the shipped edition.
pub fn import(pool: &Pool, now: chrono::NaiveDateTime) -> Result<ImportSummary, ImportError> {
    let mut conn = pool.get()?;
    import_readers(
        &mut conn,
        std::io::BufReader::new(GzDecoder::new(POSTCODES)),
        Some(std::io::BufReader::new(GzDecoder::new(COMMUNES))),
        now,
        false,
    )
}
