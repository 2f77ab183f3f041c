-- The staff list of assistance requests finds a request by the start of a word of the
-- victim's name or email, or of the postcode, read as a range of this index instead of every
-- request (`db::assistance::staff_list`). The words are the victim's data: they go with the
-- request's contact (`db::assistance::anonymise`). Requests written before this migration get
-- theirs at the next start.
CREATE TABLE request_search_words (
    word TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES assistance_requests (id) ON DELETE CASCADE,
    PRIMARY KEY (word, request_id)
) WITHOUT ROWID;
CREATE INDEX request_search_words_request ON request_search_words (request_id, word);
-- The list's filters, each read in the list's default order.
CREATE INDEX assistance_requests_departement ON assistance_requests (departement, updated_at);
CREATE INDEX assistance_requests_incident ON assistance_requests (incident_type, updated_at);
CREATE INDEX assistance_requests_urgent ON assistance_requests (urgent, updated_at);
