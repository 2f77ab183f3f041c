ALTER TABLE provider_documents DROP COLUMN renewal_asked_at;
ALTER TABLE provider_documents DROP COLUMN valid_until;
