ALTER TABLE observatory_signals ADD COLUMN score DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE observatory_signals ADD COLUMN observed_3_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE observatory_signals ADD COLUMN expected_3_days DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE observatory_signals DROP COLUMN threshold;
