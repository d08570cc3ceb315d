// Credential issue/verify throughput for the three formats, next to raw node:crypto Ed25519 in the same run.
// Run: npx tsx bench/credentials.bench.ts [seconds-per-case]
import { keyPairFromSeed, publicKeyMultibase, signBytes, verifyBytes } from '../src/crypto/ed25519.ts';
import { buildDidWebDocument, didWebFromUrl } from '../src/issuer/did-web.ts';
import { createDocumentLoader, type DidDocument } from '../src/credentials/document-loader.ts';
import { didKeySigningKey, signingKeyForDid } from '../src/credentials/signing-key.ts';
import { reputationCredential, taskCompletionCredential, type WindowStats } from '../src/credentials/credential-types.ts';
import { bitstringFromIndexes, issueStatusListCredential, statusListEntry, statusListUrl } from '../src/credentials/status-list.ts';
import { issueJwtCredential } from '../src/credentials/jwt-credential.ts';
import { issueJsonLdCredential } from '../src/credentials/jsonld-credential.ts';
import { issueDataIntegrityCredential } from '../src/credentials/data-integrity.ts';
import { verifyCredential } from '../src/credentials/verify.ts';

const seconds = Number(process.argv[2] ?? 2);
const publicUrl = 'http://localhost:4000';
const did = didWebFromUrl(publicUrl);
const pair = keyPairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
const key = signingKeyForDid(pair, did, 'key-1');
const document = buildDidWebDocument(did, [{ keyId: 'key-1', publicKeyMultibase: publicKeyMultibase(pair.publicKey) }], ['key-1']);
const lists = new Map<string, object>();
const documentLoader = createDocumentLoader({ didDocuments: [document as DidDocument], statusListCredentials: lists });
const listUrl = statusListUrl(publicUrl, 1);
const now = new Date('2026-11-02T00:00:00Z');
lists.set(listUrl, await issueStatusListCredential({ url: listUrl, bits: bitstringFromIndexes([7]), validFrom: now }, key, { documentLoader }));

const agent = didKeySigningKey(keyPairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => i + 51)));
const stats: WindowStats = {
  tasks: 12, accepted: 11, disputed: 1, refunded: 0, acceptedRate: 0.9167, disputeRate: 0.0833,
  volumeUsd: 3006, avgValueUsd: 250.5, uniqueCounterparties: 3, escrowVerifiedShare: 0.75,
};
let counter = 0;
// Issuance time advances 1 ms per credential, as it would at 1,000 issuances a second.
const issuedAt = () => new Date(now.getTime() + counter);
const nextId = () => `urn:uuid:00000000-0000-4000-8000-${String(counter++).padStart(12, '0')}`;
const taskDraft = () =>
  taskCompletionCredential({
    id: nextId(),
    issuer: did,
    issuedAt: issuedAt(),
    status: statusListEntry(listUrl, counter % 100_000 + 100),
    receipt: {
      receiptId: `rcp_${counter}`, agentDid: agent.did, platformDid: agent.did, actionCategory: 'economic.transaction',
      valueUsd: 500, amount: '500.00', currency: 'USDC', counterparty: agent.did, settledAt: now, escrowId: 'esc_1',
    },
  });
const draft = () =>
  reputationCredential({
    id: nextId(),
    issuer: did,
    issuedAt: issuedAt(),
    status: statusListEntry(listUrl, counter % 100_000 + 100),
    report: {
      did: agent.did,
      vector: { E: 0.62, P: 0.41, B: 0.88, D: 0.35, R: 0.9, A: -0.05, C: 0 },
      score: 67.4, tier: 'B', confidence: 0.58,
      windows: { d7: stats, d30: stats, d90: stats, lifetime: stats },
      asOf: now,
    },
  });

