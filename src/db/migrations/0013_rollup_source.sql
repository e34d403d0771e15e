-- The report per portal and data source over all months without reading one row per service
-- (docs/reports.md, docs/benchmarks.md). A data source is a portal (for each service in it) or, for a
-- service in no portal, its authority ("Einzelanbindung"). rollup_source counts the services of each
-- source per granularity and first/last delivered month, with their total: a few rows per source
-- however many services it has. Kept current by statement triggers on rollup_service (every write of
-- counts), online_services and portal_services, like rollup_completeness (0011).

-- The data sources of each service.
CREATE VIEW service_sources AS
  SELECT ps.service_id, 'portal' AS kind, ps.portal_id AS source_id FROM portal_services ps
  UNION ALL
  SELECT s.id, 'direct', s.authority_id FROM online_services s
  WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = s.id);

CREATE TABLE rollup_source (
  kind        text NOT NULL,
  source_id   integer,
  granularity text NOT NULL,
  first_month date,
  last_month  date,
  services    integer NOT NULL,
  total       bigint NOT NULL,
  CONSTRAINT rollup_source_key UNIQUE NULLS NOT DISTINCT (kind, source_id, granularity, first_month, last_month)
);

CREATE FUNCTION rebuild_rollup_source() RETURNS void LANGUAGE sql AS $$
  DELETE FROM rollup_source;
  INSERT INTO rollup_source (kind, source_id, granularity, first_month, last_month, services, total)
  SELECT src.kind, src.source_id, s.granularity, r.first_month, r.last_month, count(*), coalesce(sum(r.total), 0)
  FROM service_sources src JOIN online_services s ON s.id = src.service_id
  LEFT JOIN rollup_service r ON r.service_id = s.id
  GROUP BY 1, 2, 3, 4, 5;
$$;

-- Adds signed rows (kind, source_id, granularity, first_month, last_month, n, total); key order, so
-- concurrent writers lock shared rows in the same order. Empty buckets go.
CREATE FUNCTION add_to_rollup_source(delta jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO rollup_source AS c (kind, source_id, granularity, first_month, last_month, services, total)
  SELECT d.kind, d.source_id, d.granularity, d.first_month, d.last_month, sum(d.n), sum(d.total)
  FROM jsonb_to_recordset(delta) AS d(kind text, source_id integer, granularity text, first_month date,
                                      last_month date, n integer, total bigint)
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT rollup_source_key DO UPDATE
    SET services = c.services + excluded.services, total = c.total + excluded.total;
  DELETE FROM rollup_source WHERE services = 0;
$$;

-- A service's summary changed: it moves between buckets of each of its sources.
CREATE FUNCTION rollup_service_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, s.granularity, n.first_month, n.last_month, 1 AS n, n.total
      FROM new_rows n JOIN online_services s ON s.id = n.service_id JOIN service_sources src ON src.service_id = n.service_id
      UNION ALL
      SELECT src.kind, src.source_id, s.granularity, NULL, NULL, -1, 0
      FROM new_rows n JOIN online_services s ON s.id = n.service_id JOIN service_sources src ON src.service_id = n.service_id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, s.granularity, n.first_month, n.last_month, 1 AS n, n.total
      FROM new_rows n JOIN online_services s ON s.id = n.service_id JOIN service_sources src ON src.service_id = n.service_id
      UNION ALL
      SELECT src.kind, src.source_id, s.granularity, o.first_month, o.last_month, -1, -o.total
      FROM old_rows o JOIN online_services s ON s.id = o.service_id JOIN service_sources src ON src.service_id = o.service_id) x;
  ELSE
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, s.granularity, o.first_month, o.last_month, -1 AS n, -o.total AS total
      FROM old_rows o JOIN online_services s ON s.id = o.service_id JOIN service_sources src ON src.service_id = o.service_id
      UNION ALL
      SELECT src.kind, src.source_id, s.granularity, NULL, NULL, 1, 0
      FROM old_rows o JOIN online_services s ON s.id = o.service_id JOIN service_sources src ON src.service_id = o.service_id) x;
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_source(delta); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER rollup_service_source_insert AFTER INSERT ON rollup_service
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_service_source();
CREATE TRIGGER rollup_service_source_update AFTER UPDATE ON rollup_service
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_service_source();
CREATE TRIGGER rollup_service_source_delete AFTER DELETE ON rollup_service
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_service_source();

