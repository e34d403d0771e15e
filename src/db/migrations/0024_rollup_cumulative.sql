-- Sums over any period without writing on a GET (docs/reports.md, docs/benchmarks.md). Until now a
-- period that was neither all months nor one calendar year had its per-service sums built on its first
-- question, inside that GET under a table lock (rollup_service_period, migration 0016: 2.1 s at
-- 100,000 services), and then kept for the two periods asked last.
--
-- Instead, per service and delivered month the running sums up to and including that month: the
-- transactions, the number of delivered months, and the next delivered month. A period from F to T is
-- then the row of the last delivered month up to T minus the row of the last delivered month before F,
-- two rows per service (one where the service's last month lies in the period: rollup_service has it);
-- the first delivered month in the period is the next month of the second row. Recomputed with
-- rollup_service for the touched services by every change of counts (refreshServiceSummaries in
-- src/db/rollups/maintain.ts): a monthly delivery writes its new month and the previous month's next.
CREATE TABLE rollup_service_cumulative (
  service_id  integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  month       date NOT NULL,
  cum_total   bigint NOT NULL,
  cum_months  integer NOT NULL,
  next_month  date,
  PRIMARY KEY (service_id, month)
);

INSERT INTO rollup_service_cumulative (service_id, month, cum_total, cum_months, next_month)
SELECT service_id, month, sum(total) OVER w, (count(*) OVER w)::int, lead(month) OVER w
FROM rollup_service_month
WINDOW w AS (PARTITION BY service_id ORDER BY month);

DROP TABLE rollup_service_period;
DROP TABLE cached_periods;
