// Fixed keys, dates and inputs shared by the credential tests.
import { readFileSync, writeFileSync } from 'node:fs';
import { didKeyFromPublicKey, keyPairFromSeed, publicKeyMultibase } from '../../../src/crypto/ed25519.ts';
import { buildDidWebDocument, didWebFromUrl } from '../../../src/issuer/did-web.ts';
import { createDocumentLoader, type DidDocument, type DocumentLoader } from '../../../src/credentials/document-loader.ts';
import { didKeySigningKey, signingKeyForDid, type SigningKey } from '../../../src/credentials/signing-key.ts';
import {
  reputationCredential,
  taskCompletionCredential,
  type ReceiptLike,
  type TrustReportLike,
  type WindowStats,
} from '../../../src/credentials/credential-types.ts';
import {
  bitstringFromIndexes,
  issueStatusListCredential,
  statusListEntry,
  statusListUrl,
} from '../../../src/credentials/status-list.ts';
import { CREDENCE_CONTEXT_V1_PATH } from '../../../src/credentials/contexts.ts';

export const seed = (offset: number) => Uint8Array.from({ length: 32 }, (_, i) => (i + offset) & 0xff);

export const PUBLIC_URL = 'http://localhost:4000';
export const SERVICE_DID = didWebFromUrl(PUBLIC_URL);
export const STATUS_LIST_URL = statusListUrl(PUBLIC_URL, 1);
export const CONTEXT_ALIAS = `${PUBLIC_URL}${CREDENCE_CONTEXT_V1_PATH}`;

export const ISSUED_AT = new Date('2026-11-02T00:00:00Z');
export const NOW = new Date('2026-11-10T12:00:00Z');

const pair1 = keyPairFromSeed(seed(1));
const pair2 = keyPairFromSeed(seed(101));
export const KEY_1: SigningKey = signingKeyForDid(pair1, SERVICE_DID, 'key-1');
export const KEY_2: SigningKey = signingKeyForDid(pair2, SERVICE_DID, 'key-2');
/** Claims to be the service's key-1, but is not in the DID document. */
export const IMPOSTOR_KEY: SigningKey = signingKeyForDid(keyPairFromSeed(seed(201)), SERVICE_DID, 'key-1');
export const UNLISTED_KEY: SigningKey = signingKeyForDid(keyPairFromSeed(seed(201)), SERVICE_DID, 'key-9');

export const AGENT: SigningKey = didKeySigningKey(keyPairFromSeed(seed(51)));
export const OTHER_AGENT: SigningKey = didKeySigningKey(keyPairFromSeed(seed(61)));
export const PLATFORM_DID = didKeyFromPublicKey(keyPairFromSeed(seed(71)).publicKey);
export const BUYER_DID = didKeyFromPublicKey(keyPairFromSeed(seed(81)).publicKey);

/** Before rotation: key-1 only. */
export const DID_DOCUMENT = buildDidWebDocument(
  SERVICE_DID,
  [{ keyId: 'key-1', publicKeyMultibase: publicKeyMultibase(pair1.publicKey) }],
  ['key-1'],
) as DidDocument;

/** After `keys rotate`: key-2 active, key-1 retired but still listed. */
export const ROTATED_DID_DOCUMENT = buildDidWebDocument(
  SERVICE_DID,
  [
    { keyId: 'key-1', publicKeyMultibase: publicKeyMultibase(pair1.publicKey) },
    { keyId: 'key-2', publicKeyMultibase: publicKeyMultibase(pair2.publicKey) },
  ],
  ['key-2'],
) as DidDocument;

export const RECEIPT: ReceiptLike = {
  receiptId: 'rcp_01JC7Q2Z8K',
  agentDid: AGENT.did,
  platformDid: PLATFORM_DID,
  actionCategory: 'economic.transaction',
  valueUsd: 500,
  amount: '500.00',
  currency: 'USDC',
  counterparty: BUYER_DID,
  settledAt: '2026-11-01T10:00:00Z',
  escrowId: 'esc_123',
};

