// Every change to what a trust read reads is announced by the database itself on `credence_trust_inputs`, so each
// instance can drop exactly what changed from its in-memory copy whichever code path (or tool) wrote it. NOTIFY is
// delivered at commit, in commit order, and identical payloads in one transaction are sent once. Payloads:
//   `a:<did>`  an agent's aggregates moved (its trust_agent_version row was written)
//   `p:<did>`  a platform's standing moved (its aggregate row or its registration)
//   `*`        something every report reads moved: a propagation run, the platform-set epoch, trust anchors
// (docs/operations.md, "Trust read cache").
import { sql, type Kysely } from 'kysely';

const GLOBAL_TABLES = ['trust_propagation_runs', 'trust_credibility', 'trust_platform_credibility', 'trust_epochs', 'trust_anchors'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function credence_notify_trust_agent() returns trigger language plpgsql as $$
    begin
      perform pg_notify('credence_trust_inputs', 'a:' || coalesce(new.did, old.did));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger trust_agent_version_notify after insert or update or delete on trust_agent_version
    for each row execute function credence_notify_trust_agent()`.execute(db);

  await sql`
    create function credence_notify_trust_platform() returns trigger language plpgsql as $$
    begin
      perform pg_notify('credence_trust_inputs', 'p:' || coalesce(new.platform_did, old.platform_did));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger trust_platform_notify after insert or update or delete on trust_platform
    for each row execute function credence_notify_trust_platform()`.execute(db);

  // Only the columns a standing reads: a webhook URL change announces nothing.
  await sql`
    create function credence_notify_platform_registration() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.status is not distinct from old.status and new.registered_at is not distinct from old.registered_at then
        return null;
      end if;
      perform pg_notify('credence_trust_inputs', 'p:' || coalesce(new.did, old.did));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger platforms_trust_notify after insert or update or delete on platforms
    for each row execute function credence_notify_platform_registration()`.execute(db);

  // Per statement: a propagation run rewrites every credibility row and needs one notice, not one per row.
  await sql`
    create function credence_notify_trust_global() returns trigger language plpgsql as $$
    begin
      perform pg_notify('credence_trust_inputs', '*');
      return null;
    end $$`.execute(db);
  for (const table of GLOBAL_TABLES) {
    await sql`
      create trigger ${sql.id(`${table}_notify`)} after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function credence_notify_trust_global()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of GLOBAL_TABLES) await sql`drop trigger if exists ${sql.id(`${table}_notify`)} on ${sql.table(table)}`.execute(db);
  await sql`drop trigger if exists platforms_trust_notify on platforms`.execute(db);
  await sql`drop trigger if exists trust_platform_notify on trust_platform`.execute(db);
  await sql`drop trigger if exists trust_agent_version_notify on trust_agent_version`.execute(db);
  await sql`drop function if exists credence_notify_trust_global()`.execute(db);
  await sql`drop function if exists credence_notify_platform_registration()`.execute(db);
  await sql`drop function if exists credence_notify_trust_platform()`.execute(db);
  await sql`drop function if exists credence_notify_trust_agent()`.execute(db);
}
