// Escrow settlements (current state plus every event) and task receipts. Constraints hold the invariants even
// when two requests race: one event per (platform, jti), one receipt per id, one escrow-verified receipt per
// (platform, escrow, subject).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settlements')
    .addColumn('platform_did', 'text', (col) => col.notNull())
    .addColumn('escrow_id', 'text', (col) => col.notNull().check(sql`char_length(escrow_id) between 1 and 200`))
    .addColumn('job_id', 'text', (col) => col.check(sql`char_length(job_id) <= 200`))
    .addColumn('depositor_did', 'text', (col) => col.notNull())
    .addColumn('beneficiary_did', 'text', (col) => col.notNull())
    .addColumn('amount', 'text', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('value_usd', 'numeric(20, 2)', (col) => col.notNull().check(sql`value_usd >= 0`))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('FUNDED', 'RELEASED', 'SETTLED', 'REFUNDED', 'DISPUTED', 'RESOLVED')`),
    )
    .addColumn('ruling', 'text', (col) => col.check(sql`ruling in ('CLAIMANT_WINS', 'RESPONDENT_WINS', 'SPLIT')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('settlements_pk', ['platform_did', 'escrow_id'])
    .addForeignKeyConstraint('settlements_platform_fk', ['platform_did'], 'platforms', ['did'])
    .addCheckConstraint('settlements_parties_differ', sql`depositor_did <> beneficiary_did`)
    .addCheckConstraint('settlements_ruling_only_when_resolved', sql`(status = 'RESOLVED') = (ruling is not null)`)
    .execute();

  await db.schema
    .createTable('settlement_events')
    .addColumn('platform_did', 'text', (col) => col.notNull())
    .addColumn('jti', 'text', (col) => col.notNull().check(sql`char_length(jti) between 1 and 200`))
    .addColumn('escrow_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('ruling', 'text')
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull())
    .addColumn('content_hash', 'text', (col) => col.notNull())
    .addColumn('jws', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('settlement_events_pk', ['platform_did', 'jti'])
    .addForeignKeyConstraint('settlement_events_escrow_fk', ['platform_did', 'escrow_id'], 'settlements', ['platform_did', 'escrow_id'])
    .execute();
  await db.schema
    .createIndex('settlement_events_escrow_idx')
    .on('settlement_events')
    .columns(['platform_did', 'escrow_id', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('receipts')
    .addColumn('receipt_id', 'text', (col) => col.primaryKey().check(sql`char_length(receipt_id) between 1 and 200`))
    .addColumn('subject_did', 'text', (col) => col.notNull())
    .addColumn('counterparty_did', 'text', (col) => col.notNull())
    .addColumn('platform_did', 'text', (col) => col.notNull())
    .addColumn('task_id', 'text')
    .addColumn('action_category', 'text', (col) => col.notNull())
    .addColumn('action_type', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('accepted', 'rejected', 'disputed')`))
    .addColumn('amount', 'text')
    .addColumn('currency', 'text')
    .addColumn('value_usd', 'numeric(20, 2)', (col) => col.notNull().defaultTo(0).check(sql`value_usd >= 0`))
    .addColumn('escrow_id', 'text')
    .addColumn('escrow_verified', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('confidence', 'text', (col) =>
      col.notNull().check(sql`confidence in ('ESCROW_VERIFIED', 'COUNTERPARTY_SIGNED', 'PLATFORM_SIGNED', 'IMPORTED')`),
    )
    .addColumn('metadata_hash', 'text')
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull())
    .addColumn('content_hash', 'text', (col) => col.notNull())
    .addColumn('jwt', 'text')
    .addColumn('cosignatures', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .addColumn('revoked_by', 'text')
    .addCheckConstraint('receipts_no_self_dealing', sql`subject_did <> counterparty_did and subject_did <> platform_did`)
    .addCheckConstraint('receipts_signed_unless_imported', sql`(confidence = 'IMPORTED') = (jwt is null)`)
    .addCheckConstraint('receipts_escrow_verified_has_escrow', sql`confidence <> 'ESCROW_VERIFIED' or (escrow_id is not null and escrow_verified)`)
    .execute();
  // One escrow backs at most one receipt per subject.
  await db.schema
    .createIndex('receipts_escrow_subject_uniq')
    .on('receipts')
    .columns(['platform_did', 'escrow_id', 'subject_did'])
    .unique()
    .where(sql.ref('confidence'), '=', 'ESCROW_VERIFIED')
    .execute();
  await db.schema.createIndex('receipts_subject_time_idx').on('receipts').columns(['subject_did', 'occurred_at', 'receipt_id']).execute();
  await db.schema.createIndex('receipts_counterparty_idx').on('receipts').column('counterparty_did').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['receipts', 'settlement_events', 'settlements']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
