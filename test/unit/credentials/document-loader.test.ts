import { describe, expect, it } from 'vitest';
import {
  UnknownDocumentError,
  createDocumentLoader,
  findVerificationMethod,
  resolveDidDocument,
  verificationMethodsFor,
} from '../../../src/credentials/document-loader.ts';
import {
  CREDENCE_CONTEXT_V1,
  CREDENCE_CONTEXT_V1_URL,
  DID_V1_CONTEXT_URL,
  ED25519_2020_CONTEXT_URL,
  STATUS_LIST_V1_CONTEXT_URL,
  VC_V1_CONTEXT_URL,
  VC_V2_CONTEXT_URL,
} from '../../../src/credentials/contexts.ts';
import { AGENT, CONTEXT_ALIAS, DID_DOCUMENT, ROTATED_DID_DOCUMENT, SERVICE_DID, STATUS_LIST_URL } from './helpers.ts';

describe('offline document loader', () => {
  const statusList = { id: STATUS_LIST_URL, type: ['VerifiableCredential', 'BitstringStatusListCredential'] };
  const loader = createDocumentLoader({
    didDocuments: [DID_DOCUMENT],
    statusListCredentials: async (url) => (url === STATUS_LIST_URL ? statusList : undefined),
    contextAliases: [CONTEXT_ALIAS],
  });

  it('serves the W3C, DID, suite, status and Credence contexts from packages and credentials/', async () => {
    for (const url of [
      VC_V1_CONTEXT_URL,
      VC_V2_CONTEXT_URL,
      STATUS_LIST_V1_CONTEXT_URL,
      DID_V1_CONTEXT_URL,
      ED25519_2020_CONTEXT_URL,
      'https://w3id.org/security/v2',
    ]) {
      const { document, documentUrl } = await loader(url);
      expect(documentUrl).toBe(url);
      expect(document).toHaveProperty('@context');
    }
    expect((await loader(CREDENCE_CONTEXT_V1_URL)).document).toEqual(CREDENCE_CONTEXT_V1);
    expect((await loader(CONTEXT_ALIAS)).document).toEqual(CREDENCE_CONTEXT_V1);
  });

  it('resolves the did:web document and its keys from the documents passed in', async () => {
    expect(await resolveDidDocument(loader, SERVICE_DID)).toEqual(DID_DOCUMENT);
    const { document } = await loader(`${SERVICE_DID}#key-1`);
    expect(document).toMatchObject({
      '@context': ED25519_2020_CONTEXT_URL,
      id: `${SERVICE_DID}#key-1`,
      type: 'Ed25519VerificationKey2020',
      controller: SERVICE_DID,
    });
    await expect(loader(`${SERVICE_DID}#key-2`)).rejects.toBeInstanceOf(UnknownDocumentError);
  });

  it('resolves did:key as an Ed25519VerificationKey2020 document (not the 2018 form)', async () => {
    const document = await resolveDidDocument(loader, AGENT.did);
    expect(document['@context']).toEqual([DID_V1_CONTEXT_URL, ED25519_2020_CONTEXT_URL]);
    expect(document.verificationMethod).toEqual([
      {
        id: AGENT.verificationMethod,
        type: 'Ed25519VerificationKey2020',
        controller: AGENT.did,
        publicKeyMultibase: AGENT.publicKeyMultibase,
      },
    ]);
    expect(document.authentication).toEqual([AGENT.verificationMethod]);
    expect(document.assertionMethod).toEqual([AGENT.verificationMethod]);
    expect(document).not.toHaveProperty('keyAgreement');
    expect((await loader(AGENT.verificationMethod)).document).toMatchObject({ publicKeyMultibase: AGENT.publicKeyMultibase });
  });

  it('serves status list credentials from the lookup passed in', async () => {
    expect((await loader(STATUS_LIST_URL)).document).toBe(statusList);
  });

  it('throws on everything else: no network, no guessing', async () => {
    for (const url of [
      'https://example.com/contexts/v1',
      'https://www.w3.org/2018/credentials/examples/v1',
      'http://localhost:4000/credentials/status/2',
      'did:web:elsewhere.example',
      'did:key:z6MkNotAKey',
      'did:example:123',
      'ftp://example.com/x',
      'urn:uuid:1',
    ]) {
      await expect(loader(url), url).rejects.toBeInstanceOf(UnknownDocumentError);
    }
    const bare = createDocumentLoader();
    await expect(bare(SERVICE_DID)).rejects.toThrow(/unknown URL/);
    await expect(bare(CONTEXT_ALIAS)).rejects.toThrow(/unknown URL/);
    await expect(bare(STATUS_LIST_URL)).rejects.toThrow(/unknown URL/);
  });

  it('accepts a DID document lookup function, so a rotation needs no new loader', async () => {
    let current = DID_DOCUMENT;
    const dynamic = createDocumentLoader({ didDocuments: (did) => (did === SERVICE_DID ? current : undefined) });
    await expect(dynamic(`${SERVICE_DID}#key-2`)).rejects.toThrow();
    current = ROTATED_DID_DOCUMENT;
    expect((await dynamic(`${SERVICE_DID}#key-2`)).document).toMatchObject({ id: `${SERVICE_DID}#key-2` });
  });

  it('finds verification methods by relationship: retired keys still assert, only active keys authenticate', () => {
    const retired = `${SERVICE_DID}#key-1`;
    expect(findVerificationMethod(ROTATED_DID_DOCUMENT, retired, 'assertionMethod')?.id).toBe(retired);
    expect(findVerificationMethod(ROTATED_DID_DOCUMENT, retired, 'authentication')).toBeUndefined();
    // Each key twice: as Ed25519VerificationKey2020 and as Multikey (for Data Integrity proofs).
    expect(verificationMethodsFor(ROTATED_DID_DOCUMENT, 'assertionMethod').map((method) => [method.id, method.type])).toEqual([
      [retired, 'Ed25519VerificationKey2020'],
      [`${SERVICE_DID}#key-2`, 'Ed25519VerificationKey2020'],
      [`${retired}-multikey`, 'Multikey'],
      [`${SERVICE_DID}#key-2-multikey`, 'Multikey'],
    ]);
    expect(findVerificationMethod(ROTATED_DID_DOCUMENT, `${retired}-multikey`, 'authentication')).toBeUndefined();
  });
});
