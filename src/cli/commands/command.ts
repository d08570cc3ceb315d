// One definition per `credence` command: its options, positionals and help text. The same definitions parse the
// arguments (node:util parseArgs, strict), answer `--help` and `credence help COMMAND`, and generate docs/cli.md, so
// the help, the parser and the documentation cannot disagree.
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in the help, e.g. FILE. */
  value?: string;
  description: string;
  required?: boolean;
  /** A whole number in this range; anything else is a usage error (exit 2). */
  integer?: { min: number; max: number };
}

export interface PositionalSpec {
  /** As shown in the synopsis, e.g. `FILE|-`. */
  name: string;
  min: number;
  max: number;
  /** When given, the first positional must be one of these (sub-commands such as `keys rotate`). */
  choices?: readonly string[];
}

/**
 * Where a command reads and writes: the process's own streams, environment and directory when run as `credence`,
 * others when a test runs it in-process.
 */
export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Relative file arguments are resolved against it. */
  cwd: string;
}

export function processIo(): CommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export interface CommandInput {
  /** The raw arguments, for commands that parse their own (they have already passed the strict parse). */
  args: string[];
  io: CommandIo;
  /** A line on stdout. */
  print(text: string): void;
  /** A line on stderr. */
  error(text: string): void;
  /** A file argument as a path from the command's directory. */
  path(file: string): string;
  positionals: string[];
  string(name: string): string | undefined;
  strings(name: string): string[];
  flag(name: string): boolean;
  /** A validated `integer` option, or undefined when it was not given. */
  number(name: string): number | undefined;
}

export interface CommandDefinition {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Synopsis lines after `credence `; the first is also printed with usage errors. */
  synopsis: string[];
  /** Paragraphs printed by `--help` after the synopsis. */
  description: string;
  options: Record<string, OptionSpec>;
  positionals?: PositionalSpec;
  /** Exit code; -1 keeps the process running (the server). */
  run(input: CommandInput): Promise<number>;
}

/** A mistake in the command line: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'print this help and exit' };

export function defineCommand(definition: CommandDefinition): CommandDefinition {
  return definition;
}

function optionLabel(name: string, spec: OptionSpec): string {
  const long = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
  return spec.short ? `-${spec.short}, ${long}` : long;
}

/** The full help of one command, as `credence COMMAND --help` prints it. */
export function formatHelp(command: CommandDefinition): string {
  const synopsis = command.synopsis.map((line, index) => `${index === 0 ? 'usage: ' : '       '}credence ${line}`);
  const options = Object.entries({ ...command.options, help: HELP_OPTION });
  const width = Math.max(...options.map(([name, spec]) => optionLabel(name, spec).length));
  const optionLines = options.map(([name, spec]) => {
    const suffix = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : ''].filter(Boolean).join(', ');
    return `  ${optionLabel(name, spec).padEnd(width)}  ${spec.description}${suffix ? ` (${suffix})` : ''}`;
  });
  return `${synopsis.join('\n')}\n\n${command.description.trim()}\n\noptions:\n${optionLines.join('\n')}\n`;
}

function shortUsage(command: CommandDefinition): string {
  return `usage: credence ${command.synopsis[0]}\nrun \`credence help ${command.name}\` for the options`;
}

function wantsHelp(args: string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** Parses and checks the arguments, then runs the command; `--help` only prints. */
export async function runCommand(command: CommandDefinition, args: string[], io: CommandIo = processIo()): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(formatHelp(command));
    return 0;
  }
  const usageError = (message: string): number => {
    io.stderr.write(`credence ${command.name}: ${message}\n${shortUsage(command)}\n`);
    return 2;
  };
  let parsed: { values: Record<string, string | boolean | Array<string | boolean> | undefined>; positionals: string[] };
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([name, spec]) => [
        name,
        { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) },
      ]),
    );
    parsed = parseArgs({ args, options, allowPositionals: command.positionals !== undefined, strict: true });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const numbers = new Map<string, number>();
  for (const [name, spec] of Object.entries(command.options)) {
    const value = values[name];
    if (spec.required && value === undefined) return usageError(`--${name}${spec.value ? ` ${spec.value}` : ''} is required`);
    if (spec.integer && typeof value === 'string') {
      const { min, max } = spec.integer;
      const number = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(number) || number < min || number > max) {
        return usageError(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
      }
      numbers.set(name, number);
    }
  }
  const spec = command.positionals;
  if (spec) {
    if (positionals.length < spec.min || positionals.length > spec.max) {
      const wanted = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
      return usageError(`expects ${wanted} argument${spec.max === 1 ? '' : 's'} (${spec.name}), got ${positionals.length}`);
    }
    if (spec.choices && positionals[0] !== undefined && !spec.choices.includes(positionals[0])) {
      return usageError(`expects one of ${spec.choices.join(', ')}, not ${JSON.stringify(positionals[0])}`);
    }
  }
  const input: CommandInput = {
    args,
    io,
    print: (text) => void io.stdout.write(`${text}\n`),
    error: (text) => void io.stderr.write(`${text}\n`),
    path: (file) => resolve(io.cwd, file),
    positionals,
    string: (name) => {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    },
    strings: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
    },
    flag: (name) => values[name] === true,
    number: (name) => numbers.get(name),
  };
  try {
    return await command.run(input);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
}

/** An ISO-8601 date-time option, or now when absent; anything unparsable is a usage error. */
export function dateOption(input: CommandInput, name: string, fallback: () => Date = () => new Date()): Date {
  const value = input.string(name);
  if (value === undefined) return fallback();
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z, not ${JSON.stringify(value)}`);
  }
  return date;
}

/** The command list, as `credence help` prints it. */
export function formatCommandList(commands: readonly CommandDefinition[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return (
    `usage: credence <command> [options]\n\ncommands:\n${lines.join('\n')}\n  ${'help'.padEnd(width)}  print a command's usage and options\n\n` +
    'Run `credence help COMMAND` or `credence COMMAND --help` for its options. The service commands read the same\n' +
    'environment as the server (DATABASE_URL, CREDENCE_DATA_DIR, CREDENCE_PUBLIC_URL, ...; see README.md).\n'
  );
}

/** docs/cli.md, generated from the definitions (npm run docs:cli). */
export function renderCliDocs(commands: readonly CommandDefinition[]): string {
  const sections = commands.map(
    (command) => `## \`credence ${command.name}\`\n\n${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.\n\n\`\`\`text\n${formatHelp(command)}\`\`\`\n`,
  );
  return (
    '# Command line\n\n' +
    '<!-- Generated from the command definitions in src/cli/commands/ by `npm run docs:cli`; do not edit by hand. -->\n\n' +
    'Every command answers `--help` (and `credence help COMMAND`) with the text below and exits 0 without doing\n' +
    'anything else. A mistake in the command line (an unknown option, a missing argument, a number out of range)\n' +
    'prints the usage on stderr and exits 2; other failures exit 1.\n\n' +
    `\`\`\`text\n${formatCommandList(commands)}\`\`\`\n\n` +
    sections.join('\n')
  );
}
