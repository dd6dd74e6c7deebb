-- Run as DigitalOcean's admin role (doadmin) on the app's database, before the migrations.
-- psql variables: owner (runs the migrations, owns the tables), runtime (the web pods' role).
--
-- A database created through DigitalOcean's API belongs to doadmin, and since PostgreSQL 15
-- only the database owner may create objects in schema public. The owner role gets CREATE there
-- and nothing else; the runtime role only the right to look into the schema.
GRANT CONNECT ON DATABASE :"database" TO :"owner", :"runtime";
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
GRANT USAGE ON SCHEMA public TO :"runtime";
