//! `cyberdir geo import`: reads La Poste's postcode base (CSV) and, optionally, INSEE's commune
//! list (COG, JSON), and replaces the reference geography in one transaction.

use crate::domain::codes::{is_commune_code, is_postcode};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::db::geo::{CommuneRow, PostcodeRow, replace_all};
use crate::db::{DbConnection, Pool};
use crate::domain::text::fold;
use crate::domain::zone::departement_of_commune;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the postcode file is not valid CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the postcode file lacks the column {0} (expected La Poste's header)")]
    MissingColumn(&'static str),
    #[error("the commune file is not the COG's JSON list: {0}")]
    Communes(#[from] serde_json::Error),
    #[error("the import found no usable commune; nothing was changed")]
    Empty,
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
}

/// Where a commune's coordinates come from: the mean of La Poste's points for its rows.
#[derive(Debug, Default, Clone)]
struct PointSum {
    latitude: f64,
    longitude: f64,
    count: u32,
}

impl PointSum {
    fn add(&mut self, lat: f64, lon: f64) {
        self.latitude += lat;
        self.longitude += lon;
        self.count += 1;
    }

    fn merge(&mut self, other: &PointSum) {
        self.latitude += other.latitude;
        self.longitude += other.longitude;
        self.count += other.count;
    }

    fn mean(&self) -> Option<(f64, f64)> {
        (self.count > 0).then(|| {
            let n = f64::from(self.count);
            (self.latitude / n, self.longitude / n)
        })
    }
}

/// What La Poste's file says of one INSEE code.
#[derive(Debug, Default)]
struct PosteCommune {
    name: String,
    point: PointSum,
    /// postcode -> libellé d'acheminement
    postcodes: BTreeMap<String, String>,
}

/// The parsed files, ready to be written.
#[derive(Debug, Default)]
pub struct Geography {
    pub communes: Vec<CommuneRow>,
    pub postcodes: Vec<PostcodeRow>,
    /// Rows or communes left out, by reason (French, shown in the summary).
    pub skipped: BTreeMap<&'static str, usize>,
}

impl Geography {
    fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// The summary printed at the end of an import.
#[derive(Debug)]
pub struct ImportSummary {
    pub communes: usize,
    /// Distinct postcodes.
    pub postcodes: usize,
    /// (postcode, commune) pairs.
    pub links: usize,
    pub skipped: BTreeMap<&'static str, usize>,
    pub elapsed: Duration,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Import terminé en {:.1} s : {} communes, {} codes postaux ({} couples code postal–commune).",
            self.elapsed.as_secs_f64(),
            self.communes,
            self.postcodes,
            self.links
        )?;
        let total: usize = self.skipped.values().sum();
        if total == 0 {
            write!(f, "Aucune ligne ignorée.")
        } else {
            write!(f, "{total} ligne(s) ignorée(s) :")?;
            for (reason, count) in &self.skipped {
                write!(f, "\n  - {reason} : {count}")?;
            }
            Ok(())
        }
    }
}

const SKIP_BAD_INSEE: &str = "code INSEE invalide";
const SKIP_BAD_POSTCODE: &str = "code postal invalide";
const SKIP_BAD_POINT: &str =
    "coordonnées illisibles ou hors limites (ligne gardée sans coordonnées)";
const SKIP_UNKNOWN_TO_COG: &str = "commune absente du COG (code périmé)";
const SKIP_NO_POINT: &str = "commune sans coordonnées";

/// Restores leading zeros lost by spreadsheets ("1001" -> "01001").
fn pad_code(raw: &str) -> String {
    let raw = raw.trim();
    if !raw.is_empty() && raw.len() < 5 && raw.bytes().all(|b| b.is_ascii_digit()) {
        format!("{raw:0>5}")
    } else {
        raw.to_ascii_uppercase()
    }
}

fn parse_point(lat: &str, lon: &str) -> Option<(f64, f64)> {
    let lat: f64 = lat.trim().parse().ok()?;
    let lon: f64 = lon.trim().parse().ok()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && (lat, lon) != (0.0, 0.0))
        .then_some((lat, lon))
}

