// Startup time to /ready: the service run from the TypeScript sources through tsx (`npm run dev`, formerly
// `npm start`) against the compiled build (`node dist/src/cli/main.js serve`, what `npm start` runs now). Runs each one
// RUNS times, alternating so both see the same machine load, each on its own embedded database migrated beforehand,
// and prints every run and the medians; then the same for `--help` (module loading without a database).
// Needs a build (`npm run build`). Usage: node scripts/build-startup-time.mjs [RUNS] [PORT]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build-state.mjs';

const runs = Number(process.argv[2] ?? 5);
const port = Number(process.argv[3] ?? 4490);
const dataDir = mkdtempSync(join(tmpdir(), 'credence-startup-'));
const { DATABASE_URL: _external, ...inherited } = process.env;
const env = {
  ...inherited,
  PORT: String(port),
  HOST: '127.0.0.1',
  CREDENCE_PUBLIC_URL: `http://127.0.0.1:${port}`,
  CREDENCE_LOG_LEVEL: 'warn',
  CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
  CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
};
const VARIANTS = {
  tsx: [join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/main.ts', 'serve']],
  dist: [process.execPath, ['dist/src/cli/main.js', 'serve']],
};

/** Loading alone, no database: `credence --help` from spawn to exit. */
async function timeToHelp(name) {
  const [command, [entry]] = VARIANTS[name];
  const started = performance.now();
  const child = spawn(command, [entry, '--help'], { cwd: ROOT, env, stdio: 'ignore' });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${name} --help exited with ${code}`);
  return performance.now() - started;
}

async function timeToReady(name) {
  const [command, args] = VARIANTS[name];
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...env, CREDENCE_DATA_DIR: join(dataDir, name) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name}: the server exited with ${child.exitCode}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/ready`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

try {
  // Each creates and migrates its embedded database once, so the runs below measure startup only.
  await timeToReady('dist');
  await timeToReady('tsx');
  const times = { tsx: [], dist: [] };
  for (let run = 0; run < runs; run++) {
    for (const name of run % 2 ? ['dist', 'tsx'] : ['tsx', 'dist']) {
      const ms = await timeToReady(name);
      times[name].push(ms);
      process.stdout.write(`run ${run + 1} ${name.padEnd(4)} ${(ms / 1000).toFixed(2)} s\n`);
    }
  }
  const tsx = median(times.tsx);
  const dist = median(times.dist);
  process.stdout.write(`median to /ready: tsx ${(tsx / 1000).toFixed(2)} s, node dist ${(dist / 1000).toFixed(2)} s (${(tsx / dist).toFixed(2)}x)\n`);
  const help = { tsx: [], dist: [] };
  for (let run = 0; run < runs; run++) {
    for (const name of run % 2 ? ['dist', 'tsx'] : ['tsx', 'dist']) help[name].push(await timeToHelp(name));
  }
  process.stdout.write(
    `median of --help (loading only): tsx ${(median(help.tsx) / 1000).toFixed(2)} s, node dist ${(median(help.dist) / 1000).toFixed(2)} s (${(median(help.tsx) / median(help.dist)).toFixed(2)}x)\n`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
