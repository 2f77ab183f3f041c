//! The `cyberdir` command line.

use std::io::IsTerminal;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cyberdir::clock::Clock;
use cyberdir::config::Config;
use cyberdir::geo::import;
use cyberdir::{AppState, db, prepare, seed, serve, telemetry};

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
    /// Fill an empty directory with demo data.
    Seed {
        /// The deterministic demo set of ~1,200 providers.
        #[arg(long)]
        demo: bool,
    },
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
        Command::Seed { demo } => {
            if !demo {
                return Err("nothing to seed: use `cyberdir seed --demo`".into());
            }
            let created = seed_demo(&state)?;
            println!("{created} prestataires de démonstration créés.");
            Ok(())
        }
    }
}

fn seed_demo(state: &AppState) -> Result<usize, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    seed::seed_demo(
        &mut conn,
        &state.departements,
        &state.taxonomy,
        state.clock.now_naive(),
    )
    .map_err(|e| e.to_string())
}

/// First start on an empty database: import the geography if a folder is configured, then
/// seed the demo directory unless CYBERDIR_DEMO=0.
fn first_start(state: &AppState) -> Result<(), String> {
    let count_communes = || {
        let mut conn = state.pool.get().map_err(|e| e.to_string())?;
        db::geo::commune_count(&mut conn).map_err(|e| e.to_string())
    };
    let geo_files = state
        .config
        .geo_dir
        .as_ref()
        .filter(|d| d.join("base-officielle-codes-postaux.csv").is_file());
    match (&state.config.geo_dir, geo_files) {
        (Some(dir), None) => tracing::warn!(
            dir = %dir.display(),
            "CYBERDIR_GEO_DIR holds no base-officielle-codes-postaux.csv; starting without importing"
        ),
        (_, Some(dir)) if count_communes()? == 0 => {
            tracing::info!(dir = %dir.display(), "importing the reference geography");
            let summary = import::import_folder(&state.pool, dir, state.clock.now_naive())
                .map_err(|e| format!("geography import from {}: {e}", dir.display()))?;
            tracing::info!(
                communes = summary.communes,
                postcodes = summary.postcodes,
                "geography imported"
            );
        }
        _ => {}
    }
    let providers = {
        let mut conn = state.pool.get().map_err(|e| e.to_string())?;
        db::providers::count(&mut conn).map_err(|e| e.to_string())?
    };
    if state.config.demo && providers == 0 {
        let created = seed_demo(state)?;
        tracing::info!(created, "demo directory seeded");
    }
    Ok(())
}

fn run_server(state: AppState) -> Result<(), String> {
    first_start(&state)?;
    let bind = state.config.bind.clone();
    let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    tracing::info!(address = %bind, backend = state.backend, "cyberdir listening");
    actix_web::rt::System::new().block_on(async move {
        serve(state, listener)
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())
    })
}
