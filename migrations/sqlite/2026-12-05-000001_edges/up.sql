-- A change counter's version is its value and a random token drawn at each bump: a bump that a
-- rollback undid is never mistaken for the next committed one, which reuses the value only.
ALTER TABLE change_counters ADD COLUMN token BIGINT NOT NULL DEFAULT 0;
