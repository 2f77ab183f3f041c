ALTER TABLE provider_documents DROP COLUMN issued_on;
