DROP TABLE label_reminders;
DROP TABLE label_number_counters;
DROP TABLE audit_findings;
DROP TABLE label_evidence;
DROP TABLE label_answers;
DROP TABLE label_applications;
ALTER TABLE labels DROP COLUMN renewal_pending;
ALTER TABLE labels DROP COLUMN suspension_cause;
