-- Back-channel logout (OpenID Connect Back-Channel Logout 1.0): Keycloak tells the ZSK that a person's
-- session there ended, naming it by `sid`. The sign-in stores the `sid` of its ID token with the session.
ALTER TABLE sessions ADD COLUMN oidc_sid text;
CREATE INDEX sessions_oidc_sid_idx ON sessions (oidc_sid) WHERE oidc_sid IS NOT NULL;
