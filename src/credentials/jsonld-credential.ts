// JSON-LD verifiable credentials (VC 2.0) with an Ed25519Signature2020 proof, through @digitalbazaar/vc and the
// offline document loader.
import { CREDENCE_CONTEXT_V1_URL, ED25519_2020_CONTEXT_URL, VC_V1_CONTEXT_URL, VC_V2_CONTEXT_URL } from './contexts.ts';
import { checkCredentialStatus } from './credential-status.ts';
import type { CredentialDraft } from './credential-types.ts';
import { toDateTime } from './dates.ts';
import type { DocumentLoader } from './document-loader.ts';
import type { SigningKey } from './issuer-key.ts';
import { addCredentialProof, checkCredentialProof, issuerId } from './jsonld-proof.ts';
import { validateCredentialSchema } from './schema-validation.ts';
import {
  parseDate,
  trustProblem,
  typeList,
  unreadable,
  validityProblems,
  verificationResult,
  type CredentialVerification,
  type VerificationProblem,
  type VerifyCredentialOptions,
} from './verification-result.ts';

export const JSONLD_VC_CONTEXTS = [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL, CREDENCE_CONTEXT_V1_URL] as const;

/** The unsigned VC 2.0 document for a draft. */
export function jsonLdCredential(draft: CredentialDraft): Record<string, unknown> {
  return {
    '@context': [...JSONLD_VC_CONTEXTS],
    id: draft.id,
    type: ['VerifiableCredential', draft.type],
    issuer: draft.issuer,
    validFrom: toDateTime(draft.validFrom),
    ...(draft.validUntil ? { validUntil: toDateTime(draft.validUntil) } : {}),
    credentialSubject: draft.subject,
    credentialStatus: draft.status,
  };
}

/** Signs the draft; the proof's `created` is the credential's validFrom, so equal drafts give equal credentials. */
export async function issueJsonLdCredential(
  draft: CredentialDraft,
  key: SigningKey,
  options: { documentLoader: DocumentLoader },
): Promise<Record<string, unknown>> {
  if (draft.issuer !== key.did) throw new Error(`the key belongs to ${key.did}, not to the issuer ${draft.issuer}`);
  return addCredentialProof(jsonLdCredential(draft), key, { documentLoader: options.documentLoader, now: draft.validFrom });
}

export async function verifyJsonLdCredential(
  input: Record<string, unknown>,
  options: VerifyCredentialOptions,
): Promise<CredentialVerification> {
  const contexts = Array.isArray(input['@context']) ? input['@context'] : [input['@context']];
  const v2 = contexts[0] === VC_V2_CONTEXT_URL;
  if (!v2 && contexts[0] !== VC_V1_CONTEXT_URL) {
    return unreadable('format: the first @context is not a W3C credentials context', 'JSON_LD');
  }
  const problems: VerificationProblem[] = [];
  const types = typeList(input.type);
  if (!types.includes('VerifiableCredential')) {
    problems.push({ code: 'MALFORMED', message: 'format: type does not include VerifiableCredential' });
  }
  const issuer = issuerId(input.issuer) ?? null;
  const subjects = Array.isArray(input.credentialSubject) ? input.credentialSubject : [input.credentialSubject];
  const first = subjects[0] as { id?: unknown } | undefined;
  const subject = typeof first?.id === 'string' ? first.id : null;
  const validFrom = parseDate(v2 ? input.validFrom : input.issuanceDate);
  const validUntil = parseDate(v2 ? input.validUntil : input.expirationDate);
  if (validFrom === null || validUntil === null) {
    problems.push({ code: 'MALFORMED', message: 'format: a validity date is not a date-time' });
  }

  const proof = await checkCredentialProof(input, { documentLoader: options.documentLoader });
  if (!proof.ok) problems.push(proof.problem);
  const untrusted = trustProblem(issuer, options.trustedIssuers);
  if (untrusted) problems.push(untrusted);
  problems.push(...validityProblems(validFrom ?? null, validUntil ?? null, options.now, options.clockSkewSeconds));
  for (const message of validateCredentialSchema(input)) problems.push({ code: 'SCHEMA', message });
  if (proof.ok) {
    const status = await checkCredentialStatus(input, { documentLoader: options.documentLoader, now: options.now });
    problems.push(...status.problems);
  }
  return verificationResult(
    {
      format: 'JSON_LD',
      id: typeof input.id === 'string' ? input.id : null,
      issuer,
      subject,
      types,
      validFrom: validFrom ?? null,
      validUntil: validUntil ?? null,
      credential: input,
    },
    problems,
  );
}
