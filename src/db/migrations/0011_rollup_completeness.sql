-- Completeness figures over all services without reading one row per service (docs/completeness.md,
-- docs/benchmarks.md). Whether a service is gap-free or overdue depends on the date of the question,
-- but only through a few facts of its delivered months: first and last month, whether the months in
-- between are all there (contiguous) and whether the month before the last is there (before_last,
-- which answers "is the last closed month delivered" for a service that already delivered the running
-- month). rollup_completeness counts the services per priority group and combination of those facts;
-- a few hundred rows however many services there are.

ALTER TABLE rollup_service ADD COLUMN before_last boolean NOT NULL DEFAULT false;
UPDATE rollup_service r SET before_last = EXISTS (
  SELECT 1 FROM rollup_service_month m
  WHERE m.service_id = r.service_id AND m.month = (r.last_month - interval '1 month')::date);

-- The priority groups of the federal reports, in this order: Fokusleistungen, Typ 1, Typ 2/3, Typ 4/5.
CREATE FUNCTION priority_group(is_focus boolean, service_type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN is_focus THEN 'focus' WHEN service_type = '1' THEN 'type1'
              WHEN service_type = '2/3' THEN 'type23' ELSE 'type45' END
$$;

-- Number of months from first to last, both included.
CREATE FUNCTION month_span(first_month date, last_month date) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT ((date_part('year', last_month) - date_part('year', first_month)) * 12
          + date_part('month', last_month) - date_part('month', first_month))::integer + 1
$$;

-- Services without any delivery have NULL facts.
CREATE TABLE rollup_completeness (
  grp         text NOT NULL,
  first_month date,
  last_month  date,
  contiguous  boolean,
  before_last boolean,
  services    integer NOT NULL,
  CONSTRAINT rollup_completeness_key UNIQUE NULLS NOT DISTINCT (grp, first_month, last_month, contiguous, before_last)
);

CREATE FUNCTION rebuild_rollup_completeness() RETURNS void LANGUAGE sql AS $$
  DELETE FROM rollup_completeness;
  INSERT INTO rollup_completeness (grp, first_month, last_month, contiguous, before_last, services)
  SELECT priority_group(s.is_focus, s.service_type), r.first_month, r.last_month,
         r.months = month_span(r.first_month, r.last_month), r.before_last, count(*)
  FROM online_services s LEFT JOIN rollup_service r ON r.service_id = s.id
  GROUP BY 1, 2, 3, 4, 5;
$$;

-- Adds signed service counts per bucket; rows in key order, so that concurrent writers lock shared
-- bucket rows in the same order. Empty buckets go.
CREATE FUNCTION add_to_rollup_completeness(delta jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO rollup_completeness AS c (grp, first_month, last_month, contiguous, before_last, services)
  SELECT d.grp, d.first_month, d.last_month, d.contiguous, d.before_last, sum(d.n)
  FROM jsonb_to_recordset(delta) AS d(grp text, first_month date, last_month date, contiguous boolean,
                                      before_last boolean, n integer)
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT rollup_completeness_key DO UPDATE SET services = c.services + excluded.services;
  DELETE FROM rollup_completeness WHERE services = 0;
$$;

-- rollup_service changed (every write of counts, src/db/counts.ts): its services move between buckets.
CREATE FUNCTION rollup_service_completeness() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(s.is_focus, s.service_type) AS grp, n.first_month, n.last_month,
             n.months = month_span(n.first_month, n.last_month) AS contiguous, n.before_last, 1 AS n
      FROM new_rows n JOIN online_services s ON s.id = n.service_id
      UNION ALL
      SELECT priority_group(s.is_focus, s.service_type), NULL, NULL, NULL, NULL, -1
      FROM new_rows n JOIN online_services s ON s.id = n.service_id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(s.is_focus, s.service_type) AS grp, n.first_month, n.last_month,
             n.months = month_span(n.first_month, n.last_month) AS contiguous, n.before_last, 1 AS n
      FROM new_rows n JOIN online_services s ON s.id = n.service_id
      UNION ALL
      SELECT priority_group(s.is_focus, s.service_type), o.first_month, o.last_month,
             o.months = month_span(o.first_month, o.last_month), o.before_last, -1
      FROM old_rows o JOIN online_services s ON s.id = o.service_id) x;
  ELSE
    -- A deleted service (cascade) has no online_services row any more: nothing to move.
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(s.is_focus, s.service_type) AS grp, o.first_month, o.last_month,
             o.months = month_span(o.first_month, o.last_month) AS contiguous, o.before_last, -1 AS n
      FROM old_rows o JOIN online_services s ON s.id = o.service_id
      UNION ALL
      SELECT priority_group(s.is_focus, s.service_type), NULL, NULL, NULL, NULL, 1
      FROM old_rows o JOIN online_services s ON s.id = o.service_id) x;
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_completeness(delta); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER rollup_service_completeness_insert AFTER INSERT ON rollup_service
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_service_completeness();
CREATE TRIGGER rollup_service_completeness_update AFTER UPDATE ON rollup_service
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_service_completeness();
CREATE TRIGGER rollup_service_completeness_delete AFTER DELETE ON rollup_service
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_service_completeness();

-- A new service counts as connected without deliveries; a new type or Fokus moves it to another
-- group; a deleted one leaves (rebuilt, as its rollup_service row may already be gone).
CREATE FUNCTION online_services_completeness() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(n.is_focus, n.service_type) AS grp, r.first_month, r.last_month,
             r.months = month_span(r.first_month, r.last_month) AS contiguous, r.before_last, 1 AS n
      FROM new_rows n LEFT JOIN rollup_service r ON r.service_id = n.id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(n.is_focus, n.service_type) AS grp, r.first_month, r.last_month,
             r.months = month_span(r.first_month, r.last_month) AS contiguous, r.before_last, 1 AS n
      FROM new_rows n JOIN old_rows o ON o.id = n.id LEFT JOIN rollup_service r ON r.service_id = n.id
      WHERE priority_group(n.is_focus, n.service_type) <> priority_group(o.is_focus, o.service_type)
      UNION ALL
      SELECT priority_group(o.is_focus, o.service_type), r.first_month, r.last_month,
             r.months = month_span(r.first_month, r.last_month), r.before_last, -1
      FROM new_rows n JOIN old_rows o ON o.id = n.id LEFT JOIN rollup_service r ON r.service_id = n.id
      WHERE priority_group(n.is_focus, n.service_type) <> priority_group(o.is_focus, o.service_type)) x;
  ELSE
    PERFORM rebuild_rollup_completeness();
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_completeness(delta); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER online_services_completeness_insert AFTER INSERT ON online_services
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION online_services_completeness();
CREATE TRIGGER online_services_completeness_update AFTER UPDATE ON online_services
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION online_services_completeness();
CREATE TRIGGER online_services_completeness_delete AFTER DELETE ON online_services
  FOR EACH STATEMENT EXECUTE FUNCTION online_services_completeness();

SELECT rebuild_rollup_completeness();

-- Pages of the report per service sorted by a figure.
CREATE INDEX rollup_service_total_idx ON rollup_service (total, service_id);
