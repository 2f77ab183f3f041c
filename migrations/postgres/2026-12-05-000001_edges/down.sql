ALTER TABLE change_counters DROP COLUMN token;
