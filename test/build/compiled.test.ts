// `npm run build` output runs with plain node (no tsx): the CLI answers --help, the server migrates its database and
// answers /ready, and a JSON-LD proof is checked by the proof worker copied beside the compiled code. Then the package
// as `npm pack` makes it, installed into a project of its own: credence/client from a plain .mjs, type-checked by tsc,
// bundled for the browser by esbuild. The build goes to a directory of its own so it never disturbs a dist/ other
// processes may be running from.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DID_DOCUMENT, NOW } from '../unit/credentials/helpers.ts';
import { waitFor } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `.dist-test-${process.pid}`;
const CLI = join(ROOT, OUT, 'src', 'cli', 'main.js');
const PORT = 4400 + (process.pid % 50);
const FIXTURE = join(ROOT, 'test/fixtures/credentials/reputation.jsonld.json');

let scratch: string;
let server: ChildProcess | undefined;

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: scratch, encoding: 'utf8', timeout: 170_000 });
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
    // A server still starting up under heavy load may take long to close; it must not outlive the test.
    const killer = setTimeout(() => server?.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(join(ROOT, OUT), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('the compiled build', () => {
  it('holds JavaScript, declarations, source maps and the runtime files tsc does not emit', () => {
    for (const file of [
      'src/cli/main.js',
      'src/cli/main.d.ts',
      'src/cli/main.js.map',
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
    expect(readFileSync(join(ROOT, OUT, 'src/cli/main.js'), 'utf8')).toMatch(/from ["']\.\/commands\/serve\.js["']/);
  });

  it('runs the CLI with plain node', () => {
    const help = node([CLI, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: credence <command>/);
    expect(help.stdout).toContain('serve');
  }, 180_000);

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
  }, 180_000);

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
    let ready = await waitFor(`http://127.0.0.1:${PORT}/ready`, 300_000);
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
  }, 360_000);
});

describe('the packed package', () => {
  let tarball: string;
  let packed: string[];
  let consumer: string;

  beforeAll(() => {
    // A copy of the checkout with the build as dist/: npm pack picks files by package.json "files" from it.
    const staging = join(scratch, 'staging');
    for (const path of ['package.json', 'README.md', 'schema.graphql', 'bin', 'scripts', 'migrations', 'credentials', 'docs', 'src', 'test']) {
      cpSync(join(ROOT, path), join(staging, path), { recursive: true });
    }
    cpSync(join(ROOT, OUT), join(staging, 'dist'), { recursive: true });
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: staging, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [summary] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(scratch, summary!.filename);
    packed = summary!.files.map((file) => file.path);

    consumer = join(scratch, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(install.status, install.stderr).toBe(0);
  }, 900_000);

  it('holds the build, the bin, migrations and runtime files, and no sources or tests', () => {
    for (const file of ['dist/src/client/universal.js', 'dist/src/client/universal.d.ts', 'dist/src/client/index.js', 'dist/src/cli/main.js', 'bin/credence.js', 'scripts/build-state.mjs', 'dist/migrations/index.js', 'dist/credentials/credence-v1.jsonld', 'README.md']) {
      expect(packed, file).toContain(file);
    }
    expect(packed.filter((path) => path.startsWith('src/') || path.startsWith('test/') || path.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('runs its bin from the build', () => {
    const help = spawnSync(process.execPath, [join(consumer, 'node_modules/credence/bin/credence.js'), '--help'], { encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: credence <command>/);
  }, 180_000);

  it('imports credence/client from a plain .mjs with node', () => {
    writeFileSync(
      join(consumer, 'use-client.mjs'),
      `import { generateSigningKey, mintAuthToken, signTaskReceipt, cosignReceipt, readKeyFile, writeKeyFile, createCredenceClient, verifyWebhookSignature } from 'credence/client';
import manifest from 'credence/package.json' with { type: 'json' };
const key = generateSigningKey();
await writeKeyFile('agent.json', key);
const again = await readKeyFile('agent.json');
const token = mintAuthToken(again, { audience: 'did:web:credence.example', now: new Date('2026-11-10T12:00:00Z'), jti: 'j' });
const receipt = signTaskReceipt(key, { subject: key.did, taskId: 'task_1', counterparty: key.did, actionCategory: 'productivity.task', actionType: 'code_review', outcome: 'accepted', occurredAt: '2026-11-10T12:00:00Z' }, { receiptId: '00000000-0000-4000-8000-000000000000' });
console.log(JSON.stringify({ version: manifest.version, did: key.did, token: token.split('.').length, cosign: cosignReceipt(key, receipt).split('.').length, client: typeof createCredenceClient({ url: 'http://localhost:1' }).trust, webhook: verifyWebhookSignature({ secret: 's', rawBody: '', header: null, nowSeconds: 0 }).reason }));
`,
    );
    const run = spawnSync(process.execPath, ['use-client.mjs'], { cwd: consumer, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(printed).toEqual({
      version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
      did: expect.stringMatching(/^did:key:z6Mk/),
      token: 3,
      cosign: 3,
      client: 'function',
      webhook: 'missing_header',
    });
  }, 180_000);

  it('type-checks a TypeScript consumer with tsc, as a Node project and as a browser project', () => {
    writeFileSync(
      join(consumer, 'consumer.ts'),
      `import { createCredenceClient, generateSigningKey, mintAuthToken, type TrustReport, type CredenceClientError } from 'credence/client';
const key = generateSigningKey();
const did: string = key.did;
const token: string = mintAuthToken(key, { audience: did });
const client = createCredenceClient({ url: 'https://credence.example', key });
export async function score(subject: string): Promise<number> {
  const report: TrustReport = await client.trust(subject);
  return report.score;
}
export const failure = (error: CredenceClientError): string => error.code;
export { token };
`,
    );
    writeFileSync(join(consumer, 'node-only.ts'), `import { readKeyFile } from 'credence/client';\nexport const load = (path: string) => readKeyFile(path);\n`);
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const base = { strict: true, noEmit: true, target: 'ES2022', types: [] as string[], skipLibCheck: true };
    const projects = {
      'tsconfig.node.json': { compilerOptions: { ...base, module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'] }, files: ['consumer.ts', 'node-only.ts'] },
      'tsconfig.browser.json': { compilerOptions: { ...base, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'] }, files: ['consumer.ts'] },
    };
    for (const [name, project] of Object.entries(projects)) {
      writeFileSync(join(consumer, name), JSON.stringify(project));
      const check = spawnSync(process.execPath, [tsc, '-p', name], { cwd: consumer, encoding: 'utf8' });
      expect(check.status, `${name}: ${check.stdout}${check.stderr}`).toBe(0);
    }
    // The browser build has no key files: a browser project that asks for them is told so by tsc.
    writeFileSync(join(consumer, 'tsconfig.wrong.json'), JSON.stringify({ ...projects['tsconfig.browser.json'], files: ['node-only.ts'] }));
    const wrong = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.wrong.json'], { cwd: consumer, encoding: 'utf8' });
    expect(wrong.stdout).toContain("has no exported member 'readKeyFile'");
  }, 180_000);

  it('bundles credence/client for the browser with esbuild, no Node built-ins, and the bundle runs', async () => {
    writeFileSync(
      join(consumer, 'browser.mjs'),
      `import { generateSigningKey, mintAuthToken, receiptHash } from 'credence/client';
const key = generateSigningKey();
export const result = { did: key.did, token: mintAuthToken(key, { audience: 'did:web:credence.example' }).split('.').length, hash: receiptHash('a.b.c') };
`,
    );
    // platform browser: a Node built-in anywhere in the graph is a build error.
    const bundle = await build({
      entryPoints: [join(consumer, 'browser.mjs')],
      absWorkingDir: consumer,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile: join(consumer, 'bundle.mjs'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((input) => input.includes('credence/dist/src/client/universal.js'))).toBe(true);
    expect(inputs.filter((input) => input.includes('credence/dist/src/') && !input.includes('/client/') && !input.includes('/credentials/c'))).toEqual([]);
    const { result } = (await import(join(consumer, 'bundle.mjs'))) as { result: { did: string; token: number; hash: string } };
    expect(result).toMatchObject({ did: expect.stringMatching(/^did:key:z6Mk/), token: 3, hash: 'hF4wRIgJ4ryJWOsCW_x5UjXROwd6U9DDq70jhRcNybg' });
  }, 180_000);
});
