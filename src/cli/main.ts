// The `credence` command. Each command is a definition in src/cli/commands/ (options, help text, run); adding one is an
// import and an entry in COMMANDS. The same list answers `credence help` and generates docs/cli.md.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatCommandList, formatHelp, processIo, runCommand, type CommandDefinition, type CommandIo } from './commands/command.ts';
import { serveCommand } from './commands/serve.ts';
import { migrateCommand } from './commands/migrate.ts';
import { keygenCommand } from './commands/keygen.ts';
import { tokenCommand } from './commands/token.ts';
import { cosignCommand, signReceiptCommand, signSettlementCommand } from './commands/sign.ts';
import { verifyDefinition } from './commands/verify-definition.ts';
import { keysCommand } from './commands/keys.ts';
import { importCommand } from './commands/import.ts';
import { recomputeCommand } from './commands/recompute.ts';
import { scoresCommand } from './commands/scores.ts';
import { presentCommand } from './commands/present.ts';
import { mcpCommand } from './commands/mcp.ts';

export const COMMANDS: readonly CommandDefinition[] = [
  serveCommand,
  migrateCommand,
  keygenCommand,
  tokenCommand,
  signSettlementCommand,
  signReceiptCommand,
  cosignCommand,
  verifyDefinition,
  presentCommand,
  mcpCommand,
  keysCommand,
  importCommand,
  recomputeCommand,
  scoresCommand,
];

/**
 * Runs one command line with the given streams, environment and directory (the process's own by default; tests run
 * commands in-process with their own). Resolves to the exit code, or -1 when the process keeps running (the server);
 * rejects with a command's failure, which `runCli` prints before exiting 1.
 */
export async function main(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const find = (commandName: string | undefined) => COMMANDS.find((command) => command.name === commandName);
  if (name === undefined) {
    io.stderr.write(formatCommandList(COMMANDS));
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0];
    if (topic === undefined || topic === 'help') {
      io.stdout.write(formatCommandList(COMMANDS));
      return 0;
    }
    const command = find(topic);
    if (!command) {
      io.stderr.write(`credence: unknown command ${JSON.stringify(topic)}\n\n${formatCommandList(COMMANDS)}`);
      return 2;
    }
    io.stdout.write(formatHelp(command));
    return 0;
  }
  const command = find(name);
  if (!command) {
    io.stderr.write(`credence: unknown command ${JSON.stringify(name)}\n\n${formatCommandList(COMMANDS)}`);
    return 2;
  }
  return runCommand(command, rest, io);
}

/** The process entry (bin/credence.js, or `tsx src/cli/main.ts`): runs main and sets the exit code. */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}

// Run when executed directly; importing this module (docs generation, tests) only reads the definitions.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && realpathOrSelf(process.argv[1]) === realpathOrSelf(self)) runCli();

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
