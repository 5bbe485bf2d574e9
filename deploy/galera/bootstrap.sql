-- Run once on the bootstrap node; Galera replicates the users to the others.
-- The application user (use a real password on real hosts: @APP_PASSWORD@).
CREATE USER IF NOT EXISTS 'app'@'@CLIENT_HOST@' IDENTIFIED BY '@APP_PASSWORD@';
GRANT ALL ON *.* TO 'app'@'@CLIENT_HOST@';
-- HAProxy's health check only reads GLOBAL_STATUS: no privileges, no password, one host.
CREATE USER IF NOT EXISTS 'haproxy'@'@CHECK_HOST@';
FLUSH PRIVILEGES;
