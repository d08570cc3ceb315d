// Known queries answered at node:http, ahead of yoga. The known-query path (known-query-path.ts) already skips yoga's
// GraphQL handling, but a request it answers still pays for the fetch-API request and response objects, the plugin
// chain and its hooks: most of a warm read's cost once the engine answers from memory (docs/performance-log.md,
// 2026-12-06, "Reads ahead of yoga"). This path answers the commonest read there is, a server-side client's POST of a
// known query with no credentials, straight from node's request, and does for it what yoga's plugins do for such a
// request:
// - the request id (echoed when sane), the log line and the request metrics (observability.ts, observeAnswered);
// - the rate limit by address, from the same buckets, charged before the body is read as the plugin charges it
//   (rate-limit.ts, addressAllows);
// - public reads may go to the replica (read-routing.ts: no bearer token and a query);
// - the body limit: only a declared length within CREDENCE_MAX_BODY_BYTES is read here, and the decoded text must
//   fit it too (body.ts);
// - the same answer: the compiled query with the context yoga would build, its text, its media type and status.
//
// Only requests that no other plugin would change are taken: POST to exactly /graphql, a JSON content type, a declared
// length, a Host (one that makes a URL: host-check.ts refuses the others first), an Accept yoga answers with JSON, no
// Authorization (read routing, DID limits, tokens), no Origin (CORS). Any other request goes to yoga untouched. A taken
// request whose address is limited goes to yoga unread (yoga answers the 429 from the same charge, not a second one);
// one whose body is not a known query, or whose answer has errors, goes to yoga with the body read here (whatwg-node
// takes a node request whose body was read as `body`), and yoga answers it as any other. One difference is left: a
// client that goes away mid-body is dropped here without the log line and the 500 (which nobody receives) that yoga
// records for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { logScope } from '../logger.ts';
import type { ReadRouter } from '../db/read-router.ts';
import { answerMediaType, JSON_TYPES, type KnownQueryAnswers } from './known-query-path.ts';
import type { NodeListener } from './host-check.ts';
import { nodeRequestId, observeAnswered, operationLabel, REQUEST_ID_HEADER, type ObservabilityDeps } from './observability.ts';
import type { RateLimits } from './rate-limit.ts';

export interface NodeReadPathDeps {
  /** Yoga's own node listener: every request not answered here goes to it. */
  yoga: NodeListener;
  answers: KnownQueryAnswers;
  /** The fetch API request yoga's context is built from (the context reads its headers). */
  request(url: string, headers: IncomingMessage['headers']): Request;
  limits: RateLimits;
  reads: ReadRouter;
  observability: ObservabilityDeps;
  maxBodyBytes: number;
  /** CORS origins are configured: every answer then says it varies by Origin (cors.ts), these too. */
  varyOrigin: boolean;
}

/** The node request, with the body read here for yoga (whatwg-node reads `body` instead of the stream when set). */
type ReadRequest = IncomingMessage & { body?: Readable };

/** The declared body length when this path may take the request (headers alone decide), else null. */
function takenLength(req: IncomingMessage, maxBodyBytes: number): number | null {
  if (req.method !== 'POST' || req.url !== '/graphql') return null;
  const headers = req.headers;
  if (headers.host === undefined || headers.authorization !== undefined || headers.origin !== undefined || headers['transfer-encoding'] !== undefined) return null;
  const type = headers['content-type'];
  if (type === undefined || !JSON_TYPES.has(type.split(',')[0]!.split(';')[0]!.trim().toLowerCase())) return null;
  const declared = headers['content-length'];
  if (declared === undefined || !/^\d{1,12}$/.test(declared)) return null;
  const length = Number(declared);
  return length <= maxBodyBytes ? length : null;
}

/** The request's URL as whatwg-node builds it; a Host that makes no URL was refused ahead of this (host-check.ts). */
function requestUrl(req: IncomingMessage): string {
  return `http://${req.headers.host!}${req.url!}`;
}

function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.once('end', () => (received === length ? resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)) : reject(new Error('body length'))));
    req.once('error', reject);
  });
}

/** Whether this path began reading the body, and the body once read. */
interface BodyState {
  reading: boolean;
  body?: Buffer;
}

export function nodeReadPath(deps: NodeReadPathDeps): NodeListener {
  const reads = deps.reads.hasReplica ? deps.reads : null;

  /**
   * Yoga, with the body when this path read it. As a stream: whatwg-node counts a pre-read body's own keys, which for
   * a Buffer is one per byte (a megabyte held the event loop for 150 ms or more).
   */
  function handOn(req: ReadRequest, res: ServerResponse, body: Buffer | undefined): void {
    if (body !== undefined) req.body = Readable.from(body);
    deps.yoga(req, res);
  }

  /** The answer, written; false when yoga must answer instead (the body is then in `read`, or still unread). */
  async function answer(req: ReadRequest, res: ServerResponse, length: number, url: string, id: string, read: BodyState): Promise<boolean> {
    const started = performance.now();
    const request = deps.request(url, req.headers);
    const serverContext = { req, res };
    // Charged before the body is read, as yoga's plugin charges it: a limited client gets its 429 from yoga at once.
    if (!(await deps.limits.addressAllows(request, serverContext))) return false;
    read.reading = true;
    const body = await readBody(req, length);
    read.body = body;
    const answerType = answerMediaType(req.headers.accept ?? null);
    if (answerType === null) return false;
    const text = body.toString('utf8');
    // Yoga's reader applies the limit to the decoded text too (each byte that is not UTF-8 becomes three).
    if (Buffer.byteLength(text) > deps.maxBodyBytes) return false;
    const known = deps.answers.fromBody(text);
    if (known === null) return false;
    const run = () => deps.answers.run(known, request, serverContext, true);
    const answered = await (reads ? reads.run(false, run) : run());
    if (answered === null) return false;
    const headers: Record<string, string | number> = {
      'Content-Type': `${answerType}; charset=utf-8`,
      'content-length': Buffer.byteLength(answered),
      [REQUEST_ID_HEADER]: id,
    };
    if (deps.varyOrigin) headers.vary = 'Origin';
    res.writeHead(200, headers);
    res.end(answered);
    const operation = known.served.operation;
    observeAnswered(deps.observability, {
      method: 'POST',
      pathname: '/graphql',
      status: 200,
      state: { started, operation: operationLabel(operation), type: operation.operation, errors: false },
    });
    return true;
  }

  return (req, res) => {
    const length = takenLength(req, deps.maxBodyBytes);
    if (length === null) {
      deps.yoga(req, res);
      return;
    }
    const url = requestUrl(req);
    const id = nodeRequestId(req);
    // Yoga, if the request goes on to it, keeps this id (so a line logged here and the request's own line agree).
    req.headers[REQUEST_ID_HEADER] = id;
    const read: BodyState = { reading: false };
    // Inside the request's log scope, as yoga's plugin runs the whole request: lines logged meanwhile, and the
    // request's own line, carry its id.
    logScope
      .run({ requestId: id }, () => answer(req, res, length, url, id, read))
      .then(
        (answered) => {
          if (!answered) handOn(req, res, read.body);
        },
        () => {
          // The client went away mid-body (or sent another length than it declared): nobody to answer, and the body
          // is half read. Yoga logs that as an unexpected error and counts a 500 that nobody receives; here it is
          // dropped (its address was charged, as yoga charges it).
          if (read.reading && read.body === undefined) return void req.destroy();
          // Thrown before an answer was written (a failing shared rate-limit store, say): yoga answers it as it would.
          if (!res.headersSent) handOn(req, res, read.body);
        },
      );
  };
}
