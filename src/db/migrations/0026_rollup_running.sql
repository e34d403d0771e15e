-- The running sums of any period as one row per service (docs/reports.md, docs/benchmarks.md).
--
-- Migration 0024 kept them as one row per service and month (rollup_service_cumulative: 3.6 million
-- rows, 589 MB at 100,000 services × 36 months), so a period read two rows per service through two
-- index scans and a join: 186 ms for the report's first page of the latest twelve months, 58 ms for
-- the explorer's 25 largest services, where the same question about a calendar year reads an index in
-- order (10 ms). Here each service has one narrow row holding its running sums as arrays, element i
-- for the i-th month from its first delivered month on (gaps included, so every month up to the last
-- delivered one is an element); a period is two subscripts of one row, and the largest services of
-- any period are one scan of 100,000 small rows with a top-N sort.
--
-- first_month_no is the month number (year * 12 + month - 1) of element 1, so that subscripts are
-- integer arithmetic: the sum at month number m is 0 before first_month_no and the last element
-- after the last delivered month (runningDifference in src/db/rollups/period-sums.ts).
-- Recomputed with rollup_service for the touched services by every change of counts
-- (refreshServiceSummaries in src/db/rollups/maintain.ts, runningSums: the same sums as below, since
-- computed in one ordered pass, which needs no statistics to be planned well).
CREATE TABLE rollup_service_running (
  service_id     integer PRIMARY KEY REFERENCES online_services (id) ON DELETE CASCADE,
  first_month_no integer NOT NULL,
  -- Transactions from the first delivered month up to and including each month.
  totals         bigint[] NOT NULL,
  -- Delivered months likewise.
  months         integer[] NOT NULL
);
-- Scanned whole by the ranking of a period (rankByTotal): with parallel workers the scan took
-- 100-145 ms instead of 30-50 ms on the 2-core benchmark machine (starting workers costs more than
-- the scan saves).
ALTER TABLE rollup_service_running SET (parallel_workers = 0);

INSERT INTO rollup_service_running (service_id, first_month_no, totals, months)
SELECT s.service_id,
       (extract(year FROM s.first_month) * 12 + extract(month FROM s.first_month) - 1)::int,
       array_agg(c.total ORDER BY c.month), array_agg(c.months ORDER BY c.month)
FROM (SELECT service_id, min(month) AS first_month, max(month) AS last_month
      FROM rollup_service_month GROUP BY service_id) s
CROSS JOIN LATERAL (
  SELECT g.month, (sum(coalesce(m.total, 0)) OVER w)::bigint AS total, (count(m.month) OVER w)::int AS months
  FROM generate_series(s.first_month::timestamp, s.last_month::timestamp, interval '1 month') AS g(month)
  LEFT JOIN rollup_service_month m ON m.service_id = s.service_id AND m.month = g.month::date
  WINDOW w AS (ORDER BY g.month)) c
GROUP BY s.service_id, s.first_month;

DROP TABLE rollup_service_cumulative;

-- Whether a service delivered every month from its first to its last, kept with the row: the count of
-- services with data in a period and the completeness rules asked it of every service through
-- month_span, whose four date_part calls made that count 25 ms instead of 7 ms at 100,000 services.
ALTER TABLE rollup_service
  ADD COLUMN gap_free boolean GENERATED ALWAYS AS (months = month_span(first_month, last_month)) STORED;
