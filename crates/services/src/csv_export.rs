//! A staff list as CSV, written as it is read (organisations, assistance requests, labels,
//! failed emails): UTF-8 with its byte-order mark (so that a spreadsheet reads the accents),
//! the header, then the rows a thousand at a time from one snapshot of the database. Memory
//! does not grow with the list, and a change made during the export neither repeats nor drops
//! a line. A write that fails (the client went away) stops the export.

use std::io::Write;

use crate::db::DbConnection;
use crate::error::AppError;

/// Rows read per query.
const CHUNK: i64 = 1_000;

/// Writes `header`, then every row `read` gives (`read(conn, offset, limit)`, in the list's
/// order) as `line` writes it, into `out`; returns how many lines were written.
pub fn write<R>(
    conn: &mut DbConnection,
    mut out: impl Write,
    header: &[&str],
    mut read: impl FnMut(&mut DbConnection, i64, i64) -> Result<Vec<R>, AppError>,
    mut line: impl FnMut(&mut DbConnection, &R) -> Result<Vec<String>, AppError>,
) -> Result<usize, AppError> {
    let failed = |e: csv::Error| AppError::Internal(format!("export interrompu : {e}"));
    out.write_all(b"\xEF\xBB\xBF")
        .map_err(|e| failed(e.into()))?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header).map_err(failed)?;
    let written = crate::db::read_snapshot(conn, |conn| {
        let mut written = 0usize;
        loop {
            let offset = i64::try_from(written).unwrap_or(i64::MAX);
            let rows = read(conn, offset, CHUNK)?;
            for row in &rows {
                csv.write_record(line(conn, row)?).map_err(failed)?;
            }
            written += rows.len();
            if (rows.len() as i64) < CHUNK {
                return Ok::<_, AppError>(written);
            }
        }
    })?;
    csv.flush().map_err(|e| failed(e.into()))?;
    Ok(written)
}
