-- Run as the owner role on the app's database, after admin.sql and before the migrations.
-- psql variable: runtime (the web pods' role).
--
-- The tables the migrations create belong to the owner; the runtime role reads and writes their
-- rows and draws from their sequences, and can change no table.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"runtime";
-- Tables and sequences the owner has already (migrations that ran before these grants), and only
-- those: GRANT ... ON ALL TABLES fails on a table of another role the owner has no rights on.
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %s TO %I', c.oid::regclass, :'runtime')
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND c.relowner = current_user::regrole \gexec
SELECT format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', c.oid::regclass, :'runtime')
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
   AND c.relowner = current_user::regrole \gexec
