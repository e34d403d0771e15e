-- Wrong passwords per e-mail address, whether an account has it or not: the answer after too many
-- must not tell whether the address has an account. Keyed by the SHA-256 of the lower-cased address,
-- so addresses tried by strangers are not kept readable. Replaces users.failed_logins/locked_until
-- (left in place, no longer read).
CREATE TABLE login_throttle (
  email_hash text PRIMARY KEY,
  failures integer NOT NULL,
  blocked_until timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX login_throttle_updated_at_idx ON login_throttle (updated_at);
