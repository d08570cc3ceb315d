// `credence recompute`: run the credibility propagation once; with --check, audit the maintained aggregates against
// a from-scratch recomputation (exit 1 on any difference); with --rebuild, rewrite them from scratch first.
import { loadConfig } from '../../config.ts';
import { withDatabase } from '../with-database.ts';
import { checkAggregates, describeDifference, rebuildAggregates } from '../../trust/store/aggregate-check.ts';
import { runPropagation } from '../../trust/store/propagation-job.ts';
import { trustSettings } from '../../trust/store/settings.ts';
import { dateOption, defineCommand, UsageError, type CommandInput } from './command.ts';

export const recomputeCommand = defineCommand({
  name: 'recompute',
  summary: 'run the credibility propagation once, or check or rebuild the trust aggregates',
  synopsis: ['recompute [--as-of ISO]', 'recompute --check', 'recompute --rebuild [--as-of ISO]'],
  description: `Without options: run the credibility propagation once (what the server does every
CREDENCE_PROPAGATION_INTERVAL_SECONDS) and store its results; exit 1 if another run holds the lock.
--check compares every aggregate row with a recomputation from the receipts that count (floats to a relative 1e-9),
prints the differences and a summary line, and exits 1 if there is any.
--rebuild rewrites the aggregates from the receipts in one transaction (receipt writes wait meanwhile), then
propagates.`,
  options: {
    'as-of': { type: 'string', value: 'ISO', description: 'propagate as of this ISO-8601 time (default now)' },
    check: { type: 'boolean', description: 'audit the aggregates; exit 1 on any difference' },
    rebuild: { type: 'boolean', description: 'rewrite the aggregates from scratch, then propagate' },
  },
  run: recompute,
});

async function recompute(input: CommandInput): Promise<number> {
  const values = { check: input.flag('check'), rebuild: input.flag('rebuild') };
  if (values.check && values.rebuild) throw new UsageError('takes --check or --rebuild, not both');
  const asOf = dateOption(input, 'as-of');
  const config = loadConfig(input.io.env);
  return withDatabase(config, async (database) => {
    if (values.check) {
      const started = performance.now();
      const check = await checkAggregates(database.db, { keep: 50 });
      for (const difference of check.differences) input.print(describeDifference(difference));
      if (check.differenceCount > check.differences.length) input.print(`… and ${check.differenceCount - check.differences.length} more`);
      const { differences: _listed, ...summary } = check;
      input.print(JSON.stringify({ ...summary, ok: check.differenceCount === 0, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }));
      return check.differenceCount === 0 ? 0 : 1;
    }
    if (values.rebuild) {
      const rebuilt = await rebuildAggregates(database.db);
      input.print(JSON.stringify({ rebuilt }));
    }
    const run = await runPropagation(database.db, asOf, trustSettings(config));
    input.print(JSON.stringify(run.ran ? run : { ran: false, reason: 'another propagation run holds the lock' }));
    return run.ran ? 0 : 1;
  });
}
