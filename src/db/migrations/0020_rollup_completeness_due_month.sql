-- Overdue is judged for the due month: the last closed month L once its grace days are over, before
-- that the month before L (docs/completeness.md). During the grace days a service may already have
-- delivered L and the running month, and then whether the due month is there is the question whether
-- the month two before its last one is: a fact the buckets of 0011 do not keep. two_before_last keeps
-- it, as before_last keeps the month before the last; no other month can be the due month's
-- neighbour, as no month after the running one is stored (month_in_future).

ALTER TABLE rollup_service ADD COLUMN two_before_last boolean NOT NULL DEFAULT false;
UPDATE rollup_service r SET two_before_last = EXISTS (
  SELECT 1 FROM rollup_service_month m
  WHERE m.service_id = r.service_id AND m.month = (r.last_month - interval '2 months')::date);

ALTER TABLE rollup_completeness ADD COLUMN two_before_last boolean;
ALTER TABLE rollup_completeness DROP CONSTRAINT rollup_completeness_key;
ALTER TABLE rollup_completeness ADD CONSTRAINT rollup_completeness_key
  UNIQUE NULLS NOT DISTINCT (grp, first_month, last_month, contiguous, before_last, two_before_last);

CREATE OR REPLACE FUNCTION rebuild_rollup_completeness() RETURNS void LANGUAGE sql AS $$
  DELETE FROM rollup_completeness;
  INSERT INTO rollup_completeness (grp, first_month, last_month, contiguous, before_last, two_before_last, services)
  SELECT priority_group(s.is_focus, s.service_type), r.first_month, r.last_month,
         r.months = month_span(r.first_month, r.last_month), r.before_last, r.two_before_last, count(*)
  FROM online_services s LEFT JOIN rollup_service r ON r.service_id = s.id
  GROUP BY 1, 2, 3, 4, 5, 6;
$$;

-- Rows in key order, so that concurrent writers lock shared bucket rows in the same order.
CREATE OR REPLACE FUNCTION add_to_rollup_completeness(delta jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO rollup_completeness AS c (grp, first_month, last_month, contiguous, before_last, two_before_last, services)
  SELECT d.grp, d.first_month, d.last_month, d.contiguous, d.before_last, d.two_before_last, sum(d.n)
  FROM jsonb_to_recordset(delta) AS d(grp text, first_month date, last_month date, contiguous boolean,
                                      before_last boolean, two_before_last boolean, n integer)
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT rollup_completeness_key DO UPDATE SET services = c.services + excluded.services;
  DELETE FROM rollup_completeness WHERE services = 0;
$$;

CREATE OR REPLACE FUNCTION rollup_service_completeness() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(s.is_focus, s.service_type) AS grp, n.first_month, n.last_month,
             n.months = month_span(n.first_month, n.last_month) AS contiguous, n.before_last,
             n.two_before_last, 1 AS n
      FROM new_rows n JOIN online_services s ON s.id = n.service_id
      UNION ALL
      SELECT priority_group(s.is_focus, s.service_type), NULL, NULL, NULL, NULL, NULL, -1
      FROM new_rows n JOIN online_services s ON s.id = n.service_id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(s.is_focus, s.service_type) AS grp, n.first_month, n.last_month,
             n.months = month_span(n.first_month, n.last_month) AS contiguous, n.before_last,
             n.two_before_last, 1 AS n
      FROM new_rows n JOIN online_services s ON s.id = n.service_id
      UNION ALL
      SELECT priority_group(s.is_focus, s.service_type), o.first_month, o.last_month,
             o.months = month_span(o.first_month, o.last_month), o.before_last, o.two_before_last, -1
      FROM old_rows o JOIN online_services s ON s.id = o.service_id) x;
  ELSE
    -- A deleted service (cascade) has no online_services row any more: nothing to move.
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(s.is_focus, s.service_type) AS grp, o.first_month, o.last_month,
             o.months = month_span(o.first_month, o.last_month) AS contiguous, o.before_last,
             o.two_before_last, -1 AS n
      FROM old_rows o JOIN online_services s ON s.id = o.service_id
      UNION ALL
      SELECT priority_group(s.is_focus, s.service_type), NULL, NULL, NULL, NULL, NULL, 1
      FROM old_rows o JOIN online_services s ON s.id = o.service_id) x;
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_completeness(delta); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION online_services_completeness() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(n.is_focus, n.service_type) AS grp, r.first_month, r.last_month,
             r.months = month_span(r.first_month, r.last_month) AS contiguous, r.before_last,
             r.two_before_last, 1 AS n
      FROM new_rows n LEFT JOIN rollup_service r ON r.service_id = n.id) x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO delta FROM (
      SELECT priority_group(n.is_focus, n.service_type) AS grp, r.first_month, r.last_month,
             r.months = month_span(r.first_month, r.last_month) AS contiguous, r.before_last,
             r.two_before_last, 1 AS n
      FROM new_rows n JOIN old_rows o ON o.id = n.id LEFT JOIN rollup_service r ON r.service_id = n.id
      WHERE priority_group(n.is_focus, n.service_type) <> priority_group(o.is_focus, o.service_type)
      UNION ALL
      SELECT priority_group(o.is_focus, o.service_type), r.first_month, r.last_month,
             r.months = month_span(r.first_month, r.last_month), r.before_last, r.two_before_last, -1
      FROM new_rows n JOIN old_rows o ON o.id = n.id LEFT JOIN rollup_service r ON r.service_id = n.id
      WHERE priority_group(n.is_focus, n.service_type) <> priority_group(o.is_focus, o.service_type)) x;
  ELSE
    PERFORM rebuild_rollup_completeness();
  END IF;
  IF delta IS NOT NULL THEN PERFORM add_to_rollup_completeness(delta); END IF;
  RETURN NULL;
END $$;

SELECT rebuild_rollup_completeness();
