// Row types of every table, as Kysely sees them. Migrations own the DDL; this mirrors it.
import type { ColumnType, Insertable, Selectable } from 'kysely';

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
}

export type AgentRow = Selectable<AgentsTable>;
export type NewAgentRow = Insertable<AgentsTable>;
export type PlatformRow = Selectable<PlatformsTable>;
export type IssuerKeyRow = Selectable<IssuerKeysTable>;
