//! The directory as Open Referral HSDS 3.0: every list page and record the API serves for the
//! demo directory of 1,200 providers validates against the official schemas in
//! `../shared/hsds/` with every object closed (`additionalProperties: false`, as Open
//! Referral's CI does); ids stay the same across runs; a suspended provider is `temporarily
//! closed` and a removed one disappears at the next request.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::common::TestApp;
use cyberdir::domain::provider::ReferencingStatus;

fn schemas_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/hsds");
    if dir.join("service.json").is_file() {
        Some(dir)
    } else {
        crate::common::shared_absent("../shared/hsds (the official HSDS schemas)");
        None
    }
}

/// Every object of a schema closed, as Open Referral validates.
fn close(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), json!(false));
            }
            map.values_mut().for_each(close);
        }
        Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}

fn validator(dir: &std::path::Path, file: &str) -> jsonschema::Validator {
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    close(&mut schema);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// HSDS's paged envelope around records of the schema file `item`.
fn envelope(dir: &std::path::Path, item: &str) -> jsonschema::Validator {
    let mut item: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(item)).unwrap()).unwrap();
    close(&mut item);
    paged(item)
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_list_and_record_of_the_demo_directory_conforms_to_hsds_3() {
    let Some(dir) = schemas_dir() else {
        return;
    };
    let app = TestApp::spawn().await;
    let state = app.state.clone();
    let seeded = app
        .with_conn(move |conn| {
            cyberdir::setup::seed_demo(&state, &state.charter, conn, cyberdir::seed::DEMO_SIZE)
                .unwrap()
        })
        .await;
    assert_eq!(seeded, 1_200);
    // The demo's files still in review are not in the directory: HSDS lists the others.
    let in_review = cyberdir::seed::DEMO_FILES_IN_REVIEW
        .iter()
        .filter(|s| !s.is_public())
        .count();
    let listed = 1_200 - in_review;

    let (status, about) = get(&app, "/hsds/").await;
    assert_eq!(status, 200);
    assert_eq!(about["version"], "3.0");

    let lists = [
        ("services", "service_list.json"),
        ("organizations", "organization_list.json"),
        ("service_at_locations", "service_at_location_list.json"),
    ];
    let mut first_ids = Vec::new();
    for (path, item) in lists {
        let check = envelope(&dir, item);
        let mut seen = 0;
        for page in 1..=6 {
            let (status, body) = get(&app, &format!("/hsds/{path}?per_page=200&page={page}")).await;
            assert_eq!(status, 200, "{body}");
            assert_valid(&check, &body, &format!("{path} page {page}"));
            assert_eq!(body["total_items"], listed);
            seen += body["contents"].as_array().unwrap().len();
            if page == 1 {
                first_ids.push(body["contents"][0]["id"].clone());
            }
        }
        assert_eq!(seen, listed, "{path}");
    }

    // The detail records over HTTP, then every one of the 1,200 through the same mapping.
    let details = [
        ("services", "service.json"),
        ("organizations", "organization.json"),
        ("service_at_locations", "service_at_location.json"),
    ];
    for ((path, schema), id) in details.iter().zip(&first_ids) {
        let check = validator(&dir, schema);
        let (status, body) = get(&app, &format!("/hsds/{path}/{}", id.as_str().unwrap())).await;
        assert_eq!(status, 200, "{body}");
        assert_valid(&check, &body, path);
    }
    let state = app.state.clone();
    let (services, organizations, places) = tokio::task::spawn_blocking(move || {
        (
            cyberdir::hsds::every(&state, &state.hsds, &state.directory, "service").unwrap(),
            cyberdir::hsds::every(&state, &state.hsds, &state.directory, "organization").unwrap(),
            cyberdir::hsds::every(&state, &state.hsds, &state.directory, "service_at_location")
                .unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        (services.len(), organizations.len(), places.len()),
        (listed, listed, listed)
    );
    // The term filters count what the records say, by a term's code or id.
    for code in ["rancongiciel", "particulier", "collectivite"] {
        let under: Vec<&Value> = services
            .iter()
            .flat_map(|s| s["attributes"].as_array().unwrap())
            .map(|a| &a["taxonomy_term"])
            .filter(|t| t["code"] == code)
            .collect();
        assert!(!under.is_empty() && under.len() < listed, "{code}");
        for key in [code, under[0]["id"].as_str().unwrap()] {
            let (_, page) = get(&app, &format!("/hsds/services?taxonomy_term_id={key}")).await;
            assert_eq!(page["total_items"], under.len(), "{key}");
        }
    }
    for (records, schema) in [
        (&services, "service.json"),
        (&organizations, "organization.json"),
        (&places, "service_at_location.json"),
    ] {
        let check = validator(&dir, schema);
        for record in records {
            assert_valid(&check, record, schema);
        }
    }
    let records: Vec<(Value, Value)> = services.into_iter().zip(organizations).collect();
    // The bulk export: the same records, in files, and the same files in the zip.
    let folder = tempfile::tempdir().unwrap();
    let state = app.state.clone();
    let out = folder.path().to_owned();
    let exported =
        tokio::task::spawn_blocking(move || cyberdir::setup::export_hsds(&state, &out).unwrap())
            .await
            .unwrap();
    assert_eq!(exported, listed);
    for (file, schema) in [
        ("services.json", "service.json"),
        ("organizations.json", "organization.json"),
        ("service_at_locations.json", "service_at_location.json"),
    ] {
        let records: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(folder.path().join(file)).unwrap())
                .unwrap();
        assert_eq!(records.len(), listed, "{file}");
        let check = validator(&dir, schema);
        for record in &records {
            assert_valid(&check, record, file);
        }
    }
    let terms: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(folder.path().join("taxonomy_terms.json")).unwrap(),
    )
    .unwrap();
    assert!(terms.len() >= 49 + 3, "{}", terms.len());
    assert!(
        std::fs::read_to_string(folder.path().join("LICENCE.md"))
            .unwrap()
            .contains("Licence Ouverte")
    );
    let today = cyberdir::french::day_fr(app.state.clock.today());
    assert!(
        std::fs::read_to_string(folder.path().join("README.md"))
            .unwrap()
            .contains(&format!("exported on {today}")),
        "the README dates the export, which reusers cite"
    );
    let response = app.get("/hsds/export.zip").await;
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "LICENCE.md",
            "README.md",
            "organizations.json",
            "service_at_locations.json",
            "services.json",
            "taxonomy_terms.json"
        ]
    );
    let mut zipped = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("services.json").unwrap(), &mut zipped)
        .unwrap();
    assert_eq!(
        zipped,
        std::fs::read_to_string(folder.path().join("services.json")).unwrap(),
        "ids and content stable across exports"
    );

    // Every zone kind and the label are among them.
    let areas = |kind: &str| {
        records.iter().any(|(s, _)| {
            s["service_areas"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| match kind {
                    "geojson" => a["extent_type"] == "geojson",
                    "france" => a["name"] == "France",
                    _ => a["uri"].as_str().is_some_and(|u| u.contains("insee.fr")),
                })
        })
    };
    assert!(areas("geojson") && areas("france") && areas("departements"));
    assert!(
        records
            .iter()
            .any(|(_, o)| o["attributes"].to_string().contains("EC-"))
    );
    // Each organisation is identified by its SIRET in org-id.guide's list for French companies.
    for (_, organization) in &records {
        let identifier = &organization["organization_identifiers"][0];
        assert_eq!(identifier["identifier_scheme"], "FR-RCS");
        assert_eq!(identifier["identifier_type"], "SIRET");
        let siret = identifier["identifier"].as_str().unwrap();
        assert!(
            cyberdir::domain::siret::parse_siret(siret).is_ok(),
            "{siret}"
        );
    }
}

