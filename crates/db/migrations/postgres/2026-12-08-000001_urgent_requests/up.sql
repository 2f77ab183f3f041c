-- Urgent requests (an urgent diagnostic outcome) are offered to the few nearest providers at
-- once, the first to accept taking them; at night only to providers on call.
ALTER TABLE assistance_requests ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT FALSE;

-- A provider's weekly on-call hours ("astreinte"), as domain::on_call::OnCall in JSON.
CREATE TABLE provider_on_call (
    provider_id TEXT PRIMARY KEY NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    schedule TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- An urgent request has several pending offers, one per provider.
DROP INDEX assistance_assignments_one_pending;
CREATE UNIQUE INDEX assistance_assignments_one_pending ON assistance_assignments (request_id, provider_id)
    WHERE status = 'pending';
