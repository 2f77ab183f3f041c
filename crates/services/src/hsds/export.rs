//! The bulk export: the whole directory as HSDS 3.0 JSON (one file per kind of record, each an
//! array of detail records, plus the taxonomy terms), with a README and the licence. Providers
//! are read 1,000 at a time (`each_chunk`) and written as they come, so memory stays the same
//! whatever the size of the directory.

use std::io::{Seek, Write};
use std::sync::Mutex;

use super::{Record, context, each_chunk};
use crate::domain::hsds::{self, Context};
use crate::error::AppError;
use crate::infra::Infra;

/// The record files, by the kind of record each holds.
pub const RECORD_FILES: [(&str, &str); 3] = [
    ("organization", "organizations.json"),
    ("service", "services.json"),
    ("service_at_location", "service_at_locations.json"),
];
pub const TERMS_FILE: &str = "taxonomy_terms.json";

const README: &str = include_str!("../../../../docs/hsds-export-readme.md");
const LICENCE: &str = include_str!("../../../../docs/licence-ouverte-2.0.md");

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("export: {e}"))
}

/// How many providers are rendered at once, half on another thread.
const SLICE: usize = 250;

/// Writes every record of each `(kind, out)` as a JSON array to its `out`, in one reading of
/// the directory; `progress` is told how many providers are done. Returns how many providers.
/// The next chunk is read while this one is rendered, and each slice of a chunk is rendered
/// half on another thread, then written in order: every core works, and memory holds a chunk
/// and a slice's text whatever the size of the directory.
pub fn write_records(
    state: &Infra,
    sinks: &mut [(&str, &mut dyn Write)],
    progress: &mut dyn FnMut(usize),
) -> Result<usize, AppError> {
    let terms = hsds::TermTable::new(&state.taxonomy);
    let names = |code: &str| state.departements.get(code).map(|d| d.name.clone());
    let ctx = context(state, &names, &terms);
    let kinds: Vec<&str> = sinks.iter().map(|(kind, _)| *kind).collect();
    let render = |records: &[Record], first: bool| render_slice(&kinds, records, first, &ctx);
    for (_, out) in sinks.iter_mut() {
        out.write_all(b"[").map_err(io)?;
    }
    let providers = std::thread::scope(|scope| {
        let (feed, chunks) = std::sync::mpsc::sync_channel::<Vec<Record>>(1);
        let reader = scope.spawn(move || {
            each_chunk(state, &mut |chunk| {
                feed.send(chunk).map_err(|_| io("the writer stopped"))
            })
        });
        let mut done = 0;
        for chunk in chunks {
            for slice in chunk.chunks(SLICE) {
                let (head, tail) = slice.split_at(slice.len() / 2);
                let first = done == 0;
                let (head, tail) = std::thread::scope(|inner| {
                    let tail = inner.spawn(|| render(tail, first && head.is_empty()));
                    (render(head, first), tail.join())
                });
                let (head, tail) = (head?, tail.map_err(|_| io("a renderer panicked"))??);
                for (n, (_, out)) in sinks.iter_mut().enumerate() {
                    out.write_all(&head[n]).map_err(io)?;
                    out.write_all(&tail[n]).map_err(io)?;
                }
                done += slice.len();
            }
            progress(done);
        }
        reader.join().map_err(|_| io("the reader panicked"))?
    })?;
    for (_, out) in sinks.iter_mut() {
        out.write_all(b"\n]\n").map_err(io)?;
    }
    Ok(providers)
}

/// The records of a slice, one text per kind, each record after its separator (none but a line
/// break before the very first).
fn render_slice(
    kinds: &[&str],
    records: &[Record],
    first: bool,
    ctx: &Context,
) -> Result<Vec<Vec<u8>>, AppError> {
    kinds
        .iter()
        .map(|kind| {
            let mut text = Vec::with_capacity(records.len() * 8_192);
            for (n, record) in records.iter().enumerate() {
                text.extend_from_slice(if first && n == 0 { b"\n" } else { b",\n" });
                serde_json::to_writer(&mut text, &hsds::detail(kind, &record.listed(), ctx))
                    .map_err(io)?;
            }
            Ok(text)
        })
        .collect()
}

/// The README, with the export's date: reusers cite the source and its date (the licence).
fn readme(state: &Infra) -> String {
    let today = crate::french::day_fr(state.clock.today());
    README.replace("{{date}}", &today)
}

fn terms(state: &Infra) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(&hsds::terms(&state.taxonomy)).map_err(io)
}

/// The export into a folder (created if needed). Returns the number of providers.
pub fn to_folder(
    state: &Infra,
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
    std::fs::write(folder.join("README.md"), readme(state)).map_err(io)?;
    std::fs::write(folder.join("LICENCE.md"), LICENCE).map_err(io)?;
    Ok(providers)
}

/// The export as a zip archive written to `out`.
pub fn to_zip<W: Write + Seek>(state: &Infra, out: W) -> Result<W, AppError> {
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (kind, file) in RECORD_FILES {
        zip.start_file(file, options).map_err(io)?;
        write_records(state, &mut [(kind, &mut zip)], &mut |_| {})?;
    }
    for (file, content) in [
        (TERMS_FILE, terms(state)?),
        ("README.md", readme(state).into_bytes()),
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
    built: Mutex<Option<(crate::db::counters::Version, tempfile::NamedTempFile)>>,
}

impl Archive {
    /// The archive of the directory as published now, opened for reading.
    pub fn current(
        &self,
        state: &Infra,
        index: &crate::directory::index::DirectoryIndex,
    ) -> Result<std::fs::File, AppError> {
        let version = crate::directory::published(state, index)?.directory.version;
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
