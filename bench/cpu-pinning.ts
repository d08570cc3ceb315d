// CPU pinning for the load bench: the server on a core of its own; the load generator (this process) and a local
// PostgreSQL share the others. Unpinned on this 2-core machine, the same build measured anywhere from 700 to 1,160 µs
// of server CPU per answer from run to run: PostgreSQL's backends and the server took turns on the same core. Pinning
// removes that; a shared host's own drift remains, so builds are compared by the CPU ratio the bench prints (µs per
// GET /health ÷ µs per answer, both from the same run). Linux only (taskset); BENCH_PIN=0 turns it off, and where it
// cannot be done the bench says so and runs unpinned.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface CpuPinning {
  /** taskset's CPU list for the server. */
  serverCpus: string;
  /** taskset's CPU list for everything else. */
  otherCpus: string;
}

function taskset(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('taskset', args, { encoding: 'utf8' });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** The plan, or null (with why) when pinning is off or cannot help. */
export function planCpuPinning(): { plan: CpuPinning | null; why: string } {
  if (process.env.BENCH_PIN === '0') return { plan: null, why: 'off (BENCH_PIN=0)' };
  const cpus = availableParallelism();
  if (cpus < 2) return { plan: null, why: 'one CPU only' };
  if (!taskset(['-V']).ok) return { plan: null, why: 'taskset not found' };
  return { plan: { serverCpus: String(cpus - 1), otherCpus: cpus === 2 ? '0' : `0-${cpus - 2}` }, why: '' };
}

/** The pids of a process's children (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The CPU list a process may run on now (taskset -p -c), or null. */
function affinityOf(pid: number): string | null {
  const { ok, out } = taskset(['-p', '-c', String(pid)]);
  return ok ? (out.split(':').pop()?.trim() ?? null) : null;
}

/**
 * Moves this process and, when the database runs on this machine and its data directory is readable, the PostgreSQL
 * postmaster and its processes (new backends inherit the postmaster's affinity) to `plan.otherCpus`. Returns what it
 * did, and a function that puts PostgreSQL back as it was.
 */
export async function pinLoadSide(plan: CpuPinning, databaseUrl: string): Promise<{ summary: string; restore: () => void }> {
  const mine = taskset(['-a', '-p', '-c', plan.otherCpus, String(process.pid)]).ok;
  const parts = [`server on CPU ${plan.serverCpus}`, mine ? `this process on CPU ${plan.otherCpus}` : 'this process unpinned (taskset refused)'];
  let restore = () => undefined as void;
  const host = new URL(databaseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) {
    parts.push('PostgreSQL unpinned (not on this machine)');
    return { summary: parts.join('; '), restore };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const directory = (await client.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
    const postmaster = Number(readFileSync(join(directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const before = affinityOf(postmaster);
    const processes = [postmaster, ...childPids(postmaster)];
    const pinned = processes.filter((pid) => taskset(['-p', '-c', plan.otherCpus, String(pid)]).ok).length;
    if (pinned === 0 || before === null) {
      parts.push('PostgreSQL unpinned (taskset refused)');
    } else {
      parts.push(`PostgreSQL (postmaster ${postmaster} and ${pinned - 1} of its processes) on CPU ${plan.otherCpus}`);
      restore = () => {
        for (const pid of [postmaster, ...childPids(postmaster)]) taskset(['-p', '-c', before, String(pid)]);
      };
    }
  } catch (error) {
    parts.push(`PostgreSQL unpinned (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    await client.end().catch(() => undefined);
  }
  return { summary: parts.join('; '), restore };
}
