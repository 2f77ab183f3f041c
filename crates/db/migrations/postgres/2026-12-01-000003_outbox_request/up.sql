-- The assistance request whose victim an email is about: erased with the request's personal
-- data (the victim's own erasure, or the end of the retention period).
ALTER TABLE outbox ADD COLUMN request_id TEXT;
CREATE INDEX outbox_request ON outbox (request_id);
