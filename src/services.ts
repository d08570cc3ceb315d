// Composition root for services: repositories over one Kysely instance, services over repositories.
import type { Db } from './db/database.ts';
import type { ReadRouter } from './db/read-router.ts';
import type { Clock } from './clock.ts';
import { createTokenStore } from './auth/token-store.repository.ts';
import { createAgentRepository } from './identity/agent.repository.ts';
import { createAgentService } from './identity/agent.service.ts';
import { createPlatformRepository } from './identity/platform.repository.ts';
import { createPlatformService } from './identity/platform.service.ts';
import { createIssuerKeyService } from './issuer/issuer-key.service.ts';
import { createReceiptRepository } from './receipts/receipt.repository.ts';
import { createReceiptService } from './receipts/receipt.service.ts';
import { createReceiptStore } from './receipts/receipt-store.ts';
import { createReceiptSubmission } from './receipts/receipt-submission.ts';
import { countingIngest, type IngestCounter } from './receipts/ingest-metrics.ts';
import { createSettlementRepository } from './receipts/settlement.repository.ts';
import { createSettlementService } from './receipts/settlement.service.ts';
import { createTrustService } from './trust/store/trust.service.ts';
import { createTrustAnchorService } from './trust/store/anchors.service.ts';
import {
  createCredentialService,
  type CredentialServiceOptions,
  type TrustReportSource,
} from './credentials/credential.service.ts';
import { createTrustAnnouncer } from './webhooks/trust-announcer.ts';
import { createTrustChangeFeed, type TrustChangeFeed } from './webhooks/trust-change-feed.ts';
import { createWebhookService } from './webhooks/webhook.service.ts';

export interface ServiceOptions {
  /** trustReports defaults to the trust service: reputation credentials sign its report. */
  credentials: Omit<CredentialServiceOptions, 'trustReports' | 'didDocument' | 'receipts' | 'onRevoked'> & {
    trustReports?: TrustReportSource | undefined;
  };
  /** Trust changes are announced (webhook outbox, NOTIFY) when the tier moves or the score moves this far. */
  webhooks?: { scoreDelta: number; allowPrivateAddresses?: boolean };
  /** Feeds trustChanged subscriptions; without one, subscriptions hear nothing. */
  trustChanges?: TrustChangeFeed;
  /** Configured trust anchors (CREDENCE_TRUST_ANCHORS), listed beside the admin-named ones. */
  trustAnchors?: readonly string[];
  /** Counts every submitted receipt by outcome (the app's /metrics); uncounted without one. */
  ingestCounter?: IngestCounter;
  /** Where public reads go (src/db/read-router.ts); all on `db` unless given. */
  reads?: ReadRouter;
  /**
   * The handle listing reads (receipts, credentials, agents, platforms) use: routed to the replica inside public
   * requests (src/db/public-reads.ts); `db` unless given.
   */
  publicReads?: Db;
}

export function createServices(db: Db, clock: Clock, options: ServiceOptions) {
  const publicReads = options.publicReads ?? db;
  // Agents a change notice drops from memory are reloaded in the background, several to a statement.
  const trust = createTrustService(db, { ...(options.reads ? { reads: options.reads } : {}), refreshAsOf: clock });
  // Change detection runs inside the receipt and credential transactions (webhooks and trustChanged).
  const announcer = createTrustAnnouncer({ scoreDelta: options.webhooks?.scoreDelta ?? 5 });
  const issuerKeys = createIssuerKeyService(db, { serviceDid: options.credentials.serviceDid });
  const credentials = createCredentialService(db, {
    ...options.credentials,
    didDocument: issuerKeys.didDocument,
    trustReports: options.credentials.trustReports ?? trust,
    // Task credentials read the receipt (locked) and its settlement in the issuing transaction.
    receipts: {
      lockReceipt: (trx, receiptId) => createReceiptRepository(trx).findLocked(receiptId),
      settlement: (trx, platformDid, escrowId) => createSettlementRepository(trx).find(platformDid, escrowId),
    },
    onRevoked: (trx, revoked, now) => announcer.credentialsRevoked(trx, revoked, now),
    listReads: publicReads,
  });
  const storedReceipts = createReceiptService(
    db,
    createReceiptStore({
      receiptsStored: announcer.receiptsStored,
      receiptRevoked: announcer.receiptRevoked,
      // Revoking a receipt revokes the task credentials built on it, in the same transaction.
      revokeDerived: (trx, receipt, by, now) =>
        credentials.revokeForReceiptIn(trx, receipt.receipt_id, receipt.revoked_reason ?? 'receipt revoked', by, now),
    }),
    publicReads,
  );
  const receipts = options.ingestCounter ? countingIngest(storedReceipts, options.ingestCounter) : storedReceipts;
  return {
    tokenStore: createTokenStore(db, clock),
    agents: createAgentService(createAgentRepository(db), createAgentRepository(publicReads)),
    platforms: createPlatformService(
      createPlatformRepository(db),
      { allowPrivateWebhookAddresses: options.webhooks?.allowPrivateAddresses ?? false },
      createPlatformRepository(publicReads),
    ),
    issuerKeys,
    settlements: createSettlementService(db),
    receipts,
    // Every entry point (GraphQL, REST) submits through this use case.
    submissions: createReceiptSubmission({ receipts, trust, credentials }),
    credentials,
    trust,
    trustAnchors: createTrustAnchorService(db, options.trustAnchors ?? []),
    webhooks: createWebhookService(db),
    trustChanges: options.trustChanges ?? createTrustChangeFeed({}),
  };
}

export type Services = ReturnType<typeof createServices>;
