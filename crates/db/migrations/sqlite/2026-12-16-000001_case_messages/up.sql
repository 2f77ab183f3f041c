-- The message thread between staff and the applicant of a case (a referencing file, a label
-- application: the organisation's members; an assistance request: the victim, who has no
-- account, so no author): each message from staff or from the applicant, with at most one PDF
-- attached (checked as documents are). A request's messages go with the victim's data.
CREATE TABLE case_messages (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    author_id TEXT REFERENCES users (id),
    from_staff BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT,
    attachment_size INTEGER,
    attachment BLOB,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_messages_subject ON case_messages (kind, subject_id, created_at);
