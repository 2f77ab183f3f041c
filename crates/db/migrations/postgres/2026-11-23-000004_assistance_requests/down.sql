DROP TABLE service_secrets;
DROP TABLE satisfaction_surveys;
DROP TABLE intervention_reports;
DROP TABLE provider_absences;
DROP TABLE provider_capacity;
DROP TABLE assistance_assignments;
DROP TABLE assistance_requests;
