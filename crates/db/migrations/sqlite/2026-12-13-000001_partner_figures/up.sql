-- A partner's figures as published: one protected table per partner, calendar year and
-- subject (`journeys` or `requests`), frozen once for each month that has ended
-- (`through_month`, 1 to 12: the table holds the months up to it). Every later table of the
-- year is protected together with the ones already published, so that no two answers, on
-- any two days, can be differenced into a hidden count. `cells` is the table as its reader
-- sees it: every cell with its margins, a count or null where secret (JSON).
CREATE TABLE partner_figures (
    partner_id TEXT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    through_month INTEGER NOT NULL,
    subject TEXT NOT NULL,
    cells TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, year, subject, through_month)
);
