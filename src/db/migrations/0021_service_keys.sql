-- Portals deliver and manage their services under their own stable keys (issue 13). The key belongs
-- to the portal's link to the service, not to the service: a service in two portals may carry two
-- keys, and a portal's keys must not collide with each other only. Links made on the web pages have
-- none (NULL), and a unique index ignores NULLs.
ALTER TABLE portal_services ADD COLUMN service_key text;
CREATE UNIQUE INDEX portal_services_key_idx ON portal_services (portal_id, service_key);

-- Personal tokens: bound to an account and acting for what that person manages at the time of each
-- request (so a revoked role takes effect at once). Exactly one of service, portal or account.
ALTER TABLE access_tokens ADD COLUMN user_id integer REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_one_scope CHECK (
  (service_id IS NOT NULL)::int + (portal_id IS NOT NULL)::int + (user_id IS NOT NULL)::int = 1
);
CREATE INDEX access_tokens_user_idx ON access_tokens (user_id);
