// The architecture fences fire: .dependency-cruiser.cjs (what `npm run check:architecture` runs) over small trees
// written here, one per rule, each holding exactly one violation, and a tree that keeps every rule.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const trees: string[] = [];

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** Writes the files (path under the tree -> source) and runs the fences over its src/. */
async function cruise(files: Record<string, string>): Promise<Violation[]> {
  const tree = await mkdtemp(join(tmpdir(), 'credence-fences-'));
  trees.push(tree);
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), source);
  }
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'json'], { cwd: tree, maxBuffer: 32 * 1024 * 1024 }, (error, out, err) => {
      // Exit code 1..n is the number of errors; the JSON is printed either way.
      if (out) resolve(out);
      else reject(error ?? new Error(err));
    });
  });
  const result = JSON.parse(stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

afterAll(async () => {
  await Promise.all(trees.map((tree) => rm(tree, { recursive: true, force: true })));
});

describe('npm run check:architecture', () => {
  it('passes a tree that keeps every rule', async () => {
    expect(
      await cruise({
        'src/db/database.ts': 'export const db = 1;\n',
        'src/trust/engine/engine.ts': "import { weight } from './params.ts';\nexport const score = weight;\n",
        'src/trust/engine/params.ts': 'export const weight = 1;\n',
        // The trust store beside the engine does I/O and may use the engine; only the engine is pure.
        'src/trust/store/aggregate.repository.ts':
          "import { db } from '../../db/database.ts';\nimport { weight } from '../engine/params.ts';\nexport const sums = db + weight;\n",
        'src/receipts/receipt.repository.ts': "import { db } from '../db/database.ts';\nexport const receipts = db;\n",
        'src/receipts/receipt.service.ts': "import { receipts } from './receipt.repository.ts';\nimport { score } from '../trust/engine/engine.ts';\nexport const service = receipts + score;\n",
        'src/webhooks/webhook.service.ts': "import { service } from '../receipts/receipt.service.ts';\nexport const hooks = service;\n",
      }),
    ).toEqual([]);
  }, 60_000);

  it('fails a pure module that imports the database, the HTTP layer or GraphQL', async () => {
    const violations = await cruise({
      'src/db/database.ts': 'export const db = 1;\n',
      'src/http/routes.ts': 'export const route = 1;\n',
      'src/trust/engine/engine.ts': "import { db } from '../../db/database.ts';\nexport const score = db;\n",
      'src/web/badges/trust-badge.ts': "import { route } from '../../http/routes.ts';\nexport const badge = route;\n",
      'src/web/pages/home-page.ts': "import { parse } from 'graphql';\nexport const page = parse;\n",
      'src/web/page-routes.ts': 'export const pageRoutes = 1;\n',
      'src/web/pages/layout.ts': "import { pageRoutes } from '../page-routes.ts';\nexport const layout = pageRoutes;\n",
      'src/credentials/verify.ts': "import { lookup } from 'node:dns';\nexport const verify = lookup;\n",
    });
    expect(violations).toEqual(
      expect.arrayContaining([
        { rule: 'pure-module-does-io', from: 'src/trust/engine/engine.ts', to: 'src/db/database.ts' },
        { rule: 'pure-module-does-io', from: 'src/web/badges/trust-badge.ts', to: 'src/http/routes.ts' },
        { rule: 'pure-module-does-io', from: 'src/web/pages/layout.ts', to: 'src/web/page-routes.ts' },
        expect.objectContaining({ rule: 'pure-module-imports-io-package', from: 'src/web/pages/home-page.ts' }),
        expect.objectContaining({ rule: 'pure-module-imports-network', from: 'src/credentials/verify.ts' }),
      ]),
    );
    expect(violations).toHaveLength(5);
  }, 60_000);

  it('fails a cycle between two folders, though no module cycle', async () => {
    const violations = await cruise({
      'src/identity/platform.service.ts': "import { policy } from '../webhooks/policy.ts';\nexport const platforms = policy;\n",
      'src/identity/platform.ts': 'export const platform = 1;\n',
      'src/webhooks/policy.ts': 'export const policy = 1;\n',
      'src/webhooks/worker.ts': "import { platform } from '../identity/platform.ts';\nexport const worker = platform;\n",
    });
    expect(violations.map((v) => v.rule)).toContain('no-folder-cycle');
    expect(violations.every((v) => v.rule === 'no-folder-cycle')).toBe(true);
    expect(violations.map((v) => `${v.from} -> ${v.to}`)).toEqual(expect.arrayContaining(['src/identity -> src/webhooks']));
  }, 60_000);

  it('fails a module cycle, and lets a lazy import() close one', async () => {
    const violations = await cruise({
      'src/context.ts': "import type { Services } from './services.ts';\nexport type Clock = () => Date;\nexport type Context = { services: Services };\n",
      'src/services.ts': "import type { Clock } from './context.ts';\nexport type Services = { clock: Clock };\n",
      'src/cli/commands/verify-definition.ts': "export const options = 1;\nexport const run = async () => (await import('./verify.ts')).verify;\n",
      'src/cli/commands/verify.ts': "import { options } from './verify-definition.ts';\nexport const verify = options;\n",
    });
    // One cycle, reported once (from whichever end is met first); the lazy one in commands/ not at all.
    expect(violations.map((v) => v.rule)).toEqual(['no-module-cycle']);
    expect(['src/context.ts', 'src/services.ts']).toContain(violations[0]!.from);
  }, 60_000);

  it("fails a service that imports another domain's repository, not its own", async () => {
    const violations = await cruise({
      'src/identity/platform.repository.ts': 'export const platforms = 1;\n',
      'src/receipts/receipt.repository.ts': 'export const receipts = 1;\n',
      'src/receipts/receipt.service.ts':
        "import { platforms } from '../identity/platform.repository.ts';\nimport { receipts } from './receipt.repository.ts';\nexport const service = platforms + receipts;\n",
    });
    expect(violations).toEqual([
      { rule: 'service-uses-foreign-repository', from: 'src/receipts/receipt.service.ts', to: 'src/identity/platform.repository.ts' },
    ]);
  }, 60_000);
});
