// JSON-LD context URLs and the bundled context documents (all offline: npm packages and the repo's credentials/).
import { readFileSync } from 'node:fs';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { contexts as didContexts } from 'did-context';
import { contexts as ed25519Contexts } from 'ed25519-signature-2020-context';
import {
  CREDENCE_CONTEXT_V1_URL,
  DATA_INTEGRITY_V2_CONTEXT_URL,
  DID_V1_CONTEXT_URL,
  ED25519_2020_CONTEXT_URL,
  MULTIKEY_V1_CONTEXT_URL,
  STATUS_LIST_V1_CONTEXT_URL,
  VC_V1_CONTEXT_URL,
  VC_V2_CONTEXT_URL,
} from './context-urls.ts';

export * from './context-urls.ts';

/** Read once: the file is part of the package, not runtime input. */
export const CREDENCE_CONTEXT_V1: Readonly<Record<string, unknown>> = deepFreeze(
  JSON.parse(readFileSync(new URL('../../credentials/credence-v1.jsonld', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >,
);

/** Every context the loader serves, by URL. */
export function bundledContexts(): Map<string, object> {
  const all = new Map<string, object>();
  for (const source of [
    credentialsContexts,
    statusListContexts,
    didContexts,
    ed25519Contexts,
    multikeyContexts,
    dataIntegrityContexts,
  ]) {
    for (const [url, document] of source) all.set(url, document);
  }
  all.set(CREDENCE_CONTEXT_V1_URL, CREDENCE_CONTEXT_V1);
  for (const url of [
    VC_V1_CONTEXT_URL,
    VC_V2_CONTEXT_URL,
    STATUS_LIST_V1_CONTEXT_URL,
    DID_V1_CONTEXT_URL,
    ED25519_2020_CONTEXT_URL,
    MULTIKEY_V1_CONTEXT_URL,
    DATA_INTEGRITY_V2_CONTEXT_URL,
  ]) {
    if (!all.has(url)) throw new Error(`context package is missing ${url}`);
  }
  return all;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
