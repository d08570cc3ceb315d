// JWT verifiable credentials in the did-jwt-vc shape (VC 1.1 JWT encoding: iss, sub, nbf, exp, jti, vc), EdDSA,
// signed through node:crypto. Verification is done here directly (node:crypto against the issuer's DID document
// key) rather than through did-jwt, whose pure-JS verifier is several times slower.
import { validateJwtCredentialPayload, type JwtCredentialPayload } from 'did-jwt-vc';
import { decodeJws, publicKeyFromMultibase, verifyJwsSignature, type DecodedJws } from '../crypto/ed25519.ts';
import { JWT_VC_CONTEXTS, VC_V2_CONTEXT_URL } from './context-urls.ts';
import { checkCredentialStatus } from './credential-status.ts';
import { CREDENTIAL_LIMITS, checkJwtCredentialShape } from './credential-shape.ts';
import type { CredentialDraft } from './credential-types.ts';
import { toDateTime, toNumericDate } from './dates.ts';
import {
  findVerificationMethod,
  resolveDidDocument,
  verificationMethodsFor,
  type DidDocument,
  type DocumentLoader,
  type VerificationMethod,
} from './document-loader.ts';
import { jwtSigner, type SigningKey } from './signing-key.ts';
import { validateCredentialSchema } from './schema-validation.ts';
import {
  trustProblem,
  typeList,
  unreadable,
  validityProblems,
  verificationResult,
  type CredentialVerification,
  type VerificationProblem,
  type VerifyCredentialOptions,
} from './verification-result.ts';

export { JWT_VC_CONTEXTS };

/**
 * Issues the draft as a compact JWS. The header names the signing key (`kid`), so rotation needs no guessing.
 * The payload is checked with did-jwt-vc's own validator, then encoded and signed here directly: did-jwt's
 * generic encoder costs more than the node:crypto signature itself.
 */
export async function issueJwtCredential(draft: CredentialDraft, key: SigningKey): Promise<string> {
  if (draft.issuer !== key.did) throw new Error(`the key belongs to ${key.did}, not to the issuer ${draft.issuer}`);
  const { id: subjectId, ...claims } = draft.subject;
  const payload: JwtCredentialPayload = {
    iss: key.did,
    sub: subjectId,
    nbf: toNumericDate(draft.validFrom),
    ...(draft.validUntil ? { exp: toNumericDate(draft.validUntil) } : {}),
    jti: draft.id,
    vc: {
      '@context': [...JWT_VC_CONTEXTS],
      type: ['VerifiableCredential', draft.type],
      credentialSubject: claims,
      credentialStatus: draft.status,
    },
  };
  validateJwtCredentialPayload(payload);
  const header = { alg: 'EdDSA', typ: 'JWT', kid: key.verificationMethod };
  const signingInput = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  return `${signingInput}.${await jwtSigner(key)(signingInput)}`;
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value.trim());
}

/**
 * The W3C JSON form of a JWT VC payload (the did-jwt-vc mapping): jti → id, iss → issuer, sub → credentialSubject.id,
 * nbf/exp → issuanceDate/expirationDate (validFrom/validUntil under a VC 2.0 context).
 */
export function normalizeJwtCredential(payload: Record<string, unknown>): Record<string, unknown> {
  const { '@context': context, id, type, issuer, credentialSubject, ...rest } = payload.vc as Record<string, unknown>;
  const contexts = Array.isArray(context) ? context : [context];
  const [fromName, untilName] = contexts[0] === VC_V2_CONTEXT_URL ? ['validFrom', 'validUntil'] : ['issuanceDate', 'expirationDate'];
  const from = typeof payload.nbf === 'number' ? payload.nbf : payload.iat;
  const subject = (credentialSubject ?? {}) as Record<string, unknown>;
  const credential: Record<string, unknown> = {
    '@context': context,
    ...(id !== undefined || payload.jti !== undefined ? { id: id ?? payload.jti } : {}),
    type,
    issuer: payload.iss ?? issuer,
  };
  // JWT claims win over copies inside `vc`, as in did-jwt-vc.
  credential[fromName] = typeof from === 'number' ? seconds(from) : rest[fromName];
  credential[untilName] = typeof payload.exp === 'number' ? seconds(payload.exp) : rest[untilName];
  if (credential[fromName] === undefined) delete credential[fromName];
  if (credential[untilName] === undefined) delete credential[untilName];
  credential.credentialSubject = typeof payload.sub === 'string' ? { id: payload.sub, ...subject } : subject;
  for (const [name, value] of Object.entries(rest)) if (!(name in credential)) credential[name] = value;
  return credential;
}

