//! Reference geography: the official files' import, lookups and the départements fixture.

use crate::common;

use std::collections::HashMap;

use common::{TestApp, provider, shared_geo_dir};
use cyberdir::domain::departements::Departements;
use cyberdir::domain::matching::distance_km;
use cyberdir::domain::zone::Zone;
use serde_json::Value;

fn names(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn full_official_import_answers_lookups() {
    let app = TestApp::spawn().await;
    if !app.import_shared_geo().await {
        return;
    }
    let (_, ready) = app.get_json("/readyz").await;
    let communes = ready["communes"].as_i64().unwrap();
    // 34,969 current communes + 45 arrondissements in the COG, a handful without coordinates.
    assert!((34_900..=35_014).contains(&communes), "{communes}");

    // Accent- and case-insensitive prefix, most populous first.
    let (status, body) = app.get_json("/api/v1/geo/communes?q=saint-etien").await;
    assert_eq!(status, 200);
    assert_eq!(names(&body)[0], "Saint-Étienne");
    let (_, body) = app.get_json("/api/v1/geo/communes?q=BEZIE").await;
    assert_eq!(names(&body)[0], "Béziers");
    let (_, body) = app.get_json("/api/v1/geo/communes?q=st%20malo").await;
    assert_eq!(names(&body)[0], "Saint-Malo");
    let (_, body) = app.get_json("/api/v1/geo/communes?q=paris").await;
    let first = &body["results"][0];
    assert_eq!(first["name"], "Paris");
    assert_eq!(first["code"], "75056");
    assert_eq!(
        first["postcodes"].as_array().unwrap().len(),
        21,
        "Paris gets its arrondissements' postcodes"
    );
    // By postcode prefix.
    let (_, body) = app.get_json("/api/v1/geo/communes?q=3500").await;
    assert_eq!(names(&body)[0], "Rennes");

    // A postcode with several communes, and the special cases.
    let (status, body) = app.get_json("/api/v1/geo/postcodes/35000").await;
    assert_eq!(status, 200);
    assert_eq!(body["communes"][0]["name"], "Rennes");
    let (_, body) = app.get_json("/api/v1/geo/postcodes/20000").await;
    assert_eq!(body["communes"][0]["code"], "2A004");
    assert_eq!(body["communes"][0]["departement"], "2A");
    let (_, body) = app.get_json("/api/v1/geo/postcodes/97400").await;
    assert_eq!(body["communes"][0]["departement"], "974");
    let (_, body) = app.get_json("/api/v1/geo/postcodes/69001").await;
    assert_eq!(body["communes"][0]["code"], "69381");
    let (_, body) = app.get_json("/api/v1/geo/postcodes/13001").await;
    assert_eq!(body["communes"][0]["code"], "13201");
    let (_, body) = app.get_json("/api/v1/geo/postcodes/01400").await;
    assert!(
        body["communes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "01001")
    );
    let (status, _) = app.get_json("/api/v1/geo/postcodes/99999").await;
    assert_eq!(status, 404);
    let (status, body) = app.get_json("/api/v1/geo/postcodes/abc").await;
    assert_eq!(status, 422);
    assert!(body["errors"]["code"].is_array());
    let (status, body) = app.get_json("/api/v1/geo/communes?q=a").await;
    assert_eq!(status, 422);
    assert!(body["errors"]["q"].is_array());

    // Searching by postcode now uses the real commune, not the prefecture.
    app.insert(provider(
        "brest",
        48.39,
        -4.49,
        Zone::Radius { radius_km: 30 },
    ))
    .await;
    let (_, body) = app.get_json("/api/v1/providers?postcode=29200").await;
    assert_eq!(body["location"]["commune"], "Brest");
    assert_eq!(body["location"]["approximate"], false);
    assert_eq!(body["results"][0]["id"], "brest");
    let (_, body) = app.get_json("/api/v1/providers?commune=2A004").await;
    assert_eq!(body["location"]["commune"], "Ajaccio");
    // A point finds its commune and département.
    let (_, body) = app
        .get_json("/api/v1/providers?lat=48.3904&lon=-4.4861")
        .await;
    assert_eq!(body["location"]["commune"], "Brest");
    assert_eq!(body["location"]["departement"], "29");

    // Importing again replaces (never duplicates) the data.
    assert!(app.import_shared_geo().await);
    let (_, again) = app.get_json("/readyz").await;
    assert_eq!(again["communes"], communes);
}

#[tokio::test]
async fn cli_import_prints_a_summary_and_padded_codes_work() {
    let db = common::TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cp.csv");
    // Codes that lost their leading zeros, a bad row, and separate coordinates columns.
    std::fs::write(
        &csv,
        "code_commune_insee;nom_de_la_commune;code_postal;libelle_d_acheminement;ligne_5;latitude;longitude\n\
         1053;BOURG EN BRESSE;1000;BOURG EN BRESSE;;46.2052;5.2255\n\
         75101;PARIS 01;75001;PARIS;;48.8625;2.3364\n\
         75102;PARIS 02;75002;PARIS;;48.8683;2.3428\n\
         XYZ;NULLE PART;12345;X;;1;1\n",
    )
    .unwrap();
    // The database exists first (`geo import` does not create one).
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .arg("migrate")
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(migrated.status.success());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .args(["geo", "import", "--postcodes"])
        .arg(&csv)
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("4 communes"), "{stdout}"); // Bourg, 2 arrondissements, Paris
    assert!(stdout.contains("3 codes postaux"), "{stdout}");
    assert!(stdout.contains("code INSEE invalide : 1"), "{stdout}");

    let app = TestApp::spawn_on(std::sync::Arc::new(db)).await;
    let (status, body) = app.get_json("/api/v1/geo/postcodes/01000").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["communes"][0]["code"], "01053");
    assert_eq!(body["communes"][0]["name"], "Bourg En Bresse");
    let (_, body) = app.get_json("/api/v1/geo/communes?q=paris").await;
    assert!(names(&body).contains(&"Paris".to_owned()));

    // A broken file changes nothing and says why.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a;b\n1;2\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cyberdir"))
        .args(["geo", "import", "--postcodes"])
        .arg(&bad)
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("code_commune_insee"));
    let (status, _) = app.get_json("/api/v1/geo/postcodes/01000").await;
    assert_eq!(status, 200);
}

