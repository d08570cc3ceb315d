// The cost of tracing on a trust read, on real PostgreSQL: the same reads through an app with tracing off (the
// ceiling) and one with tracing on (spans for the request, operation, resolver and every statement, exported to the
// SDK's in-memory exporter, so the collector's network time is not counted), interleaved in rounds so both see the
// same machine load. Prints the median time per read of each and their ratio.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { keyPairFromSeed, didKeyFromPublicKey } from '../src/crypto/ed25519.ts';
import { openDatabase } from '../src/db/database.ts';
import { issuerKeyFromPair } from '../src/issuer/issuer-key.ts';
import { startTracing } from '../src/observability/tracing.ts';
import { freshBenchDatabase, median } from './pg.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const READS_PER_ROUND = Number(process.env.BENCH_READS ?? 100);
const QUERY = 'query TrustRead($did: String!) { trust(did: $did) { did tier score confidence } }';

const scratch = await freshBenchDatabase();
const exporter = new InMemorySpanExporter();
const tracing = startTracing({ exporter });
const traced = await openDatabase({ databaseUrl: scratch.url, poolSize: 4, wrapDialect: tracing.wrapDialect });
const config = loadConfig({ CREDENCE_PUBLIC_URL: 'http://localhost:4000', CREDENCE_DATA_DIR: 'memory://', CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '0' });
const issuerKey = issuerKeyFromPair(keyPairFromSeed(Buffer.alloc(32, 7)));
const plainApp = await createApp({ config, database: scratch.database, issuerKey });
const tracedApp = await createApp({ config, database: traced, issuerKey, tracing });
const dids = Array.from({ length: READS_PER_ROUND }, (_, i) => didKeyFromPublicKey(keyPairFromSeed(Buffer.alloc(32, i + 1)).publicKey));

async function round(app: App): Promise<number> {
  const started = performance.now();
  for (const did of dids) {
    const response = await app.yoga.fetch(
      new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables: { did } }) }),
    );
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.text();
  }
  return (performance.now() - started) / dids.length;
}

try {
  await round(plainApp);
  await round(tracedApp);
  const off: number[] = [];
  const on: number[] = [];
  let spans = 0;
  for (let r = 0; r < ROUNDS; r += 1) {
    off.push(await round(plainApp));
    exporter.reset();
    on.push(await round(tracedApp));
    spans = exporter.getFinishedSpans().length / dids.length;
  }
  const [offMs, onMs] = [median(off), median(on)];
  console.log(`trust read, tracing off (ceiling): ${offMs.toFixed(3)} ms median per read (${ROUNDS} rounds of ${READS_PER_ROUND})`);
  console.log(`trust read, tracing on:            ${onMs.toFixed(3)} ms median per read, ${spans.toFixed(1)} spans per read`);
  console.log(`ratio traced/untraced: ${(onMs / offMs).toFixed(2)}`);
} finally {
  await plainApp.services.trustChanges.close();
  await tracedApp.services.trustChanges.close();
  await traced.close();
  await scratch.drop();
  await tracing.shutdown();
}
