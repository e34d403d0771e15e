-- Roll-ups for dashboards over all online services (docs/benchmarks.md, bench:query). At 100,000
-- services the per-service roll-ups still hold one row per service and month; a question over every
-- service ("transactions per Land and type", "per portal") must not read all of them.

-- The groups each service belongs to, per explorer dimension: one row per service and group, a
-- service without a link in a dimension belongs to the group '' (no authority, no portal, …). One
-- definition used by the roll-up maintenance (src/db/counts.ts, src/db/rollups.ts) and the explorer.
-- per_land: the roll-up keeps this dimension per Land. Only the types do (every service has exactly
-- one, so they give the totals per Land of all services and Land × type); the others are summed over
-- the Länder (land ''), which keeps e.g. 1,000 authorities at 36 rows each instead of 17 × 36.
CREATE VIEW service_groups AS
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
  -- One row per service and Themenfeld: two OZG services of one Themenfeld count once. LATERAL rather
  -- than GROUP BY over the branch, so that a filter on service_id reaches the online_services scan.
  SELECT s.id, 'themenfeld', coalesce(t.themenfeld, ''), false
  FROM online_services s
  LEFT JOIN LATERAL (
    SELECT DISTINCT z.themenfeld FROM online_service_ozg o JOIN ozg_services z ON z.id = o.ozg_id
    WHERE o.service_id = s.id AND z.themenfeld IS NOT NULL
  ) t ON true;

-- Transactions per group, Land (or '' where the dimension is not kept per Land) and month:
-- rollup_service_land_month summed over the members of each group. Kept current in the same transaction as every change of counts, and moved between groups
-- when a service's groups change (regroupServices in src/db/rollups.ts). Land '00' = nationwide.
CREATE TABLE rollup_group_month (
  dimension text NOT NULL,
  group_key text NOT NULL,
  land      text NOT NULL,
  month     date NOT NULL,
  total     bigint NOT NULL,
  PRIMARY KEY (dimension, month, group_key, land)
);

INSERT INTO rollup_group_month (dimension, group_key, land, month, total)
SELECT g.dimension, g.group_key, CASE WHEN g.per_land THEN r.land ELSE '' END, r.month, sum(r.total)
FROM rollup_service_land_month r JOIN service_groups g ON g.service_id = r.service_id
GROUP BY 1, 2, 3, 4;

-- Lists over all services (completeness, reports) page in the database, ordered by name. The key
-- folds case and German umlauts so that "Ärztekammer" sorts beside "Arzt…", not after "Z";
-- expressions only (immutable), so PGlite and PostgreSQL order alike whatever their locale.
CREATE FUNCTION sort_key(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT translate(lower(name), 'ÄÖÜäöüßÉÈÊéèêÁÀÂáàâÓÒÔóòôÚÙÛúùûÍÌÎíìîÇç', 'aouaouseeeeeeaaaaaaoooooouuuuuuiiiiiicc')
$$;
ALTER TABLE online_services ADD COLUMN sort_name text GENERATED ALWAYS AS (sort_key(name)) STORED;
CREATE INDEX online_services_sort_name_idx ON online_services (sort_name, id);
CREATE INDEX rollup_service_last_month_idx ON rollup_service (last_month);
