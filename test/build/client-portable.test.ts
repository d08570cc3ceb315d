// credence/client for any runtime (src/client/universal.ts): it bundles for the browser with no Node built-in and
// none of the service's modules beyond the pure shape check, and what it signs is what the service's node:crypto
// code signs and accepts.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as server from '../../src/crypto/ed25519.ts';
import { toKeyFile as serverToKeyFile, keyPairFromKeyFile as serverKeyPairFromKeyFile } from '../../src/crypto/key-file.ts';
import { MAX_TOKEN_LIFETIME_SECONDS as SERVER_MAX_TOKEN_LIFETIME } from '../../src/auth/did-auth.ts';
import { mintAuthToken as serverMintAuthToken } from '../../src/auth/mint-token.ts';
import { sha256Base64url } from '../../src/receipts/signed-jws.ts';
import { PRESENTATION_LIFETIME_SECONDS as SERVER_PRESENTATION_LIFETIME } from '../../src/credentials/presentation.ts';
import { signWebhook, verifyWebhookSignature as serverVerifyWebhook } from '../../src/webhooks/signature.ts';
import * as client from '../../src/client/universal.ts';
import { encodeJws, keyPairFromSeed, generateKeyPair } from '../../src/client/keys.ts';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../src/client/tokens.ts';
import { PRESENTATION_LIFETIME_SECONDS } from '../../src/client/presentation-core.ts';

const UNIVERSAL = fileURLToPath(new URL('../../src/client/universal.ts', import.meta.url));
const seed = (offset: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + offset) & 0xff);
const NOW = new Date('2026-11-10T12:00:00Z');

