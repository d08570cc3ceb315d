// What platforms do with webhooks: watch and unwatch agents, read their delivery log, re-send a delivery, rotate
// the signing secret.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { KeysetRead } from '../db/keyset.ts';
import type { PlatformRow, WebhookDeliveryStatus, WebhookOutboxRow } from '../db/schema.ts';
import { InputError, NotFoundError, PlatformError } from '../errors.ts';
import { platformLookup } from '../identity/platform-lookup.service.ts';
import { requireApprovedPlatform } from '../receipts/platform-gate.ts';
import { createWebhookRepository } from './webhook.repository.ts';

export const MAX_WATCH_BATCH = 100;
/** A platform watches at most this many agents (beyond those it submitted receipts for, which need no watch). */
export const MAX_WATCHES_PER_PLATFORM = 10_000;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export interface WatchResult {
  platform: PlatformRow;
  dids: string[];
  /** Watches added (watchAgents) or removed (unwatchAgents); DIDs already in that state do not count. */
  changed: number;
}

export function createWebhookService(db: Db) {
  const platforms = platformLookup(db);
  const reads = createWebhookRepository(db);

  async function approvedPlatform(did: string): Promise<PlatformRow> {
    const platform = await platforms.byDid(did);
    return requireApprovedPlatform(did, platform);
  }

  return {
    async watch(platformDid: string, dids: readonly string[], now: Date): Promise<WatchResult> {
      if (dids.length > MAX_WATCH_BATCH) throw new InputError(`at most ${MAX_WATCH_BATCH} DIDs per call`, 'dids');
      const platform = await approvedPlatform(platformDid);
      const unique = [...new Set(dids)];
      return db.transaction().execute(async (trx) => {
        const repository = createWebhookRepository(trx);
        const changed = await repository.watch(platformDid, unique, now);
        // Checked after the insert, in the same transaction: a breach rolls the insert back.
        if (changed > 0 && (await repository.watchCount(platformDid)) > MAX_WATCHES_PER_PLATFORM) {
          throw new InputError(`a platform watches at most ${MAX_WATCHES_PER_PLATFORM} agents`, 'dids');
        }
        return { platform, dids: unique, changed };
      });
    },

    async unwatch(platformDid: string, dids: readonly string[]): Promise<WatchResult> {
      if (dids.length > MAX_WATCH_BATCH) throw new InputError(`at most ${MAX_WATCH_BATCH} DIDs per call`, 'dids');
      const platform = await platforms.byDid(platformDid);
      if (!platform) throw new PlatformError('UNKNOWN_PLATFORM', `${platformDid} is not a registered platform`);
      const unique = [...new Set(dids)];
      return { platform, dids: unique, changed: await reads.unwatch(platformDid, unique) };
    },

    watchedBy: (platformDid: string, after: string | null, limit: number) => reads.watchedBy(platformDid, after, limit),

    deliveries: (platformDid: string, status: WebhookDeliveryStatus | null, read: KeysetRead) => reads.keysetPage(platformDid, { status }, read),

    /** The deliveries with these event ids that the caller may see: its own as a platform, every one as an admin. */
    async visibleDeliveries(ids: readonly string[], caller: { did: string; isAdmin: boolean } | null): Promise<WebhookOutboxRow[]> {
      if (!caller) return [];
      const rows = await reads.findByIds(ids);
      return rows.filter((row) => caller.isAdmin || row.platform_did === caller.did);
    },

    /**
     * Queues a delivery again (same event id and body, attempts start over). Only the receiving platform or an admin
     * may; anyone else gets NOT_FOUND, so event ids do not leak. A delivery in flight is returned as it is.
     */
    async redeliver(id: string, caller: { did: string; isAdmin: boolean }, now: Date): Promise<WebhookOutboxRow> {
      const existing = await reads.findById(id);
      if (!existing || (!caller.isAdmin && existing.platform_did !== caller.did)) throw new NotFoundError(`no webhook delivery ${id}`);
      return (await reads.redeliver(id, now)) ?? (await reads.findById(id))!;
    },

    /** A new signing secret, returned once; deliveries from now on (retries included) are signed with it. */
    async rotateSecret(platformDid: string, now: Date): Promise<{ platform: PlatformRow; webhookSecret: string }> {
      const webhookSecret = newWebhookSecret();
      const platform = await reads.rotateSecret(platformDid, webhookSecret, now);
      if (!platform) throw new PlatformError('UNKNOWN_PLATFORM', `${platformDid} is not a registered platform`);
      return { platform, webhookSecret };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
