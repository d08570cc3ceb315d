// A small pool of worker threads that check JSON-LD proofs (Ed25519Signature2020 and Data Integrity;
// proof-worker.mjs) with a time budget each.
//
// Canonicalizing a JSON-LD document costs up to quadratic time in its blank nodes, and it happens before the
// signature is known to be good, so anyone can make the verifier do it. Off the main thread the service keeps
// answering; with a budget, a worker that takes too long is terminated and replaced, and the check answers
// TOO_COSTLY. Idle workers are unref'd, so the pool never keeps a process (a CLI run, a test) alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  DATA_INTEGRITY_VC_CONTEXTS,
  JSONLD_VC_CONTEXTS,
  JSONLD_VP_CONTEXTS,
  JWT_VC_CONTEXTS,
  STATUS_LIST_CONTEXTS,
  bundledContexts,
} from './contexts.ts';
import type { DocumentLoader, RemoteDocument } from './document-loader.ts';

let bundledDocuments: Map<string, object> | undefined;
const bundled = () => (bundledDocuments ??= bundledContexts());

/** The contexts of the forms Credence issues, for the worker to hold and to warm up with. */
function startupData() {
  const lists = [JSONLD_VC_CONTEXTS, DATA_INTEGRITY_VC_CONTEXTS, JWT_VC_CONTEXTS, STATUS_LIST_CONTEXTS, JSONLD_VP_CONTEXTS];
  const urls = new Set(lists.flat());
  return {
    contextLists: lists.map((list) => [...list]),
    contexts: [...urls].map((url) => [url, bundled().get(url)]),
  };
}

export type ProofTask =
  | { kind: 'credential'; document: object }
  | { kind: 'presentation'; document: object; challenge: string; domain?: string; now: Date };

/** `tooCostly`: not checked (over budget, queue full, pool closed); a later check may succeed. */
export type ProofOutcome = { verified: true } | { verified: false; error: string; tooCostly: boolean };

export interface ProofPoolOptions {
  /** Worker threads (default: one less than the cores, at least 1, at most 4). */
  size?: number;
  /** Longest a single proof check may run in a worker, in milliseconds (default 2,000). */
  budgetMs?: number;
  /** Checks waiting for a worker beyond this many are refused as TOO_COSTLY (default 256). */
  maxQueue?: number;
}

export interface ProofPool {
  /**
   * Checks the proof. Documents the worker asks for are loaded through `documentLoader`; `prefetched` ones (already
   * loaded from it, such as the issuer's DID document and key) travel with the task and save a round trip each.
   */
  run(task: ProofTask, documentLoader: DocumentLoader, prefetched?: ReadonlyMap<string, RemoteDocument>): Promise<ProofOutcome>;
  /** Terminates the workers; checks still waiting are answered as failed. */
  close(): Promise<void>;
  /** Workers alive (starting or ready); for tests and metrics. */
  readonly workerCount: number;
}

export const DEFAULT_PROOF_BUDGET_MS = 2_000;
const DEFAULT_MAX_QUEUE = 256;
/** Enough for a few dozen credentials at once; a check needing more is not one Credence issued. */
const WORKER_HEAP_MB = 256;
const WORKER_URL = new URL('./proof-worker.mjs', import.meta.url);

