// One warm trust read through the whole HTTP and GraphQL pipeline (yoga.fetch, no socket), as a POST and as a GET of
// a hashed query, against GET /health through the same pipeline in the same run: where a read's time goes once its inputs are in memory. Embedded
// database, a few agents with settled work. Run under `node --cpu-prof` to see the split.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createScene, recordEscrow, signReceipt, SUBMIT } from '../test/helpers/marketplace.ts';
import { createTestApp, newKey } from '../test/helpers/test-app.ts';

const READS = Number(process.env.BENCH_READS ?? 5_000);
const TRUST = 'query($did: String!) { trust(did: $did) { score tier confidence vector { E P B D R A C } flags { code } } }';

const t = await createTestApp('embedded');
try {
  const scene = await createScene(t);
  for (let i = 0; i < 5; i += 1) {
    const work = { ...scene, buyer: newKey() };
    const occurredAt = new Date(t.now.getTime() - (1 + i) * 86_400_000).toISOString();
    await recordEscrow(t, work, `esc_pipe_${i}`, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
    const result = await t.gql(SUBMIT, { receipt: signReceipt(t, work, { escrowId: `esc_pipe_${i}`, occurredAt }) });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  }
  const body = JSON.stringify({ query: TRUST, variables: { did: scene.agent.did } });
  const read = async () => {
    const response = await t.app.yoga.fetch(new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    await response.text();
  };
  // The same read as a public GET naming its document by hash alone (a hashed query, as a CDN-fronted client sends it).
  const hash = createHash('sha256').update(TRUST).digest('hex');
  const getUrl = `http://localhost:4000/graphql?${new URLSearchParams({ variables: JSON.stringify({ did: scene.agent.did }), extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }) })}`;
  const getRead = async () => {
    const response = await t.app.yoga.fetch(new Request(getUrl));
    await response.text();
  };
  // Its text once with the hash, so the document is remembered.
  await t.app.yoga.fetch(new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: TRUST, variables: { did: scene.agent.did }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }) }));
  const health = async () => {
    const response = await t.app.yoga.fetch(new Request('http://localhost:4000/health'));
    await response.text();
  };
  async function rate(name: string, run: () => Promise<void>): Promise<number> {
    for (let i = 0; i < 200; i += 1) await run();
    const started = performance.now();
    for (let i = 0; i < READS; i += 1) await run();
    const perSecond = READS / ((performance.now() - started) / 1000);
    console.log(`${name}: ${perSecond.toFixed(0)}/s (${(1000 / perSecond).toFixed(3)} ms each)`);
    return perSecond;
  }
  const ceiling = await rate('GET /health through yoga.fetch', health);
  // BENCH_PROFILE=file.cpuprofile records the warm reads alone (not the setup) for a look in DevTools.
  const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const reads = await rate('warm trust(did) through yoga.fetch', read);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  const getReads = await rate('warm trust(did) as a GET of a hashed query through yoga.fetch', getRead);
  console.log(`ratio of warm GET reads to /health in this run: ${(getReads / ceiling).toFixed(2)}`);
  const stats = t.app.services.trust.cacheStats();
  console.log(`ratio of warm reads to /health in this run: ${(reads / ceiling).toFixed(2)}; memory reads ${stats.memoryReads}, database reads ${stats.databaseReads}`);
} finally {
  await t.close();
}
