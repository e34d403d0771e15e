-- The open-data ZSK (issue 15). A service's managers or an administrator may keep it out of every
-- public output, sums included, e.g. while its data are being tested. Default: published.
ALTER TABLE online_services ADD COLUMN published boolean NOT NULL DEFAULT true;
CREATE INDEX online_services_unpublished_idx ON online_services (id) WHERE NOT published;

-- One number that changes whenever anything the public sees may have changed: ETag and Last-Modified
-- of the open-data API and the downloads are derived from it. Kept by statement-level triggers (one
-- update per statement, not per row) so that no write path can forget it; it is a stamp, not a sum.
CREATE TABLE data_version (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version bigint NOT NULL,
  changed_at timestamptz NOT NULL
);
INSERT INTO data_version (version, changed_at) VALUES (1, now());

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = clock_timestamp();
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['counts', 'online_services', 'online_service_leika', 'online_service_ozg',
                           'portals', 'portal_services', 'authorities', 'regions', 'leika_services',
                           'ozg_services']
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()', t || '_data_version', t);
  END LOOP;
END $$;
