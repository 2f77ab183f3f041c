ALTER TABLE labels DROP COLUMN withdrawn_at;
ALTER TABLE labels ADD COLUMN renewal_pending BOOLEAN NOT NULL DEFAULT 0;
UPDATE labels SET renewal_pending = 1 WHERE renewal_until IS NOT NULL;
ALTER TABLE labels DROP COLUMN renewal_until;
