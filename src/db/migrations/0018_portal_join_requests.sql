-- A portal's managers may not take a service into their portal on their own: joining hands them its
-- access, tokens and original files. Unless they manage the service too (or are administrators), they
-- ask, and the service's managers or an administrator accept or decline. Only open requests are kept;
-- who asked and who decided is in the audit log.
CREATE TABLE portal_join_requests (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  portal_id    integer NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
  service_id   integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  requested_by integer REFERENCES users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (portal_id, service_id)
);
CREATE INDEX portal_join_requests_service_idx ON portal_join_requests (service_id);
