//! The `cyberdir` command line.

use std::io::IsTerminal;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cyberdir::clock::Clock;
use cyberdir::config::Config;
use std::sync::Arc;
use std::time::Duration;

use cyberdir::auth::{Role, accounts};
use cyberdir::geo::import;
use cyberdir::mail::delivery::{Delivery, Transport, spawn_worker};
use cyberdir::{AppState, prepare, serve_shared, setup, telemetry};

#[derive(Parser)]
#[command(
    name = "cyberdir",
    version,
    about = "Back office of the national cyber-assistance platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Reference geography.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// The email outbox.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Scheduled work (also run by `serve` every minute).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// A consistent copy of the live SQLite database (see the README for restoring it; on
    /// PostgreSQL, use pg_dump).
    Backup {
        /// The new file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// The victims' diagnostic (question tree).
    Diagnostic {
        #[command(subcommand)]
        command: DiagnosticCommand,
    },
    /// The reviewed advice: fiches, contacts, quizzes.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// The observatory's open data.
    Observatory {
        #[command(subcommand)]
        command: ObservatoryCommand,
    },
    /// Export the directory as open data.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Fill an empty directory with demo data.
    Seed {
        /// The deterministic demo set of ~1,200 providers.
        #[arg(long)]
        demo: bool,
        /// With --demo: N providers made the demo's way instead of 1,200 (a directory to
        /// measure with).
        #[arg(long, value_name = "N", requires = "demo", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        providers: Option<u32>,
        /// N years of synthetic observatory facts (about 450,000 journeys a year), ending
        /// yesterday.
        #[arg(long, value_name = "N")]
        observatory: Option<u32>,
    },
}

