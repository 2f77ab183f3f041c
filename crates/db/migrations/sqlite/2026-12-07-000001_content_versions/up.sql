-- The editorial workflow: every version of a library file (a fiche, the contacts, a quiz) and
-- of the diagnostic's tree, as editors wrote, reviewed and published it. A published version is
-- never changed again: a change, or a rollback, is a new version. The shipped files are
-- imported as versions without an author when their text is new.
CREATE TABLE content_versions (
    id TEXT PRIMARY KEY NOT NULL,
    -- As in fixtures/content/ (fiches/<slug>.md, contacts.toml, quiz/<theme>.toml), or
    -- diagnostic/tree.toml.
    path TEXT NOT NULL,
    -- 1, 2, ... per path, given when published; the highest is in force.
    number INTEGER,
    -- draft | in_review | published | rejected | withdrawn
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- The text in force when the version was written: its diff, and whether it still applies.
    base_body TEXT NOT NULL,
    -- What changed and why, in the author's words.
    note TEXT NOT NULL,
    -- NULL for the text shipped with the service.
    author_id TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    reviewer_id TEXT REFERENCES users (id),
    reviewed_at TIMESTAMP,
    review_comment TEXT,
    published_at TIMESTAMP,
    UNIQUE (path, number)
);
CREATE INDEX content_versions_path_state ON content_versions (path, state);

-- Views of the fiches and downloads of the library, counted per day without anything about
-- who: the observatory reads what prevention content is used.
CREATE TABLE content_views (
    day DATE NOT NULL,
    -- A fiche's slug, or the archive's or the kit's file name.
    subject TEXT NOT NULL,
    -- page | pdf | archive
    kind TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, subject, kind)
);

INSERT INTO change_counters (name, value) VALUES ('content', 1);
