DROP TABLE open_data_releases;
DROP TABLE alerts;
DROP TABLE observatory_signals;
DROP TABLE observatory_facts;
DELETE FROM change_counters WHERE name = 'observatory';