/// "L ABERGEMENT CLEMENCIAT" -> "L Abergement Clemenciat" (La Poste names have no accents; the
/// COG's proper names replace them when given).
fn title_case(upper: &str) -> String {
    upper
        .split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

enum PointColumns {
    Geopoint(usize),
    LatLon(usize, usize),
}

/// Reads La Poste's CSV: `;` or `,` separated, with `_geopoint` ("lat,lon") or separate
/// `latitude`/`longitude` columns.
fn read_postcode_file(
    mut reader: impl Read,
    out: &mut Geography,
) -> Result<BTreeMap<String, PosteCommune>, ImportError> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| ImportError::Read(PathBuf::from("<postcodes>"), e))?;
    let text = text.trim_start_matches('\u{feff}');
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') { b';' } else { b',' };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = csv
        .headers()?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let insee =
        col(&["code_commune_insee"]).ok_or(ImportError::MissingColumn("code_commune_insee"))?;
    let name = col(&["nom_de_la_commune", "nom_commune"])
        .ok_or(ImportError::MissingColumn("nom_de_la_commune"))?;
    let postcode = col(&["code_postal"]).ok_or(ImportError::MissingColumn("code_postal"))?;
    let label = col(&["libelle_d_acheminement", "libelle_acheminement"]);
    let points = match (
        col(&["_geopoint", "coordonnees_gps", "coordonnees_geographiques"]),
        col(&["latitude"]),
        col(&["longitude"]),
    ) {
        (Some(g), _, _) => PointColumns::Geopoint(g),
        (None, Some(lat), Some(lon)) => PointColumns::LatLon(lat, lon),
        _ => {
            return Err(ImportError::MissingColumn(
                "_geopoint (ou latitude et longitude)",
            ));
        }
    };

    let mut communes: BTreeMap<String, PosteCommune> = BTreeMap::new();
    for record in csv.records() {
        let record = record?;
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let code = pad_code(field(insee));
        if !is_commune_code(&code) {
            out.skip(SKIP_BAD_INSEE);
            continue;
        }
        let pc = pad_code(field(postcode));
        if !is_postcode(&pc) {
            out.skip(SKIP_BAD_POSTCODE);
            continue;
        }
        let point = match points {
            PointColumns::Geopoint(i) => {
                let raw = field(i);
                if raw.is_empty() {
                    None
                } else {
                    let (lat, lon) = raw.split_once(',').unwrap_or((raw, ""));
                    let parsed = parse_point(lat, lon);
                    if parsed.is_none() {
                        out.skip(SKIP_BAD_POINT);
                    }
                    parsed
                }
            }
            PointColumns::LatLon(lat, lon) => {
                if field(lat).is_empty() {
                    None
                } else {
                    let parsed = parse_point(field(lat), field(lon));
                    if parsed.is_none() {
                        out.skip(SKIP_BAD_POINT);
                    }
                    parsed
                }
            }
        };
        let entry = communes.entry(code).or_default();
        if entry.name.is_empty() {
            entry.name = field(name).to_owned();
        }
        if let Some((lat, lon)) = point {
            entry.point.add(lat, lon);
        }
        let acheminement = label.map(field).unwrap_or_default();
        entry
            .postcodes
            .entry(pc)
            .or_insert_with(|| acheminement.to_owned());
    }
    Ok(communes)
}

/// One entry of the COG list (`@etalab/decoupage-administratif` communes.json).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CogCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    departement: Option<String>,
    population: Option<i64>,
    /// For arrondissements: their city.
    commune: Option<String>,
    /// For communes déléguées/associées: the commune they belong to.
    chef_lieu: Option<String>,
}

const PLM: [(&str, &str, &str); 3] = [
    ("75056", "Paris", "751"),
    ("69123", "Lyon", "6938"),
    ("13055", "Marseille", "132"),
];