/** Operations per second over `ms` milliseconds, sequentially awaited. */
async function rate(operation: () => unknown, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  for (let end = start + ms; performance.now() < end; count++) await operation();
  return count / ((performance.now() - start) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Alternates short slices of the raw primitive and the case, so both see the same machine load; reports the
 * median of each and the median of the per-slice ratios.
 */
async function compare(operation: () => unknown, raw: () => unknown) {
  const slices = 7;
  const sliceMs = (seconds * 1000) / slices;
  for (let end = performance.now() + 300; performance.now() < end; ) await operation();
  const rates: number[] = [];
  const raws: number[] = [];
  const ratios: number[] = [];
  for (let slice = 0; slice < slices; slice++) {
    const r = await rate(raw, sliceMs / 4);
    const value = await rate(operation, sliceMs);
    raws.push(r);
    rates.push(value);
    ratios.push(value / r);
  }
  return { perSecond: median(rates), raw: median(raws), ratio: median(ratios) };
}

const verifyNow = new Date('2026-11-10T00:00:00Z');
const jwt = await issueJwtCredential(draft(), key);
const jsonLd = await issueJsonLdCredential(draft(), key, { documentLoader });
const taskJwt = await issueJwtCredential(taskDraft(), key);
const taskJsonLd = await issueJsonLdCredential(taskDraft(), key, { documentLoader });
const dataIntegrity = await issueDataIntegrityCredential(draft(), key, { documentLoader });
const taskDataIntegrity = await issueDataIntegrityCredential(taskDraft(), key, { documentLoader });
for (const credential of [jwt, jsonLd, taskJwt, taskJsonLd, dataIntegrity, taskDataIntegrity]) {
  const check = await verifyCredential(credential, { now: verifyNow, documentLoader });
  if (!check.valid) throw new Error(`benchmark credential does not verify: ${check.errors.join('; ')}`);
}
const message = Buffer.from(jwt.slice(0, jwt.lastIndexOf('.')), 'utf8');
const signature = signBytes(key.privateKey, message);

console.log(`Credence credentials benchmark (node ${process.version}, sequential, ~${seconds} s per case)`);
console.log(
  `ReputationCredential: JWT ${jwt.length} B, JSON-LD ${JSON.stringify(jsonLd).length} B; ` +
    `TaskCompletionCredential: JWT ${taskJwt.length} B, JSON-LD ${JSON.stringify(taskJsonLd).length} B; ` +
    `Data Integrity: reputation ${JSON.stringify(dataIntegrity).length} B, task ${JSON.stringify(taskDataIntegrity).length} B`,
);
console.log('verify includes the status-list lookup and schema validation; medians of interleaved slices\n');
const rawSign = () => signBytes(key.privateKey, message);
const rawVerify = () => verifyBytes(key.publicKey, message, signature);
const cases: Array<[string, () => unknown, () => unknown, number | undefined]> = [
  ['JWT issue (task)', () => issueJwtCredential(taskDraft(), key), rawSign, 10_000],
  ['JWT issue (reputation)', () => issueJwtCredential(draft(), key), rawSign, 10_000],
  ['JWT verify (task)', () => verifyCredential(taskJwt, { now: verifyNow, documentLoader }), rawVerify, 5_000],
  ['JWT verify (reputation)', () => verifyCredential(jwt, { now: verifyNow, documentLoader }), rawVerify, 5_000],
  ['JSON-LD issue (task)', () => issueJsonLdCredential(taskDraft(), key, { documentLoader }), rawSign, 1_500],
  ['JSON-LD issue (reputation)', () => issueJsonLdCredential(draft(), key, { documentLoader }), rawSign, 1_500],
  ['JSON-LD verify (task)', () => verifyCredential(taskJsonLd, { now: verifyNow, documentLoader }), rawVerify, undefined],
  ['JSON-LD verify (reputation)', () => verifyCredential(jsonLd, { now: verifyNow, documentLoader }), rawVerify, undefined],
  ['Data Integrity issue (task)', () => issueDataIntegrityCredential(taskDraft(), key, { documentLoader }), rawSign, undefined],
  ['Data Integrity issue (rep.)', () => issueDataIntegrityCredential(draft(), key, { documentLoader }), rawSign, undefined],
  ['Data Integrity verify (task)', () => verifyCredential(taskDataIntegrity, { now: verifyNow, documentLoader }), rawVerify, undefined],
  ['Data Integrity verify (rep.)', () => verifyCredential(dataIntegrity, { now: verifyNow, documentLoader }), rawVerify, undefined],
];
const format = (value: number) => Math.round(value).toLocaleString('en-US').padStart(8);
console.log(`${'case'.padEnd(28)} ${'ops/s'.padStart(8)} ${'raw/s'.padStart(8)}  ratio   target`);
for (const [name, operation, raw, target] of cases) {
  const { perSecond, raw: rawRate, ratio } = await compare(operation, raw);
  const rawName = raw === rawSign ? 'sign' : 'verify';
  const verdict = target ? `${target.toLocaleString('en-US')}/s ${perSecond >= target ? 'met' : 'missed'}` : '';
  console.log(`${name.padEnd(28)} ${format(perSecond)} ${format(rawRate)}  ${ratio.toFixed(3)} of raw ${rawName.padEnd(6)} ${verdict}`);
}
