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

/// `cyberdir serve` on an empty database imports the geography (when told where it is), seeds
/// the demo directory, and answers searches all over France.
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
        .stderr(Stdio::piped());
    let with_geo = common::shared_geo_dir();
    if let Some(dir) = &with_geo {
        cmd.env("CYBERDIR_GEO_DIR", dir);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
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
    if with_geo.is_some() {
        assert!(ready["communes"].as_i64().unwrap() > 30_000);
    }
    let deps = cyberdir::geo::departements::Departements::from_fixture().unwrap();
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
    // Links carry secrets in their path or query: they must not reach the logs.
    let secret = "5ec2e7".repeat(10) + "abcd";
    let _ = reqwest::blocking_get(&format!("{base}/api/v1/tracking/{secret}"));
    let _ = reqwest::blocking_get(&format!("{base}/api/v1/surveys/{secret}?token={secret}"));

    child.kill().unwrap();
    child.wait().unwrap();
    let logs = logs.join().unwrap();
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