const window = (tasks: number): WindowStats => ({
  tasks,
  accepted: tasks - 1,
  disputed: 1,
  refunded: 0,
  acceptedRate: (tasks - 1) / tasks,
  disputeRate: 1 / tasks,
  volumeUsd: tasks * 250.5,
  avgValueUsd: 250.5,
  uniqueCounterparties: Math.min(tasks, 3),
  escrowVerifiedShare: 0.75,
});

export const REPORT: TrustReportLike = {
  did: AGENT.did,
  vector: { E: 0.62, P: 0.41, B: 0.88, D: 0.35, R: 0.9, A: -0.05, C: 0 },
  score: 67.4,
  tier: 'B',
  confidence: 0.58,
  windows: { d7: window(2), d30: window(5), d90: window(12), lifetime: window(20) },
  asOf: '2026-11-02T00:00:00Z',
};

export const TASK_ID = 'urn:uuid:6f1c2a9e-3b7d-4c51-9a0e-1d2f3a4b5c6d';
export const REPUTATION_ID = 'urn:uuid:0b8e4f12-7c3a-4d6e-8f90-a1b2c3d4e5f6';

export const taskDraft = (index = 3, overrides: Partial<Parameters<typeof taskCompletionCredential>[0]> = {}) =>
  taskCompletionCredential({
    id: TASK_ID,
    issuer: SERVICE_DID,
    receipt: RECEIPT,
    issuedAt: ISSUED_AT,
    status: statusListEntry(STATUS_LIST_URL, index),
    ...overrides,
  });

export const reputationDraft = (index = 4, overrides: Partial<Parameters<typeof reputationCredential>[0]> = {}) =>
  reputationCredential({
    id: REPUTATION_ID,
    issuer: SERVICE_DID,
    report: REPORT,
    issuedAt: ISSUED_AT,
    status: statusListEntry(STATUS_LIST_URL, index),
    ...overrides,
  });

/** Index 7 is revoked in the default list. */
export const REVOKED_INDEX = 7;

export interface Environment {
  documentLoader: DocumentLoader;
  statusLists: Map<string, object>;
  /** Re-signs list 1 with exactly these indexes set. */
  publishStatusList(revoked: number[], key?: SigningKey): Promise<object>;
}

export async function environment(didDocument: DidDocument = DID_DOCUMENT, revoked = [REVOKED_INDEX]): Promise<Environment> {
  const statusLists = new Map<string, object>();
  const documentLoader = createDocumentLoader({
    didDocuments: [didDocument],
    statusListCredentials: statusLists,
    contextAliases: [CONTEXT_ALIAS],
  });
  const publishStatusList = async (indexes: number[], key: SigningKey = KEY_1) => {
    const list = await issueStatusListCredential(
      { url: STATUS_LIST_URL, bits: bitstringFromIndexes(indexes), validFrom: ISSUED_AT },
      key,
      { documentLoader },
    );
    statusLists.set(STATUS_LIST_URL, list);
    return list;
  };
  await publishStatusList(revoked);
  return { documentLoader, statusLists, publishStatusList };
}

const FIXTURES = new URL('../../fixtures/credentials/', import.meta.url);

/** Known answers live in test/fixtures/credentials; UPDATE_CREDENTIAL_FIXTURES=1 rewrites them. */
export function knownAnswer(name: string, actual: string): string {
  const file = new URL(name, FIXTURES);
  if (process.env.UPDATE_CREDENTIAL_FIXTURES === '1') writeFileSync(file, actual.endsWith('\n') ? actual : `${actual}\n`);
  return readFileSync(file, 'utf8').trimEnd();
}

/** Every path to a leaf (string, number, boolean) of a JSON value. */
export function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, [...prefix, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
  }
  return [prefix];
}

/** A copy of `value` with the leaf at `path` changed (strings get one character altered, numbers +1). */
export function tamper<T>(value: T, path: (string | number)[]): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  const leaf = parent[last];
  if (typeof leaf === 'number') parent[last] = leaf + 1;
  else if (typeof leaf === 'boolean') parent[last] = !leaf;
  else if (typeof leaf === 'string') {
    const position = Math.floor(leaf.length / 2);
    const swapped = leaf[position] === 'x' ? 'y' : 'x';
    parent[last] = leaf.slice(0, position) + swapped + leaf.slice(position + 1);
  } else throw new Error(`no leaf at ${path.join('.')}`);
  return copy as T;
}
