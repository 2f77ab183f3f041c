//! What the command line does around the service: the first start on an empty database (the
//! shipped geography, the demo directory and its accounts), the check that a command works on
//! an existing database, and the SQLite backup.

use std::path::Path;

use crate::auth::{Role, accounts};
use crate::db::{self, DbConnection, DbTarget};
use crate::geo::import::{self, ImportSummary};
use crate::infra::Infra;
use crate::referencing::charter::Charter;

/// What a first start did.
#[derive(Debug, Default)]
pub struct FirstStart {
    /// The geography imported (from `CYBERDIR_GEO_DIR`, else the shipped edition).
    pub geography: Option<ImportSummary>,
    /// Demo providers created.
    pub demo_providers: usize,
    /// The demo accounts and their shared password, to print once.
    pub demo_accounts: Option<(Vec<(String, Role)>, String)>,
    /// A later start of a demo: how to give its accounts a new password.
    pub demo_reminder: bool,
}

/// The demo's admin account (the others are listed at the first start).
pub const DEMO_ADMIN: &str = "admin@demo.cyberdir.localhost";

/// On a database without geography, imports it; in demo mode on an empty directory, seeds the
/// demo set and creates one account per role.
pub fn first_start(
    state: &Infra,
    charter: &crate::referencing::charter::Charter,
    criteria: &crate::label::criteria::Framework,
) -> Result<FirstStart, String> {
    let mut done = FirstStart::default();
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    if db::geo::commune_count(&mut conn).map_err(|e| e.to_string())? == 0 {
        let now = state.clock.now_naive();
        let folder = state
            .config
            .geo_dir
            .as_ref()
            .filter(|d| d.join("base-officielle-codes-postaux.csv").is_file());
        let summary = match folder {
            Some(dir) => {
                tracing::info!(dir = %dir.display(), "importing the reference geography");
                import::import_folder(&state.pool, dir, now)
                    .map_err(|e| format!("geography import from {}: {e}", dir.display()))?
            }
            None => {
                if let Some(dir) = &state.config.geo_dir {
                    tracing::warn!(
                        dir = %dir.display(),
                        "CYBERDIR_GEO_DIR holds no base-officielle-codes-postaux.csv; importing the shipped edition"
                    );
                }
                tracing::info!("importing the shipped reference geography (fixtures/geo)");
                crate::geo::bundled::import(&state.pool, now)
                    .map_err(|e| format!("shipped geography import: {e}"))?
            }
        };
        tracing::info!(
            communes = summary.communes,
            postcodes = summary.postcodes,
            "geography imported"
        );
        done.geography = Some(summary);
    }
    let providers = db::providers::count(&mut conn).map_err(|e| e.to_string())?;
    if state.config.demo && providers == 0 {
        done.demo_providers = seed_demo(state, charter, &mut conn, crate::seed::DEMO_SIZE)?;
        crate::partners::seed_demo(state, &mut conn).map_err(|e| e.to_string())?;
        tracing::info!(created = done.demo_providers, "demo directory seeded");
        // A year of the observatory's facts (synthetic), so that its dashboard, alerts,
        // public statistics and open-data files show something from the first start.
        let facts = seed_observatory(state, &mut conn, 1)?;
        tracing::info!(facts, "demo observatory seeded (one synthetic year)");
        done.demo_accounts = Some(demo_accounts(state, &mut conn)?);
        // Label applications in every state staff and auditors work on.
        let id_of = |conn: &mut DbConnection, email: &str| {
            db::accounts::user_by_email(conn, email)
                .map_err(|e| e.to_string())?
                .map(|u| u.id)
                .ok_or_else(|| format!("demo account {email} missing"))
        };
        let staff = id_of(&mut conn, "equipe@demo.cyberdir.localhost")?;
        let auditor = id_of(&mut conn, "auditeur@demo.cyberdir.localhost")?;
        let applications = crate::label::demo::seed(
            &mut conn,
            criteria,
            state.config.label_fee_cents,
            &staff,
            &auditor,
            state.clock.now_naive(),
        )
        .map_err(|e| e.to_string())?;
        tracing::info!(applications, "demo label applications opened");
        // Assistance requests in every state staff follow.
        let requests = crate::assistance::demo::seed(state, &mut conn, state.clock.now_naive())
            .map_err(|e| e.to_string())?;
        tracing::info!(requests, "demo assistance requests written");
    } else if state.config.demo {
        done.demo_reminder = db::accounts::user_by_email(&mut conn, DEMO_ADMIN)
            .map_err(|e| e.to_string())?
            .is_some();
    }
    Ok(done)
}

