// Webhooks: the durable outbox (one row per event and receiving platform, written in the transaction that made the
// change), the agents each platform watches, and the last trust score and tier announced per DID (a change is
// announced when the tier moves or the score moves far enough from the last announced one).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_outbox')
    .addColumn('id', 'text', (col) => col.primaryKey().check(sql`id ~ '^evt_[0-9a-f]{32}$'`))
    .addColumn('platform_did', 'text', (col) => col.notNull().references('platforms.did').onDelete('cascade'))
    .addColumn('event_type', 'text', (col) =>
      col.notNull().check(sql`event_type in ('trust.changed', 'receipt.revoked', 'credential.revoked')`),
    )
    // The DID the event is about (the agent whose trust changed, the receipt's or credential's subject).
    .addColumn('agent_did', 'text', (col) => col.notNull().check(sql`char_length(agent_did) between 1 and 200`))
    .addColumn('payload', 'jsonb', (col) => col.notNull().check(sql`jsonb_typeof(payload) = 'object'`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('PENDING', 'DELIVERING', 'DELIVERED', 'FAILED')`))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0).check(sql`attempts between 0 and 1000`))
    // PENDING: when the next attempt is due. DELIVERING: when the claiming worker's lease runs out.
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('last_status_code', 'integer', (col) => col.check(sql`last_status_code between 100 and 599`))
    .addColumn('last_error', 'text', (col) => col.check(sql`char_length(last_error) <= 1000`))
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('redeliveries', 'integer', (col) => col.notNull().defaultTo(0).check(sql`redeliveries >= 0`))
    .addCheckConstraint('webhook_outbox_delivered_complete', sql`(status = 'DELIVERED') = (delivered_at is not null)`)
    .addCheckConstraint('webhook_outbox_attempted', sql`status not in ('DELIVERED', 'FAILED', 'DELIVERING') or attempts > 0`)
    .execute();
  // The platform's delivery log, newest first.
  await db.schema
    .createIndex('webhook_outbox_platform_idx')
    .on('webhook_outbox')
    .columns(['platform_did', 'created_at', 'id'])
    .execute();
  // What the delivery worker claims: due rows that are waiting or whose worker lost its lease.
  await db.schema
    .createIndex('webhook_outbox_due_idx')
    .on('webhook_outbox')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', ['PENDING', 'DELIVERING'])
    .execute();

  await db.schema
    .createTable('webhook_watches')
    .addColumn('platform_did', 'text', (col) => col.notNull().references('platforms.did').onDelete('cascade'))
    .addColumn('agent_did', 'text', (col) =>
      col.notNull().check(sql`agent_did ~ '^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$' and char_length(agent_did) <= 200`),
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('webhook_watches_pk', ['platform_did', 'agent_did'])
    .execute();
  await db.schema.createIndex('webhook_watches_agent_idx').on('webhook_watches').columns(['agent_did', 'platform_did']).execute();

  await db.schema
    .createTable('trust_announcements')
    .addColumn('did', 'text', (col) => col.primaryKey())
    .addColumn('score', 'double precision', (col) => col.notNull().check(sql`score >= 0 and score <= 100`))
    .addColumn('tier', 'text', (col) => col.notNull().check(sql`tier in ('A', 'B', 'C', 'D', 'F')`))
    .addColumn('announced_at', 'timestamptz')
    .execute();

  // "Which platforms submitted receipts about this agent" is one index probe per (agent, platform).
  await db.schema.createIndex('receipts_subject_platform_idx').on('receipts').columns(['subject_did', 'platform_did']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('receipts_subject_platform_idx').ifExists().execute();
  for (const table of ['trust_announcements', 'webhook_watches', 'webhook_outbox']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
