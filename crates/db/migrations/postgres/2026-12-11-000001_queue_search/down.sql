DROP INDEX providers_queue_created;
DROP INDEX providers_queue_city;
DROP INDEX providers_queue_name;
DROP INDEX providers_queue_departement;
DROP INDEX providers_queue_status;
DROP INDEX providers_queue_updated;
ALTER TABLE providers DROP COLUMN sort_name;
ALTER TABLE providers DROP COLUMN search_text;
ALTER TABLE providers DROP COLUMN departement;
