// Worker thread for Ed25519Signature2020 and Data Integrity (eddsa-rdfc-2022) proof checks: JSON-LD canonicalization can take seconds on a crafted
// document, so it runs here, where the pool can stop it, instead of on the main thread.
//
// Plain JavaScript importing only JavaScript packages, so it runs the same under tsx, vitest and the CLI. Every
// document (contexts, DID documents, keys) is asked of the main thread, which answers from the caller's loader:
// this worker never reads the network or the disk.
import { parentPort, workerData } from 'node:worker_threads';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsonld from 'jsonld';

/** A proof check needs a handful of documents (contexts, the key, its controller); more means something is off. */
const MAX_LOADS_PER_TASK = 32;
const PROOF_CACHE_LIMIT = 256;

// Canonical proof options, as on the main thread (see jsonld-proof.ts): the same for every credential one key
// signs within a second, and as costly as the credential itself.
const canonicalProofOptions = new Map();

function memoizedCanonicalProof(proof, document, canonize) {
  const { jws: _jws, signatureValue: _signatureValue, proofValue: _proofValue, ...proofOptions } = proof;
  const key = JSON.stringify([document['@context'] ?? null, proofOptions]);
  let canonical = canonicalProofOptions.get(key);
  if (!canonical) {
    canonical = canonize();
    canonical.catch(() => canonicalProofOptions.delete(key));
    if (canonicalProofOptions.size >= PROOF_CACHE_LIMIT) canonicalProofOptions.clear();
    canonicalProofOptions.set(key, canonical);
  }
  return canonical;
}

class Suite extends Ed25519Signature2020 {
  canonizeProof(proof, options) {
    return memoizedCanonicalProof(proof, options.document, () => super.canonizeProof(proof, options));
  }
}

class DataIntegritySuite extends DataIntegrityProof {
  constructor() {
    super({ cryptosuite: eddsaRdfc2022 });
  }

  canonizeProof(proof, options) {
    return memoizedCanonicalProof(proof, options.document, () => super.canonizeProof(proof, options));
  }
}

/** The proof types Credence accepts; the caller's shape check already tied each document to one of them. */
const suites = () => [new Suite(), new DataIntegritySuite()];

const pendingLoads = new Map();
let nextLoadId = 0;
/**
 * The bundled contexts, given at start-up or marked so by the main thread: they never change, so they are asked
 * for once (jsonld keeps processed contexts by URL across documents anyway).
 */
const staticDocuments = new Map(
  (workerData?.contexts ?? []).map(([url, document]) => [url, { contextUrl: null, documentUrl: url, document }]),
);

function loaderFor(taskId, prefetched) {
  let loads = 0;
  const given = new Map(prefetched ?? []);
  return (url) => {
    if (typeof url !== 'string') return Promise.reject(new TypeError('a document URL is a string'));
    const known = staticDocuments.get(url) ?? given.get(url);
    if (known) return Promise.resolve(known);
    loads += 1;
    if (loads > MAX_LOADS_PER_TASK) return Promise.reject(new Error(`more than ${MAX_LOADS_PER_TASK} documents requested`));
    const loadId = ++nextLoadId;
    return new Promise((resolve, reject) => {
      pendingLoads.set(loadId, { url, resolve, reject });
      parentPort.postMessage({ type: 'load', taskId, loadId, url });
    });
  };
}

function describeError(error) {
  if (!error) return 'verification failed';
  const nested = error.errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.map(describeError).join('; ');
  const message = error instanceof Error ? error.message : String(error);
  // jsonld's safe mode names the offending term only in the event details.
  const event = error.details?.event;
  if (!event) return message;
  const term = event.details?.property ?? event.details?.type ?? event.details?.value;
  return `${message} ${event.message ?? ''}${term !== undefined ? ` (${JSON.stringify(term)})` : ''}`.trim();
}

// Validity dates and status are checked by the caller with precise reasons: an unbounded skew turns the
// library's date checks off and the status check here is a no-op, so only the proof is judged.
const noStatus = async () => ({ verified: true });

async function run(task) {
  const documentLoader = loaderFor(task.taskId, task.prefetched);
  if (task.kind === 'credential') {
    const result = await vc.verifyCredential({
      credential: task.document,
      suite: suites(),
      documentLoader,
      maxClockSkew: Number.POSITIVE_INFINITY,
      checkStatus: noStatus,
    });
    return result.verified ? { verified: true } : { verified: false, error: describeError(result.error) };
  }
  const outcome = await vc.verify({
    presentation: task.document,
    suite: suites(),
    challenge: task.challenge,
    ...(task.domain !== undefined ? { domain: task.domain } : {}),
    documentLoader,
    now: new Date(task.now),
    maxClockSkew: Number.POSITIVE_INFINITY,
    checkStatus: noStatus,
  });
  if (outcome.presentationResult?.verified) return { verified: true };
  return { verified: false, error: describeError(outcome.presentationResult?.error ?? outcome.error) };
}

parentPort.on('message', async (message) => {
  if (message.type === 'loaded') {
    const pending = pendingLoads.get(message.loadId);
    if (!pending) return;
    pendingLoads.delete(message.loadId);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else {
      if (message.cacheable) staticDocuments.set(pending.url, message.remote);
      pending.resolve(message.remote);
    }
    return;
  }
  if (message.type === 'verify') {
    let answer;
    try {
      answer = await run(message);
    } catch (error) {
      answer = { verified: false, error: describeError(error) };
    }
    parentPort.postMessage({ type: 'done', taskId: message.taskId, ...answer });
  }
});

// Process the contexts Credence signs with and run the canonicalization code once before taking work, so the
// first real check is not charged for them against its budget.
async function warmUp() {
  const documentLoader = async (url) => {
    const known = staticDocuments.get(url);
    if (!known) throw new Error(`warm-up: no bundled context ${url}`);
    return known;
  };
  for (const contexts of workerData?.contextLists ?? []) {
    await jsonld.canonize(
      { '@context': contexts, type: ['VerifiableCredential'], issuer: 'did:example:issuer', credentialSubject: { id: 'did:example:subject' } },
      { algorithm: 'URDNA2015', format: 'application/n-quads', documentLoader, safe: true },
    );
  }
}

try {
  await warmUp();
} catch {
  // Only an optimisation: a real check processes the contexts itself.
}
parentPort.postMessage({ type: 'ready' });