function seconds(numericDate: number): string {
  return toDateTime(new Date(numericDate * 1000));
}

/** A Credence JWT credential is about 3 KB; base64url makes the payload's caps 4/3 larger. */
const MAX_JWT_CHARS = Math.ceil((CREDENTIAL_LIMITS.maxChars * 4) / 3) + 1_024;

const emptyJwtFields = {
  format: 'JWT' as const,
  id: null,
  issuer: null,
  subject: null,
  types: [],
  validFrom: null,
  validUntil: null,
  credential: null,
};

export async function verifyJwtCredential(jwt: string, options: VerifyCredentialOptions): Promise<CredentialVerification> {
  if (jwt.length > MAX_JWT_CHARS) {
    return verificationResult(emptyJwtFields, [
      { code: 'TOO_COSTLY', message: `too costly: the JWT is longer than ${MAX_JWT_CHARS} characters` },
    ]);
  }
  let decoded: DecodedJws;
  try {
    decoded = decodeJws(jwt.trim());
  } catch (error) {
    return unreadable(`format: not a compact JWS (${(error as Error).message})`, 'JWT');
  }
  const { payload } = decoded;
  if (!payload.vc || typeof payload.vc !== 'object' || Array.isArray(payload.vc)) {
    return unreadable('format: the JWT has no "vc" claim', 'JWT');
  }
  // The signature covers the bytes, so no rewriting keeps it; still, only the form Credence issues is read, so
  // what a JWT VC says cannot depend on how a JSON-LD processor would read its `vc` claim.
  const shape = checkJwtCredentialShape(payload);
  if (shape.length > 0) {
    return verificationResult(
      { ...emptyJwtFields, issuer: typeof payload.iss === 'string' ? payload.iss : null, types: typeList((payload.vc as { type?: unknown }).type) },
      shape,
    );
  }
  const credential = normalizeJwtCredential(payload);
  const problems: VerificationProblem[] = [];
  const issuer = typeof payload.iss === 'string' ? payload.iss : null;
  const subject = typeof payload.sub === 'string' ? payload.sub : null;
  const vcSubjectId = (payload.vc as { credentialSubject?: { id?: unknown } }).credentialSubject?.id;
  if (vcSubjectId !== undefined && vcSubjectId !== subject) {
    problems.push({ code: 'MALFORMED', message: 'format: vc.credentialSubject.id differs from sub' });
  }
  const types = typeList(credential.type);
  if (!types.includes('VerifiableCredential')) {
    problems.push({ code: 'MALFORMED', message: 'format: type does not include VerifiableCredential' });
  }
  const validFrom = numericDate(payload.nbf ?? payload.iat);
  const validUntil = numericDate(payload.exp);
  if (validFrom === null || validUntil === null) {
    problems.push({ code: 'MALFORMED', message: 'format: nbf/iat/exp are not NumericDates' });
  }

  const signature = issuer
    ? await checkJwtSignature(decoded, issuer, options.documentLoader)
    : ({ code: 'MALFORMED', message: 'format: the JWT has no iss' } as const);
  if (signature) problems.push(signature);
  const untrusted = trustProblem(issuer, options.trustedIssuers);
  if (untrusted) problems.push(untrusted);
  problems.push(...validityProblems(validFrom ?? null, validUntil ?? null, options.now, options.clockSkewSeconds));
  for (const message of validateCredentialSchema(credential)) problems.push({ code: 'SCHEMA', message });
  // A status answer means nothing without a genuine signature.
  if (!signature) {
    const status = await checkCredentialStatus(credential, { documentLoader: options.documentLoader, now: options.now });
    problems.push(...status.problems);
  }
  return verificationResult(
    {
      format: 'JWT',
      id: typeof credential.id === 'string' ? credential.id : null,
      issuer,
      subject,
      types,
      validFrom: validFrom ?? null,
      validUntil: validUntil ?? null,
      credential,
    },
    problems,
  );
}