/// Parses both files into rows. Communes come from the COG when given (proper names,
/// population), else from La Poste's names.
pub fn parse(postcodes: impl Read, cog: Option<impl Read>) -> Result<Geography, ImportError> {
    let mut out = Geography::default();
    let mut poste = read_postcode_file(postcodes, &mut out)?;
    match cog {
        Some(reader) => {
            let cog: Vec<CogCommune> = serde_json::from_reader(reader)?;
            build_from_cog(&mut out, &mut poste, cog);
        }
        None => build_from_poste(&mut out, poste),
    }
    if out.communes.is_empty() {
        return Err(ImportError::Empty);
    }
    out.communes.sort_by(|a, b| a.code.cmp(&b.code));
    out.postcodes
        .sort_by(|a, b| (&a.postcode, &a.commune_code).cmp(&(&b.postcode, &b.commune_code)));
    Ok(out)
}

fn build_from_cog(
    out: &mut Geography,
    poste: &mut BTreeMap<String, PosteCommune>,
    cog: Vec<CogCommune>,
) {
    let is_current =
        |c: &CogCommune| c.kind == "commune-actuelle" || c.kind == "arrondissement-municipal";
    let current: BTreeSet<String> = cog
        .iter()
        .filter(|c| is_current(c))
        .map(|c| c.code.clone())
        .collect();
    // A La Poste row under a former commune's code belongs to the commune it merged into.
    let merged_into: HashMap<String, String> = cog
        .iter()
        .filter(|c| !is_current(c) && !current.contains(&c.code))
        .filter_map(|c| c.chef_lieu.clone().map(|parent| (c.code.clone(), parent)))
        .collect();
    // Points and postcodes per current commune; points from former communes are kept apart so
    // a commune's own rows win.
    let mut own_points: HashMap<String, PointSum> = HashMap::new();
    let mut former_points: HashMap<String, PointSum> = HashMap::new();
    let mut postcodes_of: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (code, entry) in std::mem::take(poste) {
        let (target, points) = if current.contains(&code) {
            (code, &mut own_points)
        } else if let Some(parent) = merged_into.get(&code).filter(|p| current.contains(*p)) {
            (parent.clone(), &mut former_points)
        } else {
            for _ in 0..entry.postcodes.len() {
                out.skip(SKIP_UNKNOWN_TO_COG);
            }
            continue;
        };
        points
            .entry(target.clone())
            .or_default()
            .merge(&entry.point);
        postcodes_of
            .entry(target)
            .or_default()
            .extend(entry.postcodes);
    }
    // Cities with arrondissements take the mean of their arrondissements' points.
    let mut city_points: HashMap<String, PointSum> = HashMap::new();
    for c in cog.iter().filter(|c| c.kind == "arrondissement-municipal") {
        if let (Some(city), Some((lat, lon))) =
            (&c.commune, own_points.get(&c.code).and_then(PointSum::mean))
        {
            city_points.entry(city.clone()).or_default().add(lat, lon);
        }
    }
    for c in cog.into_iter().filter(is_current) {
        let point = [&own_points, &former_points, &city_points]
            .iter()
            .find_map(|m| m.get(&c.code).and_then(PointSum::mean));
        let Some((latitude, longitude)) = point else {
            out.skip(SKIP_NO_POINT);
            continue;
        };
        let departement_code = c
            .departement
            .clone()
            .or_else(|| departement_of_commune(&c.code).map(str::to_owned))
            .unwrap_or_default();
        for (postcode, label) in postcodes_of.remove(&c.code).unwrap_or_default() {
            out.postcodes.push(PostcodeRow {
                postcode,
                commune_code: c.code.clone(),
                label,
            });
        }
        out.communes.push(CommuneRow {
            search_name: fold(&c.nom),
            departement_code,
            parent_code: c.commune.filter(|_| c.kind == "arrondissement-municipal"),
            population: c
                .population
                .and_then(|p| i32::try_from(p).ok())
                .unwrap_or(0),
            latitude,
            longitude,
            name: c.nom,
            code: c.code,
        });
    }
}

