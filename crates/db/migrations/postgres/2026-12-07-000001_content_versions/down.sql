DELETE FROM change_counters WHERE name = 'content';
DROP TABLE content_views;
DROP TABLE content_versions;
