// `credence scores`: every agent's score and tier as JSON lines.
import { createWriteStream } from 'node:fs';
import { loadConfig } from '../../config.ts';
import { withDatabase } from '../with-database.ts';
import { writeScores } from '../../trust/store/scores.ts';
import { trustSettings } from '../../trust/store/settings.ts';
import { dateOption, defineCommand } from './command.ts';

export const scoresCommand = defineCommand({
  name: 'scores',
  summary: 'print one JSON line per agent: {"did","score","tier","vector"}',
  synopsis: ['scores [--as-of ISO] [--out FILE]'],
  description: `Write one JSON line per agent with receipts: {"did","score","tier","vector"}, computed as of the given
time (with the credibility propagation stored for that time; run \`credence recompute\` first for fresh
counterparty credibility).`,
  options: {
    'as-of': { type: 'string', value: 'ISO', description: 'the moment to compute for, ISO-8601 (default now)' },
    out: { type: 'string', value: 'FILE', description: 'write to FILE instead of stdout' },
  },
  async run(input) {
    const asOf = dateOption(input, 'as-of');
    const config = loadConfig(input.io.env);
    const out = input.string('out');
    return withDatabase(config, async (database) => {
      const written = await writeScores(database.db, asOf, out ? createWriteStream(input.path(out)) : input.io.stdout, trustSettings(config));
      if (out) input.error(`wrote ${written} scores to ${out}`);
      return 0;
    });
  },
});
