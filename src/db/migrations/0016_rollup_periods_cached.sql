-- Per-service sums of a period that is neither all months nor whole calendar years, kept for the
-- periods asked last (docs/reports.md). Such a period sums one row per service and month at its ends
-- (rollup_service_month): 0.6 s for the latest twelve months at 100,000 services, the explorer's
-- default period. The first question about a period stores its sums here (src/db/period-sums.ts);
-- from then on every change of counts keeps them current (refreshServiceSummaries), like
-- rollup_service_year. At most a few periods are kept; building another drops the oldest.
CREATE TABLE cached_periods (
  period_from date NOT NULL,
  period_to   date NOT NULL,
  built_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (period_from, period_to)
);

-- No foreign keys: their checks were 1.8 s of the 4 s a build of 100,000 rows took (bench:query).
-- The rows of a period go with it (periodForAllServices, rebuildRollups); online services are never
-- deleted, and every reader joins online_services.
CREATE TABLE rollup_service_period (
  period_from date NOT NULL,
  period_to   date NOT NULL,
  service_id  integer NOT NULL,
  first_month date NOT NULL,
  last_month  date NOT NULL,
  months      integer NOT NULL,
  total       bigint NOT NULL,
  PRIMARY KEY (period_from, period_to, service_id)
);
-- The largest services of a period in index order (report per service, explorer top 25).
CREATE INDEX rollup_service_period_total_idx ON rollup_service_period (period_from, period_to, total DESC, service_id);
