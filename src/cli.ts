// The `credence` command.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cosignReceipt, signSettlementEvent, signTaskReceipt, type SettlementInput, type TaskReceiptInput } from './client/signing.ts';
import { importReceipts } from './receipts/import.ts';
import { writeScores } from './trust-store/scores.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { generateEd25519KeyPair } from './crypto/ed25519.ts';
import { readKeyFile, toKeyFile, writeKeyFile } from './crypto/key-file.ts';
import { mintAuthToken } from './auth/mint-token.ts';
import { didWebFromUrl } from './identity/did-web.ts';
import { closeOnSignals, startServer } from './main.ts';
import { createLogger } from './logger.ts';
import { KEYS_USAGE, keysCommand } from './commands/keys.ts';
import { VERIFY_USAGE, verifyCommand } from './commands/verify.ts';
import { RECOMPUTE_USAGE, recomputeCommand } from './commands/recompute.ts';

const USAGE = `usage: credence <command> [options]

commands:
  serve                          start the server (embedded database unless DATABASE_URL is set)
  migrate                        apply database migrations
  keygen [--out FILE]            make an Ed25519 key and print its did:key (FILE is written with mode 0600)
  token --key FILE [--aud DID] [--ttl SECONDS]
                                 print a DID-JWT bearer token (aud defaults to this service's DID)
  sign-settlement --key FILE [--jti ID] JSON|-
                                 sign a settlement event (api.md 2.1) whose "settlement" object is in JSON
  sign-receipt --key FILE [--id UUID] JSON|-
                                 sign a TaskReceiptCredential from {"subject", "counterparty", "actionCategory", ...}
  cosign --key FILE RECEIPT|-    co-sign a receipt JWT as its counterparty
${VERIFY_USAGE}
${KEYS_USAGE}
  import FILE [--batch N]        backfill receipts from trust-eval JSONL (stored as IMPORTED; re-runs add nothing)
${RECOMPUTE_USAGE}
  scores [--as-of ISO] [--out FILE]
                                 one JSON line per agent: {"did","score","tier","vector"} (propagation as of that time)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const running = await startServer(config, logger);
      closeOnSignals(running, logger);
      return -1;
    }
    case 'migrate': {
      const config = loadConfig();
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const { applied } = await migrateToLatest(database.db);
        console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'keygen': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      const pair = generateEd25519KeyPair();
      if (values.out) {
        await writeKeyFile(values.out, pair);
        console.error(`wrote ${values.out} (mode 0600)`);
        console.log(toKeyFile(pair).did);
      } else {
        console.log(JSON.stringify(toKeyFile(pair), null, 2));
      }
      return 0;
    }
    case 'token': {
      const { values } = parseArgs({
        args: rest,
        options: { key: { type: 'string' }, aud: { type: 'string' }, ttl: { type: 'string' } },
      });
      if (!values.key) {
        console.error('token needs --key FILE');
        return 2;
      }
      const audience = values.aud ?? didWebFromUrl(loadConfig().publicUrl);
      const token = mintAuthToken(await readKeyFile(values.key), {
        audience,
        ...(values.ttl ? { lifetimeSeconds: Number(values.ttl) } : {}),
      });
      console.log(token);
      return 0;
    }
    case 'sign-settlement':
    case 'sign-receipt':
    case 'cosign': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { key: { type: 'string' }, jti: { type: 'string' }, id: { type: 'string' } },
      });
      if (!values.key || positionals.length !== 1) {
        console.error(`${command} needs --key FILE and one input (a file or - for stdin)`);
        return 2;
      }
      const key = await readKeyFile(values.key);
      const input = await readInput(positionals[0]!);
      if (command === 'cosign') console.log(cosignReceipt(key, input.trim()));
      else if (command === 'sign-settlement') {
        const parsed = JSON.parse(input) as { settlement?: SettlementInput } & SettlementInput;
        console.log(signSettlementEvent(key, parsed.settlement ?? parsed, values.jti ? { jti: values.jti } : {}));
      } else {
        console.log(signTaskReceipt(key, JSON.parse(input) as TaskReceiptInput, values.id ? { receiptId: values.id } : {}));
      }
      return 0;
    }
    case 'verify':
      return verifyCommand(rest);
    case 'keys':
      return keysCommand(rest);
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { batch: { type: 'string' } } });
      if (positionals.length !== 1) {
        console.error('import needs one FILE (JSONL)');
        return 2;
      }
      const config = loadConfig();
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrateToLatest(database.db);
        const started = performance.now();
        const result = await importReceipts(database.db, createReadStream(positionals[0]!), {
          now: new Date(),
          ...(values.batch ? { batchSize: Number(values.batch) } : {}),
          onProgress: (p) => process.stderr.write(`\rimported ${p.inserted} of ${p.lines} lines (${p.duplicates} already there, ${p.rejected} rejected)`),
        });
        process.stderr.write('\n');
        console.log(JSON.stringify({ ...result, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }));
        return result.conflicts > 0 ? 1 : 0;
      } finally {
        await database.close();
      }
    }
    case 'recompute':
      return recomputeCommand(rest);
    case 'scores': {
      const { values } = parseArgs({ args: rest, options: { 'as-of': { type: 'string' }, out: { type: 'string' } } });
      const asOf = parseAsOf(values['as-of']);
      const config = loadConfig();
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrateToLatest(database.db);
        const written = await writeScores(database.db, asOf, values.out ? createWriteStream(values.out) : process.stdout);
        if (values.out) console.error(`wrote ${written} scores to ${values.out}`);
        return 0;
      } finally {
        await database.close();
      }
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

function parseAsOf(value: string | undefined): Date {
  const asOf = value ? new Date(value) : new Date();
  if (Number.isNaN(asOf.getTime())) throw new Error('--as-of must be an ISO-8601 date-time');
  return asOf;
}

async function readInput(source: string): Promise<string> {
  if (source !== '-') return readFile(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