/// The demo directory of `size` providers; beyond the demo's size, with its progress on
/// standard error.
pub fn seed_demo(
    state: &Infra,
    charter: &Charter,
    conn: &mut DbConnection,
    size: usize,
) -> Result<usize, String> {
    let set = crate::seed::DemoSet {
        deps: &state.departements,
        taxonomy: &state.taxonomy,
        charter_version: &charter.version,
        now: state.clock.now_naive(),
        size,
    };
    let loud = size > crate::seed::DEMO_SIZE;
    let created = crate::seed::seed_demo(conn, &set, &mut |done| {
        if loud {
            eprint!(
                "\r{:>3} % — {done} prestataires écrits",
                done * 100 / size.max(1)
            );
        }
    })
    .map_err(|e| e.to_string())?;
    if loud {
        eprintln!();
    }
    Ok(created)
}

/// Synthetic observatory facts, with their progress on standard error.
pub fn seed_observatory(
    state: &Infra,
    conn: &mut DbConnection,
    years: u32,
) -> Result<usize, String> {
    let expected =
        (crate::observatory::synthetic::JOURNEYS_A_YEAR * 1.15 * f64::from(years)) as usize;
    let written = crate::observatory::synthetic::seed(state, conn, years, |done| {
        let percent = (done * 100 / expected.max(1)).min(99);
        eprint!("\r{percent:>3} % — {done} faits écrits");
    })
    .map_err(|e| e.to_string())?;
    eprintln!("\r100 % — {written} faits écrits");
    Ok(written)
}

/// One account per role for trying the service, sharing one generated password; the provider
/// account is a member of a demo organisation.
fn demo_accounts(
    state: &Infra,
    conn: &mut DbConnection,
) -> Result<(Vec<(String, Role)>, String), String> {
    let password = generate_password()?;
    let accounts_to_create = [
        (
            "equipe@demo.cyberdir.localhost",
            Role::Staff,
            "Équipe d'instruction (démo)",
        ),
        (
            "auditeur@demo.cyberdir.localhost",
            Role::Auditor,
            "Auditeur (démo)",
        ),
        (DEMO_ADMIN, Role::Admin, "Administrateur (démo)"),
        (
            "editeur@demo.cyberdir.localhost",
            Role::Editor,
            "Éditrice de contenus (démo)",
        ),
        (
            "prestataire@demo.cyberdir.localhost",
            Role::Provider,
            "Prestataire (démo)",
        ),
        (
            "policier@demo.cyberdir.localhost",
            Role::Operator,
            "Policier de l'échange (démo)",
        ),
        (
            "gendarme@demo.cyberdir.localhost",
            Role::Operator,
            "Gendarme superviseur de l'échange (démo)",
        ),
    ];
    let organisation = db::providers::load_published(conn)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|p| p.id)
        .min();
    let mut created = Vec::new();
    for (email, role, name) in accounts_to_create {
        let user = accounts::create_user(state, email, role, &password, name)
            .map_err(|e| format!("demo account {email}: {e}"))?;
        if role == Role::Provider
            && let Some(provider_id) = &organisation
        {
            db::accounts::add_member(conn, provider_id, &user.id, true, state.clock.now_naive())
                .map_err(|e| e.to_string())?;
        }
        if role == Role::Operator {
            // The police officer answers; the gendarme answers and supervises.
            let gendarme = email.starts_with("gendarme");
            let now = state.clock.now_naive();
            db::chat::insert_operator(
                conn,
                &db::chat::OperatorRow {
                    user_id: user.id.clone(),
                    force: if gendarme { "gendarmerie" } else { "police" }.to_owned(),
                    supervisor: gendarme,
                    presence: crate::domain::chat::Presence::Absent.code().to_owned(),
                    capacity: crate::domain::chat::DEFAULT_CAPACITY,
                    idle_since: now,
                    seen_at: now,
                },
            )
            .map_err(|e| e.to_string())?;
        }
        created.push((user.email, role));
    }
    Ok((created, password))
}

