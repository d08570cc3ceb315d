// A fresh PostgreSQL database for a benchmark run, dropped afterwards.
import { createScratchPostgres } from '../test/helpers/database.ts';

export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const interruptCleanups: Array<() => unknown> = [];

/** How long cleanups after an interrupt may take before the process exits anyway. */
const INTERRUPT_CLEANUP_MS = 20_000;

/**
 * Runs `cleanup` if the run is interrupted (Ctrl-C, SIGTERM), which skips every `finally`: the latest registered
 * first, each awaited, then exit 130. Returns a function that unregisters it. Further interrupts meanwhile are
 * ignored (Ctrl-C under `npm run` and tsx arrives twice: from the terminal and relayed by tsx), up to
 * INTERRUPT_CLEANUP_MS.
 */
export function onInterrupt(cleanup: () => unknown): () => void {
  if (interruptCleanups.length === 0) {
    let interrupted = false;
    const handler = async () => {
      if (interrupted) return;
      interrupted = true;
      // What the run was doing fails now (its server is going away): that failure must not end the process with
      // code 1 before the cleanups have run.
      process.on('uncaughtException', () => undefined);
      process.on('unhandledRejection', () => undefined);
      setTimeout(() => process.exit(130), INTERRUPT_CLEANUP_MS).unref();
      for (const run of [...interruptCleanups].reverse()) {
        try {
          await run();
        } catch (error) {
          console.error(`cleanup after interrupt failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      process.exit(130);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
  interruptCleanups.push(cleanup);
  return () => {
    const index = interruptCleanups.indexOf(cleanup);
    if (index >= 0) interruptCleanups.splice(index, 1);
  };
}

/** A scratch database, dropped by the caller at the end, or on Ctrl-C (an interrupted run used to leave it behind). */
export async function freshBenchDatabase() {
  const scratch = await createScratchPostgres(BENCH_ADMIN_URL, 'credence_bench');
  const forget = onInterrupt(() => scratch.drop());
  return {
    ...scratch,
    async drop() {
      forget();
      await scratch.drop();
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
