// Presentations for agents: show your own credentials to a verifier, signed with your own key and bound to the
// verifier's challenge and domain. Everything happens locally: the key never leaves the caller.
import type { Ed25519KeyPair } from '../crypto/ed25519.ts';
import { decodeJws } from '../crypto/ed25519.ts';
import { createDocumentLoader } from '../credentials/document-loader.ts';
import { didKeySigningKey } from '../credentials/issuer-key.ts';
import { createJsonLdPresentation, createJwtPresentation, PRESENTATION_LIFETIME_SECONDS } from '../credentials/presentation.ts';
import { CredenceClientError } from './credence-client.ts';

export type PresentationFormat = 'JWT' | 'JSON_LD';

/** A challenge or domain longer than this is refused by the service's verifyPresentation. */
export const MAX_PRESENTATION_BINDING = 500;

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

const invalid = (message: string, field: string) => new CredenceClientError('INVALID_INPUT', message, { field });

function readCredential(credential: string | object, index: number): { value: string | object; subject: string | null; jsonLd: boolean } {
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
    const { payload } = decodeJws(text);
    const sub = typeof payload.sub === 'string' ? payload.sub : subjectOf(payload.vc);
    return { value: text, subject: sub, jsonLd: false };
  } catch {
    throw invalid(`credential ${index} is neither a JWT nor JSON`, `credentials.${index}`);
  }
}

function subjectOf(document: unknown): string | null {
  const subject = (document as { credentialSubject?: unknown } | null)?.credentialSubject;
  const first = Array.isArray(subject) ? subject[0] : subject;
  const id = (first as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

/**
 * A signed Verifiable Presentation of the holder's own credentials: a JWT VP (iss = holder, nonce = challenge,
 * aud = domain, valid 5 minutes) or a VC 2.0 JSON-LD presentation with an Ed25519Signature2020 authentication proof,
 * returned as JSON text. What `credence verify --challenge C --domain D` and the service's verifyPresentation accept.
 */
export async function createPresentation(options: CreatePresentationOptions): Promise<string> {
  const format = options.format ?? 'JWT';
  if (format !== 'JWT' && format !== 'JSON_LD') throw invalid('format must be JWT or JSON_LD', 'format');
  for (const field of ['challenge', 'domain'] as const) {
    const value = options[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PRESENTATION_BINDING) {
      throw invalid(`${field} must be 1 to ${MAX_PRESENTATION_BINDING} characters`, field);
    }
  }
  if (options.credentials.length === 0) throw invalid('present at least one credential', 'credentials');
  const holder = didKeySigningKey(options.key);
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
  const now = options.now ?? new Date();
  if (format === 'JWT') {
    return createJwtPresentation({
      holder,
      credentials: credentials.map((credential) => credential.value),
      challenge: options.challenge,
      domain: options.domain,
      now,
      lifetimeSeconds: options.lifetimeSeconds ?? PRESENTATION_LIFETIME_SECONDS,
    });
  }
  const presentation = await createJsonLdPresentation({
    holder,
    credentials: credentials.map((credential) => credential.value as object),
    challenge: options.challenge,
    domain: options.domain,
    now,
    documentLoader: createDocumentLoader(),
  });
  return JSON.stringify(presentation);
}
