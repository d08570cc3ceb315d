// Versions that let trust reads keep an agent's aggregates in memory and still never serve stale ones: every
// stored or revoked receipt bumps the version of its subject and counterparty in the same transaction, and
// `trust_epochs` counts changes that touch everyone (the set of platform DIDs). A read checks the versions and
// reloads only what changed, in the same statement (docs/trust-model.md, "Reading a report").
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trust_agent_version')
    .addColumn('did', 'text', (col) => col.primaryKey())
    .addColumn('version', 'bigint', (col) => col.notNull().check(sql`version > 0`))
    .execute();
  await db.schema
    .createTable('trust_epochs')
    .addColumn('name', 'text', (col) => col.primaryKey().check(sql`name in ('platform_set')`))
    .addColumn('value', 'bigint', (col) => col.notNull().check(sql`value > 0`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('trust_epochs').ifExists().execute();
  await db.schema.dropTable('trust_agent_version').ifExists().execute();
}
