-- The labels' register and the label applications' list name each label's or application's
-- holder: this index answers with its name and sort key without reading the whole
-- organisation (at 100,000 organisations, the difference between reading a few pages of an
-- index and thousands of rows).
CREATE UNIQUE INDEX providers_holder ON providers (id, sort_name, name);
-- The register and its watch lists read one state at a time, in order of end date.
CREATE INDEX labels_status_until ON labels (status, valid_until);
