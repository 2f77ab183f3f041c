//! Lists the tables and columns the migrations created, to compare the two backends.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::{DbConnection, is_postgres};

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct ColumnInfo {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
}

/// Every (table, column) of the application schema, sorted; diesel's own table is left out.
pub fn columns(conn: &mut DbConnection) -> QueryResult<Vec<ColumnInfo>> {
    let sql = if is_postgres(conn) {
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'"
    } else {
        "SELECT m.name AS table_name, p.name AS column_name \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
         AND m.name <> '__diesel_schema_migrations'"
    };
    let mut rows: Vec<ColumnInfo> = diesel::sql_query(sql).load(conn)?;
    rows.sort();
    Ok(rows)
}
