-- The ZSK data model. Runs unchanged on PGlite and PostgreSQL 15+; docs/architecture.md explains
-- why each table exists. Months are stored as the first day of the month (date): 4 bytes, range
-- queries and date arithmetic for free.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Master data: regions (ARS, 12 digits; 000000000000 = nationwide)
CREATE TABLE regions (
  ars         text PRIMARY KEY CHECK (ars ~ '^[0-9]{12}$'),
  name        text NOT NULL,
  level       text NOT NULL CHECK (level IN ('bund', 'land', 'regierungsbezirk', 'kreis', 'gemeindeverband', 'gemeinde')),
  -- One key can name regions of several levels: a city state (Berlin, Hamburg) is Land, Kreis and
  -- Gemeinde; a kreisfreie Stadt is Kreis and Gemeinde. `level` is the coarsest, the flags the others.
  is_kreis    boolean NOT NULL DEFAULT false,
  is_gemeinde boolean NOT NULL DEFAULT false,
  parent_ars  text REFERENCES regions (ars),
  kind        text,
  population  integer,
  valid_from  date,
  source      text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX regions_parent_idx ON regions (parent_ars);
CREATE INDEX regions_level_idx ON regions (level);

-- Master data: the service catalogue (LeiKa keys, OZG services and their links)
CREATE TABLE leika_services (
  key          text PRIMARY KEY CHECK (key ~ '^[0-9]{14}$'),
  name         text NOT NULL,
  typisierung  text,
  withdrawn_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leika_services_name_trgm ON leika_services USING gin (name gin_trgm_ops);

CREATE TABLE ozg_services (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  themenfeld   text,
  lebenslage   text,
  withdrawn_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ozg_services_name_trgm ON ozg_services USING gin (name gin_trgm_ops);

CREATE TABLE ozg_service_leika (
  ozg_id    text NOT NULL REFERENCES ozg_services (id) ON DELETE CASCADE,
  leika_key text NOT NULL REFERENCES leika_services (key) ON DELETE CASCADE,
  PRIMARY KEY (ozg_id, leika_key)
);
CREATE INDEX ozg_service_leika_leika_idx ON ozg_service_leika (leika_key);

-- One row per import, so the UI can show the age of the master data and what changed.
CREATE TABLE master_data_imports (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('regions', 'catalogue')),
  source      text NOT NULL,
  data_as_of  date,
  summary     jsonb NOT NULL DEFAULT '{}',
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- Who: authorities and users. No personal data beyond what an account needs.
CREATE TABLE authorities (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  land       text CHECK (land ~ '^[0-9]{2}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX authorities_name_key ON authorities (lower(name));

CREATE TABLE users (
  id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email          text NOT NULL,
  name           text NOT NULL,
  authority_id   integer REFERENCES authorities (id),
  purpose        text,
  password_hash  text,
  oidc_subject   text UNIQUE,
  is_admin       boolean NOT NULL DEFAULT false,
  status         text NOT NULL DEFAULT 'pending_verification'
                 CHECK (status IN ('pending_verification', 'pending_approval', 'active', 'rejected', 'disabled')),
  status_reason  text,
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Server-side sessions; the cookie carries a random id, the table only its hash.
CREATE TABLE sessions (
  id_hash     text PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Links mailed to people: e-mail verification, password reset, invitation. Hash only.
CREATE TABLE one_time_tokens (
  token_hash  text PRIMARY KEY,
  purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invitation')),
  user_id     integer REFERENCES users (id) ON DELETE CASCADE,
  email       text,
  payload     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);

-- What: online services and portals
CREATE TABLE online_services (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL,
  url           text,
  authority_id  integer REFERENCES authorities (id),
  service_type  text NOT NULL CHECK (service_type IN ('1', '2/3', '4', '5')),
  build_mode    text NOT NULL CHECK (build_mode IN ('efa', 'own')),
  is_focus      boolean NOT NULL DEFAULT false,
  granularity   text NOT NULL CHECK (granularity IN ('bund', 'land', 'kreis', 'gemeinde')),
  description   text,
  created_by    integer REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX online_services_name_trgm ON online_services USING gin (name gin_trgm_ops);
CREATE INDEX online_services_authority_idx ON online_services (authority_id);

CREATE TABLE online_service_leika (
  service_id integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  leika_key  text NOT NULL REFERENCES leika_services (key),
  PRIMARY KEY (service_id, leika_key)
);
CREATE INDEX online_service_leika_key_idx ON online_service_leika (leika_key);

CREATE TABLE online_service_ozg (
  service_id integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  ozg_id     text NOT NULL REFERENCES ozg_services (id),
  PRIMARY KEY (service_id, ozg_id)
);
CREATE INDEX online_service_ozg_ozg_idx ON online_service_ozg (ozg_id);

CREATE TABLE portals (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  url          text,
  authority_id integer REFERENCES authorities (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX portals_name_key ON portals (lower(name));

CREATE TABLE portal_services (
  portal_id  integer NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
  service_id integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  added_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (portal_id, service_id)
);
CREATE INDEX portal_services_service_idx ON portal_services (service_id);

-- Roles: a user manages one service or one portal (which covers its services). Reading needs no row:
-- every signed-in user reads all data.
CREATE TABLE memberships (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  service_id  integer REFERENCES online_services (id) ON DELETE CASCADE,
  portal_id   integer REFERENCES portals (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('service_manager', 'portal_manager')),
  granted_by  integer REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'service_manager' AND service_id IS NOT NULL AND portal_id IS NULL)
      OR (role = 'portal_manager' AND portal_id IS NOT NULL AND service_id IS NULL))
);
CREATE UNIQUE INDEX memberships_service_key ON memberships (user_id, service_id) WHERE service_id IS NOT NULL;
CREATE UNIQUE INDEX memberships_portal_key ON memberships (user_id, portal_id) WHERE portal_id IS NOT NULL;

-- Access tokens for the delivery API: only a SHA-256 of the 256-bit random secret is stored.
CREATE TABLE access_tokens (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash   text NOT NULL UNIQUE,
  -- The first characters, shown in lists so people can tell their tokens apart.
  prefix       text NOT NULL,
  label        text NOT NULL,
  service_id   integer REFERENCES online_services (id) ON DELETE CASCADE,
  portal_id    integer REFERENCES portals (id) ON DELETE CASCADE,
  created_by   integer REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  CHECK ((service_id IS NULL) <> (portal_id IS NULL))
);

-- Deliveries: one row per accepted or rejected delivery through any channel.
CREATE TABLE deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id      integer REFERENCES online_services (id) ON DELETE SET NULL,
  portal_id       integer REFERENCES portals (id) ON DELETE SET NULL,
  channel         text NOT NULL CHECK (channel IN ('api', 'form', 'csv', 'xlsx', 'matomo', 'demo')),
  user_id         integer REFERENCES users (id),
  token_id        integer REFERENCES access_tokens (id) ON DELETE SET NULL,
  status          text NOT NULL CHECK (status IN ('accepted', 'partial', 'rejected')),
  rows_total      integer NOT NULL DEFAULT 0,
  created         integer NOT NULL DEFAULT 0,
  updated         integer NOT NULL DEFAULT 0,
  unchanged       integer NOT NULL DEFAULT 0,
  rejected        integer NOT NULL DEFAULT 0,
  errors          jsonb NOT NULL DEFAULT '[]',
  first_month     date,
  last_month      date,
  idempotency_key text,
  request_hash    text,
  response        jsonb,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_service_idx ON deliveries (service_id, created_at DESC);
CREATE INDEX deliveries_portal_idx ON deliveries (portal_id, created_at DESC);
-- An Idempotency-Key is unique per token (or per user for the web channels).
CREATE UNIQUE INDEX deliveries_idempotency_key ON deliveries (coalesce(token_id, -1), coalesce(user_id, -1), idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- The uploaded file as received, so suppliers can download what they sent.
CREATE TABLE delivery_files (
  delivery_id bigint PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
  file_name   text NOT NULL,
  media_type  text NOT NULL,
  content     bytea NOT NULL
);

-- The facts: one transaction count per service, month and region. Nothing about persons.
CREATE TABLE counts (
  service_id  integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  month       date NOT NULL CHECK (extract(day FROM month) = 1 AND month >= DATE '2000-01-01'),
  ars         text NOT NULL REFERENCES regions (ars),
  count       integer NOT NULL CHECK (count >= 0),
  delivery_id bigint REFERENCES deliveries (id) ON DELETE SET NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service_id, month, ars)
);

-- Roll-ups, kept current in the same transaction as every change of counts (src/db/rollups.ts),
-- so dashboards never scan the base table.
CREATE TABLE rollup_service_month (
  service_id integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  month      date NOT NULL,
  total      bigint NOT NULL,
  regions    integer NOT NULL,
  PRIMARY KEY (service_id, month)
);

CREATE TABLE rollup_service_land_month (
  service_id integer NOT NULL REFERENCES online_services (id) ON DELETE CASCADE,
  land       text NOT NULL,
  month      date NOT NULL,
  total      bigint NOT NULL,
  regions    integer NOT NULL,
  PRIMARY KEY (service_id, land, month)
);

-- Every change, old value -> new value; written in the same transaction as the change.
CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer REFERENCES users (id) ON DELETE SET NULL,
  actor_token_id integer REFERENCES access_tokens (id) ON DELETE SET NULL,
  action        text NOT NULL,
  entity        text NOT NULL,
  entity_id     text NOT NULL,
  old_value     jsonb,
  new_value     jsonb,
  delivery_id   bigint REFERENCES deliveries (id) ON DELETE SET NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_delivery_idx ON audit_log (delivery_id);
