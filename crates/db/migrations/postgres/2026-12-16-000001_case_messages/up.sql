-- The message thread between staff and the applicant of a case (a referencing file, a label
-- application): each message by its author, from staff or from the organisation, with at most
-- one PDF attached (checked as documents are). Read by staff and the organisation's members.
CREATE TABLE case_messages (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    from_staff BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT,
    attachment_size INTEGER,
    attachment BYTEA,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_messages_subject ON case_messages (kind, subject_id, created_at);
