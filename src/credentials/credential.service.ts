// Issuing, revoking, publishing and verifying the service's credentials: the stateful shell around the pure
// library in this directory. Every credential gets an index in a Bitstring Status List; revoking sets the bit and
// re-signs the list in the same transaction, so the published list never lags the database.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { KeysetRead } from '../db/keyset.ts';
import type { CredentialEncoding, CredentialKind, CredentialRow, CredentialStatusListRow, ReceiptRow } from '../db/schema.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AuthError, ConflictError, InputError, NotFoundError, RateLimitError } from '../errors.ts';
import { buildDidWebDocument } from '../identity/did-web.ts';
import { createIssuerKeyRepository } from '../identity/issuer-key.repository.ts';
import type { IssuerKey as ServiceIssuerKey } from '../identity/issuer-key.ts';
import { createSettlementRepository } from '../receipts/settlement.repository.ts';
import { canonicalJson } from '../receipts/signed-jws.ts';
import { CREDENCE_CONTEXT_V1_PATH } from './contexts.ts';
import { createCredentialRepository, type CredentialCursor, type RevokedEntry } from './credential.repository.ts';
import {
  reputationCredential,
  reputationSubject,
  taskCompletionCredential,
  type CredentialDraft,
  type TrustReportLike,
} from './credential-types.ts';
import { createDocumentLoader, type DidDocument, type DocumentLoader } from './document-loader.ts';
import type { SigningKey } from './issuer-key.ts';
import { issueDataIntegrityCredential } from './data-integrity.ts';
import { issueJsonLdCredential } from './jsonld-credential.ts';
import { issueJwtCredential } from './jwt-credential.ts';
import { verifyPresentation, type PresentationVerification } from './presentation.ts';
import {
  createBitstring,
  decodeBitstring,
  encodeBitstring,
  issueStatusListCredential,
  setBit,
  STATUS_LIST_LENGTH,
  statusListEntry,
  statusListUrl,
} from './status-list.ts';
import type { CredentialVerification } from './verification-result.ts';
import { verifyCredential } from './verify.ts';

/** Where reputation credentials get their numbers. Injected, so the credential service does not depend on the engine. */
export interface TrustReportSource {
  report(did: string, asOf: Date): Promise<TrustReportLike>;
}

export interface CredentialServiceOptions {
  serviceDid: string;
  publicUrl: string;
  /** The active issuer key; it signs credentials and status lists alike. */
  signingKey: SigningKey;
  trustReports: TrustReportSource;
  /** Reputation credentials one DID may be issued per 24 hours (admin reissues included); 0 means no limit. */
  reputationCredentialsPerDay?: number | undefined;
  /** Called inside the revoking transaction with the credentials just revoked (webhooks hook in here). */
  onRevoked?: ((trx: Db, revoked: readonly CredentialRow[], now: Date) => Promise<unknown>) | undefined;
}

export interface IssueCredentialInput {
  type: CredentialKind;
  format: CredentialEncoding;
  receiptId?: string | null | undefined;
}

export interface ServiceCredentialVerification extends CredentialVerification {
  /** The issuer is this service's DID. */
  issuedByService: boolean;
  /** Facts a verifier should know that do not make the credential invalid. */
  warnings: string[];
}

export interface ServicePresentationVerification extends Omit<PresentationVerification, 'credentials'> {
  credentials: ServiceCredentialVerification[];
}

export interface PublishedStatusList {
  listId: number;
  url: string;
  /** The signed BitstringStatusListCredential as served. */
  body: string;
  etag: string;
  updatedAt: Date;
}

export const FIRST_STATUS_LIST_ID = 1;
const MAX_REASON = 500;
export const DEFAULT_REPUTATION_CREDENTIALS_PER_DAY = 24;
const HOUR_MS = 3_600_000;
/** The span of the per-DID reputation quota. */
export const REPUTATION_QUOTA_WINDOW_MS = 24 * HOUR_MS;
/** An unchanged report is answered with the live credential issued this recently, instead of a new one. */
export const REPUTATION_REUSE_MS = 24 * HOUR_MS;

/** Hash of what a reputation credential signs, less the time it was computed: equal hashes state equal numbers. */
export function reputationHash(report: TrustReportLike): string {
  const { asOf: _asOf, ...numbers } = reputationSubject(report);
  return createHash('sha256').update(canonicalJson(numbers)).digest('base64url');
}

