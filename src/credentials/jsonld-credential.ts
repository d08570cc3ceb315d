// JSON-LD verifiable credentials (VC 2.0) with an Ed25519Signature2020 proof, through @digitalbazaar/vc and the
// offline document loader.
import { JSONLD_VC_CONTEXTS } from './context-urls.ts';
import { checkCredentialStatus } from './credential-status.ts';
import type { CredentialDraft } from './credential-types.ts';
import { toDateTime } from './dates.ts';
import type { DocumentLoader } from './document-loader.ts';
import type { SigningKey } from './signing-key.ts';
import { checkJsonLdCredentialShape, hasDataIntegrityContexts } from './credential-shape.ts';
import { addCredentialProof, checkCredentialProof } from './jsonld-proof.ts';
import { validateCredentialSchema } from './schema-validation.ts';
import {
  parseDate,
  trustProblem,
  typeList,
  validityProblems,
  verificationResult,
  type CredentialVerification,
  type VerificationProblem,
  type VerifyCredentialOptions,
} from './verification-result.ts';

export { JSONLD_VC_CONTEXTS };

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

/**
 * Verifies a JSON-LD credential (JSON_LD, or DATA_INTEGRITY when it has that format's @context list). The cheap
 * checks come first and end verification when they fail: size, node and
 * depth caps and the exact Credence shape (checkJsonLdCredentialShape), then the issuer's key. Only a document in
 * that shape has its proof checked (canonicalization runs in a worker with a time budget), and validity and
 * status are read from it only then: in that shape, `validUntil` and `credentialStatus` are the only places the
 * signed statements can be.
 */
export async function verifyJsonLdCredential(
  input: Record<string, unknown>,
  options: VerifyCredentialOptions,
): Promise<CredentialVerification> {
  const types = typeList(input.type);
  const issuer = typeof input.issuer === 'string' ? input.issuer : null;
  // The @context list tells the two JSON-LD forms apart; the shape check holds each to its own proof type.
  const format = hasDataIntegrityContexts(input) ? 'DATA_INTEGRITY' : 'JSON_LD';
  const shape = checkJsonLdCredentialShape(input);
  if (shape.length > 0) {
    return verificationResult(
      {
        format,
        id: typeof input.id === 'string' ? input.id : null,
        issuer,
        subject: null,
        types,
        validFrom: null,
        validUntil: null,
        credential: null,
      },
      shape,
    );
  }
  const problems: VerificationProblem[] = [];
  const subject = (input.credentialSubject as { id: string }).id;
  const statusList = types.includes('BitstringStatusListCredential');
  const validFrom = parseDate(input.validFrom);
  const validUntil = parseDate(input.validUntil);
  if (validFrom === null || validUntil === null) {
    problems.push({ code: 'MALFORMED', message: 'format: a validity date is not a date-time' });
  }
  const untrusted = trustProblem(issuer, options.trustedIssuers);
  if (untrusted) problems.push(untrusted);
  const proof = await checkCredentialProof(input, { documentLoader: options.documentLoader });
  if (!proof.ok) problems.push(proof.problem);
  problems.push(...validityProblems(validFrom ?? null, validUntil ?? null, options.now, options.clockSkewSeconds));
  for (const message of validateCredentialSchema(input)) problems.push({ code: 'SCHEMA', message });
  // A status answer means nothing without a genuine signature.
  if (proof.ok && !statusList) {
    const status = await checkCredentialStatus(input, { documentLoader: options.documentLoader, now: options.now });
    problems.push(...status.problems);
  }
  return verificationResult(
    {
      format,
      id: input.id as string,
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