/// 20 characters from an unambiguous alphabet (about 110 bits).
pub fn generate_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// Commands that work on an existing database refuse to create a new SQLite file (an account
/// created in the wrong file would be lost from sight).
pub fn require_existing_database(database_url: &str) -> Result<(), String> {
    if let Ok(DbTarget::Sqlite(path)) = DbTarget::parse(database_url)
        && !path.exists()
    {
        return Err(format!(
            "la base SQLite {} n'existe pas : vérifiez DATABASE_URL, ou créez-la d'abord avec `cyberdir migrate` (ou `cyberdir serve`)",
            path.display()
        ));
    }
    Ok(())
}

/// A consistent copy of the live SQLite database in `to` (which must not exist), taken while
/// the service runs (`VACUUM INTO`). Restore: stop the service and put the copy in place of
/// the database file. On PostgreSQL, use `pg_dump`.
#[allow(irrefutable_let_patterns, unreachable_code)]
pub fn backup(state: &Infra, to: &Path) -> Result<(), String> {
    if to.exists() {
        return Err(format!(
            "{} existe déjà : choisissez un nouveau fichier",
            to.display()
        ));
    }
    let target = to
        .to_str()
        .ok_or_else(|| format!("chemin illisible : {}", to.display()))?;
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    #[cfg(feature = "sqlite")]
    if let DbConnection::Sqlite(sqlite) = &mut *conn {
        use diesel::RunQueryDsl;
        diesel::sql_query("VACUUM INTO ?")
            .bind::<diesel::sql_types::Text, _>(target)
            .execute(sqlite)
            .map_err(|e| format!("copie impossible vers {}: {e}", to.display()))?;
        return Ok(());
    }
    let _ = target;
    Err("la sauvegarde intégrée ne concerne que SQLite : sur PostgreSQL, utilisez pg_dump (voir le README)".into())
}

/// `cyberdir diagnostic check FILE`: the checks a tree passes before publication, named node
/// by node; needs no database.
pub fn check_diagnostic(file: &Path) -> Result<String, String> {
    let text = read_tree_file(file)?;
    let taxonomy = crate::domain::taxonomy::Taxonomy::from_fixture().map_err(|e| e.to_string())?;
    let content = crate::content::shipped(&taxonomy)?;
    let (tree, summary) =
        crate::diagnostic::trees::check_text(&text, &taxonomy, Some(&content.library))
            .map_err(|errors| refused(file, &errors))?;
    Ok(format!(
        "{} : arbre valide, version {} ; {} questions, {} issues, {} questions au plus sur un chemin ; les {} types d'incident sont atteints.",
        file.display(),
        tree.version,
        summary.questions,
        summary.outcomes,
        summary.longest_path,
        summary.incident_types
    ))
}