/** Undefined when the JWS verifies with an assertion key of `issuer` (current or retired: any key still listed). */
export async function checkJwtSignature(
  decoded: DecodedJws,
  issuer: string,
  documentLoader: DocumentLoader,
  relationship: 'assertionMethod' | 'authentication' = 'assertionMethod',
): Promise<VerificationProblem | undefined> {
  const role = relationship === 'assertionMethod' ? 'an assertion' : 'an authentication';
  const { alg, kid } = decoded.header;
  if (alg !== 'EdDSA') return { code: 'BAD_SIGNATURE', message: `signature: unsupported alg ${JSON.stringify(alg)}` };
  if (kid !== undefined && (typeof kid !== 'string' || !kid.startsWith(`${issuer}#`))) {
    return { code: 'UNKNOWN_ISSUER_KEY', message: `issuer key: kid ${JSON.stringify(kid)} does not belong to ${issuer}` };
  }
  let document: DidDocument;
  try {
    document = await resolveDidDocument(documentLoader, issuer);
  } catch {
    return { code: 'UNKNOWN_ISSUER', message: `issuer: no DID document known for ${issuer}` };
  }
  const candidates = keysToTry(document, kid as string | undefined, relationship);
  if (candidates.length === 0) {
    return {
      code: 'UNKNOWN_ISSUER_KEY',
      message: kid ? `issuer key: ${kid} is not ${role} key of ${issuer}` : `issuer key: ${issuer} has no ${relationship} key`,
    };
  }
  for (const method of candidates) {
    const publicKey = ed25519PublicKey(method);
    if (publicKey && verifyJwsSignature(decoded, publicKey)) return undefined;
  }
  return { code: 'BAD_SIGNATURE', message: `signature: does not verify with ${kid ?? `any ${relationship} key of ${issuer}`}` };
}

function keysToTry(
  document: DidDocument,
  kid: string | undefined,
  relationship: 'assertionMethod' | 'authentication',
): VerificationMethod[] {
  if (kid) {
    const method = findVerificationMethod(document, kid, relationship);
    return method ? [method] : [];
  }
  return verificationMethodsFor(document, relationship);
}

// Decoded keys by multibase string: decoding checks the point (canonical, not small-order), which costs more
// than the signature check itself, and an issuer's few keys are decoded again on every verification otherwise.
const decodedKeys = new Map<string, Uint8Array | null>();
const DECODED_KEY_LIMIT = 1_000;

function ed25519PublicKey(method: VerificationMethod): Uint8Array | undefined {
  if (method.type !== 'Ed25519VerificationKey2020' && method.type !== 'Multikey') return undefined;
  const multibase = method.publicKeyMultibase;
  if (typeof multibase !== 'string') return undefined;
  let key = decodedKeys.get(multibase);
  if (key === undefined) {
    try {
      key = publicKeyFromMultibase(multibase);
    } catch {
      key = null;
    }
    if (decodedKeys.size >= DECODED_KEY_LIMIT) decodedKeys.clear();
    decodedKeys.set(multibase, key);
  }
  return key ?? undefined;
}

/** undefined when absent, null when present but not a NumericDate. */
export function numericDate(value: unknown): Date | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return new Date(value * 1000);
}
