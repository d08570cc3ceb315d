import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from '../../src/cli/main.ts';
import { formatHelp, renderCliDocs } from '../../src/cli/commands/command.ts';
import { ImportLineSchema } from '../../src/receipts/import.ts';
import { ACTION_CATEGORIES, OUTCOMES } from '../../src/receipts/payload-schemas.ts';

/** Runs the CLI in this process and captures what it writes. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${parts.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('credence help', () => {
  it('lists every command and exits 0', async () => {
    const { code, stdout } = await run(['help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toContain(`  ${command.name} `);
  });

  it.each(COMMANDS.map((command) => command.name))('%s: --help, -h and `help %s` print its usage and exit 0', async (name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name], [name, '--key', 'x', '--help']]) {
      const { code, stdout, stderr } = await run(argv);
      expect(code, argv.join(' ')).toBe(0);
      expect(stdout).toBe(formatHelp(command));
      expect(stdout.startsWith(`usage: credence ${name}`)).toBe(true);
      expect(stdout).toContain('-h, --help');
      expect(stderr).toBe('');
    }
  });

  it.each(COMMANDS.map((command) => command.name))('%s: an unknown option exits 2 with the usage', async (name) => {
    const { code, stdout, stderr } = await run([name, '--no-such-option']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("Unknown option '--no-such-option'");
    expect(stderr).toContain(`usage: credence ${name}`);
  });

  it('an unknown command or help topic exits 2 with the command list', async () => {
    for (const argv of [['frobnicate'], ['help', 'frobnicate']]) {
      const { code, stderr } = await run(argv);
      expect(code).toBe(2);
      expect(stderr).toContain('unknown command "frobnicate"');
      expect(stderr).toContain('usage: credence <command>');
    }
    expect((await run([])).code).toBe(2);
  });

  it('validates numbers: token --ttl and import --batch', async () => {
    for (const ttl of ['abc', '0', '301', '1.5', '']) {
      const { code, stdout, stderr } = await run(['token', '--key', 'missing.json', '--ttl', ttl]);
      expect(code, ttl).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('--ttl must be a whole number from 1 to 300');
    }
    const batch = await run(['import', 'missing.jsonl', '--batch', 'lots']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain('--batch must be a whole number');
  });

  it('reports missing required options, wrong argument counts and bad dates as usage errors', async () => {
    const noKey = await run(['token']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--key FILE is required');
    const noFile = await run(['cosign', '--key', 'k.json']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('expects 1 argument (RECEIPT|-), got 0');
    const badAction = await run(['keys', 'spin']);
    expect(badAction.code).toBe(2);
    expect(badAction.stderr).toContain('expects one of rotate, list');
    const badDate = await run(['scores', '--as-of', 'yesterday']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of must be an ISO-8601 date-time');
    const both = await run(['recompute', '--check', '--rebuild']);
    expect(both.code).toBe(2);
  });

  it('a missing or foreign key file says how to make one', async () => {
    await expect(main(['token', '--key', '/nonexistent/agent.json'])).rejects.toThrow(
      '/nonexistent/agent.json: no such key file; make one with `credence keygen --out /nonexistent/agent.json`',
    );
    const notJson = new URL('../../package.json', import.meta.url).pathname;
    await expect(main(['cosign', '--key', new URL('../../README.md', import.meta.url).pathname, notJson])).rejects.toThrow('is not a key file written by `credence keygen`');
  });

  it('import --help documents the line format, field by field', async () => {
    const { stdout } = await run(['import', '--help']);
    for (const field of ['receipt_id', 'subject_did', 'counterparty_did', 'platform_did', 'action_category', 'action_type', 'value_usd', 'outcome', 'timestamp', 'escrow_verified', 'escrow_tx']) {
      expect(stdout).toContain(`  ${field} `);
    }
    expect(stdout).toContain('docs/receipt-import.md');
  });

  it('docs/receipt-import.md has a row and an example for every field the import reads, and every category and outcome', async () => {
    const doc = await readFile(new URL('../../docs/receipt-import.md', import.meta.url), 'utf8');
    for (const field of Object.keys(ImportLineSchema.shape)) {
      expect(doc, field).toMatch(new RegExp(`^\\| \`${field}\` \\|.*\\| \`"${field}": [^|]+\` \\|$`, 'm'));
    }
    for (const value of [...ACTION_CATEGORIES, ...OUTCOMES]) expect(doc, value).toContain(`\`${value}\``);
  });

  it('cites no document outside the repository', async () => {
    const texts = [(await run(['help'])).stdout, ...COMMANDS.map(formatHelp)];
    for (const text of texts) expect(text).not.toMatch(/api\.md/);
  });

  it('docs/cli.md is generated from the definitions and current (npm run docs:cli)', async () => {
    const file = await readFile(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(file).toBe(renderCliDocs(COMMANDS));
    for (const command of COMMANDS) expect(file).toContain(formatHelp(command));
  });
});