#[tokio::test]
async fn ids_are_stable_and_suspension_and_removal_change_the_data_at_once() {
    let app = TestApp::spawn().await;
    app.insert(crate::common::provider(
        "rennes-1",
        48.11,
        -1.68,
        cyberdir::domain::zone::Zone::National,
    ))
    .await;
    app.insert(crate::common::provider(
        "rennes-2",
        48.12,
        -1.67,
        cyberdir::domain::zone::Zone::Radius { radius_km: 30 },
    ))
    .await;
    let service_id = cyberdir::domain::hsds::id("service", "rennes-1");

    let (_, first) = get(&app, "/hsds/services").await;
    assert_eq!(first["total_items"], 2);
    let statuses = zipped_statuses(&app).await;
    assert_eq!(
        statuses.get(&service_id).map(String::as_str),
        Some("active")
    );
    let (status, one) = get(&app, &format!("/hsds/services/{service_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["status"], "active");
    // The same ids on every run and every server over the same data.
    let other = TestApp::spawn_on(app.db.clone()).await;
    let (_, again) = get(&other, "/hsds/services").await;
    assert_eq!(first["contents"], again["contents"]);

    let now = app.clock.now_naive();
    let set_status = move |status: ReferencingStatus| {
        move |conn: &mut cyberdir::db::DbConnection| {
            cyberdir::db::providers::set_status(conn, "rennes-1", status, now).unwrap();
        }
    };
    app.with_conn(set_status(ReferencingStatus::Suspended))
        .await;
    let (_, suspended) = get(&app, &format!("/hsds/services/{service_id}")).await;
    assert_eq!(suspended["status"], "temporarily closed");
    let statuses = zipped_statuses(&app).await;
    assert_eq!(
        statuses.get(&service_id).map(String::as_str),
        Some("temporarily closed")
    );
    // Removed: still a record, `inactive` from the day it left, so that those who sync with
    // `modified_after` learn of it (issue 24, item 18).
    app.clock.set(app.clock.now() + chrono::Duration::days(1));
    let before_removal = app.clock.now_naive() - chrono::Duration::hours(1);
    let removed_on = app.clock.now_naive();
    app.with_conn(move |conn| {
        cyberdir::db::providers::set_status(
            conn,
            "rennes-1",
            ReferencingStatus::Removed,
            removed_on,
        )
        .unwrap();
    })
    .await;
    let (status, gone) = get(&app, &format!("/hsds/services/{service_id}")).await;
    assert_eq!(status, 200, "{gone}");
    assert_eq!(gone["status"], "inactive", "{gone}");
    let (_, after) = get(&app, "/hsds/services").await;
    assert_eq!(after["total_items"], 2);
    let since = before_removal.format("%Y-%m-%dT%H:%M:%SZ");
    let (_, changed) = get(&app, &format!("/hsds/services?modified_after={since}")).await;
    assert_eq!(changed["total_items"], 1, "{changed}");
    assert_eq!(changed["contents"][0]["status"], "inactive", "{changed}");
    let statuses = zipped_statuses(&app).await;
    assert_eq!(statuses.len(), 2);
    assert_eq!(
        statuses.get(&service_id).map(String::as_str),
        Some("inactive")
    );
    // The directory's own search no longer finds it.
    let (_, profile) = app.get_json("/api/v1/providers/rennes-1").await;
    assert_eq!(profile["status"], 404, "{profile}");
    // A download cut short resumes where it stopped.
    let whole = app.get("/hsds/export.zip").await.bytes().await.unwrap();
    let rest = app
        .client
        .get(app.url("/hsds/export.zip"))
        .header("Range", "bytes=100-")
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 206);
    assert_eq!(rest.bytes().await.unwrap(), whole.slice(100..));

    // Filters, combined with AND, and refused parameters in French.
    let (_, found) = get(&app, "/hsds/services?search=rennes-2&per_page=1").await;
    assert_eq!(found["total_items"], 1);
    let (_, none) = get(
        &app,
        "/hsds/services?search=rennes-2&modified_after=2100-01-01",
    )
    .await;
    assert_eq!(none["total_items"], 0);
    assert_eq!(none["empty"], true);
    let (status, problem) = get(&app, "/hsds/services?per_page=0").await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = get(&app, "/hsds/services?couleur=bleu").await;
    assert_eq!(status, 400);
    // Coverage of a postcode: the national provider covers Marseille, the 30 km radius around
    // Rennes does not; with a proximity, only addresses that near.
    app.with_conn(set_status(ReferencingStatus::Approved)).await;
    app.import_bundled_geo().await;
    let (_, marseille) = get(&app, "/hsds/services?postcode=13001").await;
    assert_eq!(marseille["total_items"], 1, "{marseille}");
    let (_, rennes) = get(&app, "/hsds/services?postcode=35000&proximity=5000").await;
    assert_eq!(rennes["total_items"], 2, "{rennes}");
    let (_, far) = get(&app, "/hsds/services?postcode=35000&proximity=10").await;
    assert_eq!(far["total_items"], 0, "{far}");
    let (status, problem) = get(&app, "/hsds/services?proximity=5000").await;
    assert_eq!(status, 422, "{problem}");
}

/// The status of each service in the archive `GET /hsds/export.zip` serves, by service id.
async fn zipped_statuses(app: &TestApp) -> std::collections::HashMap<String, String> {
    let response = app.get("/hsds/export.zip").await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let services: Vec<Value> =
        serde_json::from_reader(archive.by_name("services.json").unwrap()).unwrap();
    services
        .iter()
        .map(|s| {
            let text = |v: &Value| v.as_str().unwrap().to_owned();
            (text(&s["id"]), text(&s["status"]))
        })
        .collect()
}

/// The API as HSDS's own description says: its paths answer, each documented parameter of a
/// list is accepted, and a list is the documented envelope.
#[tokio::test]
async fn the_api_answers_as_the_hsds_openapi_description_says() {
    let Some(dir) = schemas_dir() else {
        return;
    };
    let app = TestApp::spawn().await;
    app.insert(crate::common::provider(
        "rennes-1",
        48.11,
        -1.68,
        cyberdir::domain::zone::Zone::National,
    ))
    .await;
    let description: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("openapi.json")).unwrap()).unwrap();
    let parameters = &description["components"]["parameters"];
    let ours = ["/", "/services", "/organizations", "/service_at_locations"];
    let example = |name: &str| match name {
        "page" | "per_page" => "1",
        "modified_after" => "2026-01-01T00:00:00Z",
        "full" | "minimal" | "full_service" | "top_only" => "false",
        "format" => "json",
        "proximity" => "1000&postcode=35000",
        "postcode" => "35000",
        _ => "x",
    };
    for path in ours {
        let operation = &description["paths"][path]["get"];
        assert!(operation.is_object(), "{path} is in the description");
        let names: Vec<String> = operation["parameters"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|p| {
                        let named = match p["$ref"].as_str() {
                            Some(r) => &parameters[r.rsplit('/').next().unwrap()],
                            None => p,
                        };
                        named["name"].as_str().map(str::to_owned)
                    })
                    .collect()
            })
            .unwrap_or_default();
        for name in &names {
            let (status, body) = get(&app, &format!("/hsds{path}?{name}={}", example(name))).await;
            assert_eq!(status, 200, "{path}?{name}: {body}");
            for key in [
                "total_items",
                "total_pages",
                "page_number",
                "size",
                "first_page",
                "last_page",
                "empty",
                "contents",
            ] {
                assert!(body.get(key).is_some(), "{path}?{name}: no {key}");
            }
        }
        let (status, _) = get(&app, &format!("/hsds{path}")).await;
        assert_eq!(status, 200, "{path}");
    }
}

