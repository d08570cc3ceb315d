// Ed25519Signature2020 proofs on JSON-LD documents: adding one with a cached key, and checking one (or a Data
// Integrity proof, see data-integrity-proof.ts) against the issuer's DID document (current or retired key) through
// the offline loader.
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { ED25519_2020_CONTEXT_URL } from './contexts.ts';
import { findVerificationMethod, resolveDidDocument, type DocumentLoader, type RemoteDocument } from './document-loader.ts';
import { jsonLdSigner, type SigningKey } from './signing-key.ts';
import { proofPool } from './proof-pool.ts';
import type { VerificationProblem } from './verification-result.ts';

export const ED25519_SIGNATURE_2020 = 'Ed25519Signature2020';
/** The Data Integrity proof type, with the one cryptosuite Credence signs and accepts. */
export const DATA_INTEGRITY_PROOF = 'DataIntegrityProof';
export const EDDSA_RDFC_2022 = 'eddsa-rdfc-2022';

// Canonical proof options, by (contexts, options). Canonicalizing the small proof object costs as much as the
// credential itself (the contexts dominate), yet every credential one key signs within the same second has the
// same proof options. jsonld already caches context documents by URL, so this adds no new assumption.
const canonicalProofOptions = new Map<string, Promise<string>>();
const PROOF_CACHE_LIMIT = 256;

/**
 * The canonical proof options for `proof` under `document`'s contexts, computed once per (contexts, options). Shared
 * by the Ed25519Signature2020 and Data Integrity suites (the proof type is part of the key).
 */
export function memoizedCanonicalProof(
  proof: Record<string, unknown>,
  document: Record<string, unknown>,
  canonize: () => Promise<string>,
): Promise<string> {
  const { jws: _jws, signatureValue: _signatureValue, proofValue: _proofValue, ...proofOptions } = proof;
  const key = JSON.stringify([document['@context'] ?? null, proofOptions]);
  let canonical = canonicalProofOptions.get(key);
  if (!canonical) {
    canonical = canonize();
    canonical.catch(() => canonicalProofOptions.delete(key));
    if (canonicalProofOptions.size >= PROOF_CACHE_LIMIT) canonicalProofOptions.clear();
    canonicalProofOptions.set(key, canonical);
  }
  return canonical;
}

export class Ed25519Signature2020Suite extends Ed25519Signature2020 {
  override canonizeProof(
    proof: Record<string, unknown>,
    options: { document: Record<string, unknown>; documentLoader: unknown; expansionMap?: unknown },
  ): Promise<string> {
    return memoizedCanonicalProof(proof, options.document, () => super.canonizeProof(proof, options));
  }
}

/** Signs a copy of `document` (a VC 1.1 or 2.0 credential) with an assertionMethod proof created at `now`. */
export async function addCredentialProof<T extends object>(
  document: T,
  key: SigningKey,
  options: { documentLoader: DocumentLoader; now: Date },
): Promise<T & { proof: Record<string, unknown> }> {
  const suite = new Ed25519Signature2020Suite({ signer: jsonLdSigner(key), date: options.now });
  const signed = await vc.issue({
    credential: structuredClone(document),
    suite,
    documentLoader: options.documentLoader,
    now: options.now,
  });
  return signed as T & { proof: Record<string, unknown> };
}

export function ensureSuiteContext(contexts: readonly string[]): string[] {
  return contexts.includes(ED25519_2020_CONTEXT_URL) ? [...contexts] : [...contexts, ED25519_2020_CONTEXT_URL];
}

export function issuerId(issuer: unknown): string | undefined {
  if (typeof issuer === 'string') return issuer;
  if (issuer && typeof issuer === 'object' && typeof (issuer as { id?: unknown }).id === 'string') {
    return (issuer as { id: string }).id;
  }
  return undefined;
}

export type ProofCheck =
  | { ok: true; verificationMethod: string }
  | { ok: false; problem: VerificationProblem };

/**
 * Checks the credential's single Ed25519Signature2020 or Data Integrity (eddsa-rdfc-2022) proof: the key must belong to the issuer and be listed for
 * assertion in the issuer's DID document, and the signature must hold over the canonical document. Validity dates
 * and status are the caller's business (reported separately, with their own reasons).
 */
