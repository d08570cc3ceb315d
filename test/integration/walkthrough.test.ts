// The README's shell walkthroughs are examples/*.sh byte for byte, and they run as written: in order, in one POSIX sh
// session, in a fresh directory, against a server they start themselves (embedded database under that directory,
// on a free port), with `npx credence` resolving to this checkout's CLI. sh is dash on Debian, so bash-isms fail here.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** In the order the README gives them; each continues the shell state of the one before. */
const WALKTHROUGHS = ['claim-did.sh', 'escrow-receipt.sh', 'credentials.sh'];

const example = (name: string) => readFile(path.join(ROOT, 'examples', name), 'utf8');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('README walkthroughs', () => {
  it('are the example files byte for byte, each linked from the README', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```\n/g)].map((match) => match[1]);
    for (const name of WALKTHROUGHS) {
      const text = await example(name);
      expect(blocks.filter((block) => block === text), name).toHaveLength(1);
      expect(readme).toContain(`(examples/${name})`);
    }
    // Every README block that drives the CLI against the service is one of them.
    for (const block of blocks.filter((b) => b!.includes('npx credence') && b!.includes('CREDENCE_PUBLIC_URL'))) {
      expect(await Promise.all(WALKTHROUGHS.map(example))).toContain(block);
    }
  });

  it('are POSIX sh: they parse in sh (dash on Debian), and use no bash-only syntax or GNU-only flags', async () => {
    for (const name of WALKTHROUGHS) {
      const parsed = spawnSync('sh', ['-n', path.join(ROOT, 'examples', name)], { encoding: 'utf8' });
      expect(parsed.status, `${name}: ${parsed.stderr}`).toBe(0);
      const text = await example(name);
      for (const pattern of [/\[\[/, /\bfunction\s/, /\$'/, /<<</, /\bdate\b[^\n]*-d\b/, /\becho -[en]\b/, /\bsed -i\b/, /\bgrep -P\b/, /\breadlink -f\b/, /\$\{\w+\//, /\bfor status\b/]) {
        expect(text, `${name} matches ${pattern}`).not.toMatch(pattern);
      }
    }
  });

  it('handle failures visibly: every GraphQL document asks for `... on Error`, keys go under .credence-keys/', async () => {
    const all = (await Promise.all(WALKTHROUGHS.map(example))).join('\n');
    const mutations = [...all.matchAll(/mutation[^']*?(?='|"\}")/g)].map((match) => match[0]);
    expect(mutations.length).toBeGreaterThanOrEqual(7);
    for (const document of mutations) expect(document, document).toContain('... on Error { code message }');
    for (const match of all.matchAll(/--(?:out|key) ([^\s)]+)/g)) expect(match[1]).toMatch(/^(?:\.credence-keys\/\w+\.json|"\$3")$/);
    expect(all).toMatch(/until curl -sf "\$CREDENCE_PUBLIC_URL\/ready"/);
    // One server for the three of them: started once in the first, stopped once at the end of the last.
    expect(all.match(/\bcredence serve\b|\bnpm (?:run )?(?:start|dev)\b/g)).toEqual(['credence serve']);
    expect(all.match(/^kill \$SERVER\b/gm)).toHaveLength(1);
    const gitignore = await readFile(path.join(ROOT, '.gitignore'), 'utf8');
    expect(gitignore.split('\n')).toContain('.credence-keys/');
  });

  describe('run in order in a fresh directory', () => {
    let dir: string;
    let stdout = '';
    let stderr = '';
    let code: number | null = null;

    beforeAll(async () => {
      // What the README asks of the reader's machine; say so plainly when it is missing (CI installs both).
      for (const tool of ['jq', 'curl']) {
        if (spawnSync(tool, ['--version']).status !== 0) throw new Error(`the walkthroughs need ${tool} on PATH`);
      }
      dir = await mkdtemp(path.join(tmpdir(), 'credence-walkthrough-'));
      // `npx credence` in the walkthroughs is this checkout's CLI; any other npx use fails loudly.
      const bin = path.join(dir, 'bin');
      await mkdir(bin);
      await writeFile(
        path.join(bin, 'npx'),
        `#!/bin/sh\n[ "$1" = credence ] || { echo "npx: only credence is available here" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`,
      );
      await chmod(path.join(bin, 'npx'), 0o755);
      const work = path.join(dir, 'work');
      await mkdir(work);
      const port = await freePort();
      const env: Record<string, string | undefined> = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        PORT: String(port),
        CREDENCE_PUBLIC_URL: `http://localhost:${port}`,
        CREDENCE_LOG_LEVEL: 'warn',
      };
      // The embedded database, under the fresh directory (the default .credence/ there).
      delete env.DATABASE_URL;
      delete env.CREDENCE_DATA_DIR;
      delete env.CREDENCE_ADMIN_DIDS;
      const script = WALKTHROUGHS.map((name) => `. "${path.join(ROOT, 'examples', name)}"`).join('\n');
      const child = spawn('sh', ['-c', script], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const deadline = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 540_000);
      code = await new Promise((resolve) => child.on('close', resolve));
      clearTimeout(deadline);
      // Nothing may outlive the walkthrough (it stops its own server); this only cleans up after a failure.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 600_000);

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const lines = () => stdout.split('\n');
    const answers = () => lines().filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { data?: Record<string, any>; errors?: unknown });

    it('finishes, with no GraphQL error and no shell error', () => {
      expect(code, stderr).toBe(0);
      for (const answer of answers()) expect(answer.errors, JSON.stringify(answer)).toBeUndefined();
      expect(stderr).not.toMatch(/not found|syntax error|No such process|npx: only credence/);
    });

    it('claims the DID, registers and approves the platform, records the escrow and stores an ESCROW_VERIFIED receipt', async () => {
      const [claim, register, approve, ...rest] = answers();
      const agentDid = (await readFile(path.join(dir, 'work', 'agent.did'), 'utf8')).trim();
      expect(claim!.data!.claimDid).toMatchObject({ __typename: 'ClaimDidPayload', agent: { did: agentDid, displayName: 'My agent' } });
      expect(register!.data!.registerPlatform.platform.status).toBe('PENDING');
      expect(approve!.data!.approvePlatform.platform.status).toBe('APPROVED');
      expect(rest.slice(0, 3).map((answer) => answer.data!.recordSettlement.settlement.status)).toEqual(['FUNDED', 'RELEASED', 'SETTLED']);
      expect(rest[3]!.data!.submitReceipt).toMatchObject({ duplicate: false, receipt: { confidence: 'ESCROW_VERIFIED' } });
      expect(rest[4]!.data!.receipts.edges).toEqual([
        { node: expect.objectContaining({ confidence: 'ESCROW_VERIFIED', outcome: 'accepted', valueUsd: 500, escrowId: 'esc_1' }) },
      ]);
    });

    it('issues a task credential that verifies offline, then fails as revoked after the admin revokes it', () => {
      const verdicts = lines().filter((line) => /^(?:valid|invalid): |^exit \d$/.test(line));
      expect(verdicts).toEqual([
        expect.stringMatching(/^valid: TaskCompletionCredential \(JWT\) urn:uuid:/),
        'exit 0',
        expect.stringMatching(/^invalid: TaskCompletionCredential \(JWT\) urn:uuid:/),
        'exit 1',
      ]);
      expect(stdout).toMatch(/- revoked: bit \d+ is set/);
      expect(answers().some((answer) => answer.data?.revokeCredential?.credential?.revoked === true)).toBe(true);
    });

    it('keeps every key in a 0600 file under .credence-keys/ and prints no secret', async () => {
      const keys = path.join(dir, 'work', '.credence-keys');
      const files = (await readdir(keys)).sort();
      expect(files).toEqual(['admin.json', 'agent.json', 'buyer.json', 'market.json']);
      for (const file of files) {
        expect((await stat(path.join(keys, file))).mode & 0o777).toBe(0o600);
        const { secretKey } = JSON.parse(await readFile(path.join(keys, file), 'utf8')) as { secretKey: string };
        expect(stdout + stderr).not.toContain(secretKey);
      }
      expect((await readdir(path.join(dir, 'work'))).filter((name) => name.endsWith('.json') && name !== 'event.json' && name !== 'receipt.json' && name !== 'issued.json' && name !== 'did.json' && name !== 'status.json')).toEqual([]);
    });
  });
});