/// `cyberdir content check [DIR]`: the rules a content library passes before publication (the
/// shipped one without `dir`), named file by file; needs no database.
pub fn check_content(dir: Option<&Path>) -> Result<String, String> {
    let files = match dir {
        None => crate::content::shipped_files(),
        Some(dir) => content_files(dir)?,
    };
    let taxonomy = crate::domain::taxonomy::Taxonomy::from_fixture().map_err(|e| e.to_string())?;
    let where_ = dir.map_or("contenu livré".to_owned(), |d| d.display().to_string());
    match crate::content::read_checked(&files, &taxonomy) {
        Ok(library) => Ok(format!(
            "{where_} : contenu valide ; {} fiches, {} contacts, {} quiz ; chaque type d'incident a sa fiche réflexe.",
            library.fiches.len(),
            library.contacts.all().count(),
            library.quizzes.len()
        )),
        Err(errors) => Err(format!(
            "{where_} : {} erreur(s), rien ne peut être publié :\n{}",
            errors.len(),
            errors
                .iter()
                .map(|e| format!("  {} : {}", e.at, e.reason))
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}

/// The files of a content folder, as `(path under the folder, text)`.
fn content_files(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("{} : {e}", path.display()))
    };
    let mut files = vec![(
        "contacts.toml".to_owned(),
        read(&dir.join("contacts.toml"))?,
    )];
    for (sub, ext) in [("fiches", "md"), ("quiz", "toml")] {
        let entries = std::fs::read_dir(dir.join(sub))
            .map_err(|e| format!("{} : {e}", dir.join(sub).display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|e| e == ext)
                && let Some(name) = path.file_name().and_then(|n| n.to_str())
            {
                files.push((format!("{sub}/{name}"), read(&path)?));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `cyberdir diagnostic publish FILE`: checks the tree, then makes it the version in force.
pub fn publish_diagnostic(state: &Infra, file: &Path) -> Result<String, String> {
    let text = read_tree_file(file)?;
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    match crate::diagnostic::trees::publish(
        &mut conn,
        &state.taxonomy,
        &state.content().library,
        &text,
        Some("cli"),
        state.clock.now_naive(),
    ) {
        Ok((tree, true)) => Ok(format!(
            "Version {} du diagnostic publiée : elle est en vigueur.",
            tree.version
        )),
        Ok((tree, false)) => Ok(format!(
            "La version {} est déjà publiée avec ce contenu : rien n'a changé.",
            tree.version
        )),
        Err(crate::diagnostic::trees::PublishError::Invalid(errors)) => Err(refused(file, &errors)),
        Err(e) => Err(e.to_string()),
    }
}

fn read_tree_file(file: &Path) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("{} : {e}", file.display()))
}

fn refused(file: &Path, errors: &[crate::domain::diagnostic::TreeError]) -> String {
    let mut message = format!("{} : arbre refusé\n", file.display());
    for e in errors {
        message.push_str(&format!("  - {e}\n"));
    }
    message.trim_end().to_owned()
}

/// The directory as HSDS open data in `out`, with its progress on standard error.
pub fn export_hsds(state: &Infra, out: &std::path::Path) -> Result<usize, String> {
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    let providers = crate::hsds::export::to_folder(state, out, &mut |file, done| {
        bar.set_message(format!("{file} : {done} prestataires"));
        bar.tick();
    })
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    Ok(providers)
}

/// `cyberdir observatory audit`: every published month and every table given to a partner
/// read by the attacker's programme, all revisions together, one line per table; an error
/// (and a failing exit) when any secret cell is exposed.
pub fn audit_open_data(state: &Infra) -> Result<String, String> {
    let started = std::time::Instant::now();
    let mut audits = crate::observatory::secrecy::audit_published(state).map_err(|e| e.said())?;
    audits.extend(crate::partners::statistics::audit_published(state).map_err(|e| e.said())?);
    let mut lines = Vec::new();
    let mut exposed = 0;
    for audit in &audits {
        let mut line = format!(
            "{} : {}, {} en secret, ",
            audit.table,
            crate::french::plural(audit.revisions, "révision", "révisions"),
            crate::french::plural(audit.secret_cells, "case", "cases"),
        );
        line.push_str(&if audit.exposures.is_empty() {
            "aucune bornée sous 11".to_owned()
        } else {
            format!(
                "{} sous 11",
                crate::french::plural(audit.exposures.len(), "bornée", "bornées")
            )
        });
        match &audit.narrowest {
            None => line.push('.'),
            Some((cell, revision, lower, upper)) => line.push_str(&format!(
                " ; intervalle le plus étroit trouvé : {cell} (révision {revision}), {}.",
                crate::observatory::secrecy::interval_fr(*lower, *upper)
            )),
        }
        exposed += audit.exposures.len();
        lines.push(line);
    }
    lines.push(format!(
        "{} {} en {} ms : {}.",
        crate::french::plural(audits.len(), "tableau", "tableaux"),
        if audits.len() <= 1 {
            "audité"
        } else {
            "audités"
        },
        started.elapsed().as_millis(),
        if exposed == 0 {
            "aucune case secrète ne peut être bornée sous 11".to_owned()
        } else {
            crate::french::plural(exposed, "case secrète exposée", "cases secrètes exposées")
        }
    ));
    let report = lines.join("\n");
    if exposed == 0 {
        Ok(report)
    } else {
        Err(report)
    }
}

/// `cyberdir observatory correct`: a month's file published again, as a new revision.
pub fn correct_open_data(
    state: &Infra,
    cube: &crate::observatory::cube::Cube,
    month: &str,
    note: &str,
) -> Result<String, String> {
    let cli = crate::domain::actor::Actor::command_line();
    let mut told = None;
    let mut watch = |view: &crate::observatory::corrections::CorrectionView| {
        // A line at each stage and each tenth of the work, with where it stands.
        let reached = (view.phase, view.percent / 10);
        if view.pending && told != Some(reached) {
            eprintln!("{:>3} % — {}", view.percent, view.step);
            told = Some(reached);
        }
    };
    let asked = (month, note);
    match crate::observatory::corrections::correct_now(state, cube, &cli, asked, &mut watch) {
        Ok(revision) => Ok(format!(
            "Révision {revision} du fichier de {month} publiée, avec sa note."
        )),
        Err(e) => Err(e.said()),
    }
}
