// Abusive-client evaluation through the production path: generate a seeded marketplace with abusive clients
// (scripts/abusive-market.ts), then, on a fresh database, `credence import`, `credence recompute --as-of`,
// `credence scores --as-of`, and compare victims, abusive clients and bad workers with honest agents.
// The same is done on the stream without the abusive hires (the counterfactual) unless --no-clean.
//
//   npx tsx scripts/trust-eval-abusive.ts --seed 1 [--agents 400] [--platforms 5] [--now ISO] [--out DIR]
//                                         [--json FILE] [--no-clean] [--root DIR]
//
// --root runs another checkout's CLI (e.g. an unpacked `git archive` of an older commit, to measure a baseline).
// Database: a fresh embedded one in a temporary directory; with DATABASE_URL set, a scratch database created next
// to it (same server) and dropped afterwards. Prints a table, then the JSON summary on the last line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { evaluateAbuse, parseScoreLine, type AbuseSummary, type FlagStats, type GroupStats, type ScoreLine } from './abusive-eval-metrics.ts';
import { generateMarket, type ImportLine } from './abusive-market.ts';

let ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface StepTimes {
  import: number;
  recompute: number;
  scores: number;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'credence.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, seconds: (performance.now() - started) / 1000 });
      else reject(new Error(`credence ${args[0]} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** A fresh database for one stream: its environment for the CLI, and how to get rid of it. */
async function freshDatabase(workDir: string, name: string): Promise<{ env: NodeJS.ProcessEnv; label: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dataDir = fs.mkdtempSync(path.join(workDir, `db-${name}-`));
    const { DATABASE_URL: _unset, ...env } = process.env;
    return { env: { ...env, CREDENCE_DATA_DIR: dataDir }, label: `embedded (${dataDir})`, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const database = `credence_abusive_eval_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${database}`;
  return {
    env: { ...process.env, DATABASE_URL: url.toString() },
    label: `PostgreSQL scratch database ${database}`,
    async drop() {
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${database} with (force)`);
      await cleanup.end();
    },
  };
}

async function scoreStream(file: string, now: string, workDir: string, name: string): Promise<{ scores: Map<string, ScoreLine>; times: StepTimes; imported: unknown }> {
  const db = await freshDatabase(workDir, name);
  try {
    const imported = await run(['import', file], db.env);
    const recompute = await run(['recompute', '--as-of', now], db.env);
    const out = path.join(workDir, `scores.${name}.jsonl`);
    const scored = await run(['scores', '--as-of', now, '--out', out], db.env);
    const scores = new Map<string, ScoreLine>();
    for (const text of fs.readFileSync(out, 'utf8').split('\n')) {
      const parsed = parseScoreLine(text);
      if (parsed) scores.set(parsed[0], parsed[1]);
    }
    const lastLine = imported.stdout.trim().split('\n').pop() ?? '{}';
    return { scores, times: { import: imported.seconds, recompute: recompute.seconds, scores: scored.seconds }, imported: JSON.parse(lastLine) as unknown };
  } finally {
    await db.drop();
  }
}

function writeJsonl(file: string, rows: unknown[]): void {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

const f2 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(2));
const f3 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
const flagText = (s: FlagStats) => (s.flagged === 'not exposed' ? 'not exposed' : `${s.flagged}/${s.of}`);

