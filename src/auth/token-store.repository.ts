// Spent token ids live in PostgreSQL so replay protection holds across instances and restarts.
import type { Db } from '../db/database.ts';
import type { ReplayStore, SpentTokens } from './did-auth.ts';

export function createTokenStore(db: Db, now: () => Date): ReplayStore & SpentTokens & { purgeExpired(): Promise<number> } {
  return {
    async isSpent(issuer, jti) {
      const row = await db.selectFrom('auth_token_uses').select('jti').where('issuer', '=', issuer).where('jti', '=', jti).executeTakeFirst();
      return row !== undefined;
    },
    async spend(issuer, jti, expiresAt) {
      const inserted = await db
        .insertInto('auth_token_uses')
        .values({ issuer, jti, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['issuer', 'jti']).doNothing())
        .returning('jti')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async purgeExpired() {
      const result = await db.deleteFrom('auth_token_uses').where('expires_at', '<', now()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
