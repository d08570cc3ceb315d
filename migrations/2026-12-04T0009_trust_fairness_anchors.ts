// Rater fairness and operator trust anchors. Each propagation run also stores, per DID, whether it was an anchor
// and its fairness as a rater (with the counts behind it, for the ABUSIVE_CLIENT evidence). Anchors named through
// the admin API live in trust_anchors; every add and remove is kept in trust_anchor_audit.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('trust_credibility')
    .addColumn('anchor', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();
  await db.schema.alterTable('trust_credibility').addColumn('fairness', 'double precision', (col) => col.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('trust_credibility').addColumn('rater_negatives', 'double precision', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('trust_credibility').addColumn('rater_expected', 'double precision', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('trust_credibility').addColumn('rater_agents', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await sql`alter table trust_credibility add constraint trust_credibility_fairness_range check (fairness >= 0 and fairness <= 1)`.execute(db);
  await sql`alter table trust_propagation_runs add column anchors integer not null default 0`.execute(db);
  await sql`alter table trust_propagation_runs add column unfair_raters integer not null default 0`.execute(db);

  await db.schema
    .createTable('trust_anchors')
    .addColumn('did', 'text', (col) => col.primaryKey().check(sql`did like 'did:%' and length(did) <= 512`))
    .addColumn('reason', 'text', (col) => col.notNull().check(sql`length(reason) between 1 and 1000`))
    .addColumn('added_by', 'text', (col) => col.notNull())
    .addColumn('added_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('trust_anchor_audit')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('did', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull().check(sql`action in ('ADD', 'REMOVE')`))
    .addColumn('reason', 'text')
    .addColumn('actor_did', 'text', (col) => col.notNull())
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('trust_anchor_audit_did').on('trust_anchor_audit').columns(['did', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trust_anchor_audit').ifExists().execute();
  await db.schema.dropTable('trust_anchors').ifExists().execute();
  await sql`alter table trust_propagation_runs drop column if exists anchors, drop column if exists unfair_raters`.execute(db);
  await sql`alter table trust_credibility drop constraint if exists trust_credibility_fairness_range,
    drop column if exists anchor, drop column if exists fairness, drop column if exists rater_negatives,
    drop column if exists rater_expected, drop column if exists rater_agents`.execute(db);
}
