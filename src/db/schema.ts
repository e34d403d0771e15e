import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable } from 'kysely';
import type { BuildMode, Granularity, ServiceType } from '../domain/vocabulary.js';

/**
 * Kysely's view of the tables in migrations/*.sql. Dates (`date`) are read as 'YYYY-MM-DD' strings and
 * bigint as number (see database.ts), so the types say string / number.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DefaultNow = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;
type Id = Generated<number>;

export interface RegionsTable {
  ars: string;
  name: string;
  level: 'bund' | 'land' | 'regierungsbezirk' | 'kreis' | 'gemeindeverband' | 'gemeinde';
  is_kreis: Generated<boolean>;
  is_gemeinde: Generated<boolean>;
  parent_ars: string | null;
  kind: string | null;
  population: number | null;
  valid_from: string | null;
  source: string;
  updated_at: DefaultNow;
}

export interface LeikaServicesTable {
  key: string;
  name: string;
  typisierung: string | null;
  keywords: ColumnType<string, string | undefined, string>;
  withdrawn_at: Timestamp | null;
  updated_at: DefaultNow;
}

export interface OzgServicesTable {
  id: string;
  name: string;
  themenfeld: string | null;
  lebenslage: string | null;
  keywords: ColumnType<string, string | undefined, string>;
  withdrawn_at: Timestamp | null;
  updated_at: DefaultNow;
}

export interface OzgServiceLeikaTable {
  ozg_id: string;
  leika_key: string;
}

export interface MasterDataImportsTable {
  id: Id;
  kind: 'regions' | 'catalogue';
  source: string;
  data_as_of: string | null;
  summary: Json<Record<string, unknown>>;
  imported_at: DefaultNow;
}

export interface AuthoritiesTable {
  id: Id;
  name: string;
  land: string | null;
  created_at: DefaultNow;
}

export type UserStatus = 'pending_verification' | 'pending_approval' | 'active' | 'rejected' | 'disabled';

export interface UsersTable {
  id: Id;
  email: string;
  name: string;
  authority_id: number | null;
  purpose: string | null;
  password_hash: string | null;
  oidc_subject: string | null;
  is_admin: Generated<boolean>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  status_reason: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  last_login_at: Timestamp | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: DefaultNow;
  expires_at: Timestamp;
  last_seen_at: DefaultNow;
  /** The ID token of an OIDC sign-in, for the provider's logout; null for local sign-ins. */
  oidc_id_token: ColumnType<string | null, string | null | undefined, string | null>;
  /** The provider's session (`sid` of the ID token), for back-channel logout (migration 0017). */
  oidc_sid: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OidcLoginsTable {
  id_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  next_path: string | null;
  created_at: DefaultNow;
  expires_at: Timestamp;
}

