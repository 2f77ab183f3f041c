-- Documents have a validity (an insurance certificate ends): the last day it covers, given by
-- the provider, and when its members were asked to send a new one (once per document).
ALTER TABLE provider_documents ADD COLUMN valid_until DATE;
ALTER TABLE provider_documents ADD COLUMN renewal_asked_at TIMESTAMP;
