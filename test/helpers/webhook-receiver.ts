// A local webhook receiver (node:http on 127.0.0.1): records every request with its raw body and answers with the
// status the test chose per path (a queue of statuses, then 200).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  status: number;
}

export interface WebhookReceiver {
  url(path: string): string;
  /** Every request so far, in arrival order. */
  requests: ReceivedWebhook[];
  /** Requests to one path that were answered 2xx (what the platform actually accepted). */
  accepted(path: string): ReceivedWebhook[];
  /** The next answers for a path (then 200). */
  failNext(path: string, ...statuses: number[]): void;
  /** Every request to a path is answered with this status from now on. */
  alwaysAnswer(path: string, status: number): void;
  /** Milliseconds to wait before answering (lets concurrent deliveries overlap). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const queued = new Map<string, number[]>();
  const fixed = new Map<string, number>();
  const requests: ReceivedWebhook[] = [];
  const state = { delayMs: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const status = queued.get(path)?.shift() ?? fixed.get(path) ?? 200;
      requests.push({ path, headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8'), status });
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(status < 300 ? '{"received":true}' : '{"error":"try later"}');
      }, state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    accepted: (path) => requests.filter((r) => r.path === path && r.status < 300),
    failNext(path, ...statuses) {
      queued.set(path, [...(queued.get(path) ?? []), ...statuses]);
    },
    alwaysAnswer(path, status) {
      fixed.set(path, status);
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
