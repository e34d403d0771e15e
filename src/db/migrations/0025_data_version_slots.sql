-- data_version was one row that every transaction writing counts or master data updated (migration
-- 0022): its row lock, held until commit, made concurrent deliveries for different services wait for
-- each other from their first counts statement to the other's commit. Sixteen slots, picked by
-- transaction id, let them pass each other. The version is the sum over the slots: every committed
-- change adds one, and a change not yet committed is not counted by anyone.
CREATE TABLE data_version_slots (
  slot smallint PRIMARY KEY CHECK (slot BETWEEN 0 AND 15),
  version bigint NOT NULL,
  changed_at timestamptz NOT NULL
);
INSERT INTO data_version_slots (slot, version, changed_at)
SELECT s, CASE WHEN s = 0 THEN d.version ELSE 0 END, d.changed_at
FROM generate_series(0, 15) s CROSS JOIN data_version d;

CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_version_slots SET version = version + 1, changed_at = clock_timestamp()
  WHERE slot = txid_current() % 16;
  RETURN NULL;
END $$;

DROP TABLE data_version;
-- Readers keep asking data_version for one row.
CREATE VIEW data_version AS
  SELECT sum(version)::bigint AS version, max(changed_at) AS changed_at FROM data_version_slots;
