// Rate-limit buckets shared by every instance on this database (CREDENCE_RATE_LIMIT_STORE=postgres). Unlogged:
// they are rewritten on every request and worth nothing after a crash (buckets simply start full again), so they
// cost no WAL and are not copied to replicas.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table rate_limit_buckets (
      bucket text primary key,
      tokens double precision not null,
      updated_ms double precision not null,
      allowed boolean not null
    )`.execute(db);
  await sql`create index rate_limit_buckets_updated on rate_limit_buckets (updated_ms)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists rate_limit_buckets`.execute(db);
}
