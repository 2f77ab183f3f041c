DROP TABLE audit_drafts;
