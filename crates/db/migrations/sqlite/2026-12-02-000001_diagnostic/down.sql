DELETE FROM change_counters WHERE name = 'diagnostic';
DROP TABLE diagnostic_journeys;
DROP TABLE diagnostic_versions;
