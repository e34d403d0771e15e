-- Sums over any period without writing on a GET (docs/reports.md, docs/benchmarks.md). Until now a
-- period that was neither all months nor one calendar year had its per-service sums built on its first
-- question, inside that GET under a table lock (rollup_service_period, migration 0016: 2.1 s at
-- 100,000 services), and then kept for the two periods asked last.
--
-- Instead, per service and month from its first to its last delivered month (gaps included) the
-- running sums up to and including that month: the transactions, the number of delivered months, the
-- latest delivered month so far and the next delivered month after it. A period from F to T is then
-- the row of month T minus the row of month F - 1: two rows per service, looked up by month (index
-- month_idx), fewer where rollup_service already answers (a service whose last month lies in the
-- period needs no row for the end, one that starts in it none for the start). The first delivered
-- month in the period is the next month of the second row, the last one the latest month of the first.
-- Recomputed with rollup_service for the touched services by every change of counts
-- (refreshServiceSummaries in src/db/rollups/maintain.ts, same statement as below): a monthly delivery
-- writes its new month and the next_month of the month before.
CREATE TABLE rollup_service_cumulative (
  service_id   integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  month        date NOT NULL,
  cum_total    bigint NOT NULL,
  cum_months   integer NOT NULL,
  latest_month date,
  next_month   date,
  PRIMARY KEY (service_id, month)
);
-- A period's ends for every service at once: one index-only range per end, joined by hash.
CREATE INDEX rollup_service_cumulative_month_idx ON rollup_service_cumulative (month, service_id)
  INCLUDE (cum_total, cum_months, latest_month, next_month);

INSERT INTO rollup_service_cumulative (service_id, month, cum_total, cum_months, latest_month, next_month)
SELECT s.service_id, g.month::date AS month, (sum(coalesce(m.total, 0)) OVER w)::bigint AS cum_total,
       (count(m.month) OVER w)::int AS cum_months, max(m.month) OVER w AS latest_month,
       min(m.month) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_month
FROM (SELECT service_id, min(month) AS first_month, max(month) AS last_month
      FROM rollup_service_month GROUP BY service_id) s
CROSS JOIN LATERAL generate_series(s.first_month::timestamp, s.last_month::timestamp, interval '1 month') AS g(month)
LEFT JOIN rollup_service_month m ON m.service_id = s.service_id AND m.month = g.month::date
WINDOW w AS (PARTITION BY s.service_id ORDER BY g.month);

DROP TABLE rollup_service_period;
DROP TABLE cached_periods;

-- One mechanism per roll-up. rollup_source (migration 0013) kept per source the first and last month
-- and the total of its services, moved by triggers on rollup_service at every delivery, next to the
-- statements of the delivery path that keep the same figures in rollup_group_month (group 'quelle',
-- migration 0015; regions > 0 marks a delivered month). The report per source now reads those over all
-- months too, and rollup_source keeps only what deliveries do not change: the services of each source
-- per granularity, moved by the triggers on online_services and portal_services (catalogue changes).
DROP TRIGGER rollup_service_source_insert ON rollup_service;
DROP TRIGGER rollup_service_source_update ON rollup_service;
DROP TRIGGER rollup_service_source_delete ON rollup_service;
DROP FUNCTION rollup_service_source();

DELETE FROM rollup_source;
ALTER TABLE rollup_source DROP CONSTRAINT rollup_source_key;
ALTER TABLE rollup_source DROP COLUMN first_month, DROP COLUMN last_month, DROP COLUMN total;
ALTER TABLE rollup_source ADD CONSTRAINT rollup_source_key UNIQUE NULLS NOT DISTINCT (kind, source_id, granularity);

CREATE OR REPLACE FUNCTION rebuild_rollup_source() RETURNS void LANGUAGE sql AS $$
  DELETE FROM rollup_source;
  INSERT INTO rollup_source (kind, source_id, granularity, services)
  SELECT src.kind, src.source_id, s.granularity, count(*)
  FROM service_sources src JOIN online_services s ON s.id = src.service_id
  GROUP BY 1, 2, 3;
$$;

-- The delta functions keep their jsonb shape; only the key without months is summed.
DROP FUNCTION add_to_rollup_source(jsonb);
CREATE FUNCTION add_to_rollup_source(delta jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO rollup_source AS c (kind, source_id, granularity, services)
  SELECT d.kind, d.source_id, d.granularity, sum(d.n)
  FROM jsonb_to_recordset(delta) AS d(kind text, source_id integer, granularity text, n integer)
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT rollup_source_key DO UPDATE SET services = c.services + excluded.services;
  DELETE FROM rollup_source WHERE services = 0;
$$;

CREATE OR REPLACE FUNCTION online_services_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, n.granularity, 1 AS n
      FROM new_rows n JOIN service_sources src ON src.service_id = n.id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Only the direct source depends on the authority; every source on the granularity.
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT src.kind, src.source_id, n.granularity, 1 AS n
      FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN service_sources src ON src.service_id = n.id
      WHERE n.granularity <> o.granularity OR n.authority_id IS DISTINCT FROM o.authority_id
      UNION ALL
      SELECT src.kind, CASE WHEN src.kind = 'direct' THEN o.authority_id ELSE src.source_id END, o.granularity, -1
      FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN service_sources src ON src.service_id = n.id
      WHERE n.granularity <> o.granularity OR n.authority_id IS DISTINCT FROM o.authority_id) x;
  ELSE
    PERFORM rebuild_rollup_source();
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_source(delta); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION portal_services_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT 'portal' AS kind, n.portal_id AS source_id, s.granularity, 1 AS n
      FROM new_rows n JOIN online_services s ON s.id = n.service_id
      UNION ALL
      SELECT 'direct', s.authority_id, s.granularity, -1
      FROM (SELECT DISTINCT service_id FROM new_rows) n
      JOIN online_services s ON s.id = n.service_id
      WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = n.service_id
                          AND NOT EXISTS (SELECT 1 FROM new_rows x WHERE x.service_id = ps.service_id
                                            AND x.portal_id = ps.portal_id))) x;
  ELSE
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT 'portal' AS kind, o.portal_id AS source_id, s.granularity, -1 AS n
      FROM old_rows o JOIN online_services s ON s.id = o.service_id
      UNION ALL
      SELECT 'direct', s.authority_id, s.granularity, 1
      FROM (SELECT DISTINCT service_id FROM old_rows) o
      JOIN online_services s ON s.id = o.service_id
      WHERE NOT EXISTS (SELECT 1 FROM portal_services ps WHERE ps.service_id = o.service_id)) x;
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_source(delta); END IF;
  RETURN NULL;
END $$;

SELECT rebuild_rollup_source();
