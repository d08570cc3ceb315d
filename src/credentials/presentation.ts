// Verifiable presentations: a holder shows credentials, signing with its own DID key (normally did:key), bound to
// the verifier's challenge (JWT `nonce`, proof `challenge`) and domain (JWT `aud`, proof `domain`).
import * as vc from '@digitalbazaar/vc';
import { createVerifiablePresentationJwt, type JwtPresentationPayload } from 'did-jwt-vc';
import { decodeJws, type DecodedJws } from '../crypto/ed25519.ts';
import { ED25519_2020_CONTEXT_URL, VC_V1_CONTEXT_URL, VC_V2_CONTEXT_URL } from './contexts.ts';
import { PRESENTATION_LIMITS, checkJsonLdPresentationShape, checkJwtPresentationShape } from './credential-shape.ts';
import { toNumericDate } from './dates.ts';
import type { DocumentLoader } from './document-loader.ts';
import { jsonLdSigner, jwtSigner, type SigningKey } from './signing-key.ts';
import { describeError, Ed25519Signature2020Suite, prefetch } from './jsonld-proof.ts';
import { proofPool } from './proof-pool.ts';
import { checkJwtSignature, looksLikeJwt, numericDate } from './jwt-credential.ts';
import { verifyCredential } from './verify.ts';
import {
  typeList,
  validityProblems,
  type CredentialFormat,
  type CredentialVerification,
  type VerifyCredentialOptions,
} from './verification-result.ts';

export type PresentationProblemCode =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'WRONG_HOLDER'
  | 'WRONG_CHALLENGE'
  | 'WRONG_DOMAIN'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'CREDENTIAL_INVALID'
  | 'HOLDER_NOT_SUBJECT'
  | 'UNEXPECTED_SHAPE'
  | 'TOO_COSTLY';

export interface PresentationProblem {
  code: PresentationProblemCode;
  message: string;
}

export interface PresentationVerification {
  valid: boolean;
  format: CredentialFormat | null;
  holder: string | null;
  credentials: CredentialVerification[];
  errors: string[];
  problems: PresentationProblem[];
}

export interface VerifyPresentationOptions extends VerifyCredentialOptions {
  /** When given, the presentation must carry exactly this challenge (JWT `nonce`). */
  challenge?: string;
  /** When given, the presentation must be addressed to this domain (JWT `aud`). */
  domain?: string;
  /** Each credential's subject must be the holder (default true): nobody presents another's credentials. */
  requireHolderIsSubject?: boolean;
}

/** Default lifetime of a JWT presentation: long enough to deliver, too short to hoard. */
export const PRESENTATION_LIFETIME_SECONDS = 300;

// --- creating ---------------------------------------------------------------------------------------------------

export interface CreatePresentationInput {
  holder: SigningKey;
  credentials: ReadonlyArray<string | object>;
  challenge: string;
  domain?: string;
  now: Date;
  id?: string;
}

/** A JWT VP (did-jwt-vc shape): iss = holder, nonce = challenge, aud = domain, nbf = now, exp = now + 300 s. */
export async function createJwtPresentation(
  input: CreatePresentationInput & { lifetimeSeconds?: number },
): Promise<string> {
  const nbf = toNumericDate(input.now);
  const payload: JwtPresentationPayload = {
    vp: {
      '@context': [VC_V1_CONTEXT_URL],
      type: ['VerifiablePresentation'],
      verifiableCredential: [...input.credentials] as JwtPresentationPayload['vp']['verifiableCredential'],
    },
    nbf,
    exp: nbf + (input.lifetimeSeconds ?? PRESENTATION_LIFETIME_SECONDS),
    ...(input.id ? { jti: input.id } : {}),
  };
  return createVerifiablePresentationJwt(
    payload,
    { did: input.holder.did, signer: jwtSigner(input.holder), alg: 'EdDSA' },
    {
      challenge: input.challenge,
      ...(input.domain !== undefined ? { domain: input.domain } : {}),
      header: { alg: 'EdDSA', typ: 'JWT', kid: input.holder.verificationMethod },
    },
  );
}

/** A VC 2.0 JSON-LD presentation of JSON-LD credentials, with an Ed25519Signature2020 authentication proof. */
export async function createJsonLdPresentation(
  input: Omit<CreatePresentationInput, 'credentials'> & {
    credentials: ReadonlyArray<object>;
    documentLoader: DocumentLoader;
  },
): Promise<Record<string, unknown>> {
  const presentation = {
    '@context': [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL],
    ...(input.id ? { id: input.id } : {}),
    type: ['VerifiablePresentation'],
    holder: input.holder.did,
    verifiableCredential: [...input.credentials],
  };
  const suite = new Ed25519Signature2020Suite({ signer: jsonLdSigner(input.holder), date: input.now });
  return vc.signPresentation({
    presentation,
    suite,
    challenge: input.challenge,
    ...(input.domain !== undefined ? { domain: input.domain } : {}),
    documentLoader: input.documentLoader,
  });
}