-- A new service is a direct connection of its authority until it joins a portal; a new authority or
-- granularity moves it; a deleted one leaves (rebuilt).
CREATE FUNCTION online_services_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, n.granularity, r.first_month, r.last_month, 1 AS n, coalesce(r.total, 0) AS total
      FROM new_rows n JOIN service_sources src ON src.service_id = n.id
      LEFT JOIN rollup_service r ON r.service_id = n.id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Only the direct source depends on the authority; every source on the granularity.
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, n.granularity, r.first_month, r.last_month, 1 AS n, coalesce(r.total, 0) AS total
      FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN service_sources src ON src.service_id = n.id
      LEFT JOIN rollup_service r ON r.service_id = n.id
      WHERE n.granularity <> o.granularity OR n.authority_id IS DISTINCT FROM o.authority_id
      UNION ALL
      SELECT src.kind, CASE WHEN src.kind = 'direct' THEN o.authority_id ELSE src.source_id END, o.granularity,
             r.first_month, r.last_month, -1, -coalesce(r.total, 0)
      FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN service_sources src ON src.service_id = n.id
      LEFT JOIN rollup_service r ON r.service_id = n.id
      WHERE n.granularity <> o.granularity OR n.authority_id IS DISTINCT FROM o.authority_id) x;
  ELSE
    PERFORM rebuild_rollup_source();
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_source(delta); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER online_services_source_insert AFTER INSERT ON online_services
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION online_services_source();
CREATE TRIGGER online_services_source_update AFTER UPDATE ON online_services
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION online_services_source();
CREATE TRIGGER online_services_source_delete AFTER DELETE ON online_services
  FOR EACH STATEMENT EXECUTE FUNCTION online_services_source();

-- Portal membership: a service enters a portal (and leaves its direct connection if it was in no
-- portal before) or leaves one (and becomes a direct connection again if it is in none now).
CREATE FUNCTION portal_services_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT 'portal' AS kind, n.portal_id AS source_id, s.granularity, r.first_month, r.last_month, 1 AS n,
             coalesce(r.total, 0) AS total
      FROM new_rows n JOIN online_services s ON s.id = n.service_id LEFT JOIN rollup_service r ON r.service_id = s.id
      UNION ALL
      SELECT 'direct', s.authority_id, s.granularity, r.first_month, r.last_month, -1, -coalesce(r.total, 0)
      FROM (SELECT DISTINCT service_id FROM new_rows) n
      JOIN online_services s ON s.id = n.service_id LEFT JOIN rollup_service r ON r.service_id = s.id
      WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = n.service_id
                          AND NOT EXISTS (SELECT 1 FROM new_rows x WHERE x.service_id = ps.service_id
                                            AND x.portal_id = ps.portal_id))) x;
  ELSE
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT 'portal' AS kind, o.portal_id AS source_id, s.granularity, r.first_month, r.last_month, -1 AS n,
             -coalesce(r.total, 0) AS total
      FROM old_rows o JOIN online_services s ON s.id = o.service_id LEFT JOIN rollup_service r ON r.service_id = s.id
      UNION ALL
      SELECT 'direct', s.authority_id, s.granularity, r.first_month, r.last_month, 1, coalesce(r.total, 0)
      FROM (SELECT DISTINCT service_id FROM old_rows) o
      JOIN online_services s ON s.id = o.service_id LEFT JOIN rollup_service r ON r.service_id = s.id
      WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = o.service_id)) x;
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_source(delta); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER portal_services_source_insert AFTER INSERT ON portal_services
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portal_services_source();
CREATE TRIGGER portal_services_source_delete AFTER DELETE ON portal_services
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION portal_services_source();

SELECT rebuild_rollup_source();
