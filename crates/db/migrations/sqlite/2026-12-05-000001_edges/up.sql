-- A change counter's version is its value and a random token drawn at each bump: a bump that a
-- rollback undid is never mistaken for the next committed one, which reuses the value only.
ALTER TABLE change_counters ADD COLUMN token BIGINT NOT NULL DEFAULT 0;

-- A journey started from a partner module's form carries the form's nonce: the same form posted
-- again (a double click, or a script replaying it) serves that one journey, never a new one.
ALTER TABLE diagnostic_journeys ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX diagnostic_journeys_form_key ON diagnostic_journeys (form_key);
