DROP INDEX diagnostic_journeys_form_key;
ALTER TABLE diagnostic_journeys DROP COLUMN form_key;
ALTER TABLE change_counters DROP COLUMN token;