// --- verifying --------------------------------------------------------------------------------------------------

/** Verifies a JWT VP (string) or JSON-LD VP (object or JSON text) and every credential in it. Never throws. */
export async function verifyPresentation(
  presentation: string | object,
  options: VerifyPresentationOptions,
): Promise<PresentationVerification> {
  try {
    if (typeof presentation === 'string') {
      const text = presentation.trim();
      if (looksLikeJwt(text)) return await verifyJwtPresentation(text, options);
      if (text.length > 2 * PRESENTATION_LIMITS.maxChars) {
        return refused('JSON_LD', [
          { code: 'TOO_COSTLY', message: `too costly: the presentation is longer than ${2 * PRESENTATION_LIMITS.maxChars} characters` },
        ]);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return unreadable('format: neither a JWT nor JSON');
      }
      return await verifyPresentation(parsed as object, options);
    }
    if (presentation === null || typeof presentation !== 'object' || Array.isArray(presentation)) {
      return unreadable('format: a presentation is a JWT string or a JSON object');
    }
    return await verifyJsonLdPresentation(presentation as Record<string, unknown>, options);
  } catch (error) {
    return unreadable(`verification failed: ${describeError(error)}`);
  }
}

/** Base64url makes a JWT 4/3 of its payload. */
const MAX_JWT_PRESENTATION_CHARS = Math.ceil((PRESENTATION_LIMITS.maxChars * 4) / 3) + 1_024;

async function verifyJwtPresentation(jwt: string, options: VerifyPresentationOptions): Promise<PresentationVerification> {
  if (jwt.length > MAX_JWT_PRESENTATION_CHARS) {
    return refused('JWT', [{ code: 'TOO_COSTLY', message: `too costly: the JWT is longer than ${MAX_JWT_PRESENTATION_CHARS} characters` }]);
  }
  let decoded: DecodedJws;
  try {
    decoded = decodeJws(jwt);
  } catch (error) {
    return unreadable(`format: not a compact JWS (${(error as Error).message})`, 'JWT');
  }
  const { payload } = decoded;
  const vp = payload.vp as Record<string, unknown> | undefined;
  if (!vp || typeof vp !== 'object' || Array.isArray(vp)) return unreadable('format: the JWT has no "vp" claim', 'JWT');
  const shape = checkJwtPresentationShape(payload);
  if (shape.length > 0) return refused('JWT', shape);
  const problems: PresentationProblem[] = [];
  const holder = typeof payload.iss === 'string' ? payload.iss : null;
  if (!typeList(vp.type).includes('VerifiablePresentation')) {
    problems.push({ code: 'MALFORMED', message: 'format: type does not include VerifiablePresentation' });
  }
  if (!holder) {
    problems.push({ code: 'MALFORMED', message: 'format: the JWT has no iss (holder)' });
  } else {
    if (vp.holder !== undefined && vp.holder !== holder) {
      problems.push({ code: 'WRONG_HOLDER', message: `holder: vp.holder ${String(vp.holder)} is not the signer ${holder}` });
    }
    const signature = await checkJwtSignature(decoded, holder, options.documentLoader, 'authentication');
    if (signature) {
      problems.push({
        code: signature.code === 'BAD_SIGNATURE' || signature.code === 'MALFORMED' ? 'BAD_SIGNATURE' : 'WRONG_HOLDER',
        message: signature.message.replace(/^issuer( key)?:/, 'holder$1:'),
      });
    }
  }
  if (options.challenge !== undefined && payload.nonce !== options.challenge) {
    problems.push({ code: 'WRONG_CHALLENGE', message: 'challenge: the presentation nonce does not match the challenge' });
  }
  if (options.domain !== undefined) {
    const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audience.includes(options.domain)) {
      problems.push({ code: 'WRONG_DOMAIN', message: `domain: the presentation is not addressed to ${options.domain}` });
    }
  }
  const validFrom = numericDate(payload.nbf ?? payload.iat);
  const validUntil = numericDate(payload.exp);
  if (validFrom === null || validUntil === null) {
    problems.push({ code: 'MALFORMED', message: 'format: nbf/iat/exp are not NumericDates' });
  }
  for (const problem of validityProblems(validFrom ?? null, validUntil ?? null, options.now, options.clockSkewSeconds)) {
    problems.push({ code: problem.code as PresentationProblemCode, message: `presentation ${problem.message}` });
  }
  const credentials = await verifyContained(vp.verifiableCredential, holder, options, problems);
  return result('JWT', holder, credentials, problems);
}

