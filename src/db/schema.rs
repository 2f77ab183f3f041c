//! Table definitions shared by both backends (kept in step with `migrations/sqlite` and
//! `migrations/postgres`; `tests/migrations.rs` checks the two trees agree).

diesel::table! {
    communes (code) {
        code -> Text,
        name -> Text,
        search_name -> Text,
        departement_code -> Text,
        parent_code -> Nullable<Text>,
        population -> Integer,
        latitude -> Double,
        longitude -> Double,
    }
}

diesel::table! {
    postcodes (postcode, commune_code) {
        postcode -> Text,
        commune_code -> Text,
        label -> Text,
    }
}

diesel::table! {
    geo_imports (id) {
        id -> BigInt,
        imported_at -> Timestamp,
        communes -> Integer,
        postcodes -> Integer,
        skipped -> Integer,
    }
}

diesel::table! {
    incident_types (code) {
        code -> Text,
        label -> Text,
        category -> Text,
        audiences -> Text,
        provider_can_help -> Bool,
        advice -> Text,
        redirections -> Text,
        position -> Integer,
    }
}

diesel::table! {
    providers (id) {
        id -> Text,
        legal_name -> Text,
        name -> Text,
        siret -> Text,
        address_line -> Text,
        postcode -> Text,
        commune_code -> Nullable<Text>,
        city -> Text,
        latitude -> Double,
        longitude -> Double,
        phone -> Text,
        email -> Text,
        website -> Nullable<Text>,
        description -> Text,
        audiences -> Text,
        remote -> Bool,
        zone_kind -> Text,
        zone_radius_km -> Nullable<Integer>,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    provider_incident_types (provider_id, incident_code) {
        provider_id -> Text,
        incident_code -> Text,
    }
}

diesel::table! {
    provider_zone_departements (provider_id, departement_code) {
        provider_id -> Text,
        departement_code -> Text,
    }
}

diesel::table! {
    labels (number) {
        number -> Text,
        provider_id -> Text,
        status -> Text,
        valid_from -> Date,
        valid_until -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    change_counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::joinable!(postcodes -> communes (commune_code));
diesel::joinable!(provider_incident_types -> providers (provider_id));
diesel::joinable!(provider_zone_departements -> providers (provider_id));
diesel::joinable!(labels -> providers (provider_id));

diesel::allow_tables_to_appear_in_same_query!(
    communes,
    postcodes,
    geo_imports,
    incident_types,
    providers,
    provider_incident_types,
    provider_zone_departements,
    labels,
    change_counters,
);
