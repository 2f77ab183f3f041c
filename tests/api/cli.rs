//! The `cyberdir` binary: migrate, seed, serve on an empty database, bad settings.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestDb;

fn cyberdir(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cyberdir"));
    cmd.env("DATABASE_URL", &db.url).env("RUST_LOG", "warn");
    cmd
}

#[test]
fn a_bare_path_that_does_not_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    let output = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .arg("migrate")
        .env("DATABASE_URL", &missing)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sqlite://"), "{stderr}");
    assert!(!missing.exists(), "no empty database may be created");
}

#[test]
fn bad_settings_are_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .arg("migrate")
        .env("CYBERDIR_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("CYBERDIR_LOG_FORMAT"));
}

#[test]
fn migrate_then_seed_demo_once() {
    let db = TestDb::new();
    let output = cyberdir(&db).arg("migrate").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = cyberdir(&db).args(["seed", "--demo"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1200 prestataires"));
    // A second seed refuses to pile a second demo set on the first.
    let output = cyberdir(&db).args(["seed", "--demo"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already holds 1200"));
}

/// A directory of any size to measure with, made the demo's way, and refused sizes.
#[test]
fn seed_makes_a_demo_directory_of_the_size_asked() {
    let db = TestDb::new();
    for refused in [
        &["seed", "--providers", "50"][..],
        &["seed", "--demo", "--providers", "0"],
        &["seed", "--demo", "--providers", "beaucoup"],
    ] {
        let output = cyberdir(&db).args(refused).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{refused:?}");
    }
    let output = cyberdir(&db)
        .args(["seed", "--demo", "--providers", "1500"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1500 prestataires"));
    assert!(
        stderr.contains("100 % — 1500 prestataires écrits"),
        "{stderr}"
    );
    let output = cyberdir(&db).args(["seed", "--demo"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("already holds 1500"));
}

/// `cyberdir observatory correct` says in French why it cannot publish (its success is the files
/// page's, in `observatory_public`: the same service).
#[test]
fn an_open_data_correction_from_the_command_line_says_why_it_is_refused() {
    let db = TestDb::new();
    assert!(cyberdir(&db).arg("migrate").status().unwrap().success());
    for (month, note, said) in [
        ("2026-10", "oups", "10 caractères"),
        ("octobre", "Ajout des cas tardifs.", "AAAA-MM"),
        (
            "2026-10",
            "Ajout des cas tardifs.",
            "pas encore de fichier publié",
        ),
    ] {
        let output = cyberdir(&db)
            .args(["observatory", "correct", "--month", month, "--note", note])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(said), "{month} {note}: {stderr}");
    }
}

/// `cyberdir serve` on an empty database, with nothing beside the repository, imports the
/// shipped geography, seeds the demo directory with its accounts, and answers searches all over
/// France.
#[test]
fn serve_on_an_empty_database_seeds_the_demo_directory() {
    let db = TestDb::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = cyberdir(&db);
    cmd.arg("serve")
        .env("CYBERDIR_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .env("CYBERDIR_LOG_FORMAT", "json")
        .env("CYBERDIR_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env_remove("CYBERDIR_GEO_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Nothing beside the repository: the shipped geography is imported.
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    let stdout = child.stdout.take().unwrap();
    let (lines, printed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });

    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let ready = loop {
        if let Ok(r) = reqwest::blocking_get(&format!("{base}/readyz")) {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(ready["providers"], 1200);
    assert!(ready["communes"].as_i64().unwrap() > 30_000, "{ready}");
    // Every commune resolves exactly, not to its département's prefecture.
    for postcode in ["29200", "97410", "20137", "75011", "13008"] {
        let found =
            reqwest::blocking_get(&format!("{base}/api/v1/providers?postcode={postcode}")).unwrap();
        assert_eq!(
            found["location"]["approximate"], false,
            "{postcode}: {}",
            found["location"]
        );
    }
    let deps = cyberdir::domain::departements::Departements::from_fixture().unwrap();
    let mut labelled = 0;
    for d in deps.all() {
        let body = reqwest::blocking_get(&format!(
            "{base}/api/v1/providers?postcode={}&limit=50",
            d.prefecture_postcode
        ))
        .unwrap();
        assert!(body["total"].as_u64().unwrap() >= 3, "{}: {body}", d.code);
        labelled += body["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["expertcyber"].is_null())
            .count();
    }
    assert!(labelled > 0);
    let search = reqwest::blocking_get(&format!(
        "{base}/api/v1/providers?postcode=75011&expertcyber=true"
    ))
    .unwrap();
    assert!(search["total"].as_u64().unwrap() > 0);
    // An anonymous visit to a protected page is a redirect to the log-in page, not an error.
    let _ = reqwest::blocking_get(&format!("{base}/espace"));
    // Links carry secrets in their path or query: they must not reach the logs.
    let secret = "5ec2e7".repeat(10) + "abcd";
    let _ = reqwest::blocking_get(&format!("{base}/api/v1/tracking/{secret}"));
    let _ = reqwest::blocking_get(&format!("{base}/api/v1/surveys/{secret}?token={secret}"));

    // The demo accounts, printed once with their password (before the server listens), and
    // the URL to open; the password lets staff in.
    let printed = printed.try_iter().collect::<Vec<_>>().join("\n");
    let password = printed
        .split("affiché une seule fois : ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no demo password in {printed}"));
    assert_eq!(password.len(), 20);
    for email in ["equipe@", "auditeur@", "admin@", "prestataire@"] {
        assert!(printed.contains(email), "{printed}");
    }
    assert!(printed.contains(&format!("{base}/connexion")), "{printed}");
    let signed_in = reqwest::blocking_post_status(
        &format!("{base}/api/v1/session"),
        &serde_json::json!({"email": "equipe@demo.cyberdir.localhost", "password": password}),
    );
    assert_eq!(signed_in, Ok(200));

    child.kill().unwrap();
    child.wait().unwrap();
    // A year of the observatory's facts came with the demo: its screens are not empty.
    let pool = cyberdir::db::connect(&cyberdir::db::DbTarget::parse(&db.url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let first = cyberdir::db::observatory::by_source(&mut conn, "synthetic-j1").unwrap();
    assert!(first.is_some(), "the demo's observatory facts");
    // And files in every state of the review wait in the staff's queue.
    let states: std::collections::BTreeMap<String, i64> =
        cyberdir::db::provider_queue::counts_by_status(&mut conn, &Default::default())
            .unwrap()
            .into_iter()
            .collect();
    for state in [
        "submitted",
        "in_review",
        "changes_requested",
        "draft",
        "rejected",
        "suspended",
    ] {
        assert!(
            states.get(state).copied().unwrap_or(0) > 0,
            "{state}: {states:?}"
        );
    }
    // And label applications in every state staff and auditors work on.
    let every = cyberdir::db::label_queue::ApplicationQuery::default();
    let applications: std::collections::BTreeMap<String, i64> =
        cyberdir::db::label_queue::counts_by_status(&mut conn, &every)
            .unwrap()
            .into_iter()
            .map(|(state, n)| (state.as_str().to_owned(), n))
            .collect();
    for state in cyberdir::label::demo::DEMO_STATES {
        assert_eq!(
            applications.get(state.as_str()),
            Some(&1),
            "{applications:?}"
        );
    }
    // And assistance requests in every state staff follow.
    let requests: std::collections::BTreeMap<String, i64> =
        cyberdir::db::assistance::request_counts(&mut conn)
            .unwrap()
            .into_iter()
            .collect();
    for state in cyberdir::assistance::demo::DEMO_STATES {
        assert_eq!(requests.get(state.as_str()), Some(&1), "{requests:?}");
    }
    let logs = logs.join().unwrap();
    assert!(
        logs.iter().any(|l| l.contains("open http://127.0.0.1")),
        "the start-up log names the URL"
    );
    assert!(
        logs.iter().all(|l| !l.contains('\u{1b}')),
        "no colours when the output is not a terminal"
    );
    let errors: Vec<&String> = logs
        .iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // JSON logs with a request id on each request.
    let request_line = logs
        .iter()
        .find(|l| l.contains("/readyz"))
        .expect("request logged");
    let parsed: serde_json::Value = serde_json::from_str(request_line).expect("JSON log line");
    assert!(request_line.contains("request_id"), "{parsed}");
    let tracking = logs
        .iter()
        .find(|l| l.contains("/api/v1/tracking/{token}"))
        .expect("the templated route is logged");
    assert!(tracking.contains("404"), "{tracking}");
    assert!(
        logs.iter().all(|l| !l.contains(&secret)),
        "a token reached the logs"
    );
}

mod reqwest {
    /// A tiny blocking GET over std (the async client needs a runtime).
    pub fn blocking_get(url: &str) -> Result<serde_json::Value, String> {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").ok_or("http only")?;
        let (host, path) = rest
            .split_once('/')
            .map(|(h, p)| (h, format!("/{p}")))
            .unwrap_or((rest, "/".into()));
        let mut stream = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).map_err(|e| e.to_string())?;
        let (head, body) = raw.split_once("\r\n\r\n").ok_or("no body")?;
        if !head.starts_with("HTTP/1.1 200") {
            return Err(head.lines().next().unwrap_or_default().to_owned());
        }
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        serde_json::from_str(&body).map_err(|e| e.to_string())
    }

    /// The status of a blocking JSON POST.
    pub fn blocking_post_status(url: &str, json: &serde_json::Value) -> Result<u16, String> {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").ok_or("http only")?;
        let (host, path) = rest.split_once('/').ok_or("no path")?;
        let body = json.to_string();
        let mut stream = std::net::TcpStream::connect(host).map_err(|e| e.to_string())?;
        write!(
            stream,
            "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .map_err(|e| e.to_string())?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).map_err(|e| e.to_string())?;
        raw.split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("no status in {raw}"))
    }

    fn dechunk(mut body: &str) -> String {
        let mut out = String::new();
        while let Some((size, rest)) = body.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&rest[..n]);
            body = &rest[n + 2..];
        }
        out
    }
}

#[test]
fn commands_other_than_serve_and_migrate_refuse_a_missing_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("ailleurs.db");
    for args in [
        &["users", "create", "--email", "a@b.fr", "--role", "staff"][..],
        &["jobs", "run"][..],
        &["outbox", "deliver"][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
            .args(args)
            .env("DATABASE_URL", format!("sqlite://{}", missing.display()))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
        assert!(!missing.exists(), "{args:?} created a database");
    }
}

#[test]
fn a_live_sqlite_database_is_copied_by_backup() {
    let db = TestDb::new();
    let output = cyberdir(&db).args(["seed", "--demo"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copie.db");
    let output = cyberdir(&db)
        .args(["backup", "--to"])
        .arg(&copy)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !db.url.starts_with("sqlite://") {
        assert!(!output.status.success());
        assert!(stderr.contains("pg_dump"), "{stderr}");
        return;
    }
    assert!(output.status.success(), "{stderr}");
    // The copy is a working database with the same directory.
    let output = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .args(["seed", "--demo"])
        .env("DATABASE_URL", format!("sqlite://{}", copy.display()))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("already holds 1200"));
    // Never over an existing file.
    let output = cyberdir(&db)
        .args(["backup", "--to"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("existe déjà"));
}

#[test]
fn a_diagnostic_tree_is_checked_without_a_database_then_published() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = cyberdir::domain::diagnostic::SHIPPED;
    let good = dir.path().join("arbre.toml");
    std::fs::write(&good, shipped).unwrap();
    // No database at all: checking needs none.
    let output = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .args(["diagnostic", "check"])
        .arg(&good)
        .env("DATABASE_URL", dir.path().join("absent.db"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("arbre valide, version 2026-12-05"),
        "{stdout}"
    );
    assert!(
        stdout.contains("les 49 types d'incident sont atteints"),
        "{stdout}"
    );

    // A dead end and an unknown incident type: refused, each named, exit code 1.
    let bad = dir.path().join("casse.toml");
    std::fs::write(
        &bad,
        shipped
            .replace("incident = \"spam\"", "incident = \"pourriel\"")
            .replace(
                "{ id = \"ne_sais_pas\", label = \"Je ne sais pas\", outcome = \"intrusion_wifi\" },",
                "",
            )
            .replace(
                "{ id = \"wifi\", label = \"Des appareils inconnus utilisent mon Wi-Fi\", outcome = \"intrusion_wifi\" },",
                "",
            )
            .replace(
                "{ id = \"objet\", label = \"Une caméra, une box ou un objet connecté agit seul\", outcome = \"piratage_objet_connecte\" },",
                "",
            ),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .args(["diagnostic", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("issue « spam » : le type d'incident « pourriel » n'existe pas"),
        "{stderr}"
    );
    assert!(stderr.contains("question « objets »"), "{stderr}");

    // Publishing: a new version is in force; the same file again changes nothing.
    let db = TestDb::new();
    assert!(cyberdir(&db).arg("migrate").status().unwrap().success());
    let newer = dir.path().join("v2.toml");
    std::fs::write(
        &newer,
        shipped.replace("version = \"2026-12-05\"", "version = \"2026-12-15\""),
    )
    .unwrap();
    let output = cyberdir(&db)
        .args(["diagnostic", "publish"])
        .arg(&newer)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("Version 2026-12-15 du diagnostic publiée")
    );
    let output = cyberdir(&db)
        .args(["diagnostic", "publish"])
        .arg(&newer)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("rien n'a changé"));
    let output = cyberdir(&db)
        .args(["diagnostic", "publish"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
}

#[test]
fn a_content_folder_is_checked_without_a_database() {
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_cyberdir"))
            .arg("content")
            .arg("check")
            .args(args)
            .env("DATABASE_URL", "sqlite:///nonexistent/absent.db")
            .output()
            .unwrap()
    };
    // The shipped library.
    let output = run(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("contenu livré : contenu valide"),
        "{stdout}"
    );

    // A copy where a calm fiche names the emergency line and a contact is unknown.
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/content");
    for sub in ["fiches", "quiz"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(sub).join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::copy(root.join("contacts.toml"), dir.path().join("contacts.toml")).unwrap();
    let spam = dir.path().join("fiches/spam.md");
    let text = std::fs::read_to_string(&spam)
        .unwrap()
        .replacen("1. ", "1. Appelez le 17.\n2. ", 1)
        .replacen("contacts = [", "contacts = [\"inconnu\", ", 1);
    std::fs::write(&spam, text).unwrap();
    let output = run(&[dir.path().as_os_str()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("2 erreur(s), rien ne peut être publié"),
        "{stderr}"
    );
    assert!(
        stderr.contains("fiches/spam.md : le contact « inconnu » n'existe pas"),
        "{stderr}"
    );
    assert!(stderr.contains("le numéro d'urgence 17"), "{stderr}");
}

/// Runs `cyberdir` with `input` piped on standard input: (success, stdout, stderr).
fn run_with_input(db: &TestDb, args: &[&str], input: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = cyberdir(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_lost_password_is_replaced_from_the_command_line() {
    let db = TestDb::new();
    assert!(
        cyberdir(&db)
            .arg("migrate")
            .output()
            .unwrap()
            .status
            .success()
    );
    let (ok, _, stderr) = run_with_input(
        &db,
        &[
            "users",
            "create",
            "--email",
            "admin@exemple.fr",
            "--role",
            "admin",
        ],
        "premier mot de passe solide\n",
    );
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = run_with_input(
        &db,
        &["users", "password", "--email", " Admin@Exemple.fr "],
        "second mot de passe solide\n",
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Nouveau mot de passe enregistré"),
        "{stdout}"
    );
    let stored = {
        let pool =
            cyberdir::db::connect(&cyberdir::db::DbTarget::parse(&db.url).unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        cyberdir::db::accounts::user_by_email(&mut conn, "admin@exemple.fr")
            .unwrap()
            .unwrap()
            .password_hash
    };
    assert!(cyberdir::auth::password::verify(
        "second mot de passe solide",
        &stored
    ));
    assert!(!cyberdir::auth::password::verify(
        "premier mot de passe solide",
        &stored
    ));

    // An unknown address, a password refused by the rules: said, nothing changed.
    let (ok, _, stderr) = run_with_input(
        &db,
        &["users", "password", "--email", "personne@exemple.fr"],
        "un mot de passe solide\n",
    );
    assert!(!ok);
    assert!(
        stderr.contains("Aucun compte pour personne@exemple.fr."),
        "{stderr}"
    );
    let (ok, _, stderr) = run_with_input(
        &db,
        &["users", "password", "--email", "admin@exemple.fr"],
        "court\n",
    );
    assert!(!ok);
    assert!(stderr.contains("mot de passe"), "{stderr}");
}
