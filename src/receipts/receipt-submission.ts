// The receipt-submission use case, shared by GraphQL (submitReceipt, submitReceipts) and the REST API
// (POST /api/reputation/receipt): verify and store through the receipt service, and, when asked, read the subject's
// trust before and after and issue the task credential a settled task earns.
//
// Whether a receipt earns a task credential is decided only by the credential service's issuance (accepted,
// ESCROW_VERIFIED, unrevoked, no standing revocation): this module asks for one and takes a refusal as "none".
// Trust and credentials are reached through the small interfaces below, since the credentials folder already
// depends on this one.
import type { CredentialEncoding, ReceiptRow } from '../db/schema.ts';
import { CredenceError } from '../errors.ts';
import { decodeJws } from '../crypto/ed25519.ts';
import type { ReceiptResult, ReceiptSubmission } from './receipt.service.ts';

interface ReceiptSubmitter {
  submitMany(items: readonly ReceiptSubmission[], now: Date): Promise<ReceiptResult[]>;
}

/** The part of a trust report the submission reads. */
export interface SubjectStanding {
  did: string;
  score: number;
  tier: string;
}

export interface TrustReader {
  report(did: string, asOf: Date): Promise<SubjectStanding>;
}

export interface TaskCredentialIssuer {
  issue(
    caller: { did: string },
    input: { type: 'TASK_COMPLETION'; format: CredentialEncoding; receiptId: string },
    now: Date,
  ): Promise<{ id: string }>;
}

export interface ReceiptSubmissionDeps {
  receipts: ReceiptSubmitter;
  trust: TrustReader;
  credentials: TaskCredentialIssuer;
}

export interface SubmissionWithStanding {
  receipt: ReceiptRow;
  duplicate: boolean;
  /** The task credential this receipt earned (a repeat returns the live one); null when it earns none. */
  credentialId: string | null;
  /** The subject's score before the receipt was stored; the score after when the before-read was not possible. */
  scoreBefore: number;
  after: SubjectStanding;
}

/** Any DID method's shape; a receipt's claimed subject is read only to take the before-score. */
const ANY_DID = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

/** The `sub` a receipt JWT claims, read without verifying (only to take the before-score); null if unreadable. */
export function claimedSubject(jwt: string): string | null {
  try {
    const sub = decodeJws(jwt.trim()).payload.sub;
    return typeof sub === 'string' && sub.length >= 8 && sub.length <= 200 && ANY_DID.test(sub) ? sub : null;
  } catch {
    return null;
  }
}

export function createReceiptSubmission(deps: ReceiptSubmissionDeps) {
  /** A task credential for the receipt's subject, exactly as its own issueCredential would get one; null if refused. */
  async function taskCredentialFor(receipt: ReceiptRow, format: CredentialEncoding, now: Date): Promise<string | null> {
    try {
      const credential = await deps.credentials.issue({ did: receipt.subject_did }, { type: 'TASK_COMPLETION', format, receiptId: receipt.receipt_id }, now);
      return credential.id;
    } catch (error) {
      // Not eligible (not settled, not accepted, revoked, revoked between the steps): the receipt stands without one.
      if (error instanceof CredenceError) return null;
      throw error;
    }
  }

  return {
    /** Verifies and stores each item on its own; one result per item, in order. */
    submitMany(items: readonly ReceiptSubmission[], now: Date): Promise<ReceiptResult[]> {
      return deps.receipts.submitMany(items, now);
    },

    async submitOne(item: ReceiptSubmission, now: Date): Promise<ReceiptResult> {
      const [result] = await deps.receipts.submitMany([item], now);
      return result!;
    },

    /**
     * One receipt with its effect on the subject's standing, and the task credential it earns in `credentialFormat`.
     * A receipt the service refuses is thrown as its error.
     */
    async submitWithStanding(item: ReceiptSubmission & { receipt: string }, credentialFormat: CredentialEncoding, now: Date): Promise<SubmissionWithStanding> {
      const subject = claimedSubject(item.receipt);
      const before = subject ? await deps.trust.report(subject, now) : null;
      const [result] = await deps.receipts.submitMany([item], now);
      if (result instanceof CredenceError) throw result;
      const { receipt, duplicate } = result!;
      const credentialId = await taskCredentialFor(receipt, credentialFormat, now);
      const after = await deps.trust.report(receipt.subject_did, now);
      const scoreBefore = before && before.did === receipt.subject_did ? before.score : after.score;
      return { receipt, duplicate, credentialId, scoreBefore, after };
    },
  };
}

export type ReceiptSubmissionService = ReturnType<typeof createReceiptSubmission>;
