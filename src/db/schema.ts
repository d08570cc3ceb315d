// Row types of every table, as Kysely sees them. Migrations own the DDL; this mirrors it.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AgentPlatformRow, ClientRow, HourBucketRow, PairRow, PlatformRow as TrustPlatformAggregateRow } from '../trust/engine/evidence.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AgentsTable {
  did: string;
  display_name: string | null;
  kind: 'AGENT' | 'SERVICE' | 'HUMAN';
  claimed_at: Timestamp;
  updated_at: Timestamp;
}

export type PlatformStatus = 'PENDING' | 'APPROVED' | 'SUSPENDED';

export interface PlatformsTable {
  did: string;
  name: string;
  domain: string | null;
  webhook_url: string | null;
  webhook_secret: string;
  status: PlatformStatus;
  status_reason: string | null;
  registered_at: Timestamp;
  approved_at: Timestamp | null;
  status_changed_by: string | null;
  updated_at: Timestamp;
}

export interface AuthTokenUsesTable {
  issuer: string;
  jti: string;
  expires_at: Timestamp;
}

export interface IssuerKeysTable {
  key_id: string;
  public_key_multibase: string;
  status: 'ACTIVE' | 'RETIRED';
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface DatabaseSchema {
  agents: AgentsTable;
  platforms: PlatformsTable;
  auth_token_uses: AuthTokenUsesTable;
  issuer_keys: IssuerKeysTable;
  settlements: SettlementsTable;
  settlement_events: SettlementEventsTable;
  receipts: ReceiptsTable;
  credential_status_lists: CredentialStatusListsTable;
  credentials: CredentialsTable;
  webhook_outbox: WebhookOutboxTable;
  webhook_watches: WebhookWatchesTable;
  trust_announcements: TrustAnnouncementsTable;
  trust_pair: TrustPairTable;
  trust_agent_hour: TrustAgentHourTable;
  trust_client: TrustClientTable;
  trust_agent_platform: TrustAgentPlatformTable;
  trust_platform: TrustPlatformTable;
  trust_credibility: TrustCredibilityTable;
  trust_platform_credibility: TrustPlatformCredibilityTable;
  trust_propagation_runs: TrustPropagationRunsTable;
  trust_agent_version: TrustAgentVersionTable;
  trust_epochs: TrustEpochsTable;
  trust_anchors: TrustAnchorsTable;
  trust_anchor_audit: TrustAnchorAuditTable;
}

export type AgentRow = Selectable<AgentsTable>;
export type NewAgentRow = Insertable<AgentsTable>;
export type PlatformRow = Selectable<PlatformsTable>;
export type IssuerKeyRow = Selectable<IssuerKeysTable>;

export type SettlementStatus = 'FUNDED' | 'RELEASED' | 'SETTLED' | 'REFUNDED' | 'DISPUTED' | 'RESOLVED';
export type Ruling = 'CLAIMANT_WINS' | 'RESPONDENT_WINS' | 'SPLIT';

export interface SettlementsTable {
  platform_did: string;
  escrow_id: string;
  job_id: string | null;
  depositor_did: string;
  beneficiary_did: string;
  amount: string;
  currency: string;
  value_usd: number;
  status: SettlementStatus;
  ruling: Ruling | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SettlementEventsTable {
  platform_did: string;
  jti: string;
  escrow_id: string;
  status: SettlementStatus;
  ruling: Ruling | null;
  occurred_at: Timestamp;
  received_at: Timestamp;
  content_hash: string;
  jws: string;
}

export type ReceiptConfidence = 'ESCROW_VERIFIED' | 'COUNTERPARTY_SIGNED' | 'PLATFORM_SIGNED' | 'IMPORTED';
export type ReceiptOutcome = 'accepted' | 'rejected' | 'disputed';

export interface ReceiptsTable {
  receipt_id: string;
  subject_did: string;
  counterparty_did: string;
  platform_did: string;
  task_id: string | null;
  action_category: string;
  action_type: string;
  outcome: ReceiptOutcome;
  amount: string | null;
  currency: string | null;
  value_usd: ColumnType<number, number | undefined, number>;
  escrow_id: string | null;
  escrow_verified: ColumnType<boolean, boolean | undefined, boolean>;
  confidence: ReceiptConfidence;
  metadata_hash: string | null;
  occurred_at: Timestamp;
  received_at: Timestamp;
  content_hash: string;
  jwt: string | null;
  cosignatures: ColumnType<string[], string[] | undefined, string[]>;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  revoked_by: string | null;
}

export type SettlementRow = Selectable<SettlementsTable>;
export type SettlementEventRow = Selectable<SettlementEventsTable>;
export type ReceiptRow = Selectable<ReceiptsTable>;
export type NewReceiptRow = Insertable<ReceiptsTable>;

export type CredentialKind = 'TASK_COMPLETION' | 'REPUTATION';
export type CredentialEncoding = 'JWT' | 'JSON_LD' | 'DATA_INTEGRITY';

export interface CredentialStatusListsTable {
  list_id: number;
  status_purpose: 'revocation' | 'suspension';
  length: number;
  next_index: ColumnType<number, number | undefined, number>;
  encoded_list: string;
  signed_credential: string;
  etag: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CredentialsTable {
  id: string;
  type: CredentialKind;
  format: CredentialEncoding;
  subject_did: string;
  issuer_did: string;
  receipt_id: string | null;
  status_list_id: number;
  status_index: number;
  issued_at: Timestamp;
  expires_at: Timestamp | null;
  encoded: string;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  revoked_by: string | null;
  /** REPUTATION: hash of the signed numbers (everything but asOf), to answer an unchanged report with this one. */
  subject_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set on an admin's reissue: the revoked credential this one replaces (at most one each). */
  reissue_of: ColumnType<string | null, string | null | undefined, string | null>;
}

export type CredentialStatusListRow = Selectable<CredentialStatusListsTable>;
export type CredentialRow = Selectable<CredentialsTable>;
export type NewCredentialRow = Insertable<CredentialsTable>;

export type WebhookEventType = 'trust.changed' | 'receipt.revoked' | 'credential.revoked';
export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERING' | 'DELIVERED' | 'FAILED';

export interface WebhookOutboxTable {
  id: string;
  platform_did: string;
  event_type: WebhookEventType;
  agent_did: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
  status: WebhookDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  redeliveries: ColumnType<number, number | undefined, number>;
}

export interface WebhookWatchesTable {
  platform_did: string;
  agent_did: string;
  created_at: Timestamp;
}

export interface TrustAnnouncementsTable {
  did: string;
  score: number;
  tier: 'A' | 'B' | 'C' | 'D' | 'F';
  announced_at: Timestamp | null;
}

export type WebhookOutboxRow = Selectable<WebhookOutboxTable>;
export type NewWebhookOutboxRow = Insertable<WebhookOutboxTable>;

// ---------------------------------------------------------------- trust store

/** `econFirstHour` is `econ_first_hour`, at the type level (columnName in src/trust/engine/evidence.ts at run time). */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;
/** An aggregate row as stored: the engine's row type (declared once, src/trust/engine/evidence.ts) in snake_case columns. */
type StoredAggregate<Row> = { [K in keyof Row & string as SnakeCase<K>]: Row[K] };

export type TrustPairTable = StoredAggregate<PairRow>;
export type TrustAgentHourTable = StoredAggregate<HourBucketRow>;
export type TrustClientTable = StoredAggregate<ClientRow>;
export type TrustAgentPlatformTable = StoredAggregate<AgentPlatformRow>;
export type TrustPlatformTable = StoredAggregate<TrustPlatformAggregateRow>;

/** PostgreSQL bigint: node-postgres reads it as a string, PGlite as a number. */
type Int8 = ColumnType<string | number, string | number, string | number>;

export interface TrustCredibilityTable {
  did: string;
  credibility: number;
  density: number;
  breadth: number;
  activity: number;
  seed: boolean;
  anchor: ColumnType<boolean, boolean | undefined, boolean>;
  fairness: ColumnType<number, number | undefined, number>;
  rater_negatives: ColumnType<number, number | undefined, number>;
  rater_expected: ColumnType<number, number | undefined, number>;
  rater_agents: ColumnType<number, number | undefined, number>;
}

export interface TrustPlatformCredibilityTable {
  platform_did: string;
  credible_share: number;
}

export interface TrustPropagationRunsTable {
  id: Generated<number>;
  as_of: Timestamp;
  started_at: Timestamp;
  finished_at: Timestamp;
  nodes: number;
  edges: number;
  seeds: number;
}

export interface TrustAgentVersionTable {
  did: string;
  version: Int8;
}

export interface TrustEpochsTable {
  name: 'platform_set';
  value: Int8;
}

export interface TrustAnchorsTable {
  did: string;
  reason: string;
  added_by: string;
  added_at: Timestamp;
}

export interface TrustAnchorAuditTable {
  id: Generated<Int8>;
  did: string;
  action: 'ADD' | 'REMOVE';
  reason: string | null;
  actor_did: string;
  at: Timestamp;
}
