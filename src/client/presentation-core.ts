// Presentations for agents, the part that runs anywhere: checks on what is presented, and JWT presentations signed
// locally with the holder's key (did-jwt-vc over @noble/curves). JSON-LD presentations need the JSON-LD libraries
// and are made by the Node build of credence/client (presentation.ts).
import { createVerifiablePresentationJwt, type JwtPresentationPayload } from 'did-jwt-vc';
import { CredenceClientError } from './credence-client.ts';
import { didKeyFromPublicKey, jwsPayload, publicKeyMultibase, signBase64url, type Ed25519KeyPair } from './keys.ts';

export type PresentationFormat = 'JWT' | 'JSON_LD';

/** A challenge or domain longer than this is refused by the service's verifyPresentation. */
export const MAX_PRESENTATION_BINDING = 500;
/** Lifetime of a JWT presentation unless told otherwise, seconds (the service's PRESENTATION_LIFETIME_SECONDS). */
export const PRESENTATION_LIFETIME_SECONDS = 300;
const VC_V1_CONTEXT_URL = 'https://www.w3.org/2018/credentials/v1';

export interface CreatePresentationOptions {
  /** The holder's key (`readKeyFile('agent.json')`): the subject of every credential presented. */
  key: Ed25519KeyPair;
  /** Credentials as issued: JWTs, JSON-LD documents, or JSON-LD documents as JSON text (`Credential.encoded`). */
  credentials: ReadonlyArray<string | object>;
  /** The verifier's nonce: a presentation answers one challenge only. */
  challenge: string;
  /** The verifier's domain (JWT `aud`, proof `domain`). */
  domain: string;
  /** JWT (default): a JWT VP of JWT credentials; JSON_LD: a VC 2.0 presentation of JSON-LD credentials. */
  format?: PresentationFormat;
  /** The signing time; the system clock by default. */
  now?: Date;
  /** Lifetime of a JWT presentation, seconds (default 300). */
  lifetimeSeconds?: number;
}

export interface PresentedCredential {
  value: string | object;
  subject: string | null;
  jsonLd: boolean;
}

/** The checked inputs of a presentation: who holds, what is presented, in which format, signed when. */
export interface PreparedPresentation {
  holder: { did: string; verificationMethod: string };
  credentials: PresentedCredential[];
  format: PresentationFormat;
  now: Date;
}

const invalid = (message: string, field: string) => new CredenceClientError('INVALID_INPUT', message, { field });

function subjectOf(document: unknown): string | null {
  const subject = (document as { credentialSubject?: unknown } | null)?.credentialSubject;
  const first = Array.isArray(subject) ? subject[0] : subject;
  const id = (first as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

function readCredential(credential: string | object, index: number): PresentedCredential {
  if (typeof credential !== 'string') return { value: credential, subject: subjectOf(credential), jsonLd: true };
  const text = credential.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalid(`credential ${index} is neither a JWT nor JSON`, `credentials.${index}`);
    }
    return { value: parsed as object, subject: subjectOf(parsed), jsonLd: true };
  }
  try {
    const payload = jwsPayload(text);
    const sub = typeof payload.sub === 'string' ? payload.sub : subjectOf(payload.vc);
    return { value: text, subject: sub, jsonLd: false };
  } catch {
    throw invalid(`credential ${index} is neither a JWT nor JSON`, `credentials.${index}`);
  }
}

/** Everything checked before anything is signed: format, bindings, the holder's own credentials of the right kind. */
export function preparePresentation(options: CreatePresentationOptions): PreparedPresentation {
  const format = options.format ?? 'JWT';
  if (format !== 'JWT' && format !== 'JSON_LD') throw invalid('format must be JWT or JSON_LD', 'format');
  for (const field of ['challenge', 'domain'] as const) {
    const value = options[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PRESENTATION_BINDING) {
      throw invalid(`${field} must be 1 to ${MAX_PRESENTATION_BINDING} characters`, field);
    }
  }
  if (options.credentials.length === 0) throw invalid('present at least one credential', 'credentials');
  const did = didKeyFromPublicKey(options.key.publicKey);
  const holder = { did, verificationMethod: `${did}#${publicKeyMultibase(options.key.publicKey)}` };
  const credentials = options.credentials.map(readCredential);
  credentials.forEach((credential, index) => {
    // A verifier refuses anyone presenting another's credentials; say so here, before signing anything.
    if (credential.subject !== holder.did) {
      throw invalid(`credential ${index} is about ${credential.subject ?? 'no subject'}, not this key's DID ${holder.did}`, `credentials.${index}`);
    }
  });
  // A JWT VP follows VC 1.1 (did-jwt-vc), a JSON-LD one VC 2.0: each holds credentials of its own kind.
  const misfit = credentials.findIndex((credential) => credential.jsonLd !== (format === 'JSON_LD'));
  if (misfit >= 0) {
    throw invalid(
      format === 'JWT'
        ? `credential ${misfit} is JSON-LD: a JWT presentation holds JWT credentials (use format JSON_LD)`
        : `credential ${misfit} is a JWT: a JSON_LD presentation holds JSON-LD credentials (use format JWT)`,
      `credentials.${misfit}`,
    );
  }
  return { holder, credentials, format, now: options.now ?? new Date() };
}

/** A JWT VP (iss = holder, nonce = challenge, aud = domain), valid `lifetimeSeconds` (default 5 minutes). */
export function signJwtPresentation(options: CreatePresentationOptions, prepared: PreparedPresentation): Promise<string> {
  const nbf = Math.floor(prepared.now.getTime() / 1000);
  const payload: JwtPresentationPayload = {
    vp: {
      '@context': [VC_V1_CONTEXT_URL],
      type: ['VerifiablePresentation'],
      verifiableCredential: prepared.credentials.map((credential) => credential.value) as JwtPresentationPayload['vp']['verifiableCredential'],
    },
    nbf,
    exp: nbf + (options.lifetimeSeconds ?? PRESENTATION_LIFETIME_SECONDS),
  };
  const signer = async (data: string | Uint8Array) =>
    signBase64url(options.key, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  return createVerifiablePresentationJwt(
    payload,
    { did: prepared.holder.did, signer, alg: 'EdDSA' },
    { challenge: options.challenge, domain: options.domain, header: { alg: 'EdDSA', typ: 'JWT', kid: prepared.holder.verificationMethod } },
  );
}

/**
 * A signed JWT Verifiable Presentation of the holder's own JWT credentials, bound to the verifier's challenge and
 * domain. JSON_LD needs the Node build of credence/client; here it answers UNSUPPORTED_FORMAT.
 */
export async function createPresentation(options: CreatePresentationOptions): Promise<string> {
  const prepared = preparePresentation(options);
  if (prepared.format !== 'JWT') {
    throw new CredenceClientError('UNSUPPORTED_FORMAT', 'JSON_LD presentations are made by credence/client under Node (they need the JSON-LD libraries)', {
      field: 'format',
    });
  }
  return signJwtPresentation(options, prepared);
}
