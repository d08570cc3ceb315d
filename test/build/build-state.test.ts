// When dist/ counts as an up-to-date build (scripts/build-state.mjs): `npm start` builds only when it does not, and
// bin/credence.js runs dist/ only when it does.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildState, listInputs } from '../../scripts/build-state.mjs';

let root: string;
const write = (path: string, text = '') => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};
const setMtime = (path: string, ms: number) => utimesSync(join(root, path), ms / 1000, ms / 1000);
const stamp = (startedAtMs: number) =>
  write('dist/.build-stamp.json', JSON.stringify({ startedAtMs, files: listInputs(root).map((file) => file.path) }));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'credence-build-state-'));
  write('src/cli/main.ts');
  write('src/credentials/proof-worker.mjs');
  write('migrations/index.ts');
  write('credentials/credence-v1.jsonld');
  write('tsconfig.json');
  for (const path of ['src/cli/main.ts', 'src/credentials/proof-worker.mjs', 'migrations/index.ts', 'credentials/credence-v1.jsonld', 'tsconfig.json']) {
    setMtime(path, 1_000_000);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('buildState', () => {
  it('is stale before the first build', () => {
    expect(buildState(root)).toEqual({ fresh: false, reason: 'dist/ has not been built' });
  });

  it('is fresh when no input changed after the build started', () => {
    stamp(2_000_000);
    expect(buildState(root)).toEqual({ fresh: true });
  });

  it('is stale when a source, a migration or a runtime file changed after the build started', () => {
    stamp(2_000_000);
    for (const path of ['src/cli/main.ts', 'migrations/index.ts', 'credentials/credence-v1.jsonld', 'tsconfig.json']) {
      setMtime(path, 3_000_000);
      expect(buildState(root)).toEqual({ fresh: false, reason: `${path} changed since the last build` });
      setMtime(path, 1_000_000);
    }
    expect(buildState(root)).toEqual({ fresh: true });
  });

  it('is stale when a source file was added or removed, whatever the times', () => {
    stamp(2_000_000);
    write('src/new-module.ts');
    setMtime('src/new-module.ts', 1_000_000);
    expect(buildState(root)).toMatchObject({ fresh: false, reason: 'source files were added or removed since the last build' });
    rmSync(join(root, 'src/new-module.ts'));
    rmSync(join(root, 'src/credentials/proof-worker.mjs'));
    expect(buildState(root)).toMatchObject({ fresh: false, reason: 'source files were added or removed since the last build' });
  });

  it('ignores files outside the inputs (tests, docs)', () => {
    stamp(2_000_000);
    write('test/a.test.ts');
    write('README.md');
    expect(buildState(root)).toEqual({ fresh: true });
  });

  it('counts an installed package (dist/ without src/) as fresh', () => {
    rmSync(join(root, 'src'), { recursive: true });
    expect(buildState(root)).toMatchObject({ fresh: false });
    write('dist/src/cli/main.js');
    expect(buildState(root)).toEqual({ fresh: true });
  });
});
