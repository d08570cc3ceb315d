// The webhook delivery worker: claims due outbox rows (FOR UPDATE SKIP LOCKED, then a lease, so one instance
// delivers a given event), POSTs each signed body to the platform's webhook URL, and records the outcome: DELIVERED
// on a 2xx, otherwise another attempt after an exponential, jittered backoff, until the attempts run out (FAILED).
// Unless private addresses are allowed, the host is resolved first and a delivery to loopback, private, link-local
// or other special-purpose addresses is refused (FAILED at once: the platform must change its URL or DNS, then ask
// for a redelivery); the request then connects only to the addresses that were checked (no second resolution, so no
// DNS rebinding). Finished rows older than the retention are purged in bounded batches.
// fetch, DNS lookup, the clock and the jitter source are injected. Secrets, signatures and URLs are never logged.
import { lookup as dnsLookup } from 'node:dns/promises';
import { fetch as undiciFetch } from 'undici';
import type { Db } from '../db/database.ts';
import type { PlatformRow, WebhookOutboxRow } from '../db/schema.ts';
import { createPlatformRepository } from '../identity/platform.repository.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { checkWebhookUrl, isAllowedAddress } from '../identity/webhook-destination-policy.ts';
import { PinnedAgent, type PinnedAddress } from './pinned-agent.ts';
import { backoffSeconds, serializeWebhookBody, type BackoffOptions } from './events.ts';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './signature.ts';
import { createWebhookRepository, type AttemptOutcome } from './webhook.repository.ts';

export const WEBHOOK_USER_AGENT = 'Credence-Webhook/1.0';

/** What a refused destination records. */
export const DESTINATION_NOT_ALLOWED = 'destination address not allowed';

/** Every address a host name resolves to. */
export type AddressLookup = (hostname: string) => Promise<ReadonlyArray<PinnedAddress>>;

const defaultLookup: AddressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Rows deleted per statement when purging, and statements per purge. */
const PURGE_BATCH = 1_000;
const PURGE_MAX_BATCHES = 100;

export interface DeliveryWorkerOptions {
  db: Db;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Attempts before a delivery is FAILED. */
  maxAttempts: number;
  backoff: BackoffOptions;
  /** Rows claimed per round. */
  batchSize?: number;
  /** Requests in flight at once within a round. */
  concurrency?: number;
  /** undici's fetch unless given; it gets a `dispatcher` (a PinnedAgent) in its init when the host was resolved. */
  fetch?: typeof fetch;
  /** Lets deliveries go to loopback, private, link-local and other special-purpose addresses. Off unless set. */
  allowPrivateAddresses?: boolean;
  /** Resolves webhook hosts before sending (node:dns lookup unless given). */
  lookup?: AddressLookup;
  /** Days DELIVERED and FAILED rows are kept by `purgeFinished`; 0 (the default) keeps them forever. */
  retentionDays?: number;
  clock?: () => Date;
  /** Jitter source in [0, 1). */
  random?: () => number;
  logger?: Logger;
}

export interface DeliveryRound {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

export interface DeliveryWorker {
  /** Claims one batch of due deliveries and attempts each once. */
  runOnce(): Promise<DeliveryRound>;
  /** Rounds until nothing is due (at most `maxRounds`); the totals. */
  drain(maxRounds?: number): Promise<DeliveryRound>;
  /** Deletes DELIVERED and FAILED rows older than the retention, in bounded batches; how many went. */
  purgeFinished(): Promise<number>;
}

/** What a failed attempt records (no URL: it may carry credentials). */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
    const cause = (error as Error & { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return `request failed: ${cause.code}`;
    return `request failed: ${error.message}`.slice(0, 300);
  }
  return 'request failed';
}

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  // undici's own fetch: the pinned agent is an undici Agent of the same version.
  const doFetch = options.fetch ?? (undiciFetch as unknown as typeof fetch);
  const lookup = options.lookup ?? defaultLookup;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const batchSize = options.batchSize ?? 20;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const outbox = createWebhookRepository(options.db);
  const platforms = createPlatformRepository(options.db);
  // A claim outlives the slowest request by a wide margin, so only a dead worker loses its rows to another.
  const leaseMs = options.timeoutMs + 60_000;

