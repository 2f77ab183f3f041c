-- The staff lists search and sort in the database, with indexes, instead of reading every
-- organisation into memory. Three columns derived from the profile, written with it by the
-- service (`db::providers`): the département of the address (from the commune, else the
-- postcode; '' when unknown), the folded text staff search (name, legal name, SIRET, email,
-- commune, postcode), and the folded name the list sorts by. Rows written before this
-- migration are filled at the next start (search_text NULL until then).
ALTER TABLE providers ADD COLUMN departement TEXT NOT NULL DEFAULT '';
ALTER TABLE providers ADD COLUMN search_text TEXT;
ALTER TABLE providers ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
CREATE INDEX providers_queue_updated ON providers (updated_at, id);
CREATE INDEX providers_queue_status ON providers (status, updated_at);
CREATE INDEX providers_queue_departement ON providers (departement, status);
CREATE INDEX providers_queue_name ON providers (sort_name, id);
CREATE INDEX providers_queue_city ON providers (city, id);
CREATE INDEX providers_queue_created ON providers (created_at, id);
