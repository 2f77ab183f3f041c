-- The failed emails' list (`db::outbox::list_searched`) reads one status newest first: its
-- page and its export walk this index instead of sorting every message of the status.
CREATE INDEX outbox_status_created ON outbox (status, created_at, id);
