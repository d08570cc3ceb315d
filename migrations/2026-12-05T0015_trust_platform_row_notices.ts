// A platform's own aggregate row (`trust_platform`) moves with every receipt on that platform, but a report reads it
// only for a platform with no registration, whose age it estimates from the mean hour of its evidence. Announcing
// those moves as `r:<platform did>` instead of `p:<platform did>` lets an instance keep a registered platform's
// standing in memory through a stream of receipts (docs/operations.md, "Trust read cache"); `p:` is left to what
// changes a standing itself (registration, status). An instance older than this migration treats `r:` as unknown and
// empties its memory, which is safe.
import { sql, type Kysely } from 'kysely';

/** The `trust_platform` trigger's function, announcing with `prefix`. */
async function announceRowsAs(db: Kysely<any>, prefix: 'r:' | 'p:'): Promise<void> {
  await sql`
    create or replace function credence_notify_trust_platform() returns trigger language plpgsql as $$
    begin
      perform pg_notify('credence_trust_inputs', ${sql.lit(prefix)} || coalesce(new.platform_did, old.platform_did));
      return null;
    end $$`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await announceRowsAs(db, 'r:');
}

export async function down(db: Kysely<any>): Promise<void> {
  await announceRowsAs(db, 'p:');
}
