// Webhook tables: the outbox, watches and last announced trust. Every function runs on the handle it is given, so
// the change hooks write in the caller's transaction.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { seek, type KeysetRead } from '../db/keyset.ts';
import type { NewWebhookOutboxRow, WebhookDeliveryStatus, WebhookOutboxRow } from '../db/schema.ts';
import type { Tier } from '../trust/engine/types.ts';
import { TRUST_CHANGED_CHANNEL, type Announced, type TrustChangeNotice } from './events.ts';

export interface AttemptOutcome {
  status: Extract<WebhookDeliveryStatus, 'PENDING' | 'DELIVERED' | 'FAILED'>;
  nextAttemptAt: Date;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
}

const valuesList = (dids: readonly string[]) => sql.join(dids.map((did) => sql`(${did})`));

export interface Recipient {
  platform_did: string;
  agent_did: string;
}

export function createWebhookRepository(db: Db) {
  return {
    /**
     * Locks the announcement rows of these DIDs (creating unannounced ones), in DID order so that concurrent
     * transactions over overlapping sets queue instead of deadlocking; held until the transaction ends. In the same
     * statement, the platforms that should hear about each of these agents: approved ones with a webhook URL that
     * submitted receipts about the agent (this transaction's included) or watch it. One round trip instead of three.
     */
    async lockAnnouncements(dids: readonly string[]): Promise<{ previous: Map<string, Announced>; recipients: Recipient[] }> {
      const sorted = [...new Set(dids)].sort();
      if (sorted.length === 0) return { previous: new Map(), recipients: [] };
      // A new DID gets its unannounced row, an existing one a no-op update, which locks it as FOR UPDATE would;
      // either way the row comes back as it stands.
      const result = await sql<{ kind: 'announcement' | 'recipient'; agent_did: string; score: number | null; tier: Tier | null; platform_did: string | null }>`
        with locked as (
          insert into trust_announcements (did, score, tier, announced_at)
          values ${sql.join(sorted.map((did) => sql`(${did}, 0, 'F', null)`))}
          on conflict (did) do update set did = excluded.did
          returning did, score, tier
        )
        select 'announcement' as kind, l.did as agent_did, l.score, l.tier, null::text as platform_did from locked l
        union all
        select 'recipient', a.did, null, null, p.did
        from (values ${valuesList(sorted)}) as a(did)
        join platforms p on p.webhook_url is not null and p.status = 'APPROVED'
        where exists (select 1 from receipts r where r.subject_did = a.did and r.platform_did = p.did)
           or exists (select 1 from webhook_watches w where w.platform_did = p.did and w.agent_did = a.did)
        order by kind, agent_did, platform_did`.execute(db);
      const previous = new Map<string, Announced>();
      const recipients: Recipient[] = [];
      for (const row of result.rows) {
        if (row.kind === 'announcement') previous.set(row.agent_did, { score: Number(row.score), tier: row.tier! });
        else recipients.push({ platform_did: row.platform_did!, agent_did: row.agent_did });
      }
      return { previous, recipients };
    },

    /**
     * Records the announced scores and tiers, and sends the change notices (delivered to LISTENers when the
     * transaction commits, in the given order; dropped if it rolls back), in one statement.
     */
    async saveAnnouncements(rows: ReadonlyArray<{ did: string; score: number; tier: Tier }>, notices: readonly TrustChangeNotice[], now: Date): Promise<void> {
      if (rows.length === 0 && notices.length === 0) return;
      const saved =
        rows.length > 0
          ? sql`with saved as (
              update trust_announcements as t set score = v.score, tier = v.tier, announced_at = ${now}
              from (values ${sql.join(rows.map((row) => sql`(${row.did}, ${row.score}::double precision, ${row.tier})`))}) as v(did, score, tier)
              where t.did = v.did
              returning 1
            )`
          : sql``;
      const payloads = notices.map((notice, position) => sql`(${position}::int, ${JSON.stringify(notice)}::text)`);
      const notify =
        payloads.length > 0
          ? sql`select pg_notify(${TRUST_CHANGED_CHANNEL}, n.payload) from (values ${sql.join(payloads)}) as n(position, payload) order by n.position`
          : sql`select 1`;
      // The update is a data-modifying CTE: it runs whether or not the select reads it.
      await sql`${saved} ${notify}`.execute(db);
    },

    async insertOutbox(rows: readonly NewWebhookOutboxRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insertInto('webhook_outbox').values([...rows]).execute();
    },

    /** Adds watches; returns how many were new. */
    async watch(platformDid: string, agentDids: readonly string[], now: Date): Promise<number> {
      if (agentDids.length === 0) return 0;
      const inserted = await db
        .insertInto('webhook_watches')
        .values([...new Set(agentDids)].map((agent_did) => ({ platform_did: platformDid, agent_did, created_at: now })))
        .onConflict((oc) => oc.columns(['platform_did', 'agent_did']).doNothing())
        .returning('agent_did')
        .execute();
      return inserted.length;
    },

    async unwatch(platformDid: string, agentDids: readonly string[]): Promise<number> {
      if (agentDids.length === 0) return 0;
      const deleted = await db
        .deleteFrom('webhook_watches')
        .where('platform_did', '=', platformDid)
        .where('agent_did', 'in', [...new Set(agentDids)])
        .returning('agent_did')
        .execute();
      return deleted.length;
    },

    async watchCount(platformDid: string): Promise<number> {
      const row = await db
        .selectFrom('webhook_watches')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('platform_did', '=', platformDid)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async watchedBy(platformDid: string, after: string | null, limit: number): Promise<string[]> {
      let query = db.selectFrom('webhook_watches').select('agent_did').where('platform_did', '=', platformDid);
      if (after) query = query.where('agent_did', '>', after);
      return (await query.orderBy('agent_did').limit(limit).execute()).map((row) => row.agent_did);
    },

    /** A platform's deliveries, newest first by (createdAt, id): a keyset read from either end of a window. */
    keysetPage(platformDid: string, filter: { status: WebhookDeliveryStatus | null }, read: KeysetRead): Promise<WebhookOutboxRow[]> {
      let query = db.selectFrom('webhook_outbox').selectAll().where('platform_did', '=', platformDid);
      if (filter.status) query = query.where('status', '=', filter.status);
      return seek(query, ['created_at', 'id'], 'desc', read).execute();
    },

    findByIds(ids: readonly string[]): Promise<WebhookOutboxRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return db.selectFrom('webhook_outbox').selectAll().where('id', 'in', ids).execute();
    },

    async findById(id: string): Promise<WebhookOutboxRow | undefined> {
      return db.selectFrom('webhook_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Queues a delivery again now, whatever became of it; attempts start over. A delivery in flight is left alone. */
    async redeliver(id: string, now: Date): Promise<WebhookOutboxRow | undefined> {
      return db
        .updateTable('webhook_outbox')
        .set((eb) => ({
          status: 'PENDING',
          attempts: 0,
          next_attempt_at: now,
          delivered_at: null,
          redeliveries: eb('redeliveries', '+', 1),
        }))
        .where('id', '=', id)
        .where('status', '!=', 'DELIVERING')
        .returningAll()
        .executeTakeFirst();
    },

    /**
     * Claims up to `limit` due deliveries for one worker: rows locked by another claim are skipped, and a claimed row
     * is DELIVERING until `leaseUntil`, so no other worker takes it unless this one dies.
     */
    async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<WebhookOutboxRow[]> {
      const result = await sql<WebhookOutboxRow>`
        update webhook_outbox set status = 'DELIVERING', attempts = attempts + 1, next_attempt_at = ${leaseUntil},
          last_attempt_at = ${now}
        where id in (
          select id from webhook_outbox
          where status in ('PENDING', 'DELIVERING') and next_attempt_at <= ${now}
          order by next_attempt_at, id
          limit ${limit}
          for update skip locked)
        returning *`.execute(db);
      return result.rows;
    },

    /** Records an attempt's outcome, unless the claim was lost meanwhile (the lease ran out and another worker took it). */
    async finishAttempt(claimed: Pick<WebhookOutboxRow, 'id' | 'attempts'>, outcome: AttemptOutcome): Promise<boolean> {
      const updated = await db
        .updateTable('webhook_outbox')
        .set({
          status: outcome.status,
          next_attempt_at: outcome.nextAttemptAt,
          last_attempt_at: outcome.attemptedAt,
          last_status_code: outcome.statusCode,
          last_error: outcome.error === null ? null : outcome.error.slice(0, 1000),
          delivered_at: outcome.status === 'DELIVERED' ? outcome.attemptedAt : null,
        })
        .where('id', '=', claimed.id)
        .where('status', '=', 'DELIVERING')
        .where('attempts', '=', claimed.attempts)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /**
     * Deletes up to `limit` finished rows older than `before`: DELIVERED by delivered_at, FAILED by the last attempt.
     * Rows another transaction holds are skipped. Returns how many went.
     */
    async purgeFinished(before: Date, limit: number): Promise<number> {
      const result = await sql<{ id: string }>`
        delete from webhook_outbox where id in (
          select id from webhook_outbox
          where (status = 'DELIVERED' and delivered_at < ${before})
             or (status = 'FAILED' and coalesce(last_attempt_at, created_at) < ${before})
          limit ${limit}
          for update skip locked)
        returning id`.execute(db);
      return result.rows.length;
    },

    async rotateSecret(platformDid: string, secret: string, now: Date) {
      return db
        .updateTable('platforms')
        .set({ webhook_secret: secret, updated_at: now })
        .where('did', '=', platformDid)
        .returningAll()
        .executeTakeFirst();
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
