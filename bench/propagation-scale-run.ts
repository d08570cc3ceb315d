// One measured step of bench/propagation-scale.bench.ts, in a process of its own so its peak resident memory is
// the step's alone: `run` is a full propagation job (keyset pages → typed arrays → iterations → stored results);
// `scan` only pages through the same rows with the same statements (the read ceiling); `reference` loads every
// row as an object and runs the previous, object-per-edge propagation (small graphs only).
import { openDatabase } from '../src/db/database.ts';
import { loadGraph } from '../src/trust/store/aggregate.repository.ts';
import { eachAgentPlatformPage, eachPairPage, PAIR_GRAPH_PAGE_ROWS } from '../src/trust/store/pair-graph.repository.ts';
import { runPropagation } from '../src/trust/store/propagation-job.ts';
import { referencePropagateCredibility } from '../test/unit/trust/propagation-reference.ts';

const [url, mode, asOfIso] = process.argv.slice(2);
if (!url || !mode || !asOfIso) throw new Error('usage: propagation-scale-run.ts DATABASE_URL run|scan|reference AS_OF');
const asOf = new Date(asOfIso);
const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
const started = performance.now();
let output: Record<string, unknown>;
if (mode === 'run') {
  const run = await runPropagation(database.db, asOf);
  output = { ran: run.ran, stats: run.stats };
} else if (mode === 'scan') {
  let rows = 0;
  await eachAgentPlatformPage(database.db, PAIR_GRAPH_PAGE_ROWS, (page) => (rows += page.length));
  await eachPairPage(database.db, PAIR_GRAPH_PAGE_ROWS, (page) => (rows += page.length));
  output = { rows };
} else if (mode === 'reference') {
  const graph = await loadGraph(database.db);
  const result = referencePropagateCredibility({ pairs: graph.pairs, agentPlatforms: graph.agentPlatforms, asOf });
  output = { stats: result.stats };
} else {
  throw new Error(`unknown mode ${mode}`);
}
const seconds = (performance.now() - started) / 1000;
await database.close();
// maxRSS is in kibibytes: the peak resident set of this process over its whole life.
console.log(JSON.stringify({ mode, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, ...output }));