/// A sub-schema of the service's schema (HSDS embeds the term and its taxonomy in every
/// attribute), closed.
fn embedded(dir: &std::path::Path, pointer: &str) -> Value {
    let service: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("service.json")).unwrap()).unwrap();
    let mut schema = service.pointer(pointer).unwrap().clone();
    close(&mut schema);
    schema
}

/// HSDS's paged envelope around records of the schema `item`.
fn paged(item: Value) -> jsonschema::Validator {
    let schema = json!({
        "type": "object",
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
        "additionalProperties": false,
        "properties": {
            "total_items": {"type": "integer"}, "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"}, "size": {"type": "integer"},
            "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": item},
        },
    });
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[tokio::test]
async fn taxonomies_and_their_terms_are_served_as_hsds_describes_them() {
    let Some(dir) = schemas_dir() else {
        return;
    };
    let app = TestApp::spawn().await;
    let term_schema = embedded(
        &dir,
        "/properties/attributes/items/properties/taxonomy_term",
    );
    let taxonomy_schema = embedded(
        &dir,
        "/properties/attributes/items/properties/taxonomy_term/properties/taxonomy_detail",
    );

    // The three taxonomies, each valid, each found by its id.
    let (status, taxonomies) = get(&app, "/hsds/taxonomies").await;
    assert_eq!(status, 200, "{taxonomies}");
    assert_valid(
        &paged(taxonomy_schema.clone()),
        &taxonomies,
        "/hsds/taxonomies",
    );
    assert_eq!(taxonomies["total_items"], 3);
    let single = jsonschema::options()
        .should_validate_formats(true)
        .build(&taxonomy_schema)
        .unwrap();
    let incidents = taxonomies["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "cyberdir-incidents")
        .unwrap()
        .clone();
    let incidents_id = incidents["id"].as_str().unwrap().to_owned();
    let (status, record) = get(&app, &format!("/hsds/taxonomies/{incidents_id}")).await;
    assert_eq!(status, 200);
    assert_valid(&single, &record, "a taxonomy");
    assert_eq!(record, incidents);
    let (_, searched) = get(&app, "/hsds/taxonomies?search=publics").await;
    assert_eq!(searched["total_items"], 1);

    // Every term, valid, the same as the services' attributes carry.
    let (status, terms) = get(&app, "/hsds/taxonomy_terms?per_page=200").await;
    assert_eq!(status, 200, "{terms}");
    assert_valid(&paged(term_schema.clone()), &terms, "/hsds/taxonomy_terms");
    let all = terms["contents"].as_array().unwrap().clone();
    assert!(all.len() > 49, "{} terms", all.len());
    let ransomware = all.iter().find(|t| t["code"] == "rancongiciel").unwrap();
    assert_eq!(ransomware["taxonomy_id"], incidents_id.as_str());
    let (status, record) = get(
        &app,
        &format!(
            "/hsds/taxonomy_terms/{}",
            ransomware["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(&record, ransomware);

    // Filters: a taxonomy, a parent's children, the terms without children, words.
    let (_, of_incidents) = get(
        &app,
        &format!("/hsds/taxonomy_terms?per_page=200&taxonomy_id={incidents_id}"),
    )
    .await;
    let of_incidents = of_incidents["contents"].as_array().unwrap().clone();
    assert!(
        of_incidents
            .iter()
            .all(|t| t["taxonomy"] == "cyberdir-incidents")
    );
    let parent = ransomware["parent_id"].as_str().unwrap();
    let (_, children) = get(&app, &format!("/hsds/taxonomy_terms?parent_id={parent}")).await;
    let children = children["contents"].as_array().unwrap().clone();
    assert!(children.iter().any(|t| t["code"] == "rancongiciel"));
    assert!(children.iter().all(|t| t["parent_id"] == parent));
    let (_, leaves) = get(&app, "/hsds/taxonomy_terms?per_page=200&top_only=true").await;
    let leaves = leaves["contents"].as_array().unwrap().clone();
    assert!(
        leaves
            .iter()
            .all(|l| all.iter().all(|t| t["parent_id"] != l["id"]))
    );
    assert!(
        !leaves.iter().any(|l| l["id"] == parent),
        "a category has children"
    );
    let (_, found) = get(&app, "/hsds/taxonomy_terms?search=RANCON").await;
    assert!(
        found["contents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "rancongiciel")
    );
    // The services' own taxonomy filter takes the taxonomy's id as it takes its name.
    let (_, by_id) = get(&app, &format!("/hsds/services?taxonomy_id={incidents_id}")).await;
    let (_, by_name) = get(&app, "/hsds/services?taxonomy_id=cyberdir-incidents").await;
    assert_eq!(by_id["total_items"], by_name["total_items"]);

    // Every error under /hsds/ is a JSON problem, never a page.
    for (path, status) in [
        ("/hsds/taxonomies/nope", 404),
        ("/hsds/taxonomy_terms/nope", 404),
        ("/hsds/nulle-part", 404),
        ("/hsds/taxonomy_terms?per_page=0", 422),
        ("/hsds/taxonomy_terms?top_only=oui", 422),
        ("/hsds/taxonomies?format=xml", 422),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    let (status, unknown) = get(&app, "/hsds/taxonomy_terms?colour=red").await;
    assert!(status == 400 || status == 422, "{status} {unknown}");
    let posted = app
        .client
        .post(app.url("/hsds/services"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 405);
    assert_eq!(posted.headers()["content-type"], "application/problem+json");
}
