-- The observatory's facts: one per diagnostic journey and per assistance request, anonymous (no
-- name, no free text, no address, no IP), written in the transaction of the step that produces
-- it and kept when the request is erased. `revision` is the 'observatory' change counter's value
-- at the fact's last write, so that every process reads only what changed since it last looked.
CREATE TABLE observatory_facts (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    -- The journey's or the request's id.
    source_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    audience TEXT,
    incident_type TEXT,
    category TEXT,
    departement TEXT,
    region TEXT,
    channel TEXT NOT NULL,
    partner TEXT,
    -- Journeys: started, advice, redirection, search, request. Requests: their status.
    outcome TEXT NOT NULL,
    urgency TEXT,
    -- A request made from a journey is counted as a case by its journey, not twice.
    counted BOOLEAN NOT NULL,
    escalated BOOLEAN NOT NULL,
    minutes_to_acceptance INTEGER,
    confirmed_incident_type TEXT,
    revision BIGINT NOT NULL
);
CREATE INDEX observatory_facts_revision ON observatory_facts (revision);
CREATE INDEX observatory_facts_occurred_on ON observatory_facts (occurred_on);

-- Anonymous signals on the alerts' way: a wave detected by the daily pass for one incident type
-- and audience, from its first day; one row per wave, so staff are emailed once.
CREATE TABLE observatory_signals (
    id TEXT PRIMARY KEY NOT NULL,
    incident_type TEXT NOT NULL,
    audience TEXT NOT NULL,
    since DATE NOT NULL,
    last_day DATE NOT NULL,
    method TEXT NOT NULL,
    observed BIGINT NOT NULL,
    expected DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    observed_3_days BIGINT NOT NULL,
    expected_3_days DOUBLE PRECISION NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    UNIQUE (incident_type, audience, since)
);
CREATE INDEX observatory_signals_last_day ON observatory_signals (last_day);

-- Alerts staff publish for the public: what, for whom, where, and when.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Comma-separated codes; empty means every type (or every audience).
    incident_types TEXT NOT NULL,
    audiences TEXT NOT NULL,
    -- national | region | departement, with the région's or the département's code.
    scope TEXT NOT NULL,
    scope_code TEXT,
    valid_from TIMESTAMP NOT NULL,
    valid_until TIMESTAMP NOT NULL,
    signal_id TEXT REFERENCES observatory_signals (id),
    published_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE INDEX alerts_valid_until ON alerts (valid_until);

-- The monthly open-data file, frozen once published: a correction is a new revision with a note.
CREATE TABLE open_data_releases (
    month TEXT NOT NULL,
    revision INTEGER NOT NULL,
    csv TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    note TEXT,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (month, revision)
);

INSERT INTO change_counters (name, value) VALUES ('observatory', 0);
