-- A Kbis extract carries the day it was issued: a file is submitted with an extract of less
-- than `KBIS_MAX_AGE_MONTHS` (3 by default). Extracts uploaded before have none and must be
-- uploaded again, dated, before the next submission.
ALTER TABLE provider_documents ADD COLUMN issued_on DATE;
