DROP INDEX assistance_assignments_one_pending;
CREATE UNIQUE INDEX assistance_assignments_one_pending ON assistance_assignments (request_id)
    WHERE status = 'pending';
DROP TABLE provider_on_call;
ALTER TABLE assistance_requests DROP COLUMN urgent;
