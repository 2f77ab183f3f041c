-- The label applications' list reads the most recently changed first by default, a page at a
-- time: this index gives that order without sorting every application.
CREATE INDEX label_applications_updated ON label_applications (updated_at, id);
