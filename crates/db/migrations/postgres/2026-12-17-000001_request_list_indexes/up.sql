-- The staff list of assistance requests reads every request in order of change or of
-- receipt, in every state or one (its pages; `db::assistance::staff_list`).
CREATE INDEX assistance_requests_updated ON assistance_requests (updated_at, id);
CREATE INDEX assistance_requests_received ON assistance_requests (created_at, id);
CREATE INDEX assistance_requests_status_received ON assistance_requests (status, created_at);
