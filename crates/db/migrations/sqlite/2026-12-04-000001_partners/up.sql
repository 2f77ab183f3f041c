-- Partners embed the module (diagnostic, search, request) in their own websites. `id` is the
-- public id used in the embed's address; `origins` the exact origins allowed to frame it, one
-- per line; `scope` what the module offers (see domain::partner::Scope).
CREATE TABLE partners (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    origins TEXT NOT NULL,
    scope TEXT NOT NULL,
    accent TEXT,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A partner's API keys: only the SHA-256 digest of a key is kept; `prefix` names it to staff.
CREATE TABLE partner_keys (
    id TEXT PRIMARY KEY NOT NULL,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    prefix TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX partner_keys_partner ON partner_keys (partner_id);

-- Each process keeps the partners in memory (the module reads one on every page).
INSERT INTO change_counters (name, value) VALUES ('partners', 1);

-- A journey started in a partner's module names the partner.
ALTER TABLE diagnostic_journeys ADD COLUMN partner TEXT;
CREATE INDEX observatory_facts_partner ON observatory_facts (partner, occurred_on);
