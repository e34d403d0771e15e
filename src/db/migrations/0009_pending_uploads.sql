-- Uploaded delivery files between the preview and the confirmation, so people confirm what they saw
-- without sending the file again. Bound to the user who uploaded; removed on confirm or cancel, and
-- expired ones whenever a new upload arrives.
CREATE TABLE pending_uploads (
  id          text PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  service_id  integer REFERENCES online_services (id) ON DELETE CASCADE,
  portal_id   integer REFERENCES portals (id) ON DELETE CASCADE,
  channel     text NOT NULL CHECK (channel IN ('csv', 'xlsx')),
  file_name   text NOT NULL,
  media_type  text NOT NULL,
  content     bytea NOT NULL,
  preview     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  CHECK ((service_id IS NULL) <> (portal_id IS NULL))
);
CREATE INDEX pending_uploads_expires_idx ON pending_uploads (expires_at);
