// The `credence` command.
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { generateEd25519KeyPair } from './crypto/ed25519.ts';
import { readKeyFile, toKeyFile, writeKeyFile } from './crypto/key-file.ts';
import { mintAuthToken } from './auth/mint-token.ts';
import { didWebFromUrl } from './identity/did-web.ts';
import { closeOnSignals, startServer } from './main.ts';
import { createLogger } from './logger.ts';

const USAGE = `usage: credence <command> [options]

commands:
  serve                          start the server (embedded database unless DATABASE_URL is set)
  migrate                        apply database migrations
  keygen [--out FILE]            make an Ed25519 key and print its did:key (FILE is written with mode 0600)
  token --key FILE [--aud DID] [--ttl SECONDS]
                                 print a DID-JWT bearer token (aud defaults to this service's DID)
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

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