#[derive(Subcommand)]
enum ObservatoryCommand {
    /// Publish a month's file again from today's facts, as a new revision with its note.
    Correct {
        /// The month, as YYYY-MM.
        #[arg(long)]
        month: String,
        /// What the correction changes (10 characters at least), published with the file.
        #[arg(long)]
        note: String,
    },
    /// Audit everything published: for each month, all its revisions read together by the
    /// attacker's linear programme; fails when a secret cell can be bounded under 11.
    Audit,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The directory in Open Referral HSDS 3.0 JSON, with a README and the licence.
    Hsds {
        /// The folder to write (created if needed; its files are replaced).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a verified account. The password is read from standard input when it is piped,
    /// otherwise generated and printed once.
    Create {
        #[arg(long)]
        email: String,
        /// provider, staff, auditor, admin, editor or operator.
        #[arg(long)]
        role: String,
        /// Name shown in the back office (default: the part of the address before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Give an account a new password (a demo account's, once its first password is lost). The
    /// password is read from standard input when it is piped, otherwise generated and printed
    /// once. The account's sessions are closed.
    Password {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum DiagnosticCommand {
    /// Check a tree file (TOML) without publishing it; needs no database.
    Check { file: PathBuf },
    /// Check a tree file and publish it as the version in force.
    Publish { file: PathBuf },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Check a content folder (contacts.toml, fiches/, quiz/) as before a publication; the
    /// shipped one without DIR. Needs no database.
    Check { dir: Option<PathBuf> },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run every scheduled job once and exit.
    Run,
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Deliver the due emails once and exit.
    Deliver,
}

#[derive(Subcommand)]
enum GeoCommand {
    /// Replace the communes and postcodes with the official files.
    Import {
        /// La Poste's "base officielle des codes postaux" (CSV).
        #[arg(long)]
        postcodes: PathBuf,
        /// INSEE's commune list (COG, JSON from @etalab/decoupage-administratif).
        #[arg(long)]
        communes: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cyberdir: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    match run(cli.command.unwrap_or(Command::Serve), config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cyberdir: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, config: Config) -> Result<(), String> {
    if let Command::Diagnostic {
        command: DiagnosticCommand::Check { file },
    } = &command
    {
        return setup::check_diagnostic(file).map(|summary| println!("{summary}"));
    }
    if let Command::Content {
        command: ContentCommand::Check { dir },
    } = &command
    {
        return setup::check_content(dir.as_deref()).map(|summary| println!("{summary}"));
    }
    // Only these may start a new database; the others work on an existing one.
    if !matches!(
        command,
        Command::Serve | Command::Migrate | Command::Seed { .. }
    ) {
        setup::require_existing_database(&config.database_url)?;
    }
    let state = prepare(config, Clock::System).map_err(|e| e.to_string())?;
    match command {
        Command::Serve => run_server(state),
        Command::Migrate => {
            println!("Base de données à jour ({}).", state.backend);
            Ok(())
        }
        Command::Geo {
            command:
                GeoCommand::Import {
                    postcodes,
                    communes,
                },
        } => {
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            let summary = import::import_files(
                &mut conn,
                &postcodes,
                communes.as_deref(),
                state.clock.now_naive(),
                std::io::stderr().is_terminal(),
            )
            .map_err(|e| e.to_string())?;
            println!("{summary}");
            Ok(())
        }
        Command::Users {
            command: UsersCommand::Create { email, role, name },
        } => create_user(&state, &email, &role, name),
        Command::Users {
            command: UsersCommand::Password { email },
        } => {
            let (password, generated) = password_from_stdin()?;
            accounts::set_password_from_command_line(&state, &email, &password)
                .map_err(|e| e.said())?;
            println!("Nouveau mot de passe enregistré pour {}.", email.trim());
            if generated {
                println!("Mot de passe (affiché une seule fois) : {password}");
            }
            Ok(())
        }
        Command::Outbox {
            command: OutboxCommand::Deliver,
        } => {
            let report = delivery(&state)?.deliver_once()?;
            println!(
                "{} envoyé(s), {} à réessayer, {} en échec.",
                report.sent, report.retrying, report.failed
            );
            Ok(())
        }
        Command::Jobs {
            command: JobsCommand::Run,
        } => {
            let mut report = state.run_jobs().map_err(|e| e.to_string())?;
            report.open_data_corrections = state
                .run_corrections()
                .map_err(|e| e.to_string())?
                .open_data_corrections;
            for line in report.lines_fr() {
                println!("{line}");
            }
            Ok(())
        }
        Command::Diagnostic { command } => match command {
            DiagnosticCommand::Check { file } => {
                setup::check_diagnostic(&file).map(|summary| println!("{summary}"))
            }
            DiagnosticCommand::Publish { file } => {
                setup::publish_diagnostic(&state, &file).map(|summary| println!("{summary}"))
            }
        },
        Command::Content {
            command: ContentCommand::Check { dir },
        } => setup::check_content(dir.as_deref()).map(|summary| println!("{summary}")),
        Command::Backup { to } => {
            setup::backup(&state, &to)?;
            println!("Copie de la base écrite dans {}.", to.display());
            Ok(())
        }
        Command::Observatory {
            command: ObservatoryCommand::Correct { month, note },
        } => setup::correct_open_data(&state, &state.observatory, &month, &note)
            .map(|said| println!("{said}")),
        Command::Observatory {
            command: ObservatoryCommand::Audit,
        } => setup::audit_open_data(&state).map(|said| println!("{said}")),
        Command::Export {
            command: ExportCommand::Hsds { out },
        } => {
            let started = std::time::Instant::now();
            let providers = setup::export_hsds(&state, &out)?;
            println!(
                "Annuaire exporté en HSDS 3.0 dans {} ({}, en {} ms).",
                out.display(),
                cyberdir::french::plural(providers, "prestataire", "prestataires"),
                started.elapsed().as_millis()
            );
            Ok(())
        }
        Command::Seed {
            demo,
            providers,
            observatory,
        } => {
            if !demo && observatory.is_none() {
                return Err(
                    "nothing to seed: use `cyberdir seed --demo` or `--observatory N`".into(),
                );
            }
            let mut conn = state.pool.get().map_err(|e| e.to_string())?;
            if demo {
                let size = providers.map_or(cyberdir::seed::DEMO_SIZE, |n| n as usize);
                let created = setup::seed_demo(&state, &state.charter, &mut conn, size)?;
                println!("{created} prestataires de démonstration créés.");
            }
            if let Some(years) = observatory {
                let written = setup::seed_observatory(&state, &mut conn, years)?;
                println!(
                    "{written} faits de l'observatoire créés ({}).",
                    cyberdir::french::plural(years as usize, "an", "ans")
                );
            }
            Ok(())
        }
    }
}

fn create_user(
    state: &AppState,
    email: &str,
    role: &str,
    name: Option<String>,
) -> Result<(), String> {
    let role = Role::parse(role).ok_or_else(|| {
        format!("unknown role {role:?}: provider, staff, auditor, admin, editor or operator")
    })?;
    let (password, generated) = password_from_stdin()?;
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let user =
        accounts::create_user(state, email, role, &password, &name).map_err(|e| match e {
            cyberdir::error::AppError::Validation(fields) => fields
                .into_iter()
                .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })?;
    println!("Compte {} créé ({}).", user.email, user.role);
    if generated {
        println!("Mot de passe (affiché une seule fois) : {password}");
    }
    Ok(())
}

/// A password piped on standard input, else one generated (and `true`: print it once).
fn password_from_stdin() -> Result<(String, bool), String> {
    if std::io::stdin().is_terminal() {
        return Ok((setup::generate_password()?, true));
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        Ok((setup::generate_password()?, true))
    } else {
        Ok((line, false))
    }
}

fn delivery(state: &AppState) -> Result<Delivery, String> {
    let transport =
        Transport::from_settings(state.config.smtp_url.as_deref(), &state.config.outbox_dir)?;
    let from = state
        .config
        .mail_from
        .parse()
        .map_err(|e| format!("CYBERDIR_MAIL_FROM: {e}"))?;
    Ok(Delivery {
        pool: state.pool.clone(),
        clock: state.clock.clone(),
        transport,
        from,
        metrics: state.metrics.clone(),
    })
}

/// Prints, once, what a first start created that the person starting the service needs.
fn announce(first: &setup::FirstStart, base_url: &str) {
    if let Some((accounts, password)) = &first.demo_accounts {
        println!("Comptes de démonstration (mot de passe affiché une seule fois : {password}) :");
        for (email, role) in accounts {
            println!("  {email:<40} {}", role.label());
        }
        println!("Connexion : {base_url}/connexion");
    }
    if first.demo_reminder {
        println!(
            "Démonstration : les comptes ont gardé le mot de passe affiché au premier démarrage. \
             Pour en choisir un nouveau : cyberdir users password --email {} (de même pour les \
             autres comptes @demo.cyberdir.localhost). Connexion : {base_url}/connexion",
            setup::DEMO_ADMIN
        );
    }
}

fn run_server(state: AppState) -> Result<(), String> {
    let first = setup::first_start(&state, &state.charter, &state.criteria)?;
    announce(&first, &state.config.base_url);
    let delivery = Arc::new(delivery(&state)?);
    tracing::info!(transport = %delivery.transport.describe(), "email delivery worker started");
    spawn_worker(delivery, Duration::from_millis(state.config.outbox_poll_ms))
        .map_err(|e| format!("cannot start the email worker: {e}"))?;
    let state = Arc::new(state);
    let jobs_state = Arc::clone(&state);
    cyberdir::jobs::spawn(Duration::from_secs(60), move || jobs_state.run_jobs())
        .map_err(|e| format!("cannot start the scheduled jobs: {e}"))?;
    // A version of the content published by another process is in force here within seconds.
    let content_state = Arc::clone(&state);
    cyberdir::jobs::spawn(cyberdir::content::store::REFRESH_EVERY, move || {
        content_state
            .refresh_content()
            .map(|()| cyberdir::jobs::JobReport::default())
    })
    .map_err(|e| format!("cannot start the content refresh: {e}"))?;
    // The chat: operators gone silent are set absent and their chats go back to the queue's
    // head, and waiting chats are routed, within seconds.
    let chat_state = Arc::clone(&state);
    cyberdir::jobs::spawn(Duration::from_secs(5), move || {
        cyberdir::jobs::chat_pass(&chat_state, &chat_state.chat)
    })
    .map_err(|e| format!("cannot start the chat's routing pass: {e}"))?;
    // An admin's correction of an open-data file starts within seconds of being asked.
    let corrections_state = Arc::clone(&state);
    cyberdir::jobs::spawn(Duration::from_secs(2), move || {
        corrections_state.run_corrections()
    })
    .map_err(|e| format!("cannot start the open-data corrections: {e}"))?;
    let bind = state.config.bind.clone();
    let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let url = state.config.base_url.clone();
    tracing::info!(address = %bind, backend = state.backend, %url, "cyberdir listening: open {url}");
    let background = state.background.clone();
    let served = actix_web::rt::System::new().block_on(async move {
        serve_shared(actix_web::web::Data::from(state), listener)
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())
    });
    // Work started after an answer ends before the process does.
    background.wait_idle(Duration::from_secs(30));
    served
}
