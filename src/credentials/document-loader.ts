// The offline JSON-LD document loader. It serves bundled contexts, DID documents (did:key computed locally, other
// DIDs only from documents the caller passes in) and status list credentials from a caller-supplied lookup, and
// throws on anything else: verification never reaches the network.
import { defaultDocumentLoader } from '@digitalbazaar/vc';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { isEd25519DidKey } from '../crypto/ed25519.ts';
import {
  CREDENCE_CONTEXT_V1,
  DID_V1_CONTEXT_URL,
  ED25519_2020_CONTEXT_URL,
  MULTIKEY_V1_CONTEXT_URL,
  bundledContexts,
} from './contexts.ts';

export interface VerificationMethod {
  id: string;
  type: string;
  controller: string;
  publicKeyMultibase?: string;
  [property: string]: unknown;
}

export interface DidDocument {
  '@context'?: unknown;
  id: string;
  verificationMethod?: VerificationMethod[];
  authentication?: Array<string | VerificationMethod>;
  assertionMethod?: Array<string | VerificationMethod>;
  [property: string]: unknown;
}

export interface RemoteDocument {
  contextUrl: string | null;
  documentUrl: string;
  document: unknown;
  tag?: string;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

type Lookup<T> = ReadonlyMap<string, T> | ((key: string) => T | undefined | Promise<T | undefined>);

export interface DocumentLoaderOptions {
  /**
   * DID documents for DIDs that are not did:key (the service's did:web document). A list is indexed by `id`;
   * a function is asked on every lookup (so a key rotation needs no new loader).
   */
  didDocuments?: readonly DidDocument[] | ((did: string) => DidDocument | undefined | Promise<DidDocument | undefined>);
  /**
   * BitstringStatusListCredentials by URL. Return the same object for as long as the list is unchanged: verified
   * lists are cached per object, so re-verifying the list's proof is skipped on every status check.
   */
  statusListCredentials?: Lookup<object>;
  /** Further URLs serving the Credence context, e.g. `${publicUrl}/contexts/credence/v1`. */
  contextAliases?: readonly string[];
}

export class UnknownDocumentError extends Error {
  override name = 'UnknownDocumentError';
  constructor(readonly url: string) {
    super(`document loader: unknown URL "${url}" (offline: only bundled contexts, known DIDs and status lists load)`);
  }
}

const SECURITY_CONTEXTS = new Set(['https://w3id.org/security/v1', 'https://w3id.org/security/v2']);

export function createDocumentLoader(options: DocumentLoaderOptions = {}): DocumentLoader {
  const loader = new JsonLdDocumentLoader();
  for (const [url, document] of bundledContexts()) loader.addStatic(url, document);
  for (const alias of options.contextAliases ?? []) loader.addStatic(alias, CREDENCE_CONTEXT_V1);

  const findDidDocument = didDocumentLookup(options.didDocuments);
  loader.setProtocolHandler({
    protocol: 'did',
    handler: { get: async ({ url }) => resolveDidUrl(url, findDidDocument) },
  });

  const httpHandler = {
    get: async ({ url }: { url: string }) => {
      // The signature suites' own security contexts ship inside @digitalbazaar/vc.
      if (SECURITY_CONTEXTS.has(url)) return (await defaultDocumentLoader(url)).document;
      const list = await lookup(options.statusListCredentials, url);
      if (list === undefined) throw new UnknownDocumentError(url);
      return list;
    },
  };
  loader.setProtocolHandler({ protocol: 'https', handler: httpHandler });
  loader.setProtocolHandler({ protocol: 'http', handler: httpHandler });

  const load = loader.build();
  return async (url: string) => {
    if (typeof url !== 'string') throw new TypeError('a document URL is a string');
    try {
      return await load(url);
    } catch (error) {
      if (error instanceof UnknownDocumentError) throw error;
      // The library's "not found" and a failed did:key parse both mean the same to callers.
      const unknown = new UnknownDocumentError(url);
      unknown.cause = error;
      throw unknown;
    }
  };
}

/** The DID document for a DID (no fragment), through the loader. */
export async function resolveDidDocument(documentLoader: DocumentLoader, did: string): Promise<DidDocument> {
  const { document } = await documentLoader(did);
  if (!isDidDocument(document) || document.id !== did) throw new UnknownDocumentError(did);
  return document;
}

/**
 * The verification method `methodId` of `document` when the document lists it under `relationship`
 * (assertionMethod for credentials, authentication for presentations); undefined otherwise.
 */
export function findVerificationMethod(
  document: DidDocument,
  methodId: string,
  relationship: 'assertionMethod' | 'authentication',
): VerificationMethod | undefined {
  const related = (document[relationship] ?? []).some((entry) =>
    typeof entry === 'string' ? entry === methodId : entry?.id === methodId,
  );
  if (!related) return undefined;
  const embedded = (document[relationship] ?? []).find(
    (entry): entry is VerificationMethod => typeof entry === 'object' && entry?.id === methodId,
  );
  return embedded ?? document.verificationMethod?.find((method) => method.id === methodId);
}

/** The methods listed under `relationship`, dereferenced. */
export function verificationMethodsFor(
  document: DidDocument,
  relationship: 'assertionMethod' | 'authentication',
): VerificationMethod[] {
  const methods: VerificationMethod[] = [];
  for (const entry of document[relationship] ?? []) {
    const method =
      typeof entry === 'string' ? document.verificationMethod?.find((candidate) => candidate.id === entry) : entry;
    if (method) methods.push(method);
  }
  return methods;
}

function isDidDocument(value: unknown): value is DidDocument {
  return !!value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string';
}

async function lookup<T>(source: Lookup<T> | undefined, key: string): Promise<T | undefined> {
  if (!source) return undefined;
  if (typeof source === 'function') return source(key);
  return source.get(key);
}

function didDocumentLookup(
  source: DocumentLoaderOptions['didDocuments'],
): (did: string) => Promise<DidDocument | undefined> {
  if (typeof source === 'function') return async (did) => source(did);
  const byId = new Map((source ?? []).map((document) => [document.id, document] as const));
  return async (did) => byId.get(did);
}

async function resolveDidUrl(
  url: string,
  findDidDocument: (did: string) => Promise<DidDocument | undefined>,
): Promise<unknown> {
  const hash = url.indexOf('#');
  const did = hash === -1 ? url : url.slice(0, hash);
  const document = did.startsWith('did:key:') ? await didKeyDocument(did) : await findDidDocument(did);
  if (!document) throw new UnknownDocumentError(url);
  if (hash === -1) return document;
  const method = document.verificationMethod?.find((candidate) => candidate.id === url);
  if (!method) throw new UnknownDocumentError(url);
  // A dereferenced key carries the context defining its type so JSON-LD processing of the key alone works.
  return { '@context': method.type === 'Multikey' ? MULTIKEY_V1_CONTEXT_URL : ED25519_2020_CONTEXT_URL, ...method };
}

// did:key documents in the Ed25519VerificationKey2020 form that Ed25519Signature2020 expects; key-did-resolver's
// 2018-style documents cannot verify these proofs.
const didKeyResolver = didKeyDriver();
didKeyResolver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from });

const didKeyDocuments = new Map<string, DidDocument>();
const DID_KEY_CACHE_LIMIT = 10_000;

async function didKeyDocument(did: string): Promise<DidDocument | undefined> {
  if (!isEd25519DidKey(did)) return undefined;
  let document = didKeyDocuments.get(did);
  if (!document) {
    const resolved = (await didKeyResolver.get({ did })) as DidDocument;
    // Key agreement keys play no part in proofs and their context is not bundled: drop both so nothing that
    // processes this document as JSON-LD asks the loader for an unknown context.
    const { keyAgreement: _unused, ...rest } = resolved;
    const contexts = Array.isArray(resolved['@context']) ? (resolved['@context'] as unknown[]) : [];
    document = {
      ...rest,
      '@context': contexts.filter((context) => context === DID_V1_CONTEXT_URL || context === ED25519_2020_CONTEXT_URL),
    };
    deepFreeze(document);
    if (didKeyDocuments.size >= DID_KEY_CACHE_LIMIT) didKeyDocuments.clear();
    didKeyDocuments.set(did, document);
  }
  return document;
}

/** Cached documents are shared between callers: make accidental mutation an error rather than a silent change. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
