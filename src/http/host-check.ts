// Requests whose Host header (with their path) makes no URL: a port past 65535, a space, `OPTIONS *`. whatwg-node
// builds every request's URL from them and, when that throws, answers 500 with the error's stack trace as the body,
// which names the server's files. Such a request is refused here, before anything else runs, with 400 and a code, in
// the envelope of the API it was sent to, and counted and logged like any other answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logScope } from '../logger.ts';
import { nodeRequestId, observeAnswered, REQUEST_ID_HEADER, type ObservabilityDeps } from './observability.ts';

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export const BAD_HOST_MESSAGE = 'the Host header and the request target do not make a URL';

/** Whether whatwg-node can build this request's URL (it uses the local address when there is no Host). */
export function makesUrl(req: IncomingMessage): boolean {
  return URL.canParse(`http://${req.headers.host ?? 'localhost'}${req.url ?? ''}`);
}

export function refuseBadHost(next: NodeListener, observability: ObservabilityDeps): NodeListener {
  return (req, res) => {
    if (makesUrl(req)) {
      next(req, res);
      return;
    }
    const started = performance.now();
    const id = nodeRequestId(req);
    const path = (req.url ?? '').split('?')[0]!;
    const body = JSON.stringify(
      path.startsWith('/api/')
        ? { success: false, error: BAD_HOST_MESSAGE, code: 'BAD_REQUEST' }
        : { errors: [{ message: BAD_HOST_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] },
    );
    res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), [REQUEST_ID_HEADER]: id });
    res.end(body);
    logScope.run({ requestId: id }, () =>
      observeAnswered(observability, { method: req.method ?? 'OTHER', pathname: path || '/', status: 400, state: { started, errors: false } }),
    );
    // Any body is drained, so the connection can carry the client's next request.
    req.resume();
  };
}
