// Checking a credential's BitstringStatusListEntry. A set bit is a failure: the library's own checkStatus reports
// `verified: true` for a revoked credential (it only means "the check ran"), so it is wrapped here too.
import { checkStatus as libraryCheckStatus } from '@digitalbazaar/vc-bitstring-status-list';
import type { CheckStatus } from '@digitalbazaar/vc';
import { checkStatusListShape } from './credential-shape.ts';
import type { DocumentLoader } from './document-loader.ts';
import { checkCredentialProof, describeError, issuerId } from './jsonld-proof.ts';
import { decodeBitstring, getBit } from './status-list.ts';
import { parseDate, type VerificationProblem } from './verification-result.ts';

interface VerifiedList {
  issuer: string;
  statusPurpose: string;
  bits: Uint8Array;
  validUntil: Date | null;
}

/** `transient`: the list's proof could not be checked this time (TOO_COSTLY); not remembered. */
type ListOutcome = { ok: true; list: VerifiedList } | { ok: false; message: string; transient?: boolean };

// Verified lists, per loader and per list object: the service hands out the same object until it re-signs the
// list, so its proof is checked once rather than on every status check. Keyed by loader too, so a loader with a
// different DID document (say, after a key is withdrawn) re-verifies.
const verifiedLists = new WeakMap<DocumentLoader, WeakMap<object, Promise<ListOutcome>>>();

export interface StatusOutcome {
  /** A revocation bit is set. */
  revoked: boolean;
  problems: VerificationProblem[];
}

/**
 * Checks every BitstringStatusListEntry of `credential` (a W3C JSON credential; JWTs normalized first). A
 * credential without credentialStatus has no status problems.
 */
export async function checkCredentialStatus(
  credential: Record<string, unknown>,
  options: { documentLoader: DocumentLoader; now: Date },
): Promise<StatusOutcome> {
  const raw = credential.credentialStatus;
  if (raw === undefined) return { revoked: false, problems: [] };
  const entries = Array.isArray(raw) ? raw : [raw];
  const problems: VerificationProblem[] = [];
  let revoked = false;
  for (const entry of entries) {
    const outcome = await checkEntry(entry, issuerId(credential.issuer), options);
    if (outcome.revoked) revoked = true;
    problems.push(...outcome.problems);
  }
  return { revoked, problems };
}

async function checkEntry(
  entry: unknown,
  credentialIssuer: string | undefined,
  options: { documentLoader: DocumentLoader; now: Date },
): Promise<StatusOutcome> {
  const unavailable = (message: string): StatusOutcome => ({
    revoked: false,
    problems: [{ code: 'STATUS_UNAVAILABLE', message: `status: ${message}` }],
  });
  if (!entry || typeof entry !== 'object') return unavailable('credentialStatus entry is not an object');
  const { type, statusPurpose, statusListIndex, statusListCredential } = entry as Record<string, unknown>;
  if (type !== 'BitstringStatusListEntry') return unavailable(`unsupported status type ${JSON.stringify(type)}`);
  if (statusPurpose !== 'revocation' && statusPurpose !== 'suspension') {
    return unavailable(`unsupported status purpose ${JSON.stringify(statusPurpose)}`);
  }
  if (typeof statusListIndex !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(statusListIndex)) {
    return unavailable('statusListIndex is not a decimal string');
  }
  if (typeof statusListCredential !== 'string') return unavailable('statusListCredential is not a URL');

  const loaded = await loadVerifiedList(statusListCredential, options.documentLoader);
  if (!loaded.ok) return unavailable(`status list ${statusListCredential}: ${loaded.message}`);
  const { list } = loaded;
  if (list.issuer !== credentialIssuer) {
    return unavailable(`status list ${statusListCredential} is issued by ${list.issuer}, not by the credential's issuer`);
  }
  if (list.statusPurpose !== statusPurpose) {
    return unavailable(`status list purpose ${list.statusPurpose} does not match entry purpose ${statusPurpose}`);
  }
  // Only an expired list is refused: a list signed after `now` is still the best knowledge of the bit.
  if (list.validUntil && list.validUntil.getTime() <= options.now.getTime()) {
    return unavailable(`status list ${statusListCredential} expired at ${list.validUntil.toISOString()}`);
  }
  const index = Number(statusListIndex);
  if (index >= list.bits.length * 8) return unavailable(`index ${index} is outside status list ${statusListCredential}`);
  if (!getBit(list.bits, index)) return { revoked: false, problems: [] };
  return {
    revoked: true,
    problems: [
      {
        code: 'REVOKED',
        message: `${statusPurpose === 'revocation' ? 'revoked' : 'suspended'}: bit ${index} is set in ${statusListCredential}`,
      },
    ],
  };
}

