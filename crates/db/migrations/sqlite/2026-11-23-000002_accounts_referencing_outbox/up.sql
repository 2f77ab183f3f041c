-- Accounts. Emails are stored lower-cased; `role` is provider, staff, auditor or admin.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    email_verified_at TIMESTAMP,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Sessions are looked up by the SHA-256 of the cookie's token, never by the token itself.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Single-use links: email verification, password reset, invitation to an organisation.
CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    provider_id TEXT REFERENCES providers (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- Failed log-ins, per address and per IP, for rate limiting across processes.
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject, failed_at);

CREATE TABLE organisation_members (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_owner BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider_id, user_id)
);
CREATE INDEX organisation_members_user_id ON organisation_members (user_id);

-- Supporting documents (Kbis extract, insurance certificate), kept in the database so every
-- process sees them. The newest of each kind counts.
CREATE TABLE provider_documents (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX provider_documents_provider_id ON provider_documents (provider_id, kind);

CREATE TABLE charter_acceptances (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    charter_version TEXT NOT NULL,
    user_id TEXT NOT NULL,
    accepted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider_id, charter_version)
);

-- Referenced providers asked to accept a new charter version (one row per provider and version,
-- so that the email goes once even with several processes).
CREATE TABLE charter_notifications (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    charter_version TEXT NOT NULL,
    notified_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider_id, charter_version)
);

-- The audit trail of every workflow step; `id` gives the order of events.
CREATE TABLE workflow_events (
    id INTEGER PRIMARY KEY NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX workflow_events_subject ON workflow_events (subject_type, subject_id, created_at);

-- Changes to a published provider's legal identity, address or zone, awaiting staff.
CREATE TABLE change_requests (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    changes TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP
);
CREATE INDEX change_requests_provider_id ON change_requests (provider_id, status);

-- Rendered emails waiting for delivery. A worker claims rows with a lease (claimed_by,
-- claimed_until) so that several processes never send one twice.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    give_up_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
