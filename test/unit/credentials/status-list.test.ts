import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BitstringStatusList } from '@digitalbazaar/vc-bitstring-status-list';
import {
  STATUS_LIST_LENGTH,
  bitstringFromIndexes,
  createBitstring,
  decodeBitstring,
  encodeBitstring,
  getBit,
  setBit,
  setIndexes,
  statusListCredential,
  statusListEntry,
  statusListUrl,
} from '../../../src/credentials/status-list.ts';
import { checkCredentialStatus } from '../../../src/credentials/credential-status.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import {
  ISSUED_AT,
  KEY_1,
  NOW,
  PUBLIC_URL,
  SERVICE_DID,
  STATUS_LIST_URL,
  environment,
  taskDraft,
} from './helpers.ts';

describe('bitstring', () => {
  it('numbers bits from the left: index 0 is the top bit of the first byte', () => {
    const bits = createBitstring(16);
    setBit(bits, 0, true);
    setBit(bits, 9, true);
    expect([...bits]).toEqual([0b1000_0000, 0b0100_0000]);
    expect(getBit(bits, 0)).toBe(true);
    expect(getBit(bits, 1)).toBe(false);
    expect(setIndexes(bits)).toEqual([0, 9]);
    setBit(bits, 0, false);
    expect(setIndexes(bits)).toEqual([9]);
    expect(() => getBit(bits, 16)).toThrow(RangeError);
    expect(() => setBit(bits, -1, true)).toThrow(RangeError);
  });

  it('defaults to the 131,072-bit (16 KiB) minimum the specification sets', () => {
    expect(createBitstring().length * 8).toBe(STATUS_LIST_LENGTH);
    expect(STATUS_LIST_LENGTH).toBe(131_072);
  });

  it('encodes as multibase base64url of GZIP and decodes back', () => {
    const bits = bitstringFromIndexes([0, 7, 42, 131_071]);
    const encoded = encodeBitstring(bits);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(encoded.length).toBeLessThan(300);
    expect(setIndexes(decodeBitstring(encoded))).toEqual([0, 7, 42, 131_071]);
  });

  it('decodes a known encoded list', () => {
    // Encoded by @digitalbazaar/vc-bitstring-status-list (pako) with bits 0, 7, 42 and 131071 set.
    const known = readFileSync(new URL('../../fixtures/credentials/status-list-0-7-42-131071.txt', import.meta.url), 'utf8');
    const bits = decodeBitstring(known.trim());
    expect(bits.length).toBe(16_384);
    expect(setIndexes(bits)).toEqual([0, 7, 42, 131_071]);
  });

  it('agrees with @digitalbazaar/vc-bitstring-status-list both ways', async () => {
    const indexes = [1, 3, 8, 100, 65_535, 131_070];
    const ours = encodeBitstring(bitstringFromIndexes(indexes));
    const theirs = await BitstringStatusList.decode({ encodedList: ours });
    for (let index = 0; index < 200; index++) expect(theirs.getStatus(index)).toBe(indexes.includes(index));
    expect(theirs.getStatus(65_535)).toBe(true);
    const library = new BitstringStatusList({ length: STATUS_LIST_LENGTH });
    for (const index of indexes) library.setStatus(index, true);
    expect(setIndexes(decodeBitstring(await library.encode()))).toEqual(indexes);
  });

  it('refuses malformed lists', () => {
    expect(() => decodeBitstring('zabc')).toThrow(/multibase/);
    expect(() => decodeBitstring('uAAAA')).toThrow(/gzip/);
    expect(() => decodeBitstring('')).toThrow();
    expect(() => createBitstring(12)).toThrow(RangeError);
  });
});

describe('status list credential', () => {
  it('builds entries that point into /credentials/status/<id>', () => {
    expect(statusListUrl('http://localhost:4000/')).toBe('http://localhost:4000/credentials/status/1');
    expect(statusListEntry(STATUS_LIST_URL, 12)).toEqual({
      id: `${STATUS_LIST_URL}#12`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '12',
      statusListCredential: `${PUBLIC_URL}/credentials/status/1`,
    });
    expect(() => statusListEntry(STATUS_LIST_URL, -1)).toThrow(RangeError);
  });

  it('is a signed VC 2.0 BitstringStatusListCredential that verifies', async () => {
    const env = await environment(undefined, [7, 9]);
    const list = env.statusLists.get(STATUS_LIST_URL) as Record<string, unknown>;
    expect(list).toMatchObject({
      id: STATUS_LIST_URL,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: SERVICE_DID,
      validFrom: '2026-11-02T00:00:00Z',
      credentialSubject: { id: `${STATUS_LIST_URL}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation' },
      proof: { type: 'Ed25519Signature2020', proofPurpose: 'assertionMethod' },
    });
    const subject = list.credentialSubject as { encodedList: string };
    expect(setIndexes(decodeBitstring(subject.encodedList))).toEqual([7, 9]);
    const result = await verifyCredential(list, { now: NOW, ...env });
    expect(result.errors).toEqual([]);
    expect(result.types).toContain('BitstringStatusListCredential');
    const unsigned = statusListCredential({ url: STATUS_LIST_URL, issuer: SERVICE_DID, bits: createBitstring(), validFrom: ISSUED_AT });
    expect(unsigned).not.toHaveProperty('proof');
  });

  it('a credential passes until its bit is set in the re-signed list', async () => {
    const env = await environment(undefined, []);
    const credential = await issueJsonLdCredential(taskDraft(11), KEY_1, env);
    expect((await checkCredentialStatus(credential, { now: NOW, ...env })).revoked).toBe(false);
    await env.publishStatusList([11]);
    const revoked = await checkCredentialStatus(credential, { now: NOW, ...env });
    expect(revoked.revoked).toBe(true);
    expect(revoked.problems.map((problem) => problem.code)).toEqual(['REVOKED']);
  });

  it('reports a missing, forged or too short status list as unavailable', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(11), KEY_1, env);
    env.statusLists.delete(STATUS_LIST_URL);
    const missing = await checkCredentialStatus(credential, { now: NOW, ...env });
    expect(missing.problems.map((problem) => problem.code)).toEqual(['STATUS_UNAVAILABLE']);

    // A list with its bits changed after signing.
    const published = (await env.publishStatusList([])) as { credentialSubject: { encodedList: string } };
    const forged = structuredClone(published);
    forged.credentialSubject.encodedList = encodeBitstring(bitstringFromIndexes([11, 12]));
    env.statusLists.set(STATUS_LIST_URL, forged);
    const result = await checkCredentialStatus(credential, { now: NOW, ...env });
    expect(result.problems.map((problem) => problem.code)).toEqual(['STATUS_UNAVAILABLE']);
    expect(result.problems[0]?.message).toMatch(/does not verify/);

    // An index past the end of the list.
    await env.publishStatusList([]);
    const outside = await issueJsonLdCredential(taskDraft(STATUS_LIST_LENGTH + 5), KEY_1, env);
    expect((await checkCredentialStatus(outside, { now: NOW, ...env })).problems[0]?.message).toMatch(/outside/);
  });

  it('has no status problems when a credential carries no status', async () => {
    const env = await environment();
    expect(await checkCredentialStatus({ issuer: SERVICE_DID }, { now: NOW, ...env })).toEqual({ revoked: false, problems: [] });
  });
});
