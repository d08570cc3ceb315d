import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCliInProcess, type CliResult } from '../helpers/cli.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { receiptLines } from '../helpers/receipt-lines.ts';

let dir: string;

/** The CLI in this process (`main(argv, io)`), in `cwd`, with the embedded database under the temp dir. */
function cli(args: string[], options: { cwd?: string; env?: Record<string, string>; stderrIsTTY?: boolean } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { CREDENCE_DATA_DIR: path.join(dir, 'data'), CREDENCE_LOG_LEVEL: 'error', ...options.env };
  if (options.env?.DATABASE_URL === undefined) env.DATABASE_URL = undefined;
  return runCliInProcess(args, { env, cwd: options.cwd ?? dir, ...(options.stderrIsTTY ? { stderrIsTTY: true } : {}) });
}

/** The real `bin/credence.js` in a child process: what an operator runs (one start-up per call, so used sparingly). */
function spawned(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, CREDENCE_DATA_DIR: path.join(dir, 'data'), CREDENCE_LOG_LEVEL: 'error', ...options.env };
    if (options.env?.DATABASE_URL === undefined) delete env.DATABASE_URL;
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'credence-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('credence CLI', () => {
  it('bin/credence.js: serve --help and migrate --help print usage and touch nothing', async () => {
    const serve = await spawned(['serve', '--help'], { env: { PORT: '0' } });
    expect(serve.code).toBe(0);
    expect(serve.stdout).toMatch(/^usage: credence serve\n/);
    expect(serve.stderr).not.toContain('listening');
    const migrate = await spawned(['migrate', '--help']);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^usage: credence migrate\n/);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  }, 120_000);

  it('keygen prints only the DID; the secret goes to a 0600 file under .credence-keys/ by default', async () => {
    const cwd = await mkdtemp(path.join(dir, 'keys-'));
    const result = await cli(['keygen'], { cwd });
    expect(result.code).toBe(0);
    const did = result.stdout.trim();
    expect(did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    const files = await readdir(path.join(cwd, '.credence-keys'));
    expect(files).toEqual([`${did.slice('did:key:'.length)}.json`]);
    const file = path.join(cwd, '.credence-keys', files[0]!);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(cwd, '.credence-keys'))).mode & 0o077).toBe(0);
    const { secretKey, did: fileDid } = JSON.parse(await readFile(file, 'utf8')) as { secretKey: string; did: string };
    expect(fileDid).toBe(did);
    expect(result.stdout + result.stderr).not.toContain(secretKey);
    expect(result.stderr).toContain(`.credence-keys/${files[0]}`);
  }, 120_000);

  it('keygen --out names the file, refuses to overwrite one, and never prints the secret', async () => {
    const out = path.join(dir, 'agent.json');
    const first = await cli(['keygen', '--out', out]);
    expect(first.code).toBe(0);
    const before = await readFile(out, 'utf8');
    const again = await cli(['keygen', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('already exists; keygen never overwrites a key');
    expect(await readFile(out, 'utf8')).toBe(before);
    const dash = await cli(['keygen', '--out', '-']);
    expect(dash.code).toBe(2);
    expect(dash.stdout).toBe('');
  }, 120_000);

  it('import exits 1 when nothing was imported, 0 when lines went in, and names rejected lines', async () => {
    const line = (id: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        receipt_id: id,
        subject_did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
        counterparty_did: 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG',
        platform_did: 'did:web:market.example',
        action_category: 'economic.transaction',
        action_type: 'escrow_release',
        value_usd: 500,
        outcome: 'accepted',
        timestamp: '2026-01-31T12:00:00Z',
        ...extra,
      });
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, `${line('r-1', { outcome: 'great' })}\nnot json\n`);
    const rejected = await cli(['import', bad]);
    expect(rejected.code).toBe(1);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ lines: 2, inserted: 0, rejected: 2 });
    expect(rejected.stderr).toContain('line 1: outcome');
    expect(rejected.stderr).toContain('line 2: not JSON');
    expect(rejected.stderr).toContain('nothing imported');

    const empty = path.join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    expect((await cli(['import', empty])).code).toBe(1);

    const good = path.join(dir, 'good.jsonl');
    await writeFile(good, `${line('r-2')}\n${line('r-3', { outcome: 'great' })}\n`);
    const partly = await cli(['import', good]);
    expect(partly.code).toBe(0);
    expect(JSON.parse(partly.stdout)).toMatchObject({ inserted: 1, rejected: 1 });
    // A re-run stores nothing new but everything is there: success.
    const rerun = await cli(['import', good]);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ inserted: 0, duplicates: 1 });

    const missing = await cli(['import', path.join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  }, 240_000);

  it('import rewrites one progress line on a terminal, and writes no carriage returns into a log', async () => {
    const file = path.join(dir, 'progress.jsonl');
    await writeFile(file, `${receiptLines({ count: 30, seed: 11 }).join('\n')}\n`);
    const env = { CREDENCE_DATA_DIR: path.join(dir, 'progress-data') };
    const onTerminal = await cli(['import', file, '--batch', '10'], { env, stderrIsTTY: true });
    expect(onTerminal.code).toBe(0);
    // One update per committed batch of 10, rewritten in place, and the line closed before anything else is said.
    expect(onTerminal.stderr.match(/\rimported \d+ of \d+ lines/g)).toHaveLength(3);
    expect(onTerminal.stderr).toContain('\rimported 30 of 30 lines (0 already there, 0 rejected)\n');
    // Into a file or a pipe (the same import again: every line a duplicate), whole lines only: the first batch's, and
    // then none for 10 s, so a short import writes that one.
    const intoLog = await cli(['import', file, '--batch', '10'], { env });
    expect(intoLog.code).toBe(0);
    expect(JSON.parse(intoLog.stdout)).toMatchObject({ lines: 30, inserted: 0, duplicates: 30 });
    expect(intoLog.stderr).not.toContain('\r');
    expect(intoLog.stderr).toBe('imported 0 of 10 lines (10 already there, 0 rejected)\n');
  }, 240_000);
});

describe('credence and DATABASE_URL', () => {
  it('a DATABASE_URL without a database name is refused before anything is created', async () => {
    const result = await cli(['migrate'], { env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL names no database');
    expect(result.stderr).toContain('createdb credence');
  }, 120_000);
});

// Needs a real server: only where TEST_DATABASE_URL is set (CI).
describe.each(testDatabaseKinds.filter((kind) => kind === 'postgres'))('a missing database on %s', () => {
  it('says which database is missing and how to create it', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/credence_missing_db_for_test';
    const result = await cli(['migrate'], { env: { DATABASE_URL: url.toString() } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('database "credence_missing_db_for_test" (from DATABASE_URL) does not exist');
    expect(result.stderr).toContain(`createdb -h ${url.hostname}`);
    expect(result.stderr).not.toContain('migration unknown failed');
  }, 120_000);
});