async function loadVerifiedList(url: string, documentLoader: DocumentLoader): Promise<ListOutcome> {
  let document: unknown;
  try {
    ({ document } = await documentLoader(url));
  } catch (error) {
    return { ok: false, message: `could not be loaded (${describeError(error)})` };
  }
  if (!document || typeof document !== 'object') return { ok: false, message: 'is not a credential object' };
  let perLoader = verifiedLists.get(documentLoader);
  if (!perLoader) {
    perLoader = new WeakMap();
    verifiedLists.set(documentLoader, perLoader);
  }
  let outcome = perLoader.get(document);
  if (!outcome) {
    const cache = perLoader;
    const verifying = verifyList(document as Record<string, unknown>, url, documentLoader);
    outcome = verifying;
    cache.set(document, verifying);
    void verifying.then((result) => {
      if (!result.ok && result.transient && cache.get(document) === verifying) cache.delete(document);
    });
  }
  return outcome;
}

async function verifyList(
  credential: Record<string, unknown>,
  url: string,
  documentLoader: DocumentLoader,
): Promise<ListOutcome> {
  // A list is read in the form Credence publishes only, for the same reason as credentials: a rewritten list
  // could keep its signature and move `encodedList` or `validUntil` where this code does not look.
  const shape = checkStatusListShape(credential);
  if (shape.length > 0) return { ok: false, message: `is not a BitstringStatusListCredential in the expected form (${shape.map((problem) => problem.message).join('; ')})` };
  if (credential.id !== undefined && credential.id !== url) return { ok: false, message: `has id ${String(credential.id)}` };
  const subject = credential.credentialSubject as Record<string, unknown> | undefined;
  if (!subject || subject.type !== 'BitstringStatusList' || typeof subject.statusPurpose !== 'string') {
    return { ok: false, message: 'has no BitstringStatusList subject' };
  }
  const issuer = issuerId(credential.issuer);
  if (!issuer) return { ok: false, message: 'has no issuer' };
  const proof = await checkCredentialProof(credential, { documentLoader });
  if (!proof.ok) {
    return { ok: false, message: `does not verify (${proof.problem.message})`, transient: proof.problem.code === 'TOO_COSTLY' };
  }
  let bits: Uint8Array;
  try {
    bits = decodeBitstring(subject.encodedList as string);
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
  const validUntil = parseDate(credential.validUntil) ?? null;
  return { ok: true, list: { issuer, statusPurpose: subject.statusPurpose, bits, validUntil } };
}

/**
 * `@digitalbazaar/vc-bitstring-status-list`'s checkStatus, made to fail when a status bit is set. Pass it as
 * `checkStatus` to `@digitalbazaar/vc`'s verifyCredential (with a `suite` to verify the list credential).
 */
export const checkStatusStrict: CheckStatus = async (options) => {
  const result = await libraryCheckStatus(options);
  if (!result.verified) return result;
  const results = (result as { results?: Array<{ status?: boolean; credentialStatus?: { statusListIndex?: string } }> })
    .results;
  const set = (results ?? []).filter((entry) => entry.status === true);
  if (set.length === 0) return result;
  const indexes = set.map((entry) => entry.credentialStatus?.statusListIndex).join(', ');
  return { ...result, verified: false, error: new Error(`credential status bit set (index ${indexes}): revoked`) };
};
