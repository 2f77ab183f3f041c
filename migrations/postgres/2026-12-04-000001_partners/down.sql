DROP INDEX observatory_facts_partner;
ALTER TABLE diagnostic_journeys DROP COLUMN partner;
DROP TABLE partner_keys;
DROP TABLE partners;
