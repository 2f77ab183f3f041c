-- The auditor's findings saved as a draft, criterion by criterion, before the audit is
-- recorded: one per application and audit round, read back into the audit's form, deleted
-- once the audit is recorded. `content` is the findings typed so far and the recommendation
-- (JSON); nothing of it reaches staff or the provider until the audit is recorded.
CREATE TABLE audit_drafts (
    application_id TEXT PRIMARY KEY NOT NULL REFERENCES label_applications (id) ON DELETE CASCADE,
    auditor_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    content TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL
);
