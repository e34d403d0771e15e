-- OpenID Connect sign-in (Keycloak). See docs/architecture.md and README.md, "Anmeldung über OpenID Connect".

-- A sign-in that went to the provider and has not come back yet. The browser holds a random id in a
-- short-lived cookie, the table only its hash, so neither a stolen dump nor a forged cookie can finish
-- someone else's sign-in. Rows are single use and live ten minutes; in the database rather than in
-- the process, so several instances behind a load balancer can each take the callback.
CREATE TABLE oidc_logins (
  id_hash        text PRIMARY KEY,
  state          text NOT NULL,
  nonce          text NOT NULL,
  code_verifier  text NOT NULL,
  next_path      text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

-- The ID token of a session signed in over OIDC: the id_token_hint of the provider's logout
-- (RP-initiated logout). NULL for local sign-ins.
ALTER TABLE sessions ADD COLUMN oidc_id_token text;
