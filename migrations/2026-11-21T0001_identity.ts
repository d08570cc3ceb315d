// Agents, platforms, single-use auth token ids, and the service's issuer keys (public halves only).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('did', 'text', (col) => col.primaryKey().check(sql`did ~ '^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$'`))
    .addColumn('display_name', 'text', (col) => col.check(sql`char_length(display_name) between 1 and 100`))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('AGENT', 'SERVICE', 'HUMAN')`))
    .addColumn('claimed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('platforms')
    .addColumn('did', 'text', (col) => col.primaryKey().check(sql`did ~ '^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$'`))
    .addColumn('name', 'text', (col) => col.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('domain', 'text', (col) => col.check(sql`char_length(domain) between 1 and 253`))
    .addColumn('webhook_url', 'text', (col) => col.check(sql`char_length(webhook_url) <= 2048`))
    .addColumn('webhook_secret', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('PENDING', 'APPROVED', 'SUSPENDED')`))
    .addColumn('status_reason', 'text')
    .addColumn('registered_at', 'timestamptz', (col) => col.notNull())
    .addColumn('approved_at', 'timestamptz')
    .addColumn('status_changed_by', 'text')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('platforms_registered_at_idx').on('platforms').columns(['registered_at', 'did']).execute();

  // A token id is spent once; rows are kept until the token would have expired anyway.
  await db.schema
    .createTable('auth_token_uses')
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('jti', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('auth_token_uses_pk', ['issuer', 'jti'])
    .execute();
  await db.schema.createIndex('auth_token_uses_expires_idx').on('auth_token_uses').column('expires_at').execute();

  await db.schema
    .createTable('issuer_keys')
    .addColumn('key_id', 'text', (col) => col.primaryKey())
    .addColumn('public_key_multibase', 'text', (col) => col.notNull().unique())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('ACTIVE', 'RETIRED')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('retired_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['issuer_keys', 'auth_token_uses', 'platforms', 'agents']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
