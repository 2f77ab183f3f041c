-- Staff's own work on a case (for now, a referencing file): who follows it, and the private
-- notes staff leave each other. Neither is ever shown to the applicant. `kind` names the case
-- (`referencing`); `subject_id` its id in that kind.
CREATE TABLE case_assignments (
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
CREATE INDEX case_assignments_user ON case_assignments (user_id, kind);

CREATE TABLE case_notes (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_subject ON case_notes (kind, subject_id, created_at);
