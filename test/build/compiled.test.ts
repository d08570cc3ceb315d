// `npm run build` output runs with plain node (no tsx): the CLI answers --help, the server migrates its database and
// answers /ready, and a JSON-LD proof is checked by the proof worker copied beside the compiled code. The build goes
// to a directory of its own so it never disturbs a dist/ other processes may be running from.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DID_DOCUMENT, NOW } from '../unit/credentials/helpers.ts';
import { waitFor } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `.dist-test-${process.pid}`;
const CLI = join(ROOT, OUT, 'src', 'cli.js');
const PORT = 4400 + (process.pid % 50);
const FIXTURE = join(ROOT, 'test/fixtures/credentials/reputation.jsonld.json');

let scratch: string;
let server: ChildProcess | undefined;

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: scratch, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'credence-compiled-'));
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out-dir', OUT], { cwd: ROOT, encoding: 'utf8' });
  expect(build.stderr + build.stdout).toContain(`built`);
  expect(build.status).toBe(0);
}, 600_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(join(ROOT, OUT), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('the compiled build', () => {
  it('holds JavaScript, declarations, source maps and the runtime files tsc does not emit', () => {
    for (const file of [
      'src/cli.js',
      'src/cli.d.ts',
      'src/cli.js.map',
      'src/client/index.js',
      'src/client/index.d.ts',
      'migrations/index.js',
      'src/credentials/proof-worker.mjs',
      'credentials/credence-v1.jsonld',
      'credentials/schemas/reputation-credential.json',
      '.build-stamp.json',
    ]) {
      expect(existsSync(join(ROOT, OUT, file)), file).toBe(true);
    }
    // Relative imports point at the emitted .js files, so plain node can follow them.
    expect(readFileSync(join(ROOT, OUT, 'src/cli.js'), 'utf8')).toMatch(/from ["']\.\/commands\/serve\.js["']/);
  });

  it('runs the CLI with plain node', () => {
    const help = node([CLI, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: credence <command>/);
    expect(help.stdout).toContain('serve');
  });

  it('checks a JSON-LD proof in the compiled proof worker', () => {
    const didDocument = join(scratch, 'did.json');
    writeFileSync(didDocument, JSON.stringify(DID_DOCUMENT));
    const verify = (file: string) => {
      const result = node([CLI, 'verify', file, '--did-document', didDocument, '--now', NOW.toISOString(), '--json']);
      return JSON.parse(result.stdout) as { problems: { code: string }[] };
    };
    // Genuine: only the status list (offline, not given) is missing.
    expect(verify(FIXTURE).problems.map((problem) => problem.code)).toEqual(['STATUS_UNAVAILABLE']);
    // One signed field rewritten: the worker refuses the proof.
    const tampered = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { credentialSubject: { id: string } };
    tampered.credentialSubject.id = DID_DOCUMENT.id;
    writeFileSync(join(scratch, 'tampered.json'), JSON.stringify(tampered));
    const codes = verify(join(scratch, 'tampered.json')).problems.map((problem) => problem.code);
    expect(codes.some((code) => code !== 'STATUS_UNAVAILABLE')).toBe(true);
  });

  it('serves /ready from the compiled code on a fresh embedded database', async () => {
    const { DATABASE_URL: _external, ...inherited } = process.env;
    server = spawn(process.execPath, [CLI, 'serve'], {
      cwd: scratch,
      env: {
        ...inherited,
        PORT: String(PORT),
        HOST: '127.0.0.1',
        CREDENCE_DATA_DIR: join(scratch, 'data'),
        CREDENCE_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
        CREDENCE_LOG_LEVEL: 'warn',
        CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
        CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    server.stderr?.on('data', (chunk) => (log += chunk));
    let ready = await waitFor(`http://127.0.0.1:${PORT}/ready`, 120_000);
    while (ready.status !== 200 && server.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await fetch(`http://127.0.0.1:${PORT}/ready`);
    }
    expect(ready.status, log).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const info = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ serviceInfo { did } }' }),
    });
    expect(await info.json()).toEqual({ data: { serviceInfo: { did: `did:web:127.0.0.1%3A${PORT}` } } });
  }, 180_000);
});
