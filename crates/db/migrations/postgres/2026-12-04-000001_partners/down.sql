DROP INDEX observatory_facts_partner;
DELETE FROM change_counters WHERE name = 'partners';
ALTER TABLE diagnostic_journeys DROP COLUMN partner;
DROP TABLE partner_keys;
DROP TABLE partners;
