//! Both migration trees must yield the same tables and columns.

use crate::common;

use common::{Backend, TestDb};
use cyberdir::db::{self, DbTarget, introspect};

fn schema_of(db: &TestDb) -> Vec<(String, String)> {
    let pool = db::connect(&DbTarget::parse(&db.url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    assert!(db::run_migrations(&mut conn).unwrap() > 0);
    assert_eq!(
        db::run_migrations(&mut conn).unwrap(),
        0,
        "a second run applies nothing"
    );
    introspect::columns(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect()
}

#[test]
fn sqlite_and_postgres_trees_have_the_same_tables_and_columns() {
    if common::backend() != Backend::Postgres {
        eprintln!(
            "skipped: runs in the PostgreSQL pass (CYBERDIR_TEST_BACKEND=postgres), which has both databases"
        );
        return;
    }
    let sqlite = schema_of(&TestDb::for_backend(Backend::Sqlite));
    let postgres = schema_of(&TestDb::for_backend(Backend::Postgres));
    assert!(sqlite.iter().any(|(t, c)| t == "providers" && c == "siret"));
    assert_eq!(sqlite, postgres);
}

#[test]
fn migration_folders_have_the_same_names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/db/migrations");
    let list = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(list("sqlite"), list("postgres"));
    assert!(!list("sqlite").is_empty());
}
