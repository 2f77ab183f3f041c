-- Assistance requests: a victim's request, its successive assignments to providers, the
-- intervention report and the satisfaction survey; providers' capacity and absences.

CREATE TABLE assistance_requests (
    id TEXT PRIMARY KEY NOT NULL,
    -- SHA-256 of the victim's private tracking token.
    tracking_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    postcode TEXT,
    commune_code TEXT,
    departement TEXT,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    approximate BOOLEAN NOT NULL,
    audience TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    -- Erased (NULL) when anonymised after the retention period.
    description TEXT,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    consent BOOLEAN NOT NULL,
    chosen_provider_id TEXT,
    -- The provider the request is currently assigned to (offered or accepted).
    provider_id TEXT REFERENCES providers (id),
    failed_assignments INTEGER NOT NULL DEFAULT 0,
    staff_message TEXT,
    -- A retried submission with the same key returns the same request.
    idempotency_key TEXT UNIQUE,
    client_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    anonymised_at TIMESTAMP
);
CREATE INDEX assistance_requests_status ON assistance_requests (status, updated_at);
CREATE INDEX assistance_requests_provider ON assistance_requests (provider_id, status);
CREATE INDEX assistance_requests_client ON assistance_requests (client_hash, created_at);

-- Each offer of a request to a provider, and how it ended.
CREATE TABLE assistance_assignments (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES assistance_requests (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    status TEXT NOT NULL,
    -- Why this provider was chosen (or who assigned it by hand).
    why TEXT NOT NULL,
    assigned_by TEXT,
    decline_reason TEXT,
    decline_text TEXT,
    offered_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);
-- One open offer per request at a time.
CREATE UNIQUE INDEX assistance_assignments_one_pending ON assistance_assignments (request_id)
    WHERE status = 'pending';
CREATE INDEX assistance_assignments_provider ON assistance_assignments (provider_id, offered_at);
CREATE INDEX assistance_assignments_expiry ON assistance_assignments (status, expires_at);

-- How many requests a provider takes at once, and how many it holds now; the conditional
-- increment of open_requests keeps a provider under capacity even with concurrent requests.
CREATE TABLE provider_capacity (
    provider_id TEXT PRIMARY KEY NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    capacity INTEGER NOT NULL,
    open_requests INTEGER NOT NULL
);

CREATE TABLE provider_absences (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX provider_absences_provider ON provider_absences (provider_id, ends_on);

CREATE TABLE intervention_reports (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES assistance_requests (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    resolved BOOLEAN NOT NULL,
    confirmed_incident_type TEXT NOT NULL,
    attack_vector TEXT NOT NULL,
    actions_taken TEXT NOT NULL,
    minutes_spent INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE satisfaction_surveys (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES assistance_requests (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    token_hash TEXT NOT NULL UNIQUE,
    rating INTEGER,
    comment TEXT,
    -- pending (awaiting moderation), published or rejected.
    comment_status TEXT,
    sent_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);
CREATE INDEX satisfaction_surveys_provider ON satisfaction_surveys (provider_id, comment_status);

-- Keys the service generates once and shares between its processes (link signing).
CREATE TABLE service_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
