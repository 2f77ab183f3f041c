-- The ExpertCyber label lifecycle: applications, answers and evidence per criterion, audit
-- findings, label numbers, renewal reminders.

-- Why a label is suspended: by staff, or with the provider's referencing (lifted with it).
ALTER TABLE labels ADD COLUMN suspension_cause TEXT;
-- A renewal submitted before expiry keeps the label valid until its decision.
ALTER TABLE labels ADD COLUMN renewal_pending BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE label_applications (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The label renewed (kind renewal) or issued (once granted).
    label_number TEXT REFERENCES labels (number),
    criteria_version TEXT NOT NULL,
    fee_cents INTEGER NOT NULL,
    fee_status TEXT NOT NULL,
    auditor_id TEXT REFERENCES users (id),
    audit_date DATE,
    audit_round INTEGER NOT NULL DEFAULT 0,
    recommendation TEXT,
    corrective_deadline DATE,
    decision_reason TEXT,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
-- At most one open application per provider, even with concurrent requests.
CREATE UNIQUE INDEX label_applications_one_open ON label_applications (provider_id)
    WHERE status NOT IN ('granted', 'refused', 'withdrawn');
CREATE INDEX label_applications_status ON label_applications (status, updated_at);
CREATE INDEX label_applications_auditor ON label_applications (auditor_id, status);

-- The provider's statement for each criterion of the framework.
CREATE TABLE label_answers (
    application_id TEXT NOT NULL REFERENCES label_applications (id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    answer TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, criterion)
);

CREATE TABLE label_evidence (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES label_applications (id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX label_evidence_application ON label_evidence (application_id, criterion);

-- One row per criterion and audit round (a second round verifies corrective actions).
CREATE TABLE audit_findings (
    application_id TEXT NOT NULL REFERENCES label_applications (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    criterion TEXT NOT NULL,
    finding TEXT NOT NULL,
    comment TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, round, criterion)
);

-- The last EC-YYYY-NNNN number issued each year; its row lock serialises concurrent grants.
CREATE TABLE label_number_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_number INTEGER NOT NULL
);

-- Renewal reminders already sent: the primary key makes each one go once, whatever the
-- number of processes.
CREATE TABLE label_reminders (
    label_number TEXT NOT NULL REFERENCES labels (number) ON DELETE CASCADE,
    valid_until DATE NOT NULL,
    days_before INTEGER NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (label_number, valid_until, days_before)
);
