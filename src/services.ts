// Composition root for services: repositories over one Kysely instance, services over repositories.
import type { Db } from './db/database.ts';
import type { Clock } from './context.ts';
import { createTokenStore } from './auth/token-store.repository.ts';
import { createAgentRepository } from './identity/agent.repository.ts';
import { createAgentService } from './identity/agent.service.ts';
import { createPlatformRepository } from './identity/platform.repository.ts';
import { createPlatformService } from './identity/platform.service.ts';
import { createIssuerKeyRepository } from './identity/issuer-key.repository.ts';
import { createReceiptService } from './receipts/receipt.service.ts';
import { createSettlementService } from './receipts/settlement.service.ts';
import { createTrustService } from './trust-store/trust.service.ts';
import {
  createCredentialService,
  revokingCredentialsWithReceipts,
  type CredentialServiceOptions,
  type TrustReportSource,
} from './credentials/credential.service.ts';

export interface ServiceOptions {
  /** trustReports defaults to the trust service: reputation credentials sign its report. */
  credentials: Omit<CredentialServiceOptions, 'trustReports'> & { trustReports?: TrustReportSource | undefined };
}

export function createServices(db: Db, clock: Clock, options: ServiceOptions) {
  const trust = createTrustService(db);
  const credentials = createCredentialService(db, {
    ...options.credentials,
    trustReports: options.credentials.trustReports ?? trust,
  });
  return {
    tokenStore: createTokenStore(db, clock),
    agents: createAgentService(createAgentRepository(db)),
    platforms: createPlatformService(createPlatformRepository(db)),
    issuerKeys: createIssuerKeyRepository(db),
    settlements: createSettlementService(db),
    // Revoking a receipt also revokes the task credentials built on it.
    receipts: revokingCredentialsWithReceipts(createReceiptService(db), credentials),
    credentials,
    trust,
  };
}

export type Services = ReturnType<typeof createServices>;