#[test]
fn departements_fixture_matches_the_official_files_within_5_km() {
    let Some(dir) = shared_geo_dir() else {
        return;
    };
    let official: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cog/departements.json")).unwrap())
            .unwrap();
    let regions: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cog/regions.json")).unwrap())
            .unwrap();
    let region_names: HashMap<&str, &str> = regions
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["nom"].as_str().unwrap()))
        .collect();
    // Mean point of each INSEE code in La Poste's file.
    let csv = std::fs::read_to_string(dir.join("base-officielle-codes-postaux.csv")).unwrap();
    let mut points: HashMap<String, (f64, f64, f64)> = HashMap::new();
    for line in csv.lines().skip(1) {
        let cols: Vec<&str> = line.split(';').collect();
        let Some((lat, lon)) = cols.get(5).and_then(|g| g.split_once(',')) else {
            continue;
        };
        let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
            continue;
        };
        let e = points.entry(cols[0].to_owned()).or_default();
        *e = (e.0 + lat, e.1 + lon, e.2 + 1.0);
    }
    let point = |code: &str| points.get(code).map(|(a, b, n)| (a / n, b / n));

    let fixture = Departements::from_fixture().unwrap();
    let official_deps: Vec<&Value> = official
        .iter()
        .filter(|d| matches!(d["zone"].as_str(), Some("metro") | Some("drom")))
        .collect();
    assert_eq!(fixture.all().len(), official_deps.len());
    for d in official_deps {
        let code = d["code"].as_str().unwrap();
        let mine = fixture
            .get(code)
            .unwrap_or_else(|| panic!("département {code} missing"));
        assert_eq!(mine.name, d["nom"].as_str().unwrap(), "{code}");
        assert_eq!(
            mine.region,
            region_names[d["region"].as_str().unwrap()],
            "{code}"
        );
        let chef_lieu = d["chefLieu"].as_str().unwrap();
        assert_eq!(mine.prefecture_code, chef_lieu, "{code}");
        // Paris, Lyon, Marseille: La Poste lists their arrondissements only; take the 1st's point.
        let reference = match chef_lieu {
            "75056" => "75101",
            "69123" => "69381",
            "13055" => "13201",
            other => other,
        };
        let (lat, lon) =
            point(reference).unwrap_or_else(|| panic!("{reference} not in La Poste's file"));
        let gap = distance_km(lat, lon, mine.latitude, mine.longitude);
        assert!(
            gap < 5.0,
            "{code} {}: {gap:.1} km from the official point",
            mine.prefecture
        );
    }
}