export async function checkCredentialProof(
  credential: Record<string, unknown>,
  options: { documentLoader: DocumentLoader },
): Promise<ProofCheck> {
  const proof = credential.proof;
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) {
    return fail('BAD_SIGNATURE', 'proof: missing or not a single proof object');
  }
  const { type, verificationMethod, proofPurpose, cryptosuite } = proof as Record<string, unknown>;
  if (type === DATA_INTEGRITY_PROOF) {
    if (cryptosuite !== EDDSA_RDFC_2022) return fail('BAD_SIGNATURE', `proof: unsupported cryptosuite ${JSON.stringify(cryptosuite)}`);
  } else if (type !== ED25519_SIGNATURE_2020) return fail('BAD_SIGNATURE', `proof: unsupported type ${JSON.stringify(type)}`);
  if (proofPurpose !== 'assertionMethod') return fail('BAD_SIGNATURE', 'proof: proofPurpose is not assertionMethod');
  if (typeof verificationMethod !== 'string') return fail('BAD_SIGNATURE', 'proof: verificationMethod is not a string');

  const issuer = issuerId(credential.issuer);
  if (!issuer) return fail('MALFORMED', 'issuer: missing');
  if (verificationMethod.split('#')[0] !== issuer) {
    return fail('UNKNOWN_ISSUER_KEY', `issuer key: ${verificationMethod} does not belong to issuer ${issuer}`);
  }
  const keyProblem = await issuerKeyProblem(issuer, verificationMethod, options.documentLoader);
  if (keyProblem) return { ok: false, problem: keyProblem };

  // Canonicalization runs in a worker with a time budget (proof-pool.ts). Validity dates and status are not
  // judged there: the caller reports them with precise reasons, so a stale or revoked credential still gets its
  // signature checked and a revocation is reported as such, not as a failed proof.
  const result = await proofPool().run(
    { kind: 'credential', document: credential },
    options.documentLoader,
    await prefetch(options.documentLoader, [verificationMethod, issuer]),
  );
  if (result.verified) return { ok: true, verificationMethod };
  if (result.tooCostly) return fail('TOO_COSTLY', result.error);
  // "Invalid signature." is the cryptographic failure; anything else (undefined terms, bad structure) is the proof
  // not applying to this document.
  return fail('BAD_SIGNATURE', /invalid signature/i.test(result.error) ? 'signature: invalid signature' : `proof: ${result.error}`);
}

/**
 * The documents a proof check will ask for and the caller's loader already serves (the key and its controller), so
 * they travel with the task. A URL the loader does not serve is left for the worker to ask about (and fail on).
 */
export async function prefetch(documentLoader: DocumentLoader, urls: readonly string[]): Promise<Map<string, RemoteDocument>> {
  const documents = new Map<string, RemoteDocument>();
  await Promise.all(
    urls.map(async (url) => {
      try {
        documents.set(url, await documentLoader(url));
      } catch {
        // The worker asks again and reports the failure as the library words it.
      }
    }),
  );
  return documents;
}

/** Undefined when `methodId` is an assertion key in the issuer's DID document. */
export async function issuerKeyProblem(
  issuer: string,
  methodId: string,
  documentLoader: DocumentLoader,
): Promise<VerificationProblem | undefined> {
  let document;
  try {
    document = await resolveDidDocument(documentLoader, issuer);
  } catch {
    return { code: 'UNKNOWN_ISSUER', message: `issuer: no DID document known for ${issuer}` };
  }
  if (!findVerificationMethod(document, methodId, 'assertionMethod')) {
    return { code: 'UNKNOWN_ISSUER_KEY', message: `issuer key: ${methodId} is not an assertion key of ${issuer}` };
  }
  return undefined;
}

export function describeError(error: unknown): string {
  if (!error) return 'verification failed';
  const nested = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.map(describeError).join('; ');
  const message = error instanceof Error ? error.message : String(error);
  // jsonld's safe mode names the offending term only in the event details.
  const event = (error as { details?: { event?: { message?: string; details?: Record<string, unknown> } } }).details?.event;
  if (!event) return message;
  const term = event.details?.property ?? event.details?.type ?? event.details?.value;
  return `${message} ${event.message ?? ''}${term !== undefined ? ` (${JSON.stringify(term)})` : ''}`.trim();
}

function fail(code: VerificationProblem['code'], message: string): ProofCheck {
  return { ok: false, problem: { code, message } };
}
