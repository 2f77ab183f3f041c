-- The staff lists search and sort in the database, with indexes, instead of reading every
-- organisation into memory. Three columns derived from the profile, written with it by the
-- service (`db::providers`): the département of the address (from the commune, else the
-- postcode; '' when unknown), the folded text staff search (name, legal name, SIRET, email,
-- commune, postcode), and the folded name the list sorts by. Rows written before this
-- migration are filled at the next start (search_text NULL until then).
--
-- The search itself reads an index of words: each word of the search text once per
-- organisation, so that a search word is found as the start of a word (`dupont`, a SIREN in
-- a SIRET, `rennes`) by a range of the B-tree, not by reading every organisation.
ALTER TABLE providers ADD COLUMN departement TEXT NOT NULL DEFAULT '';
ALTER TABLE providers ADD COLUMN search_text TEXT;
ALTER TABLE providers ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
-- Each order of the list, alone and within a state (a tab), is an index: a page is read in
-- order, never sorted.
CREATE INDEX providers_queue_updated ON providers (updated_at, id);
CREATE INDEX providers_queue_name ON providers (sort_name, id);
CREATE INDEX providers_queue_city ON providers (city, id);
CREATE INDEX providers_queue_created ON providers (created_at, id);
CREATE INDEX providers_queue_departement ON providers (departement, sort_name, id);
CREATE INDEX providers_queue_status ON providers (status, updated_at, id);
CREATE INDEX providers_queue_status_name ON providers (status, sort_name, id);
CREATE INDEX providers_queue_status_city ON providers (status, city, id);
CREATE INDEX providers_queue_status_created ON providers (status, created_at, id);
CREATE INDEX providers_queue_status_departement ON providers (status, departement, sort_name, id);
CREATE TABLE provider_search_words (
    word TEXT NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    PRIMARY KEY (word, provider_id)
);
CREATE INDEX provider_search_words_provider ON provider_search_words (provider_id, word);