/** Wrong passwords per e-mail address, known or not (migration 0019); see accounts/login.ts. */
export interface LoginThrottleTable {
  email_hash: string;
  failures: number;
  blocked_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface OneTimeTokensTable {
  token_hash: string;
  purpose: 'verify_email' | 'reset_password' | 'invitation';
  user_id: number | null;
  email: string | null;
  payload: Json<Record<string, unknown>>;
  created_at: DefaultNow;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OnlineServicesTable {
  id: Id;
  name: string;
  url: string | null;
  authority_id: number | null;
  service_type: ServiceType;
  build_mode: BuildMode;
  is_focus: Generated<boolean>;
  granularity: Granularity;
  description: string | null;
  created_by: number | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
  /** Name folded for ordering (lower case, umlauts as base letters); generated (migration 0010). */
  sort_name: GeneratedAlways<string>;
  /** false keeps the service out of every public output, sums included (migration 0022). */
  published: Generated<boolean>;
}

export interface OnlineServiceLeikaTable {
  service_id: number;
  leika_key: string;
}

export interface OnlineServiceOzgTable {
  service_id: number;
  ozg_id: string;
}

export interface PortalsTable {
  id: Id;
  name: string;
  url: string | null;
  authority_id: number | null;
  created_at: DefaultNow;
  updated_at: DefaultNow;
}

export interface PortalServicesTable {
  portal_id: number;
  service_id: number;
  added_at: DefaultNow;
  /** The portal's own stable key of the service, unique within the portal (migration 0021). */
  service_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/** An open request of a portal's managers to add a service they do not manage (decided ones are deleted). */
export interface PortalJoinRequestsTable {
  id: Id;
  portal_id: number;
  service_id: number;
  requested_by: number | null;
  created_at: DefaultNow;
}

export type Role = 'service_manager' | 'portal_manager';

export interface MembershipsTable {
  id: Id;
  user_id: number;
  service_id: number | null;
  portal_id: number | null;
  role: Role;
  granted_by: number | null;
  created_at: DefaultNow;
}

export interface AccessTokensTable {
  id: Id;
  token_hash: string;
  prefix: string;
  label: string;
  service_id: number | null;
  portal_id: number | null;
  /** A personal token acts for what this account manages (migration 0021). */
  user_id: ColumnType<number | null, number | null | undefined, number | null>;
  created_by: number | null;
  created_at: DefaultNow;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export type Channel = 'api' | 'form' | 'csv' | 'xlsx' | 'matomo' | 'demo';
export type DeliveryStatus = 'accepted' | 'partial' | 'rejected';

export interface DeliveriesTable {
  id: Id;
  service_id: number | null;
  portal_id: number | null;
  channel: Channel;
  user_id: number | null;
  token_id: number | null;
  status: DeliveryStatus;
  rows_total: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  errors: Json<unknown[]>;
  first_month: string | null;
  last_month: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  response: Json<unknown> | null;
  created_at: DefaultNow;
}

export interface DeliveryFilesTable {
  delivery_id: number;
  file_name: string;
  media_type: string;
  content: Buffer;
}

export interface PendingUploadsTable {
  id: string;
  user_id: number;
  service_id: number | null;
  portal_id: number | null;
  channel: 'csv' | 'xlsx';
  file_name: string;
  media_type: string;
  content: Buffer;
  preview: Json<unknown>;
  created_at: DefaultNow;
  expires_at: Timestamp;
  /** 0012: progress of the confirmed upload. */
  status: ColumnType<UploadStatus, UploadStatus | undefined, UploadStatus>;
  rows_done: Generated<number>;
  rows_total: number | null;
  delivery_id: number | null;
  failure: string | null;
  progress_at: Timestamp | null;
}

export type UploadStatus = 'pending' | 'running' | 'done' | 'failed';

export interface CountsTable {
  service_id: number;
  month: string;
  ars: string;
  count: number;
  delivery_id: number | null;
  updated_at: DefaultNow;
}

export interface RollupServiceMonthTable {
  service_id: number;
  month: string;
  total: number;
  regions: number;
}

/** rollup_service_month summed per service (migration 0003); no row = no data yet. */
export interface RollupServiceTable {
  service_id: number;
  first_month: string;
  last_month: string;
  months: number;
  total: number;
  /** The month before last_month was delivered (migration 0011). */
  before_last: Generated<boolean>;
  /** The month two before last_month was delivered (migration 0020). */
  two_before_last: Generated<boolean>;
  /** Every month from first_month to last_month delivered (migration 0026). */
  gap_free: GeneratedAlways<boolean>;
}

export interface RollupServiceLandMonthTable {
  service_id: number;
  land: string;
  month: string;
  total: number;
  regions: number;
}

/** Transactions per group of services, Land and month (migration 0010, view service_groups). */
export interface RollupGroupMonthTable {
  dimension: string;
  group_key: string;
  land: string;
  month: string;
  total: number;
  /** Counts behind the row; 0 = none left (retracted or moved to another group), migration 0015. */
  regions: Generated<number>;
}

/** rollup_service_month summed per service and calendar year (migration 0015). */
export interface RollupServiceYearTable {
  service_id: number;
  year: number;
  first_month: string;
  last_month: string;
  months: number;
  total: number;
}

/**
 * Running sums per service (migration 0026): element i of each array is the month i - 1 months after
 * the first delivered one, up to the last delivered month, gaps included.
 */
export interface RollupServiceRunningTable {
  service_id: number;
  /** Month number (year * 12 + month - 1) of the first element. */
  first_month_no: number;
  /** Per month from the first delivered one, the transactions up to and including it. */
  totals: number[];
  /** Likewise the delivered months. */
  months: number[];
}

/**
 * Services per priority group and the facts of their delivered months that completeness depends on
 * (migrations 0011, 0020); kept by triggers. Services without any delivery have null facts.
 */
export interface RollupCompletenessTable {
  grp: 'focus' | 'type1' | 'type23' | 'type45';
  first_month: string | null;
  last_month: string | null;
  contiguous: boolean | null;
  before_last: boolean | null;
  two_before_last: boolean | null;
  services: number;
}

/** Services per data source and granularity (migrations 0013, 0024); kept by triggers. */
export interface RollupSourceTable {
  kind: 'portal' | 'direct';
  /** Portal id, or the authority id of a direct connection (null: service without authority). */
  source_id: number | null;
  granularity: Granularity;
  services: number;
}

/** View: the groups each service belongs to, per explorer dimension (migrations 0010, 0015). */
export interface ServiceGroupsView {
  service_id: number;
  dimension: string;
  group_key: string;
  per_land: boolean;
}

/** View: the data sources of each service, its portals or else its authority (migration 0013). */
export interface ServiceSourcesView {
  service_id: number;
  kind: 'portal' | 'direct';
  source_id: number | null;
}

export interface AuditLogTable {
  id: Id;
  at: DefaultNow;
  actor_user_id: number | null;
  actor_token_id: number | null;
  action: string;
  entity: string;
  entity_id: string;
  old_value: Json<unknown> | null;
  new_value: Json<unknown> | null;
  delivery_id: number | null;
}

/** One row; bumped by triggers on every change the public may see (migration 0022). */
/** The data stamp (migrations 0022, 0025): a view summing data_version_slots, one row. */
export interface DataVersionView {
  version: number;
  changed_at: Timestamp;
}

/** Sixteen counters bumped by statement triggers, one per transaction id modulo 16 (migration 0025). */
export interface DataVersionSlotsTable {
  slot: number;
  version: number;
  changed_at: Timestamp;
}

/** Messages of the contact form (migration 0023); personal data, for the administrators only. */
export interface FeedbackTable {
  id: Id;
  created_at: DefaultNow;
  name: string | null;
  email: string | null;
  message: string;
  page: string | null;
}

export interface Database {
  regions: RegionsTable;
  leika_services: LeikaServicesTable;
  ozg_services: OzgServicesTable;
  ozg_service_leika: OzgServiceLeikaTable;
  master_data_imports: MasterDataImportsTable;
  authorities: AuthoritiesTable;
  users: UsersTable;
  sessions: SessionsTable;
  oidc_logins: OidcLoginsTable;
  login_throttle: LoginThrottleTable;
  one_time_tokens: OneTimeTokensTable;
  online_services: OnlineServicesTable;
  online_service_leika: OnlineServiceLeikaTable;
  online_service_ozg: OnlineServiceOzgTable;
  portals: PortalsTable;
  portal_services: PortalServicesTable;
  portal_join_requests: PortalJoinRequestsTable;
  memberships: MembershipsTable;
  access_tokens: AccessTokensTable;
  deliveries: DeliveriesTable;
  delivery_files: DeliveryFilesTable;
  pending_uploads: PendingUploadsTable;
  counts: CountsTable;
  rollup_service_month: RollupServiceMonthTable;
  rollup_service: RollupServiceTable;
  rollup_service_land_month: RollupServiceLandMonthTable;
  rollup_group_month: RollupGroupMonthTable;
  rollup_service_year: RollupServiceYearTable;
  rollup_service_running: RollupServiceRunningTable;
  rollup_completeness: RollupCompletenessTable;
  rollup_source: RollupSourceTable;
  service_groups: ServiceGroupsView;
  service_sources: ServiceSourcesView;
  audit_log: AuditLogTable;
  data_version: DataVersionView;
  data_version_slots: DataVersionSlotsTable;
  feedback: FeedbackTable;
}

export type User = Selectable<UsersTable>;
export type OnlineService = Selectable<OnlineServicesTable>;
export type NewOnlineService = Insertable<OnlineServicesTable>;
export type Delivery = Selectable<DeliveriesTable>;
