DROP INDEX outbox_request;
ALTER TABLE outbox DROP COLUMN request_id;
