// Issuing the service's credentials: task-completion credentials for eligible receipts, reputation credentials
// over the subject's trust report (with reuse and a per-DID quota), and an admin's reissue of a revoked one.
// Every credential gets an index in a status list in the transaction that stores it.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { CredentialEncoding, CredentialKind, CredentialRow, ReceiptRow, SettlementRow } from '../db/schema.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AuthError, ConflictError, InputError, NotFoundError, RateLimitError } from '../errors.ts';
import { canonicalJson } from '../receipts/signed-jws.ts';
import { createCredentialRepository } from './credential.repository.ts';
import {
  reputationCredential,
  reputationSubject,
  taskCompletionCredential,
  type CredentialDraft,
  type TrustReportLike,
} from './credential-types.ts';
import { issueDataIntegrityCredential } from './data-integrity.ts';
import type { DocumentLoader } from './document-loader.ts';
import { issueJsonLdCredential } from './jsonld-credential.ts';
import { issueJwtCredential } from './jwt-credential.ts';
import type { SigningKey } from './signing-key.ts';
import type { StatusListService } from './status-list.service.ts';
import { statusListEntry } from './status-list.ts';

/** Where reputation credentials get their numbers. Injected, so the credential service does not depend on the engine. */
export interface TrustReportSource {
  report(did: string, asOf: Date): Promise<TrustReportLike>;
}

/** What issuance reads from the receipts domain, inside the issuing transaction (wired in services.ts). */
export interface ReceiptFacts {
  /** The receipt, its row locked until the issuing transaction commits. */
  lockReceipt(trx: Db, receiptId: string): Promise<ReceiptRow | undefined>;
  /** The escrow's settlement a receipt names, if any was recorded. */
  settlement(trx: Db, platformDid: string, escrowId: string): Promise<SettlementRow | undefined>;
}

export interface IssueCredentialInput {
  type: CredentialKind;
  format: CredentialEncoding;
  receiptId?: string | null | undefined;
}

export interface IssuanceServiceOptions {
  serviceDid: string;
  /** The active issuer key; it signs credentials and status lists alike. */
  signingKey: SigningKey;
  documentLoader: DocumentLoader;
  statusLists: StatusListService;
  trustReports: TrustReportSource;
  receipts: ReceiptFacts;
  /** Reputation credentials one DID may be issued per 24 hours (admin reissues included); 0 means no limit. */
  reputationCredentialsPerDay?: number | undefined;
}

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

export function createIssuanceService(db: Db, options: IssuanceServiceOptions) {
  const { serviceDid, signingKey, documentLoader, statusLists } = options;
  const reads = createCredentialRepository(db);

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
    const receipt = await options.receipts.lockReceipt(trx, receiptId);
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
      const settlement = await options.receipts.settlement(trx, receipt.platform_did, receipt.escrow_id!);
      const { listId, index } = await statusLists.allocateIndex(trx, now);
      const draft = taskCompletionCredential({
        id: `urn:uuid:${randomUUID()}`,
        issuer: serviceDid,
        issuedAt: now,
        status: statusListEntry(statusLists.listUrl(listId), index),
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
      const { listId, index } = await statusLists.allocateIndex(trx, now);
      const draft = reputationCredential({
        id: `urn:uuid:${randomUUID()}`,
        issuer: serviceDid,
        issuedAt: now,
        status: statusListEntry(statusLists.listUrl(listId), index),
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

  return {
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
  };
}

export type IssuanceService = ReturnType<typeof createIssuanceService>;
