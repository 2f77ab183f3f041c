-- Events that limits count (log-in attempts, account emails), one row each, for limits that
-- hold across processes. Replaces login_failures, which counted only failures.
CREATE TABLE rate_events (
    id TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    happened_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_events_subject ON rate_events (subject, happened_at);
DROP TABLE login_failures;
