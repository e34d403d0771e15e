-- Progress of a confirmed upload (issue 5): storing 100,000 rows takes seconds, and the status page
-- polls it. Kept in the database, not in the memory of one process, so that any app instance answers
-- the status of an upload another instance is storing.
--   pending: previewed, not yet confirmed        running: being stored, rows_done of rows_total
--   done:    stored as delivery_id                failed:  nothing stored, failure says why
-- progress_at is the database's time of the last sign of life; a running upload silent for minutes
-- belongs to a process that ended, and its transaction (hence the delivery) was rolled back.
ALTER TABLE pending_uploads
  ADD COLUMN status      text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'running', 'done', 'failed')),
  ADD COLUMN rows_done   integer NOT NULL DEFAULT 0,
  ADD COLUMN rows_total  integer,
  ADD COLUMN delivery_id bigint REFERENCES deliveries (id) ON DELETE SET NULL,
  ADD COLUMN failure     text,
  ADD COLUMN progress_at timestamptz;