  async function attempt(row: WebhookOutboxRow, platform: PlatformRow | undefined): Promise<AttemptOutcome> {
    const fail = (error: string, statusCode: number | null, final = false): AttemptOutcome => {
      const now = clock();
      const exhausted = final || row.attempts >= options.maxAttempts;
      return {
        status: exhausted ? 'FAILED' : 'PENDING',
        nextAttemptAt: exhausted ? now : new Date(now.getTime() + backoffSeconds(row.attempts, options.backoff, random()) * 1000),
        attemptedAt: now,
        statusCode,
        error,
      };
    };
    if (!platform || !platform.webhook_url) return fail('the platform has no webhook URL', null, true);
    if (platform.status === 'SUSPENDED') return fail('the platform is suspended', null, true);
    let pinned: PinnedAgent | undefined;
    if (!options.allowPrivateAddresses) {
      // Checked again here: the URL may predate the rule, and a host name may resolve anywhere. A lookup that fails
      // is an ordinary, retryable failure.
      const verdict = checkWebhookUrl(platform.webhook_url);
      if (!verdict.ok) return fail(DESTINATION_NOT_ALLOWED, null, true);
      if (!verdict.literal) {
        let addresses: ReadonlyArray<PinnedAddress>;
        let timer: NodeJS.Timeout | undefined;
        try {
          addresses = await Promise.race([
            lookup(verdict.host),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), options.timeoutMs);
            }),
          ]);
        } catch (error) {
          // The code only: the message names the host.
          const code = (error as { code?: unknown } | null)?.code;
          return fail(`lookup failed${typeof code === 'string' ? `: ${code}` : ''}`, null);
        } finally {
          clearTimeout(timer);
        }
        if (addresses.length === 0 || addresses.some((entry) => !isAllowedAddress(entry.address))) {
          return fail(DESTINATION_NOT_ALLOWED, null, true);
        }
        // Connect to exactly what was checked: fetch must not resolve the name again.
        pinned = new PinnedAgent(addresses.map(({ address, family }) => ({ address, family })));
      }
    }

    const body = serializeWebhookBody({
      id: row.id,
      type: row.event_type,
      data: row.payload,
      created_at: new Date(row.created_at).toISOString(),
    });
    const signature = signWebhook(platform.webhook_secret, body, Math.floor(clock().getTime() / 1000));
    try {
      const response = await doFetch(platform.webhook_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_USER_AGENT,
          [WEBHOOK_SIGNATURE_HEADER]: signature,
          'x-credence-event-id': row.id,
          'x-credence-event-type': row.event_type,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(pinned ? { dispatcher: pinned } : {}),
      } as RequestInit);
      // The receiver's answer is not read: only its status counts.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        return { status: 'DELIVERED', nextAttemptAt: clock(), attemptedAt: clock(), statusCode: response.status, error: null };
      }
      return fail(`HTTP ${response.status}`, response.status >= 100 && response.status <= 599 ? response.status : null);
    } catch (error) {
      return fail(describeFailure(error, options.timeoutMs), null);
    } finally {
      await pinned?.destroy().catch(() => undefined);
    }
  }

  async function runOnce(): Promise<DeliveryRound> {
    const now = clock();
    const claimed = await outbox.claimDue(now, new Date(now.getTime() + leaseMs), batchSize);
    const round: DeliveryRound = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
    if (claimed.length === 0) return round;
    const byDid = new Map((await platforms.findByDids([...new Set(claimed.map((row) => row.platform_did))])).map((p) => [p.did, p]));
    const queue = [...claimed];
    const work = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const outcome = await attempt(row, byDid.get(row.platform_did));
        const recorded = await outbox.finishAttempt(row, outcome);
        const fields = { id: row.id, type: row.event_type, platform: row.platform_did, attempts: row.attempts };
        if (!recorded) {
          logger.warn('webhook claim lost before the attempt was recorded', fields);
        } else if (outcome.status === 'DELIVERED') {
          round.delivered += 1;
          logger.info('webhook delivered', { ...fields, status: outcome.statusCode });
        } else if (outcome.status === 'FAILED') {
          round.failed += 1;
          logger.warn('webhook delivery failed for good', { ...fields, error: outcome.error });
        } else {
          round.retrying += 1;
          logger.info('webhook delivery will be retried', { ...fields, error: outcome.error, nextAttemptAt: outcome.nextAttemptAt.toISOString() });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, work));
    return round;
  }

  async function purgeFinished(): Promise<number> {
    const days = options.retentionDays ?? 0;
    if (days <= 0) return 0;
    const before = new Date(clock().getTime() - days * 86_400_000);
    let total = 0;
    for (let batch = 0; batch < PURGE_MAX_BATCHES; batch += 1) {
      const deleted = await outbox.purgeFinished(before, PURGE_BATCH);
      total += deleted;
      if (deleted < PURGE_BATCH) break;
    }
    if (total > 0) logger.info('webhook outbox purged', { deleted: total, before: before.toISOString() });
    return total;
  }

  return {
    runOnce,
    purgeFinished,
    async drain(maxRounds = 100) {
      const total: DeliveryRound = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
      for (let round = 0; round < maxRounds; round += 1) {
        const result = await runOnce();
        total.claimed += result.claimed;
        total.delivered += result.delivered;
        total.retrying += result.retrying;
        total.failed += result.failed;
        if (result.claimed === 0) break;
      }
      return total;
    },
  };
}