interface Pending {
  id: number;
  task: ProofTask;
  documentLoader: DocumentLoader;
  prefetched?: ReadonlyMap<string, RemoteDocument>;
  resolve: (outcome: ProofOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current?: Pending;
  timer?: NodeJS.Timeout;
}

export function createProofPool(options: ProofPoolOptions = {}): ProofPool {
  const size = Math.max(1, options.size ?? Math.min(4, availableParallelism() - 1));
  const budgetMs = options.budgetMs ?? DEFAULT_PROOF_BUDGET_MS;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let nextId = 0;
  let closed = false;

  function spawn(): void {
    // A clean worker: no tsx or test-runner flags; it imports JavaScript only.
    const worker = new Worker(WORKER_URL, {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      workerData: startupData(),
    });
    const slot: Slot = { worker, ready: false };
    slots.add(slot);
    worker.on('message', (message: WorkerMessage) => onMessage(slot, message));
    worker.on('error', (error) => retire(slot, `the proof worker failed (${error.message})`, false));
    worker.on('exit', (code) => retire(slot, `the proof worker exited (code ${code})`, false));
  }

  function onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      dispatch();
      return;
    }
    const pending = slot.current;
    if (!pending || message.taskId !== pending.id) return;
    if (message.type === 'load') {
      void answerLoad(slot, pending, message.loadId, message.url);
      return;
    }
    clearTimeout(slot.timer);
    slot.current = undefined;
    pending.resolve(message.verified ? { verified: true } : { verified: false, error: message.error ?? 'verification failed', tooCostly: false });
    dispatch();
  }

  async function answerLoad(slot: Slot, pending: Pending, loadId: number, url: string): Promise<void> {
    let reply: Record<string, unknown>;
    try {
      const remote = await pending.documentLoader(url);
      // The bundled contexts never change: the worker may keep them (jsonld keeps processed contexts by URL anyway).
      const cacheable = bundled().get(url) === remote.document;
      reply = {
        type: 'loaded',
        loadId,
        cacheable,
        remote: plainRemote(remote),
      };
    } catch (error) {
      reply = { type: 'loaded', loadId, error: error instanceof Error ? error.message : String(error) };
    }
    // The task may have timed out meanwhile; its worker is gone then.
    if (slot.current !== pending) return;
    try {
      slot.worker.postMessage(reply);
    } catch (error) {
      slot.worker.postMessage({ type: 'loaded', loadId, error: `document ${url} cannot be passed on (${(error as Error).message})` });
    }
  }

  function retire(slot: Slot, reason: string, tooCostly: boolean): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.timer);
    const pending = slot.current;
    slot.current = undefined;
    void slot.worker.terminate();
    if (pending) pending.resolve({ verified: false, error: reason, tooCostly });
    else if (!slot.ready) {
      // A worker that cannot even start would fail every check: answer the waiting ones instead of respawning.
      for (const waiting of queue.splice(0)) waiting.resolve({ verified: false, error: reason, tooCostly: false });
    }
    dispatch();
  }

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.ready || slot.current) continue;
      start(slot, queue.shift()!);
    }
    let starting = [...slots].filter((slot) => !slot.ready).length;
    while (queue.length > starting && slots.size < size) {
      spawn();
      starting += 1;
    }
    for (const slot of slots) {
      // Busy or starting for a waiting check: keep the process alive. Idle: let it exit.
      if (slot.current || (!slot.ready && queue.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  function start(slot: Slot, pending: Pending): void {
    slot.current = pending;
    slot.timer = setTimeout(
      () => retire(slot, `too costly: the proof check took longer than ${budgetMs} ms`, true),
      budgetMs,
    );
    const { task } = pending;
    slot.worker.postMessage({
      type: 'verify',
      taskId: pending.id,
      kind: task.kind,
      document: task.document,
      prefetched: [...(pending.prefetched ?? [])].map(([url, remote]) => [url, plainRemote(remote)]),
      ...(task.kind === 'presentation'
        ? { challenge: task.challenge, domain: task.domain, now: task.now.toISOString() }
        : {}),
    });
  }

  return {
    run(task, documentLoader, prefetched) {
      if (closed) return Promise.resolve({ verified: false, error: 'the proof pool is closed', tooCostly: true });
      if (queue.length >= maxQueue) {
        return Promise.resolve({ verified: false, error: `too costly: more than ${maxQueue} proof checks are waiting`, tooCostly: true });
      }
      return new Promise<ProofOutcome>((resolve) => {
        queue.push({ id: ++nextId, task, documentLoader, ...(prefetched ? { prefetched } : {}), resolve });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const waiting of queue.splice(0)) waiting.resolve({ verified: false, error: 'the proof pool is closed', tooCostly: true });
      await Promise.all(
        [...slots].map((slot) => {
          slots.delete(slot);
          clearTimeout(slot.timer);
          slot.current?.resolve({ verified: false, error: 'the proof pool is closed', tooCostly: true });
          return slot.worker.terminate();
        }),
      );
    },
    get workerCount() {
      return slots.size;
    },
  };
}

function plainRemote(remote: RemoteDocument): RemoteDocument {
  return { contextUrl: remote.contextUrl ?? null, documentUrl: remote.documentUrl, document: remote.document };
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'load'; taskId: number; loadId: number; url: string }
  | { type: 'done'; taskId: number; verified: boolean; error?: string };

// --- the process-wide pool --------------------------------------------------------------------------------------

let shared: ProofPool | undefined;
let sharedOptions: ProofPoolOptions = {};

/** The pool verification uses; created on first use. */
export function proofPool(): ProofPool {
  shared ??= createProofPool(sharedOptions);
  return shared;
}

/** Replaces the process-wide pool's settings (the next check starts a new pool). */
export async function configureProofPool(options: ProofPoolOptions): Promise<void> {
  sharedOptions = options;
  const previous = shared;
  shared = undefined;
  await previous?.close();
}

/** Terminates the process-wide pool's workers (on shutdown); a later check starts a new pool. */
export async function closeProofPool(): Promise<void> {
  const previous = shared;
  shared = undefined;
  await previous?.close();
}