async function verifyJsonLdPresentation(
  presentation: Record<string, unknown>,
  options: VerifyPresentationOptions,
): Promise<PresentationVerification> {
  // The same rule as for credentials: only the exact form Credence issues is read, and nothing is canonicalized
  // before that (and the caps) hold.
  const shape = checkJsonLdPresentationShape(presentation);
  if (shape.length > 0) return refused('JSON_LD', shape);
  const problems: PresentationProblem[] = [];
  if (!typeList(presentation.type).includes('VerifiablePresentation')) {
    problems.push({ code: 'MALFORMED', message: 'format: type does not include VerifiablePresentation' });
  }
  const holderValue = presentation.holder;
  const holder =
    typeof holderValue === 'string'
      ? holderValue
      : typeof (holderValue as { id?: unknown } | undefined)?.id === 'string'
        ? (holderValue as { id: string }).id
        : null;
  const proof = presentation.proof as Record<string, unknown> | undefined;
  if (!holder) problems.push({ code: 'MALFORMED', message: 'format: the presentation names no holder' });
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) {
    problems.push({ code: 'BAD_SIGNATURE', message: 'proof: missing or not a single proof object' });
  } else {
    const method = typeof proof.verificationMethod === 'string' ? proof.verificationMethod : '';
    if (holder && method.split('#')[0] !== holder) {
      problems.push({ code: 'WRONG_HOLDER', message: `holder: the proof is signed by ${method || '(none)'}, not by ${holder}` });
    }
    if (options.challenge !== undefined && proof.challenge !== options.challenge) {
      problems.push({ code: 'WRONG_CHALLENGE', message: 'challenge: the proof challenge does not match the challenge' });
    }
    if (options.domain !== undefined) {
      const domains = Array.isArray(proof.domain) ? proof.domain : [proof.domain];
      if (!domains.includes(options.domain)) {
        problems.push({ code: 'WRONG_DOMAIN', message: `domain: the presentation is not addressed to ${options.domain}` });
      }
    }
    if (typeof proof.challenge !== 'string') {
      problems.push({ code: 'MALFORMED', message: 'challenge: the proof has no challenge' });
    } else if (holder && problems.every((problem) => problem.code !== 'WRONG_HOLDER')) {
      // Expected challenge and domain were compared above (with their own reasons); the proof's own values are
      // signed, so checking the proof with them leaves only signature and key faults to report here.
      // In a worker with a time budget (proof-pool.ts). Contained credentials are verified below with precise
      // reasons; there only the presentation proof counts.
      const outcome = await proofPool().run(
        {
          kind: 'presentation',
          document: presentation,
          challenge: proof.challenge,
          ...(typeof proof.domain === 'string' ? { domain: proof.domain } : {}),
          now: options.now,
        },
        options.documentLoader,
        await prefetch(options.documentLoader, [method, holder]),
      );
      if (!outcome.verified) {
        problems.push(
          outcome.tooCostly
            ? { code: 'TOO_COSTLY', message: outcome.error }
            : { code: 'BAD_SIGNATURE', message: `signature: ${outcome.error}` },
        );
      }
    }
  }
  const credentials = await verifyContained(presentation.verifiableCredential, holder, options, problems);
  return result('JSON_LD', holder, credentials, problems);
}

async function verifyContained(
  value: unknown,
  holder: string | null,
  options: VerifyPresentationOptions,
  problems: PresentationProblem[],
): Promise<CredentialVerification[]> {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const { challenge: _challenge, domain: _domain, requireHolderIsSubject = true, ...credentialOptions } = options;
  const results = await Promise.all(list.map((credential) => verifyCredential(credential as string | object, credentialOptions)));
  results.forEach((verification, index) => {
    if (!verification.valid) {
      problems.push({ code: 'CREDENTIAL_INVALID', message: `credential ${index}: ${verification.errors.join('; ')}` });
    }
    if (requireHolderIsSubject && verification.subject !== holder) {
      problems.push({
        code: 'HOLDER_NOT_SUBJECT',
        message: `credential ${index}: its subject ${verification.subject ?? '(none)'} is not the holder ${holder ?? '(none)'}`,
      });
    }
  });
  return results;
}

function result(
  format: CredentialFormat,
  holder: string | null,
  credentials: CredentialVerification[],
  problems: PresentationProblem[],
): PresentationVerification {
  return {
    valid: problems.length === 0,
    format,
    holder,
    credentials,
    errors: problems.map((problem) => problem.message),
    problems,
  };
}

function refused(format: CredentialFormat, problems: PresentationProblem[]): PresentationVerification {
  return { valid: false, format, holder: null, credentials: [], errors: problems.map((problem) => problem.message), problems };
}

function unreadable(message: string, format: CredentialFormat | null = null): PresentationVerification {
  return { valid: false, format, holder: null, credentials: [], errors: [message], problems: [{ code: 'MALFORMED', message }] };
}