fn build_from_poste(out: &mut Geography, poste: BTreeMap<String, PosteCommune>) {
    let mut city_points: HashMap<&str, PointSum> = HashMap::new();
    for (code, entry) in poste {
        let Some((latitude, longitude)) = entry.point.mean() else {
            out.skip(SKIP_NO_POINT);
            continue;
        };
        let parent = PLM
            .iter()
            .find(|(_, _, prefix)| code.starts_with(prefix) && code.len() == 5);
        if let Some((city, _, _)) = parent {
            city_points
                .entry(city)
                .or_default()
                .add(latitude, longitude);
        }
        let name = title_case(&entry.name);
        for (postcode, label) in entry.postcodes {
            out.postcodes.push(PostcodeRow {
                postcode,
                commune_code: code.clone(),
                label,
            });
        }
        out.communes.push(CommuneRow {
            search_name: fold(&name),
            departement_code: departement_of_commune(&code).unwrap_or_default().to_owned(),
            parent_code: parent.map(|(city, _, _)| (*city).to_owned()),
            population: 0,
            latitude,
            longitude,
            name,
            code,
        });
    }
    // La Poste lists Paris, Lyon and Marseille only as arrondissements: add the cities.
    for (code, name, _) in PLM {
        if let Some((latitude, longitude)) = city_points.get(code).and_then(PointSum::mean) {
            out.communes.push(CommuneRow {
                code: code.to_owned(),
                name: name.to_owned(),
                search_name: fold(name),
                departement_code: departement_of_commune(code).unwrap_or_default().to_owned(),
                parent_code: None,
                population: 0,
                latitude,
                longitude,
            });
        }
    }
}

fn open(path: &Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path).map_err(|e| ImportError::Read(path.to_path_buf(), e))
}

/// Parses the files and replaces the geography. `show_progress` draws a bar on stderr.
pub fn import_files(
    conn: &mut DbConnection,
    postcodes: &Path,
    communes: Option<&Path>,
    now: chrono::NaiveDateTime,
    show_progress: bool,
) -> Result<ImportSummary, ImportError> {
    let cog = communes.map(open).transpose()?;
    import_readers(
        conn,
        std::io::BufReader::new(open(postcodes)?),
        cog.map(std::io::BufReader::new),
        now,
        show_progress,
    )
}

/// Parses the two files' contents and replaces the geography.
pub fn import_readers(
    conn: &mut DbConnection,
    postcodes: impl Read,
    communes: Option<impl Read>,
    now: chrono::NaiveDateTime,
    show_progress: bool,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let bar = if show_progress {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_message("Lecture des fichiers…");
    bar.enable_steady_tick(Duration::from_millis(100));
    let geography = parse(postcodes, communes)?;
    let total = geography.communes.len() + geography.postcodes.len();
    bar.set_length(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Enregistrement");
    replace_all(
        conn,
        &geography.communes,
        &geography.postcodes,
        geography.skipped_total(),
        now,
        |n| bar.inc(n as u64),
    )?;
    bar.finish_and_clear();
    let distinct: BTreeSet<&str> = geography
        .postcodes
        .iter()
        .map(|p| p.postcode.as_str())
        .collect();
    Ok(ImportSummary {
        communes: geography.communes.len(),
        postcodes: distinct.len(),
        links: geography.postcodes.len(),
        skipped: geography.skipped,
        elapsed: started.elapsed(),
    })
}

/// Imports from a folder laid out like `../shared/geo` (used at start-up when asked).
pub fn import_folder(
    pool: &Pool,
    dir: &Path,
    now: chrono::NaiveDateTime,
) -> Result<ImportSummary, ImportError> {
    let postcodes = dir.join("base-officielle-codes-postaux.csv");
    let communes = dir.join("cog").join("communes.json");
    let mut conn = pool.get()?;
    import_files(
        &mut conn,
        &postcodes,
        communes.is_file().then_some(communes.as_path()),
        now,
        false,
    )
}

#[cfg(test)]
mod tests;
