-- Reference geography (replaced as a whole by `cyberdir geo import`).
CREATE TABLE communes (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    departement_code TEXT NOT NULL,
    parent_code TEXT,
    population INTEGER NOT NULL DEFAULT 0,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL
);
CREATE INDEX communes_search_name ON communes (search_name);
CREATE INDEX communes_latitude ON communes (latitude);
CREATE INDEX communes_parent_code ON communes (parent_code);

CREATE TABLE postcodes (
    postcode TEXT NOT NULL,
    commune_code TEXT NOT NULL REFERENCES communes (code) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (postcode, commune_code)
);
CREATE INDEX postcodes_commune_code ON postcodes (commune_code);

CREATE TABLE geo_imports (
    id BIGSERIAL PRIMARY KEY,
    imported_at TIMESTAMP NOT NULL,
    communes INTEGER NOT NULL,
    postcodes INTEGER NOT NULL,
    skipped INTEGER NOT NULL
);

-- Incident taxonomy, loaded from fixtures/incident_types.json at start-up.
CREATE TABLE incident_types (
    code TEXT PRIMARY KEY NOT NULL,
    label TEXT NOT NULL,
    category TEXT NOT NULL,
    audiences TEXT NOT NULL,
    provider_can_help BOOLEAN NOT NULL,
    advice TEXT NOT NULL,
    redirections TEXT NOT NULL,
    position INTEGER NOT NULL
);

-- The provider directory. `status` is the referencing state; only `approved` is published.
CREATE TABLE providers (
    id TEXT PRIMARY KEY NOT NULL,
    legal_name TEXT NOT NULL,
    name TEXT NOT NULL,
    siret TEXT NOT NULL,
    address_line TEXT NOT NULL,
    postcode TEXT NOT NULL,
    commune_code TEXT,
    city TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    website TEXT,
    description TEXT NOT NULL,
    audiences TEXT NOT NULL,
    remote BOOLEAN NOT NULL,
    zone_kind TEXT NOT NULL,
    zone_radius_km INTEGER,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX providers_status ON providers (status);
CREATE INDEX providers_siret ON providers (siret);

CREATE TABLE provider_incident_types (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    incident_code TEXT NOT NULL REFERENCES incident_types (code),
    PRIMARY KEY (provider_id, incident_code)
);

CREATE TABLE provider_zone_departements (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    departement_code TEXT NOT NULL,
    PRIMARY KEY (provider_id, departement_code)
);

-- ExpertCyber labels (the workflow comes with the label issue; the search shows them already).
CREATE TABLE labels (
    number TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX labels_provider_id ON labels (provider_id);

-- Change counters polled by every process to keep in-memory caches fresh.
CREATE TABLE change_counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('directory', 1), ('geography', 1);