/** The issuer key loaded at start, as the library's signing key of the service's did:web. */
export function serviceSigningKey(key: ServiceIssuerKey, serviceDid: string): SigningKey {
  return {
    did: serviceDid,
    keyId: key.keyId,
    verificationMethod: `${serviceDid}#${key.keyId}`,
    publicKey: key.publicKey,
    publicKeyMultibase: key.publicKeyMultibase,
    privateKey: key.privateKey,
  };
}

/** A strong validator over the exact bytes served. */
function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

export function createCredentialService(db: Db, options: CredentialServiceOptions) {
  const { serviceDid, publicUrl, signingKey } = options;
  const reads = createCredentialRepository(db);
  const issuerKeys = createIssuerKeyRepository(db);
  const listUrl = (listId: number) => statusListUrl(publicUrl, listId);
  const listPrefix = `${publicUrl.replace(/\/+$/, '')}/credentials/status/`;

  async function didDocument(): Promise<DidDocument> {
    const keys = await issuerKeys.list();
    return buildDidWebDocument(
      serviceDid,
      keys.map((key) => ({ keyId: key.key_id, publicKeyMultibase: key.public_key_multibase })),
      keys.filter((key) => key.status === 'ACTIVE').map((key) => key.key_id),
    ) as DidDocument;
  }

  // The loader's status cache keys on object identity: hand out one parsed object per list version (ETag).
  const parsedLists = new Map<number, { etag: string; document: object }>();
  async function signedListFor(url: string): Promise<object | undefined> {
    if (!url.startsWith(listPrefix)) return undefined;
    const id = url.slice(listPrefix.length);
    if (!/^[1-9][0-9]{0,8}$/.test(id)) return undefined;
    const listId = Number(id);
    const etag = await reads.listEtag(listId);
    if (etag === undefined) return undefined;
    const cached = parsedLists.get(listId);
    if (cached?.etag === etag) return cached.document;
    const row = await reads.findList(listId);
    if (!row) return undefined;
    const document = JSON.parse(row.signed_credential) as object;
    parsedLists.set(listId, { etag: row.etag, document });
    return document;
  }

  const documentLoader: DocumentLoader = createDocumentLoader({
    didDocuments: async (did) => (did === serviceDid ? didDocument() : undefined),
    statusListCredentials: signedListFor,
    contextAliases: [`${publicUrl.replace(/\/+$/, '')}${CREDENCE_CONTEXT_V1_PATH}`],
  });

  async function signList(listId: number, bits: Uint8Array, now: Date) {
    const signed = await issueStatusListCredential({ url: listUrl(listId), bits, validFrom: now }, signingKey, { documentLoader });
    const body = JSON.stringify(signed);
    return { encoded_list: encodeBitstring(bits), signed_credential: body, etag: etagOf(body) };
  }

  /** Creates list `listId` (all bits clear) unless it exists. */
  async function createList(trx: Db, listId: number, now: Date): Promise<void> {
    const signed = await signList(listId, createBitstring(STATUS_LIST_LENGTH), now);
    await createCredentialRepository(trx).insertList({
      list_id: listId,
      status_purpose: 'revocation',
      length: STATUS_LIST_LENGTH,
      next_index: 0,
      ...signed,
      created_at: now,
      updated_at: now,
    });
  }

  async function allocateIndex(trx: Db, now: Date): Promise<{ listId: number; index: number }> {
    const repository = createCredentialRepository(trx);
    // A full newest list (or none at all) starts the next one; losing that race to another issuer just retries.
    for (let attempt = 0; attempt < 5; attempt++) {
      const allocated = await repository.allocateIndex();
      if (allocated) return allocated;
      await createList(trx, ((await repository.newestListId()) ?? 0) + 1, now);
    }
    throw new Error('could not allocate a status list index');
  }

  async function sign(draft: CredentialDraft, format: CredentialEncoding): Promise<string> {
    if (format === 'JWT') return issueJwtCredential(draft, signingKey);
    if (format === 'DATA_INTEGRITY') return JSON.stringify(await issueDataIntegrityCredential(draft, signingKey, { documentLoader }));
    return JSON.stringify(await issueJsonLdCredential(draft, signingKey, { documentLoader }));
  }

  /**
   * Receipt checks for a task credential. The row stays locked until commit: a concurrent receipt revocation waits
   * and then finds (and revokes) the new credential, and a second issuer for the same receipt finds the first one's.
   */
  async function eligibleReceipt(trx: Db, receiptId: string, callerDid: string): Promise<ReceiptRow> {
    const receipt = await trx.selectFrom('receipts').selectAll().where('receipt_id', '=', receiptId).forNoKeyUpdate().executeTakeFirst();
    if (!receipt) throw new NotFoundError(`no receipt ${receiptId}`);
    if (receipt.subject_did !== callerDid) {
      throw new AuthError('FORBIDDEN', 'task credentials are issued only to the receipt\'s own subject');
    }
    if (receipt.revoked_at) throw new InputError(`receipt ${receiptId} is revoked`, 'input.receiptId');
    if (receipt.confidence !== 'ESCROW_VERIFIED') {
      throw new InputError(`receipt ${receiptId} is ${receipt.confidence}, not ESCROW_VERIFIED`, 'input.receiptId');
    }
    if (receipt.outcome !== 'accepted') {
      throw new InputError(`receipt ${receiptId} records an ${receipt.outcome} outcome, not a completed task`, 'input.receiptId');
    }
    return receipt;
  }

  /** With `reissueOf` (an admin's reissue), the revoked credential this one replaces. */
  async function issueTaskCompletion(caller: { did: string }, receiptId: string, format: CredentialEncoding, now: Date, reissueOf?: CredentialRow) {
    return db.transaction().execute(async (trx) => {
      const receipt = await eligibleReceipt(trx, receiptId, caller.did);
      const repository = createCredentialRepository(trx);
      // A task happened once: asking again returns the live credential instead of spending another index.
      const existing = await repository.findLiveForReceipt(receiptId, 'TASK_COMPLETION', format);
      if (existing && reissueOf) throw new ConflictError('ALREADY_EXISTS', `credential ${existing.id} for receipt ${receiptId} is live`);
      if (existing) return existing;
      // Revocation is an admin's decision: the receipt (whose JWT is public) must not buy a fresh credential, in any
      // format, until an admin reissues it (then the receipt stands again, and the other formats may be asked for).
      // Under the receipt row lock taken above, so a concurrent issuer for the same receipt waits and sees the same.
      const revoked = reissueOf ? undefined : await repository.findStandingRevocationForReceipt(receiptId, 'TASK_COMPLETION');
      if (revoked) {
        throw new AuthError('FORBIDDEN', `credential ${revoked.id} for receipt ${receiptId} was revoked; only an admin can reissue it`);
      }
      const settlement = await createSettlementRepository(trx).find(receipt.platform_did, receipt.escrow_id!);
      const { listId, index } = await allocateIndex(trx, now);
      const draft = taskCompletionCredential({
        id: `urn:uuid:${randomUUID()}`,
        issuer: serviceDid,
        issuedAt: now,
        status: statusListEntry(listUrl(listId), index),
        receipt: {
          receiptId: receipt.receipt_id,
          agentDid: receipt.subject_did,
          platformDid: receipt.platform_did,
          actionCategory: receipt.action_category,
          valueUsd: Number(receipt.value_usd),
          amount: receipt.amount ?? settlement?.amount ?? String(receipt.value_usd),
          currency: receipt.currency ?? settlement?.currency ?? 'USD',
          counterparty: receipt.counterparty_did,
          // The escrow's final transition is when the work was paid for; the receipt's own time is the fallback.
          settledAt: settlement?.updated_at ?? receipt.occurred_at,
          escrowId: receipt.escrow_id,
        },
      });
      return repository.insert({
        ...rowFor(draft, 'TASK_COMPLETION', format, await sign(draft, format), listId, index, receiptId),
        reissue_of: reissueOf?.id ?? null,
      });
    });
  }

  const reputationPerDay = options.reputationCredentialsPerDay ?? DEFAULT_REPUTATION_CREDENTIALS_PER_DAY;

  async function issueReputation(caller: { did: string }, format: CredentialEncoding, now: Date, reissueOf?: CredentialRow) {
    // Computed before the transaction: the report reads a lot and must not hold the status list's lock meanwhile.
    const report = await options.trustReports.report(caller.did, now);
    if (report.did !== caller.did) throw new Error(`trust report is about ${report.did}, not ${caller.did}`);
    const subjectHash = reputationHash(report);
    return db.transaction().execute(async (trx) => {
      const repository = createCredentialRepository(trx);
      await repository.lockReputationSubject(caller.did);
      if (!reissueOf) {
        const same = await repository.reputationWithHash(caller.did, subjectHash, 10);
        // The same numbers an admin revoked are not signed again at the subject's request, unless the admin reissued.
        const revoked = same.filter((row) => row.revoked_at);
        const reissued = await repository.reissued(revoked.map((row) => row.id));
        const standing = revoked.find((row) => !reissued.has(row.id));
        if (standing) {
          throw new AuthError('FORBIDDEN', `credential ${standing.id} stating these numbers was revoked; only an admin can reissue it`);
        }
        const live = same.find(
          (row) =>
            row.format === format &&
            !row.revoked_at &&
            new Date(row.issued_at).getTime() > now.getTime() - REPUTATION_REUSE_MS &&
            (row.expires_at === null || new Date(row.expires_at) > now),
        );
        if (live) return live;
        if (reputationPerDay > 0) {
          const { count, oldest } = await repository.reputationIssuedSince(caller.did, new Date(now.getTime() - REPUTATION_QUOTA_WINDOW_MS));
          if (count >= reputationPerDay) {
            const retryMs = (oldest?.getTime() ?? now.getTime()) + REPUTATION_QUOTA_WINDOW_MS - now.getTime();
            throw new RateLimitError(
              `at most ${reputationPerDay} reputation credentials per DID per 24 hours`,
              Math.max(1, Math.ceil(retryMs / 1000)),
            );
          }
        }
      }
      const { listId, index } = await allocateIndex(trx, now);
      const draft = reputationCredential({
        id: `urn:uuid:${randomUUID()}`,
        issuer: serviceDid,
        issuedAt: now,
        status: statusListEntry(listUrl(listId), index),
        report,
      });
      return repository.insert({
        ...rowFor(draft, 'REPUTATION', format, await sign(draft, format), listId, index, null),
        subject_hash: subjectHash,
        reissue_of: reissueOf?.id ?? null,
      });
    });
  }

  function rowFor(
    draft: CredentialDraft,
    type: CredentialKind,
    format: CredentialEncoding,
    encoded: string,
    listId: number,
    index: number,
    receiptId: string | null,
  ) {
    return {
      id: draft.id,
      type,
      format,
      subject_did: draft.subject.id,
      issuer_did: draft.issuer,
      receipt_id: receiptId,
      status_list_id: listId,
      status_index: index,
      issued_at: draft.validFrom,
      expires_at: draft.validUntil ?? null,
      encoded,
    };
  }

  /** Revokes locked live credentials: marks the rows, sets their bits and re-signs each list touched once. */
  async function revokeLocked(
    trx: Db,
    credentials: readonly CredentialRow[],
    values: { reason: string; by: string; now: Date },
  ): Promise<CredentialRow[]> {
    if (credentials.length === 0) return [];
    const repository = createCredentialRepository(trx);
    const byList = new Map<number, number[]>();
    for (const credential of credentials) {
      byList.set(credential.status_list_id, [...(byList.get(credential.status_list_id) ?? []), credential.status_index]);
    }
    for (const listId of [...byList.keys()].sort((a, b) => a - b)) {
      const list = await repository.lockList(listId);
      if (!list) throw new Error(`status list ${listId} is missing`);
      const bits = decodeBitstring(list.encoded_list);
      for (const index of byList.get(listId)!) setBit(bits, index, true);
      await repository.updateList(listId, { ...(await signList(listId, bits, values.now)), updated_at: values.now });
    }
    const revoked = await repository.markRevoked(
      credentials.map((credential) => credential.id),
      { ...values, reason: values.reason.slice(0, MAX_REASON) },
    );
    await options.onRevoked?.(trx, revoked, values.now);
    return revoked;
  }

  function published(row: CredentialStatusListRow): PublishedStatusList {
    return {
      listId: row.list_id,
      url: listUrl(row.list_id),
      body: row.signed_credential,
      etag: row.etag,
      updatedAt: new Date(row.updated_at),
    };
  }

  function withIssuerFacts(result: CredentialVerification): ServiceCredentialVerification {
    const issuedByService = result.issuer === serviceDid;
    const warnings =
      result.issuer && !issuedByService
        ? [`issuer: ${result.issuer} is not this service (${serviceDid}); Credence did not issue this credential`]
        : [];
    return { ...result, issuedByService, warnings };
  }

  return {
    documentLoader,
    didDocument,

    /** Makes sure the first status list exists and is signed, so the status URL answers before any issuance. */
    async ensureStatusList(now: Date): Promise<void> {
      if (await reads.listEtag(FIRST_STATUS_LIST_ID)) return;
      await createList(db, FIRST_STATUS_LIST_ID, now);
    },

    async issue(caller: { did: string }, input: IssueCredentialInput, now: Date): Promise<CredentialRow> {
      if (input.type === 'TASK_COMPLETION') {
        if (!input.receiptId) throw new InputError('a TASK_COMPLETION credential needs receiptId', 'input.receiptId');
        return issueTaskCompletion(caller, input.receiptId, input.format, now);
      }
      if (input.receiptId) throw new InputError('receiptId is only for TASK_COMPLETION credentials', 'input.receiptId');
      return issueReputation(caller, input.format, now);
    },

    /**
     * Admin reissue: a fresh credential in place of a revoked one, for the same subject, type and format, signed now
     * (a task credential needs its receipt still eligible; a reputation one signs the current report). At most one
     * reissue per revoked credential.
     */
    async reissue(id: string, _caller: { did: string }, now: Date): Promise<CredentialRow> {
      const [revoked] = await reads.findByIds([id]);
      if (!revoked) throw new NotFoundError(`no credential ${id}`);
      if (!revoked.revoked_at) throw new InputError(`credential ${id} is not revoked; only a revoked credential is reissued`, 'id');
      const earlier = await reads.findReissueOf(id);
      if (earlier) throw new ConflictError('ALREADY_EXISTS', `credential ${id} was already reissued as ${earlier.id}`);
      const subject = { did: revoked.subject_did };
      try {
        return revoked.type === 'TASK_COMPLETION'
          ? await issueTaskCompletion(subject, revoked.receipt_id!, revoked.format, now, revoked)
          : await issueReputation(subject, revoked.format, now, revoked);
      } catch (error) {
        // A concurrent reissue of the same credential won: the unique reissue_of index decided.
        if (isUniqueViolation(error)) throw new ConflictError('ALREADY_EXISTS', `credential ${id} was already reissued`);
        throw error;
      }
    },

    /** Admin revocation; revoking a revoked credential returns it unchanged. */
    async revoke(id: string, reason: string, caller: { did: string }, now: Date): Promise<CredentialRow> {
      return db.transaction().execute(async (trx) => {
        const repository = createCredentialRepository(trx);
        const live = await repository.lockLive({ ids: [id] });
        if (live.length === 0) {
          const [stored] = await repository.findByIds([id]);
          if (!stored) throw new NotFoundError(`no credential ${id}`);
          return stored;
        }
        const [revoked] = await revokeLocked(trx, live, { reason, by: caller.did, now });
        return revoked!;
      });
    },

    /**
     * Revokes every live credential built on a receipt, inside the caller's transaction (the receipt store runs it
     * in the transaction that revokes the receipt, so neither half commits alone). Idempotent.
     */
    async revokeForReceiptIn(trx: Db, receiptId: string, reason: string, by: string, now: Date): Promise<CredentialRow[]> {
      const live = await createCredentialRepository(trx).lockLive({ receiptId });
      return revokeLocked(trx, live, { reason: `receipt revoked: ${reason}`, by, now });
    },

    findByIds: reads.findByIds,
    page: (subjectDid: string, after: CredentialCursor | null, limit: number) => reads.page(subjectDid, after, limit),
    keysetPage: (subjectDid: string, read: KeysetRead) => reads.keysetPage(subjectDid, read),
    pageAt: (subjectDid: string, offset: number, limit: number) => reads.pageAt(subjectDid, offset, limit),
    countForSubject: (subjectDid: string) => reads.countForSubject(subjectDid),

    async statusList(listId: number): Promise<PublishedStatusList | undefined> {
      const row = await reads.findList(listId);
      return row ? published(row) : undefined;
    },

    revokedInList: (listId: number): Promise<RevokedEntry[]> => reads.revokedInList(listId),

    async verifyCredential(credential: string, now: Date): Promise<ServiceCredentialVerification> {
      return withIssuerFacts(await verifyCredential(credential, { now, documentLoader }));
    },

    async verifyPresentation(
      presentation: string,
      binding: { challenge?: string | null; domain?: string | null },
      now: Date,
    ): Promise<ServicePresentationVerification> {
      const result = await verifyPresentation(presentation, {
        now,
        documentLoader,
        ...(binding.challenge != null ? { challenge: binding.challenge } : {}),
        ...(binding.domain != null ? { domain: binding.domain } : {}),
      });
      return { ...result, credentials: result.credentials.map(withIssuerFacts) };
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
