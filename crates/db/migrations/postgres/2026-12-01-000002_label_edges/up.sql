-- A renewal being examined by staff or the auditor holds its label valid at most until
-- `renewal_until` (its end date plus LABEL_RENEWAL_GRACE); none while the file is back with the
-- provider. Replaces renewal_pending, which held the label valid for ever.
ALTER TABLE labels ADD COLUMN renewal_until DATE;
UPDATE labels SET renewal_until = valid_until + 90 WHERE renewal_pending;
ALTER TABLE labels DROP COLUMN renewal_pending;
-- When the label was withdrawn: a new application waits LABEL_REAPPLY_DELAY after it.
ALTER TABLE labels ADD COLUMN withdrawn_at TIMESTAMP;
