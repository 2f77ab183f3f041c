//! The bulk export: the whole directory as HSDS 3.0 JSON (one file per kind of record, each an
//! array of detail records, plus the taxonomy terms), with a README and the licence. Providers
//! are read 1,000 at a time (`each_record`) and written as they come, so memory stays the same
//! whatever the size of the directory.

use std::io::{Seek, Write};
use std::sync::Mutex;

use super::{context, each_record};
use crate::domain::hsds;
use crate::error::AppError;
use crate::state::AppState;

/// The record files, by the kind of record each holds.
pub const RECORD_FILES: [(&str, &str); 3] = [
    ("organization", "organizations.json"),
    ("service", "services.json"),
    ("service_at_location", "service_at_locations.json"),
];
pub const TERMS_FILE: &str = "taxonomy_terms.json";

const README: &str = include_str!("../../docs/hsds-export-readme.md");
const LICENCE: &str = include_str!("../../docs/licence-ouverte-2.0.md");

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("export: {e}"))
}

/// Writes every record of each `(kind, out)` as a JSON array to its `out`, in one reading of
/// the directory; `progress` is told how many providers are done. Returns how many providers.
pub fn write_records(
    state: &AppState,
    sinks: &mut [(&str, &mut dyn Write)],
    progress: &mut dyn FnMut(usize),
) -> Result<usize, AppError> {
    let terms = hsds::TermTable::new(&state.taxonomy);
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names, &terms);
    for (_, out) in sinks.iter_mut() {
        out.write_all(b"[").map_err(io)?;
    }
    let mut first = true;
    let written = each_record(
        state,
        &mut |record| {
            for (kind, out) in sinks.iter_mut() {
                out.write_all(if first { b"\n" } else { b",\n" })
                    .map_err(io)?;
                serde_json::to_writer(&mut **out, &hsds::detail(kind, &record.listed(), &ctx))
                    .map_err(io)?;
            }
            first = false;
            Ok(())
        },
        progress,
    )?;
    for (_, out) in sinks.iter_mut() {
        out.write_all(b"\n]\n").map_err(io)?;
    }
    Ok(written)
}

fn terms(state: &AppState) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(&hsds::terms(&state.taxonomy)).map_err(io)
}

/// The export into a folder (created if needed). Returns the number of providers.
pub fn to_folder(
    state: &AppState,
    folder: &std::path::Path,
    progress: &mut dyn FnMut(&str, usize),
) -> Result<usize, AppError> {
    std::fs::create_dir_all(folder).map_err(io)?;
    let open = |file: &str| -> Result<std::io::BufWriter<std::fs::File>, AppError> {
        Ok(std::io::BufWriter::new(
            std::fs::File::create(folder.join(file)).map_err(io)?,
        ))
    };
    let [(k1, f1), (k2, f2), (k3, f3)] = RECORD_FILES;
    let (mut w1, mut w2, mut w3) = (open(f1)?, open(f2)?, open(f3)?);
    let providers = write_records(
        state,
        &mut [(k1, &mut w1), (k2, &mut w2), (k3, &mut w3)],
        &mut |n| progress("organizations, services, service_at_locations", n),
    )?;
    for mut w in [w1, w2, w3] {
        w.flush().map_err(io)?;
    }
    std::fs::write(folder.join(TERMS_FILE), terms(state)?).map_err(io)?;
    std::fs::write(folder.join("README.md"), README).map_err(io)?;
    std::fs::write(folder.join("LICENCE.md"), LICENCE).map_err(io)?;
    Ok(providers)
}

/// The export as a zip archive written to `out`.
pub fn to_zip<W: Write + Seek>(state: &AppState, out: W) -> Result<W, AppError> {
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (kind, file) in RECORD_FILES {
        zip.start_file(file, options).map_err(io)?;
        write_records(state, &mut [(kind, &mut zip)], &mut |_| {})?;
    }
    for (file, content) in [
        (TERMS_FILE, terms(state)?),
        ("README.md", README.as_bytes().to_vec()),
        ("LICENCE.md", LICENCE.as_bytes().to_vec()),
    ] {
        zip.start_file(file, options).map_err(io)?;
        zip.write_all(&content).map_err(io)?;
    }
    zip.finish().map_err(io)
}

/// The archive of one version of the directory, in a temporary file: built by the first
/// download after a change (the others wait for it rather than build it again), then read from
/// disk by every download, so that memory stays the same whatever the size of the directory.
#[derive(Default)]
pub struct Archive {
    built: Mutex<Option<(i64, tempfile::NamedTempFile)>>,
}

impl Archive {
    /// The archive of the directory as published now, opened for reading.
    pub fn current(&self, state: &AppState) -> Result<std::fs::File, AppError> {
        let version = crate::directory::published(state)?.directory.version;
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((v, file)) = built.as_ref()
            && *v == version
        {
            return file.reopen().map_err(io);
        }
        let file = tempfile::Builder::new()
            .prefix("cyberdir-hsds-")
            .suffix(".zip")
            .tempfile()
            .map_err(io)?;
        let out = std::io::BufWriter::new(file.reopen().map_err(io)?);
        to_zip(state, out)?.flush().map_err(io)?;
        let read = file.reopen().map_err(io)?;
        *built = Some((version, file));
        Ok(read)
    }
}
