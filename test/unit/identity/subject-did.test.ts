import { describe, expect, it } from 'vitest';
import { createSubjectDidCheck, isSubjectDid } from '../../../src/identity/subject-did.ts';
import { newKey } from '../../helpers/test-app.ts';

describe('isSubjectDid', () => {
  it('accepts an Ed25519 did:key and a did:web', () => {
    expect(isSubjectDid(newKey().did)).toBe(true);
    expect(isSubjectDid('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toBe(true);
    for (const did of ['did:web:market.example', 'did:web:localhost%3A4000', 'did:web:example.com:agents:alice']) expect(isSubjectDid(did), did).toBe(true);
  });

  it('refuses typos, truncated keys, other key types and other methods', () => {
    const valid = newKey().did;
    for (const did of [
      valid.slice(0, -1), // truncated
      `${valid}x`,
      valid.replace('did:key:', 'did:kee:'),
      'did:key:z6MkFaultAgent000001', // base58 but not a key
      'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', // secp256k1
      'did:example:123',
      'did:web:',
      'did:web:exa mple.com',
      'did:web:-bad.example',
      'not-a-did',
      '',
      `did:web:${'a'.repeat(200)}.example`,
    ]) {
      expect(isSubjectDid(did), did).toBe(false);
    }
  });

  it('remembers valid DIDs up to its limit, keeps one seen often, forgets one left unseen, and never remembers a refusal', () => {
    const checked: string[] = [];
    const check = createSubjectDidCheck(4, (value) => {
      checked.push(value);
      return value.startsWith('did:');
    });
    const validations = (value: string) => checked.filter((seen) => seen === value).length;
    expect(check('did:often')).toBe(true);
    expect(check('did:once')).toBe(true);
    // Eight new DIDs through a memory of 4; `did:often` is seen after every second one.
    for (let i = 0; i < 8; i += 1) {
      expect(check(`did:new:${i}`)).toBe(true);
      if (i % 2 === 1) expect(check('did:often')).toBe(true);
    }
    expect(validations('did:often')).toBe(1);
    expect(check('did:once')).toBe(true);
    expect(validations('did:once')).toBe(2);
    expect(check('bad')).toBe(false);
    expect(check('bad')).toBe(false);
    expect(validations('bad')).toBe(2);
  });

  it('keeps a new DID even when every DID it holds was seen since it last came to the front', () => {
    const checked: string[] = [];
    const check = createSubjectDidCheck(3, (value) => {
      checked.push(value);
      return true;
    });
    for (const did of ['did:a', 'did:b', 'did:c', 'did:a', 'did:b', 'did:c']) check(did);
    expect(checked).toEqual(['did:a', 'did:b', 'did:c']);
    // All three are marked: the newcomer's arrival unmarks them, sends the front one away, and keeps the newcomer.
    check('did:new');
    check('did:new');
    expect(checked.filter((seen) => seen === 'did:new')).toHaveLength(1);
    check('did:b');
    check('did:c');
    expect(checked).toEqual(['did:a', 'did:b', 'did:c', 'did:new']);
    check('did:a');
    expect(checked.filter((seen) => seen === 'did:a')).toHaveLength(2);
  });

  it('remembers nothing with a limit of 0, and still answers', () => {
    let validations = 0;
    const check = createSubjectDidCheck(0, () => (validations += 1) > 0);
    expect(check('did:x')).toBe(true);
    expect(check('did:x')).toBe(true);
    expect(validations).toBe(2);
  });
});
