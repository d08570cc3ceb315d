// The service's credentials as one object for resolvers and routes: it wires the document loader, status lists,
// issuance, revocation and verification (each in its own module) over one signing key, and adds the reads.
import type { Db } from '../db/database.ts';
import type { KeysetRead } from '../db/keyset.ts';
import type { CredentialRow } from '../db/schema.ts';
import { createCredentialRepository, type CredentialCursor } from './credential.repository.ts';
import type { DidDocument } from './document-loader.ts';
import { createIssuanceService, type ReceiptFacts, type TrustReportSource } from './issuance.service.ts';
import { createRevocationService } from './revocation.service.ts';
import { createServiceDocumentLoader } from './service-document-loader.ts';
import type { SigningKey } from './signing-key.ts';
import { createStatusListService } from './status-list.service.ts';
import { createVerificationService } from './verification.service.ts';

export {
  DEFAULT_REPUTATION_CREDENTIALS_PER_DAY,
  REPUTATION_QUOTA_WINDOW_MS,
  REPUTATION_REUSE_MS,
  reputationHash,
  type IssueCredentialInput,
  type ReceiptFacts,
  type TrustReportSource,
} from './issuance.service.ts';
export { FIRST_STATUS_LIST_ID, type PublishedStatusList } from './status-list.service.ts';
export type { ServiceCredentialVerification, ServicePresentationVerification } from './verification.service.ts';

export interface CredentialServiceOptions {
  serviceDid: string;
  publicUrl: string;
  /** The active issuer key; it signs credentials and status lists alike. */
  signingKey: SigningKey;
  /** The service's DID document, from the issuer keys. */
  didDocument: () => Promise<DidDocument>;
  trustReports: TrustReportSource;
  /** What task credentials read from receipts and settlements, inside the issuing transaction. */
  receipts: ReceiptFacts;
  /** Reputation credentials one DID may be issued per 24 hours (admin reissues included); 0 means no limit. */
  reputationCredentialsPerDay?: number | undefined;
  /** Called inside the revoking transaction with the credentials just revoked (webhooks hook in here). */
  onRevoked?: ((trx: Db, revoked: readonly CredentialRow[], now: Date) => Promise<unknown>) | undefined;
  /** Where listings read (the public read handle, which may be a replica); `db` unless given. */
  listReads?: Db | undefined;
}

export function createCredentialService(db: Db, options: CredentialServiceOptions) {
  const { serviceDid, signingKey } = options;
  const reads = createCredentialRepository(db);
  // Listings only; a credential looked up by id (and every status list) is read on the primary, so a revocation is
  // never hidden by a replica's lag.
  const lists = createCredentialRepository(options.listReads ?? db);
  const documentLoader = createServiceDocumentLoader(db, {
    serviceDid,
    publicUrl: options.publicUrl,
    didDocument: options.didDocument,
  });
  const statusLists = createStatusListService(db, { publicUrl: options.publicUrl, signingKey, documentLoader });
  const issuance = createIssuanceService(db, {
    serviceDid,
    signingKey,
    documentLoader,
    statusLists,
    trustReports: options.trustReports,
    receipts: options.receipts,
    reputationCredentialsPerDay: options.reputationCredentialsPerDay,
  });
  const revocation = createRevocationService(db, { statusLists, onRevoked: options.onRevoked });
  const verification = createVerificationService({ serviceDid, documentLoader });

  return {
    documentLoader,

    ensureStatusList: statusLists.ensureStatusList,
    statusList: statusLists.statusList,
    revokedInList: statusLists.revokedInList,

    issue: issuance.issue,
    reissue: issuance.reissue,

    revoke: revocation.revoke,
    revokeForReceiptIn: revocation.revokeForReceiptIn,

    verifyCredential: verification.verifyCredential,
    verifyPresentation: verification.verifyPresentation,

    findByIds: reads.findByIds,
    page: (subjectDid: string, after: CredentialCursor | null, limit: number) => lists.page(subjectDid, after, limit),
    keysetPage: (subjectDid: string, read: KeysetRead) => lists.keysetPage(subjectDid, read),
    pageAt: (subjectDid: string, offset: number, limit: number) => lists.pageAt(subjectDid, offset, limit),
    countForSubject: (subjectDid: string) => lists.countForSubject(subjectDid),
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
