-- The diagnostic: each published version of the question tree, as published (never changed),
-- and the journeys victims make through it. A journey keeps no name, no free text and no
-- address: only the choices made (ids from the tree), the outcome and the département.
CREATE TABLE diagnostic_versions (
    version TEXT PRIMARY KEY NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    -- The admin who published it; NULL for the tree shipped with the service.
    published_by TEXT
);

CREATE TABLE diagnostic_journeys (
    id TEXT PRIMARY KEY NOT NULL,
    tree_version TEXT NOT NULL REFERENCES diagnostic_versions (version),
    channel TEXT NOT NULL,
    started_on DATE NOT NULL,
    -- Question id -> choice id, as JSON: the answers on the current path only.
    answers TEXT NOT NULL,
    audience TEXT,
    outcome TEXT,
    incident_type TEXT,
    urgency TEXT,
    departement TEXT,
    -- advice | redirection | search | request: how far the journey went.
    ending TEXT
);
CREATE INDEX diagnostic_journeys_started_on ON diagnostic_journeys (started_on);

INSERT INTO change_counters (name, value) VALUES ('diagnostic', 1);
