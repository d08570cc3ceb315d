// Maintained trust aggregates (docs/trust-model.md, "Aggregates"): sums and counts updated in the same transaction
// as each stored or revoked receipt, so a trust read never scans receipts. Plus the stored results of the periodic
// credibility propagation.
import { sql, type Kysely } from 'kysely';

const PAIR_SUMS = ['receipts', 'econ_accepted', 'econ_disputed', 'econ_refunded', 'econ_escrow', 'escrow_accepted', 'value_accepted_usd', 'value_escrow_accepted_usd', 'pos_mass', 'pos_mass_ep', 'accepted_ep', 'disputed_ep', 'refunded_ep', 'completions', 'completions_ep', 'rejected_work', 'rejected_work_ep', 'applications', 'applications_ep', 'endorsements', 'endorsements_ep', 'verifications', 'violations', 'violations_ep', 'incidents', 'incidents_ep', 'social'];
const HOUR_SUMS = ['receipts', 'econ_accepted', 'econ_disputed', 'econ_refunded', 'econ_escrow', 'value_accepted_usd', 'value_escrow_accepted_usd'];
const CLIENT_SUMS = ['jobs', 'accepted', 'disputes_filed', 'refunded', 'escrow_jobs', 'escrow_spend_usd'];
const AGENT_PLATFORM_SUMS = ['receipts', 'econ_accepted', 'econ_negative', 'escrow_accepted', 'escrow_hour_sum'];
const PLATFORM_SUMS = ['receipts', 'econ', 'econ_accepted', 'econ_escrow', 'violations', 'hour_sum'];

// Sums of floats (decayed weights, USD) and counts alike: double precision keeps one column type for the upserts.
function sums(table: any, columns: readonly string[]) {
  let builder = table;
  for (const column of columns) builder = builder.addColumn(column, 'double precision', (col: any) => col.notNull().defaultTo(0));
  return builder;
}

export async function up(db: Kysely<any>): Promise<void> {
  await sums(
    db.schema.createTable('trust_pair').addColumn('subject_did', 'text', (col) => col.notNull()).addColumn('counterparty_did', 'text', (col) => col.notNull()),
    PAIR_SUMS,
  )
    .addColumn('first_hour', 'integer', (col: any) => col.notNull())
    .addColumn('last_hour', 'integer', (col: any) => col.notNull())
    .addColumn('econ_first_hour', 'integer')
    .addColumn('econ_last_hour', 'integer')
    .addPrimaryKeyConstraint('trust_pair_pk', ['subject_did', 'counterparty_did'])
    .execute();
  await db.schema.createIndex('trust_pair_counterparty_idx').on('trust_pair').columns(['counterparty_did', 'subject_did']).execute();

  await sums(
    db.schema.createTable('trust_agent_hour').addColumn('subject_did', 'text', (col) => col.notNull()).addColumn('hour', 'integer', (col) => col.notNull()),
    HOUR_SUMS,
  )
    .addPrimaryKeyConstraint('trust_agent_hour_pk', ['subject_did', 'hour'])
    .execute();

  await sums(db.schema.createTable('trust_client').addColumn('client_did', 'text', (col) => col.primaryKey()), CLIENT_SUMS).execute();

  await sums(
    db.schema
      .createTable('trust_agent_platform')
      .addColumn('did', 'text', (col) => col.notNull())
      .addColumn('platform_did', 'text', (col) => col.notNull())
      .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('subject', 'client')`)),
    AGENT_PLATFORM_SUMS,
  )
    .addPrimaryKeyConstraint('trust_agent_platform_pk', ['did', 'platform_did', 'role'])
    .execute();

  await sums(db.schema.createTable('trust_platform').addColumn('platform_did', 'text', (col) => col.primaryKey()), PLATFORM_SUMS).execute();

  // The latest propagation run's results; replaced whole by each run.
  await db.schema
    .createTable('trust_credibility')
    .addColumn('did', 'text', (col) => col.primaryKey())
    .addColumn('credibility', 'double precision', (col) => col.notNull())
    .addColumn('density', 'double precision', (col) => col.notNull())
    .addColumn('breadth', 'double precision', (col) => col.notNull())
    .addColumn('activity', 'double precision', (col) => col.notNull())
    .addColumn('seed', 'boolean', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('trust_platform_credibility')
    .addColumn('platform_did', 'text', (col) => col.primaryKey())
    .addColumn('credible_share', 'double precision', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('trust_propagation_runs')
    .addColumn('id', 'serial', (col) => col.primaryKey())
    .addColumn('as_of', 'timestamptz', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('finished_at', 'timestamptz', (col) => col.notNull())
    .addColumn('nodes', 'integer', (col) => col.notNull())
    .addColumn('edges', 'integer', (col) => col.notNull())
    .addColumn('seeds', 'integer', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['trust_propagation_runs', 'trust_platform_credibility', 'trust_credibility', 'trust_platform', 'trust_agent_platform', 'trust_client', 'trust_agent_hour', 'trust_pair']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