function table(summary: AbuseSummary): string {
  const rows: string[][] = [['group', 'n', 'median', '/honest', 'own/clean', 'abusive flag']];
  const add = (name: string, g: GroupStats, flags?: FlagStats) =>
    rows.push([name, String(g.n), f2(g.median), f2(g.ratioToHonest), f2(g.medianOwnRatioToClean), flags ? flagText(flags) : '']);
  add('honest (not victims)', summary.honest, summary.honest);
  add('  of which also hire', summary.honest.hirers, summary.honest.hirers);
  add('victims (all)', summary.victims);
  for (const [v, g] of Object.entries(summary.victims.byVariant)) add(`  hit by ${v}`, g);
  add('abusive clients (agents)', summary.abusiveClients, summary.abusiveClients);
  for (const [v, g] of Object.entries(summary.abusiveClients.byVariant)) add(`  ${v}${v === 'sybil_ring' ? ` (${g.scored} scored)` : ''}`, g, g);
  add('bad workers (control)', summary.badWorkers, summary.badWorkers);
  rows.push(['newcomers', '', f2(summary.newcomerMedian), f2(summary.newcomerMedian / summary.honestMedian), '', '']);
  rows.push(['ordinary clients scored', String(summary.falseFlags.ordinaryClientsScored.of), '', '', '', flagText(summary.falseFlags.ordinaryClientsScored)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  const a = summary.auc;
  lines.push(
    `abusive clients: median at honest percentile ${f2(100 * summary.abusiveClients.medianPercentileInHonest)}, ${f2(100 * summary.abusiveClients.shareAtOrAboveHonestMedian)}% at or above the honest median`,
    `AUC trusted vs adversarial ${f3(a.trustedVsAdversarial)} | trusted vs abusive clients ${f3(a.trustedVsAbusiveClients)} | honest vs bad workers ${f3(a.honestVsBadWorkers)} | victims vs bad workers ${f3(a.victimsVsBadWorkers)}`,
  );
  return lines.join('\n');
}

/** JSON with numbers to 4 decimals (NaN becomes null). */
function rounded(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? Number(v.toFixed(4)) : null) : v));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seed: { type: 'string', default: '1' },
      agents: { type: 'string', default: '400' },
      platforms: { type: 'string', default: '5' },
      now: { type: 'string', default: '2026-01-01T00:00:00Z' },
      out: { type: 'string' },
      json: { type: 'string' },
      'no-clean': { type: 'boolean', default: false },
      root: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  const agents = Number(values.agents);
  const platforms = Number(values.platforms);
  if (!Number.isInteger(seed) || !Number.isInteger(agents) || agents < 100 || !Number.isInteger(platforms) || platforms < 1) {
    console.error('usage: --seed N [--agents M >= 100] [--platforms K >= 1] [--now ISO] [--out DIR] [--json FILE] [--no-clean] [--root DIR]');
    return 2;
  }
  if (values.root) ROOT = path.resolve(values.root);
  const started = performance.now();
  const market = generateMarket({ seed, agents, platforms, now: values.now });
  const keep = values.out !== undefined;
  const workDir = keep ? path.resolve(values.out!) : fs.mkdtempSync(path.join(os.tmpdir(), 'credence-abusive-'));
  fs.mkdirSync(workDir, { recursive: true });
  try {
    const fullFile = path.join(workDir, 'receipts.jsonl');
    const cleanFile = path.join(workDir, 'receipts.clean.jsonl');
    writeJsonl(fullFile, market.receipts satisfies ImportLine[]);
    writeJsonl(cleanFile, market.clean);
    writeJsonl(path.join(workDir, 'labels.jsonl'), market.labels);
    fs.writeFileSync(path.join(workDir, 'meta.json'), JSON.stringify(market.meta, null, 2) + '\n');
    const database = process.env.DATABASE_URL ? 'PostgreSQL (scratch database next to DATABASE_URL)' : 'embedded';
    console.error(`seed ${seed}: ${agents} agents, ${market.meta.platforms.length} platforms, ${market.meta.receipts} receipts (${market.meta.attackReceipts} in abusive hires); ${database}`);

    const full = await scoreStream(fullFile, market.meta.now, workDir, 'full');
    console.error(`full stream: import ${full.times.import.toFixed(1)} s, recompute ${full.times.recompute.toFixed(1)} s, scores ${full.times.scores.toFixed(1)} s`);
    const clean = values['no-clean'] ? null : await scoreStream(cleanFile, market.meta.now, workDir, 'clean');
    if (clean) console.error(`clean stream: import ${clean.times.import.toFixed(1)} s, recompute ${clean.times.recompute.toFixed(1)} s, scores ${clean.times.scores.toFixed(1)} s`);

    const summary = evaluateAbuse(market.labels, full.scores, clean?.scores);
    const result = {
      seed,
      agents,
      platforms: market.meta.platforms.length,
      now: market.meta.now,
      generator: market.meta.generator,
      receipts: market.meta.receipts,
      attackReceipts: market.meta.attackReceipts,
      counts: market.meta.counts,
      database,
      engine: ROOT,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      targets: {
        victimsRatioAtLeast0_9: summary.victims.ratioToHonest >= 0.9,
        abusiveClientsBelowHonestMedian: summary.abusiveClients.median < summary.honestMedian,
        abusiveClientsFlagged: summary.abusiveClients.flagged === 'not exposed' ? 'not exposed' : `${summary.abusiveClients.flagged}/${summary.abusiveClients.of}`,
        badWorkersClearlyLower: summary.badWorkers.ratioToHonest <= 0.6,
      },
      ...summary,
      ...(keep ? { files: workDir } : {}),
    };
    console.log(`== abusive clients, seed ${seed}, ${agents} agents, ${result.platforms} platform(s) ==`);
    console.log(table(summary));
    console.log(`flags in score lines: ${summary.flagsExposed ? 'exposed' : 'not exposed'}; runtime ${result.seconds} s`);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(JSON.parse(rounded(result)), null, 2) + '\n');
    console.log(rounded(result));
    return 0;
  } finally {
    if (!keep) fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
  },
);
