// `credence recompute`: run the credibility propagation once; with --check, audit the maintained aggregates against
// a from-scratch recomputation (exit 1 on any difference); with --rebuild, rewrite them from scratch first.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { checkAggregates, describeDifference, rebuildAggregates } from '../trust-store/aggregate-check.ts';
import { runPropagation } from '../trust-store/propagation-job.ts';

export const RECOMPUTE_USAGE = `  recompute [--as-of ISO]        run the credibility propagation once and store its results
  recompute --check              compare every aggregate row with a recomputation from the receipts that count;
                                 prints the differences, exit 1 if there is any
  recompute --rebuild [--as-of ISO]
                                 rewrite the aggregates from the receipts in one transaction, then propagate`;

export async function recomputeCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'as-of': { type: 'string' }, check: { type: 'boolean' }, rebuild: { type: 'boolean' } },
  });
  if (values.check && values.rebuild) {
    console.error('recompute takes --check or --rebuild, not both');
    return 2;
  }
  const asOf = values['as-of'] ? new Date(values['as-of']) : new Date();
  if (Number.isNaN(asOf.getTime())) throw new Error('--as-of must be an ISO-8601 date-time');
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    if (values.check) {
      const started = performance.now();
      const check = await checkAggregates(database.db, { keep: 50 });
      for (const difference of check.differences) console.log(describeDifference(difference));
      if (check.differenceCount > check.differences.length) console.log(`… and ${check.differenceCount - check.differences.length} more`);
      const { differences: _listed, ...summary } = check;
      console.log(JSON.stringify({ ...summary, ok: check.differenceCount === 0, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }));
      return check.differenceCount === 0 ? 0 : 1;
    }
    if (values.rebuild) {
      const rebuilt = await rebuildAggregates(database.db);
      console.log(JSON.stringify({ rebuilt }));
    }
    const run = await runPropagation(database.db, asOf);
    console.log(JSON.stringify(run.ran ? run : { ran: false, reason: 'another propagation run holds the lock' }));
    return run.ran ? 0 : 1;
  } finally {
    await database.close();
  }
}
