DROP INDEX labels_status_until;
DROP INDEX providers_holder;
