-- The auditor's report (PDF) attached to a label application: one per application, a new
-- upload replacing the last (the trail keeps each upload). Read by staff and the auditor.
CREATE TABLE audit_reports (
    application_id TEXT PRIMARY KEY NOT NULL REFERENCES label_applications (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL
);
