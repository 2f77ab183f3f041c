DROP TABLE open_data_corrections;
