-- Reports and the explorer over a period (docs/reports.md, docs/benchmarks.md). Over all months they
-- read one row per service (rollup_service) or per source (rollup_source); a period summed
-- rollup_service_month, 1.2 million rows for 12 months at 100,000 services.

-- 1. Per service and calendar year: first and last month, delivered months and total within the year.
-- A period of whole years reads one row per service and year; only the months of a period's partial
-- years still come from rollup_service_month. Kept with rollup_service (refreshServiceSummaries).
CREATE TABLE rollup_service_year (
  service_id  integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  year        integer NOT NULL,
  first_month date NOT NULL,
  last_month  date NOT NULL,
  months      integer NOT NULL,
  total       bigint NOT NULL,
  PRIMARY KEY (service_id, year)
);
-- The largest services of a year in index order (report per service, explorer top 25).
CREATE INDEX rollup_service_year_total_idx ON rollup_service_year (year, total DESC, service_id);

INSERT INTO rollup_service_year (service_id, year, first_month, last_month, months, total)
SELECT service_id, extract(year FROM month)::int, min(month), max(month), count(*), sum(total)
FROM rollup_service_month
GROUP BY 1, 2;

-- 2. Each data source as a group of rollup_group_month ('quelle': 'portal:<id>' or, for a service in
-- no portal, 'direct:<authority id>'), so the report per source over any period sums a few rows per
-- source and month. regions counts the counts behind a group row: a row with regions > 0 has a
-- delivery (perhaps of 0) in that month, which gives a source's first and last month of a period.
CREATE OR REPLACE VIEW service_groups AS
  SELECT s.id AS service_id, 'typ' AS dimension, s.service_type AS group_key, true AS per_land
  FROM online_services s
  UNION ALL
  SELECT s.id, 'fokus', CASE WHEN s.is_focus THEN 'ja' ELSE 'nein' END, false FROM online_services s
  UNION ALL
  SELECT s.id, 'behoerde', coalesce(s.authority_id::text, ''), false FROM online_services s
  UNION ALL
  SELECT s.id, 'portal', coalesce(ps.portal_id::text, ''), false
  FROM online_services s LEFT JOIN portal_services ps ON ps.service_id = s.id
  UNION ALL
  SELECT s.id, 'ozg', coalesce(o.ozg_id, ''), false
  FROM online_services s LEFT JOIN online_service_ozg o ON o.service_id = s.id
  UNION ALL
  SELECT s.id, 'themenfeld', coalesce(t.themenfeld, ''), false
  FROM online_services s
  LEFT JOIN LATERAL (
    SELECT DISTINCT z.themenfeld FROM online_service_ozg o JOIN ozg_services z ON z.id = o.ozg_id
    WHERE o.service_id = s.id AND z.themenfeld IS NOT NULL
  ) t ON true
  UNION ALL
  SELECT src.service_id, 'quelle', src.kind || ':' || coalesce(src.source_id::text, ''), false
  FROM service_sources src;

ALTER TABLE rollup_group_month ADD COLUMN regions bigint NOT NULL DEFAULT 0;

-- The whole of rollup_group_month from the per-service roll-ups. Dimensions kept per Land read
-- rollup_service_land_month; the others read rollup_service_month, which has the same figures summed
-- over the Länder in a sixteenth of the rows.
CREATE FUNCTION rebuild_rollup_group_month() RETURNS void LANGUAGE sql AS $$
  DELETE FROM rollup_group_month;
  INSERT INTO rollup_group_month (dimension, group_key, land, month, total, regions)
  SELECT g.dimension, g.group_key, r.land, r.month, sum(r.total), sum(r.regions)
  FROM rollup_service_land_month r JOIN service_groups g ON g.service_id = r.service_id AND g.per_land
  GROUP BY 1, 2, 3, 4;
  INSERT INTO rollup_group_month (dimension, group_key, land, month, total, regions)
  SELECT g.dimension, g.group_key, '', r.month, sum(r.total), sum(r.regions)
  FROM rollup_service_month r JOIN service_groups g ON g.service_id = r.service_id AND NOT g.per_land
  GROUP BY 1, 2, 3, 4;
$$;

SELECT rebuild_rollup_group_month();
