-- An admin's correction of a month's open-data file, computed in the background: the page
-- answers at once and shows the progress; a node claims the work under a lease, and another
-- takes it over if that node stops.
CREATE TABLE open_data_corrections (
    id TEXT PRIMARY KEY NOT NULL,
    month TEXT NOT NULL,
    note TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- How far the node got: 'protecting' (the round), 'publishing_back' (the round column holds
    -- the complements published back) or 'auditing', done of how many.
    progress_phase TEXT,
    progress_round INTEGER NOT NULL DEFAULT 0,
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_of INTEGER NOT NULL DEFAULT 0,
    progress_at TIMESTAMP,
    finished_at TIMESTAMP,
    revision INTEGER,
    -- Why it was refused or failed, as the admin reads it.
    outcome TEXT
);

-- One correction of a month at a time.
CREATE UNIQUE INDEX open_data_corrections_pending ON open_data_corrections (month)
    WHERE state IN ('waiting', 'running');
CREATE INDEX open_data_corrections_asked ON open_data_corrections (state, asked_at);
