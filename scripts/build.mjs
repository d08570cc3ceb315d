// `npm run build`: compile src/ and migrations/ to dist/ with tsc (tsconfig.build.json), copy the files the compiled
// code reads at run time, then write the stamp that marks dist/ fresh. `--if-stale` (used by `npm start`) does nothing
// when dist/ is already an up-to-date build. `--out-dir NAME` builds into NAME/ beside dist/ instead (the build test
// does, so it never touches the dist/ other processes may be running from).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { buildState, DIST as DEFAULT_DIST, listInputs, readStamp, ROOT } from './build-state.mjs';

const args = process.argv.slice(2);
const ifStale = args.includes('--if-stale');
const outDirIndex = args.indexOf('--out-dir');
const outDirName = outDirIndex >= 0 ? args[outDirIndex + 1] : undefined;
// The compiled code finds package.json and credentials/ two levels up, so the output sits right under the root.
if (outDirName !== undefined && !/^[\w.-]+$/.test(outDirName)) {
  process.stderr.write('credence: --out-dir takes a directory name (created under the package root)\n');
  process.exit(2);
}
const DIST = outDirName === undefined ? DEFAULT_DIST : join(ROOT, outDirName);
const STAMP = join(DIST, '.build-stamp.json');
const state = outDirName === undefined ? buildState() : { fresh: false, reason: 'a separate output directory' };
if (ifStale && state.fresh) process.exit(0);
if (ifStale) process.stderr.write(`credence: building dist/ (${state.reason})\n`);

const startedAtMs = Date.now();
const inputs = listInputs();
const previous = outDirName === undefined ? readStamp() : null;
// A removed source would leave its compiled file behind; start over rather than ship it.
if (previous && previous.files.some((file) => !inputs.some((input) => input.path === file))) {
  rmSync(DIST, { recursive: true, force: true });
}
rmSync(STAMP, { force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const tscArgs = ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', DIST, '--tsBuildInfoFile', join(DIST, '.tsbuildinfo')];
const compiled = spawnSync(process.execPath, [tsc, ...tscArgs], { cwd: ROOT, stdio: 'inherit' });
if (compiled.status !== 0) {
  process.stderr.write('credence: the build failed (tsc -p tsconfig.build.json)\n');
  process.exit(compiled.status ?? 1);
}

// Runtime files tsc does not emit: plain .mjs modules in src/ (the proof worker) keep their place beside the compiled
// code, and credentials/ (JSON-LD context, JSON schemas) sits where `../../credentials/` points from dist/src/*/.
for (const file of inputs) {
  if (file.path.startsWith(`src${'/'}`) && file.path.endsWith('.mjs')) {
    const target = join(DIST, file.path);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(ROOT, file.path), target);
  }
}
rmSync(join(DIST, 'credentials'), { recursive: true, force: true });
cpSync(join(ROOT, 'credentials'), join(DIST, 'credentials'), { recursive: true });

writeFileSync(STAMP, `${JSON.stringify({ startedAtMs, files: inputs.map((file) => file.path) }, null, 1)}\n`);
const count = readdirSync(join(DIST, 'src'), { recursive: true }).filter((name) => String(name).endsWith('.js')).length;
process.stderr.write(`credence: built ${count} modules into ${relative(process.cwd(), DIST) || 'dist'}/ in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s\n`);