describe('the universal client bundle', () => {
  it('bundles for the browser with no Node built-in and only client modules plus the pure shape check', async () => {
    // platform browser: esbuild fails on any node: or bare built-in import it meets.
    const result = await build({ entryPoints: [UNIVERSAL], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const own = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/'));
    const outsideClient = own.filter((input) => !input.startsWith('src/client/'));
    expect(outsideClient.sort()).toEqual(['src/credentials/context-urls.ts', 'src/credentials/credential-shape.ts']);
    // The Node-only parts stay out.
    for (const nodeOnly of ['src/client/index.ts', 'src/client/key-files.ts', 'src/client/presentation.ts']) expect(own).not.toContain(nodeOnly);
    expect(result.outputFiles[0]!.text).not.toMatch(/from ["']node:/);
  });
});

describe('what the universal client signs is what the service signs and accepts', () => {
  it('derives the same public key and did:key from a seed', () => {
    for (let offset = 0; offset < 20; offset++) {
      const ours = keyPairFromSeed(seed(offset));
      const theirs = server.keyPairFromSeed(seed(offset));
      expect(ours.publicKey).toEqual(new Uint8Array(theirs.publicKey));
      expect(client.withDid(ours).did).toBe(server.didKeyFromPublicKey(theirs.publicKey));
    }
  });

  it('signs JWS the service verifies (Ed25519 is deterministic: byte for byte the node:crypto token)', () => {
    const pair = keyPairFromSeed(seed(3));
    const token = client.mintAuthToken(pair, { audience: 'did:web:credence.example', now: NOW, jti: 'jti-1' });
    expect(token).toBe(serverMintAuthToken(server.keyPairFromSeed(seed(3)), { audience: 'did:web:credence.example', now: NOW, jti: 'jti-1' }));
    const decoded = server.decodeJws(token);
    expect(server.verifyJwsSignature(decoded, pair.publicKey)).toBe(true);
    const payload = { text: 'é ✓ 𝄞', n: 1 };
    expect(server.verifyJwsSignature(server.decodeJws(encodeJws({ alg: 'EdDSA' }, payload, pair)), pair.publicKey)).toBe(true);
  });

  it('makes fresh random keys', () => {
    const keys = new Set(Array.from({ length: 50 }, () => client.withDid(generateKeyPair()).did));
    expect(keys.size).toBe(50);
  });

  it('reads and writes the key file format of credence keygen', () => {
    const pair = server.keyPairFromSeed(seed(9));
    const file = serverToKeyFile(pair);
    expect(client.toKeyFile(pair)).toEqual(file);
    expect(client.keyPairFromKeyFile(file).publicKey).toEqual(new Uint8Array(pair.publicKey));
    expect(serverKeyPairFromKeyFile(client.toKeyFile(keyPairFromSeed(seed(9)))).publicKey).toEqual(pair.publicKey);
    expect(() => client.keyPairFromKeyFile({ ...file, did: server.didKeyFromPublicKey(server.keyPairFromSeed(seed(10)).publicKey) })).toThrow(
      'key file did does not match its secretKey',
    );
    expect(() => client.keyPairFromKeyFile({ secretKey: 'not base64url!' })).toThrow('not base64url');
  });

  it('hashes receipts as the service does', () => {
    for (const receipt of ['a.b.c', '  eyJhbGciOiJFZERTQSJ9.eyJqdGkiOiJ4In0.c2ln \n', 'é'.repeat(1000)]) {
      expect(client.receiptHash(receipt)).toBe(sha256Base64url(receipt.trim()));
    }
  });

  it('checks webhook signatures exactly as the service does', () => {
    const secret = 'whsec_test';
    const body = JSON.stringify({ event: 'trust.changed', did: 'did:key:z6Mk', note: 'é' });
    const signed = signWebhook(secret, body, 1_800_000_000);
    const cases = [
      { header: signed, nowSeconds: 1_800_000_100 },
      { header: signed, nowSeconds: 1_800_000_301 },
      { header: signed, nowSeconds: 1_799_999_700 },
      { header: signed.replace(/v1=./, 'v1=0'), nowSeconds: 1_800_000_000 },
      { header: `${signed},v1=${'a'.repeat(64)}`, nowSeconds: 1_800_000_000 },
      { header: `v2=abc,${signed}`, nowSeconds: 1_800_000_000 },
      { header: 't=1800000000', nowSeconds: 1_800_000_000 },
      { header: `t=x,${signed.split(',')[1]}`, nowSeconds: 1_800_000_000 },
      { header: '', nowSeconds: 1_800_000_000 },
      { header: null, nowSeconds: 1_800_000_000 },
      { header: `${signed},${'x'.repeat(5000)}`, nowSeconds: 1_800_000_000 },
    ];
    for (const { header, nowSeconds } of cases) {
      for (const rawBody of [body, new TextEncoder().encode(body), `${body} `]) {
        const input = { secret, rawBody, header, nowSeconds };
        expect(client.verifyWebhookSignature(input), String(header)).toEqual(serverVerifyWebhook(input));
      }
    }
    expect(client.verifyWebhookSignature({ secret, rawBody: body, header: signed, nowSeconds: 1_800_000_000 })).toEqual({ ok: true, timestamp: 1_800_000_000 });
  });

  it('keeps the service limits it repeats', () => {
    expect(MAX_TOKEN_LIFETIME_SECONDS).toBe(SERVER_MAX_TOKEN_LIFETIME);
    expect(PRESENTATION_LIFETIME_SECONDS).toBe(SERVER_PRESENTATION_LIFETIME);
  });

  it('signs JWT presentations, and leaves JSON-LD ones to the Node build', async () => {
    const holder = client.withDid(keyPairFromSeed(seed(5)));
    const credential = encodeJws({ alg: 'EdDSA', typ: 'JWT' }, { sub: holder.did, vc: { credentialSubject: { id: holder.did } } }, keyPairFromSeed(seed(6)));
    const jwt = await client.createPresentation({ key: holder, credentials: [credential], challenge: 'nonce-1', domain: 'verifier.example', now: NOW });
    const decoded = server.decodeJws(jwt);
    expect(decoded.header).toMatchObject({ alg: 'EdDSA', kid: `${holder.did}#${holder.did.slice('did:key:'.length)}` });
    expect(decoded.payload).toMatchObject({ iss: holder.did, nonce: 'nonce-1', nbf: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 300 });
    expect(decoded.payload.vp).toMatchObject({ verifiableCredential: [credential] });
    expect(server.verifyJwsSignature(decoded, holder.publicKey)).toBe(true);
    await expect(
      client.createPresentation({ key: holder, credentials: [{ credentialSubject: { id: holder.did } }], challenge: 'c', domain: 'd', format: 'JSON_LD' }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
  });
});
