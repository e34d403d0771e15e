-- One row per online service with data: first and last delivered month, number of delivered months and
-- total transactions, i.e. rollup_service_month summed per service. Overviews and reports over all
-- services (all months) read one row per service here instead of aggregating one row per service and
-- month, which at 100,000 services × 36 months is 3.6 million rows (docs/benchmarks.md, bench:query).
-- Kept current in the same transaction as every change of counts (src/db/counts.ts).
CREATE TABLE rollup_service (
  service_id  integer PRIMARY KEY REFERENCES online_services (id) ON DELETE CASCADE,
  first_month date NOT NULL,
  last_month  date NOT NULL,
  months      integer NOT NULL,
  total       bigint NOT NULL
);

INSERT INTO rollup_service (service_id, first_month, last_month, months, total)
SELECT service_id, min(month), max(month), count(*), sum(total)
FROM rollup_service_month
GROUP BY service_id;
