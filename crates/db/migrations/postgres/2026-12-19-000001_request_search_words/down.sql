DROP INDEX assistance_requests_urgent;
DROP INDEX assistance_requests_incident;
DROP INDEX assistance_requests_departement;
DROP TABLE request_search_words;
