// Receipts per second through submitReceipts (GraphQL, batches of 500, signature checks and storage included) on
// real PostgreSQL, next to the ceiling: a plain batched insert of the same rows in the same run. Also the longest
// stall of the event loop while the batches run, against the time one batch takes.
import { randomUUID } from 'node:crypto';
import { createApp } from '../src/app.ts';
import { signTaskReceipt } from '../src/client/signing.ts';
import { loadConfig } from '../src/config.ts';
import { generateEd25519KeyPair, didKeyFromPublicKey } from '../src/crypto/ed25519.ts';
import { issuerKeyFromPair } from '../src/issuer/issuer-key.ts';
import { mintAuthToken } from '../src/auth/mint-token.ts';
import { toReceiptRow } from '../src/receipts/receipt.service.ts';
import { verifyReceiptJwt } from '../src/receipts/receipt-verification.ts';
import { freshBenchDatabase } from './pg.ts';

const TOTAL = Number(process.env.BENCH_RECEIPTS ?? 20_000);
const BATCH = 500;

const key = () => {
  const pair = generateEd25519KeyPair();
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey) };
};

const bench = await freshBenchDatabase();
try {
  const admin = key();
  const config = loadConfig({ CREDENCE_DATA_DIR: 'memory://', CREDENCE_ADMIN_DIDS: admin.did, CREDENCE_LOG_LEVEL: 'silent' });
  const app = await createApp({ config, database: bench.database, issuerKey: issuerKeyFromPair(generateEd25519KeyPair()) });
  const gql = async (query: string, variables: object, signer?: typeof admin) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signer) headers.authorization = `Bearer ${mintAuthToken(signer, { audience: app.serviceDid })}`;
    const response = await app.yoga.fetch(new Request('http://localhost/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) }));
    return (await response.json()) as any;
  };
  const platform = key();
  await gql(`mutation { registerPlatform(input: { name: "Bench market" }) { __typename } }`, {}, platform);
  await gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: platform.did }, admin);

  const agents = Array.from({ length: 200 }, key);
  const buyers = Array.from({ length: 200 }, key);
  const now = new Date();
  const sign = () =>
    Array.from({ length: TOTAL }, (_, i) =>
      signTaskReceipt(
        platform,
        {
          subject: agents[i % agents.length]!.did,
          counterparty: buyers[(i * 7) % buyers.length]!.did,
          actionCategory: 'economic.transaction',
          actionType: 'escrow_release',
          outcome: 'accepted',
          value: { amount: '120.00', currency: 'USDC', usd: 120 },
          occurredAt: new Date(now.getTime() - (i % 1000) * 60_000).toISOString(),
        },
        { now, receiptId: randomUUID() },
      ),
    );
  console.log(`signing ${TOTAL} receipts (the platforms' cost, not measured)…`);
  const receipts = sign();
  const ceilingReceipts = sign();

  const MUTATION = `mutation($receipts: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $receipts) { ... on SubmitReceiptsPayload { results { __typename } } } }`;
  let started = performance.now();
  let stored = 0;
  // What else the process could do meanwhile: the longest gap between turns of a 1 ms timer while batches are
  // submitted one after another (a read arriving then waits that long before it is even parsed).
  let lastTurn = performance.now();
  let longestStall = 0;
  const ticker = setInterval(() => {
    const turn = performance.now();
    longestStall = Math.max(longestStall, turn - lastTurn);
    lastTurn = turn;
  }, 1);
  for (let offset = 0; offset < receipts.length; offset += BATCH) {
    const batch = receipts.slice(offset, offset + BATCH).map((receipt) => ({ receipt }));
    const answer = await gql(MUTATION, { receipts: batch });
    stored += answer.data.submitReceipts.results.filter((r: any) => r.__typename === 'SubmitReceiptPayload').length;
  }
  clearInterval(ticker);
  const submitSeconds = (performance.now() - started) / 1000;
  if (stored !== TOTAL) throw new Error(`stored ${stored} of ${TOTAL}`);

  // The ceiling: the same kind of rows, already verified, written with one multi-row insert per batch.
  const rows = await Promise.all(ceilingReceipts.map(async (jwt) => toReceiptRow(await verifyReceiptJwt(jwt, [], now), 'PLATFORM_SIGNED', now)));
  started = performance.now();
  for (let offset = 0; offset < rows.length; offset += BATCH) {
    await bench.database.db.insertInto('receipts').values(rows.slice(offset, offset + BATCH)).execute();
  }
  const ceilingSeconds = (performance.now() - started) / 1000;

  const rate = TOTAL / submitSeconds;
  const ceiling = TOTAL / ceilingSeconds;
  console.log('');
  console.log('| path | receipts | seconds | receipts/s |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| submitReceipts via GraphQL, batches of ${BATCH} (verify + decide + store) | ${TOTAL} | ${submitSeconds.toFixed(2)} | ${rate.toFixed(0)} |`);
  console.log(`| ceiling: plain batched INSERT of the same rows | ${TOTAL} | ${ceilingSeconds.toFixed(2)} | ${ceiling.toFixed(0)} |`);
  console.log('');
  console.log(`ratio to ceiling: ${(rate / ceiling).toFixed(2)} (target ≥ 0.33); rate target ≥ 3,000/s: ${rate >= 3000 ? 'met' : 'NOT met'}`);
  const batchMs = (1000 * submitSeconds) / Math.ceil(TOTAL / BATCH);
  console.log(
    `longest event-loop stall while batches of ${BATCH} were submitted: ${longestStall.toFixed(1)} ms, against ${batchMs.toFixed(0)} ms per batch ` +
      `(ratio ${(longestStall / batchMs).toFixed(2)}; signature checks run on the thread pool, the rest of a batch on the event loop)`,
  );
} finally {
  await bench.drop();
}
