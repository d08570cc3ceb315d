// `credence import`: operator backfill of receipts from JSON lines (the format is in docs/receipt-import.md).
import { createReadStream } from 'node:fs';
import { loadConfig } from '../../config.ts';
import { withDatabase } from '../with-database.ts';
import { importReceipts, type ImportProgress } from '../../receipts/import.ts';
import { createReceiptStore } from '../../receipts/receipt-store.ts';
import { createTrustAnnouncer } from '../../webhooks/trust-announcer.ts';
import { ACTION_CATEGORIES, OUTCOMES } from '../../receipts/payload-schemas.ts';
import { defineCommand } from './command.ts';

export const importCommand = defineCommand({
  name: 'import',
  summary: 'backfill receipts from a JSON-lines file (stored as IMPORTED; re-runs add nothing)',
  synopsis: ['import FILE [--batch N]'],
  description: `Store receipts the operator vouches for, one JSON object per line, as IMPORTED receipts (no signature
is checked; the DIDs are stored as given). Lines are checked one by one: a bad line is rejected with its line number
and reason and the others still go in. A line whose receipt_id is already stored with the same content counts as a
duplicate, with different content as a conflict. Prints {"lines","inserted","duplicates","conflicts","rejected",
"rejections","seconds"} and lists rejected lines on stderr; exit 1 when nothing could be stored (an empty file, every
line rejected) or any line conflicts, otherwise 0. Imported receipts announce trust changes like submitted ones (webhook
outbox, trustChanged); run \`credence recompute\` to propagate afterwards.

Each line (docs/receipt-import.md has an example per field):
  receipt_id        string, 1-200 characters; the idempotency key
  subject_did       the DID the receipt is about
  counterparty_did  the other party (not the subject)
  platform_did      the platform that saw it (not the subject)
  action_category   one of ${ACTION_CATEGORIES.join(', ')}
  action_type       lower-case word, e.g. "escrow_release"
  value_usd         number, 0 to 10000000
  outcome           ${OUTCOMES.join(', ')}
  timestamp         ISO-8601 date-time with offset, not in the future
  escrow_verified   boolean, optional (default false)
  escrow_tx         string, optional: the escrow id
Example:
  {"receipt_id":"r-1","subject_did":"did:key:z6Mk...","counterparty_did":"did:key:z6Mk...","platform_did":"did:web:market.example","action_category":"economic.transaction","action_type":"escrow_release","value_usd":500,"outcome":"accepted","timestamp":"2026-01-31T12:00:00Z","escrow_verified":true,"escrow_tx":"esc_1"}`,
  options: {
    batch: { type: 'string', value: 'N', integer: { min: 1, max: 100_000 }, description: 'lines per transaction, 1 to 100000 (default 2000)' },
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
  async run(input) {
    const config = loadConfig(input.io.env);
    const file = input.positionals[0]!;
    const stream = createReadStream(input.path(file));
    // Fail on a missing file before touching the database.
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    return withDatabase(config, async (database) => {
      const started = performance.now();
      const batch = input.number('batch');
      const announcer = createTrustAnnouncer({ scoreDelta: config.webhooks.scoreDelta });
      const progress = progressLine(input.io.stderr);
      const result = await importReceipts(database.db, stream, {
        now: new Date(),
        store: createReceiptStore({ receiptsStored: announcer.receiptsStored }),
        ...(batch !== undefined ? { batchSize: batch } : {}),
        onProgress: progress.update,
      });
      progress.end();
      input.print(JSON.stringify({ ...result, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }));
      for (const rejection of result.rejections) input.error(`line ${rejection.line}: ${rejection.reason}`);
      if (result.inserted + result.duplicates === 0) {
        input.error(`nothing imported from ${file}${result.lines === 0 ? ' (it is empty)' : ''}; see \`credence import --help\` for the format`);
        return 1;
      }
      return result.conflicts > 0 ? 1 : 0;
    });
  },
});

/** Seconds between progress lines when stderr is not a terminal (a log file or a pipe). */
const LOGGED_PROGRESS_SECONDS = 10;

/**
 * Progress on stderr: on a terminal, one line rewritten in place after every batch; elsewhere (a log, a pipe), where
 * a carriage return does not rewind, a whole line for the first committed batch (the import is under way: what a
 * supervisor, or the crash tests, wait for) and then at most one every LOGGED_PROGRESS_SECONDS, so a large import does
 * not write one unbroken line of a hundred updates into the log.
 */
function progressLine(stderr: NodeJS.WritableStream & { isTTY?: boolean }) {
  const terminal = stderr.isTTY === true;
  let written = false;
  let lastLogged = Number.NEGATIVE_INFINITY;
  const text = (p: ImportProgress) => `imported ${p.inserted} of ${p.lines} lines (${p.duplicates} already there, ${p.rejected} rejected)`;
  return {
    update(p: ImportProgress) {
      if (terminal) {
        stderr.write(`\r${text(p)}`);
        written = true;
      } else if (performance.now() - lastLogged >= LOGGED_PROGRESS_SECONDS * 1000) {
        lastLogged = performance.now();
        stderr.write(`${text(p)}\n`);
      }
    },
    end() {
      if (written) stderr.write('\n');
    },
  };
}
