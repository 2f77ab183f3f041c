-- A wave records the reference method that raised it (EARS C1, C2, C3 on days, Farrington on
-- weeks) with that method's figures: the count, the count expected and the threshold it
-- passed. Waves detected before have no threshold on record (NULL). The tuned detector's
-- score and three-day figures go with it.
ALTER TABLE observatory_signals ADD COLUMN threshold DOUBLE PRECISION;
ALTER TABLE observatory_signals DROP COLUMN score;
ALTER TABLE observatory_signals DROP COLUMN observed_3_days;
ALTER TABLE observatory_signals DROP COLUMN expected_3_days;
