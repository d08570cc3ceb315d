import type { Db } from '../db/database.ts';
import type { AgentRow } from '../db/schema.ts';

export interface ClaimValues {
  did: string;
  displayName: string | null;
  kind: AgentRow['kind'];
  now: Date;
}

export function createAgentRepository(db: Db) {
  return {
    /** Insert, or refresh the profile of an existing claim; one row per DID however many race. */
    async upsertClaim(values: ClaimValues): Promise<AgentRow> {
      return db
        .insertInto('agents')
        .values({
          did: values.did,
          display_name: values.displayName,
          kind: values.kind,
          claimed_at: values.now,
          updated_at: values.now,
        })
        .onConflict((oc) =>
          oc.column('did').doUpdateSet((eb) => ({
            display_name: eb.fn.coalesce('excluded.display_name', 'agents.display_name'),
            kind: eb.ref('excluded.kind'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async findByDids(dids: readonly string[]): Promise<AgentRow[]> {
      if (dids.length === 0) return [];
      return db.selectFrom('agents').selectAll().where('did', 'in', dids).execute();
    },
  };
}

export type AgentRepository = ReturnType<typeof createAgentRepository>;
