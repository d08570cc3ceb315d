// GraphQL over SSE (the graphql-sse protocol) at /graphql/stream, in both of its modes, through yoga's
// plugin-graphql-sse: distinct connections (one event stream per operation, like yoga's own transport at /graphql)
// and a single connection (PUT reserves a stream token, one GET/POST with Accept: text/event-stream holds the
// stream, operations are POSTed with the token and stopped with DELETE).
//
// The plugin answers these requests itself, before yoga's request parsing, so this guard, placed just before it,
// brings them under the service's rules:
// - bodies are read through the capped reader (CREDENCE_MAX_BODY_BYTES) with the JSON nesting bound;
// - stream tokens are random UUIDs (the protocol's default is Math.random), since a token lets its holder add
//   operations to the stream and stop them;
// - a single-connection stream holds one subscription slot (CREDENCE_SUBSCRIPTIONS_MAX and _PER_ADDRESS) from its
//   reservation until it ends, a reservation nobody connects to within RESERVATION_TTL_MS is dropped, and an open
//   stream ends after CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS;
// - each subscription on it is a trustChanged subscription like any other: its own slot (per address and per DID),
//   idle timeout and lifetime, and the bearer token of the request that started it;
// - a refused operation (RATE_LIMITED, UNAUTHENTICATED, variables that do not coerce) is an event with its error,
//   not a bare 400.
import { randomUUID } from 'node:crypto';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Plugin } from 'graphql-yoga';
import { RateLimitError } from '../errors.ts';
import { JsonBodyError, MalformedContentLength, parseJsonBody, readBodyWithin } from './body.ts';
import { clientAddress } from './rate-limit.ts';
import { requestPath } from './request-path.ts';
import type { StreamSlots } from './stream-limits.ts';

export const GRAPHQL_SSE_ENDPOINT = '/graphql/stream';
/** The protocol's token header (graphql-sse's TOKEN_HEADER_KEY) and query parameter (for EventSource clients). */
const TOKEN_HEADER = 'x-graphql-event-stream-token';
const TOKEN_QUERY = 'token';
/** A reserved stream nobody connected to is dropped after this long: clients connect right after the PUT. */
export const RESERVATION_TTL_MS = 30_000;

export interface GraphQLSSEDeps {
  streams: StreamSlots;
  maxBodyBytes: number;
  trustProxy: number;
  /** Milliseconds a reservation waits for its connection; RESERVATION_TTL_MS unless given (tests shorten it). */
  reservationTtlMs?: number;
}

interface Reservation {
  release(): void;
  /** Drops the reservation if nobody connects in time. */
  expiry: ReturnType<typeof setTimeout>;
  connected: boolean;
}

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ errors: [{ message, extensions: { code } }] }, { status, headers });
}

function tokenOf(request: Request): string | null {
  const header = request.headers.get(TOKEN_HEADER);
  if (header) return header;
  return new URL(request.url, 'http://localhost').searchParams.get(TOKEN_QUERY);
}

/** The graphql-sse plugins, in order: the guard, then yoga's plugin. */
export function graphqlSsePlugins(deps: GraphQLSSEDeps): Plugin[] {
  const ttl = deps.reservationTtlMs ?? RESERVATION_TTL_MS;
  const reservations = new Map<string, Reservation>();
  /** Tokens minted for PUT requests by the guard, handed to the plugin's authenticate. */
  const minted = new WeakMap<Request, string>();

  const sse = useGraphQLSSE({
    endpoint: GRAPHQL_SSE_ENDPOINT,
    authenticate(req) {
      const request = req.raw as Request;
      return minted.get(request) ?? tokenOf(request) ?? undefined;
    },
  });

  /** Ends a reservation nobody connected to: the plugin forgets a stream only once it was connected and closed. */
  const drop = (token: string) => {
    const reservation = reservations.get(token);
    if (!reservation || reservation.connected) return;
    reservations.delete(token);
    reservation.release();
    const request = new Request(`http://localhost${GRAPHQL_SSE_ENDPOINT}`, {
      headers: { accept: 'text/event-stream', [TOKEN_HEADER]: token },
      signal: AbortSignal.abort(),
    });
    void Promise.resolve(
      sse.onRequest?.({
        request,
        endResponse: (response: Response) => void response.body?.cancel().catch(() => undefined),
        serverContext: {},
      } as never),
    ).catch(() => undefined);
  };

  /**
   * graphql-sse takes a result without a `data` key for execution arguments, and answers 400 "Unable to detect
   * operation AST": a subscription refused in its resolver (RATE_LIMITED, UNAUTHENTICATED) or variables that do not
   * coerce would lose their error and code. Given `data: null`, such a result is sent as an event like any other.
   */
  const withData = (contextValue: unknown) => {
    const request = (contextValue as { request?: Request } | null)?.request;
    // The substring test first: it rules out nearly every execution (those on /graphql) without parsing the URL,
    // which this request object, the context's, has often not had parsed yet (0.9% of the CPU of trust reads).
    if (!request || !request.url.includes(GRAPHQL_SSE_ENDPOINT) || requestPath(request) !== GRAPHQL_SSE_ENDPOINT) return undefined;
    return ({ result, setResult }: { result: unknown; setResult: (result: never) => void }) => {
      if (result && typeof result === 'object' && !(Symbol.asyncIterator in result) && !('data' in result)) {
        setResult({ ...(result as object), data: null } as never);
      }
    };
  };

  const guard: Plugin = {
    onSubscribe({ args }) {
      const fix = withData(args.contextValue);
      return fix ? { onSubscribeResult: fix } : undefined;
    },
    onExecute({ args }) {
      const fix = withData(args.contextValue);
      return fix ? { onExecuteDone: fix } : undefined;
    },
    async onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== GRAPHQL_SSE_ENDPOINT) return;
      if (request.method === 'POST') {
        let text: string;
        try {
          text = await readBodyWithin(request, deps.maxBodyBytes, () => new RangeError('too large'));
          parseJsonBody(text, { refuseNul: false });
        } catch (error) {
          if (error instanceof RangeError) return endResponse(errorResponse(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${deps.maxBodyBytes} bytes`));
          if (error instanceof MalformedContentLength) return endResponse(errorResponse(400, 'BAD_REQUEST', error.message));
          if (error instanceof JsonBodyError) return endResponse(errorResponse(400, 'BAD_REQUEST', error.problem === 'empty' ? 'request body must be a JSON object' : error.message));
          throw error;
        }
        // The plugin reads the body again with text(): it gets what was read here, within the cap.
        Object.defineProperty(request, 'text', { value: () => Promise.resolve(text), configurable: true });
        return;
      }
      if (request.method === 'PUT') {
        let release: () => void;
        try {
          release = deps.streams.acquire({ address: clientAddress(request, serverContext, deps.trustProxy), did: null });
        } catch (error) {
          if (error instanceof RateLimitError) {
            return endResponse(errorResponse(429, 'RATE_LIMITED', error.message, { 'retry-after': String(error.retryAfterSeconds) }));
          }
          throw error;
        }
        const token = randomUUID();
        minted.set(request, token);
        const expiry = setTimeout(() => drop(token), ttl);
        expiry.unref?.();
        reservations.set(token, { release, expiry, connected: false });
        return;
      }
    },
    onResponse({ request, response, setResponse }) {
      if (requestPath(request) !== GRAPHQL_SSE_ENDPOINT) return;
      const token = minted.get(request) ?? tokenOf(request);
      const reservation = token ? reservations.get(token) : undefined;
      if (request.method === 'PUT') {
        // Refused by the protocol (409, 406): the slot goes back at once.
        if (reservation && response.status !== 201) {
          clearTimeout(reservation.expiry);
          reservations.delete(token!);
          reservation.release();
        }
        return;
      }
      const isStream = response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
      if (!token || !reservation || reservation.connected || !isStream || !response.body) return;
      // The single connection opened: it keeps the reservation's slot until it ends, at most the maximum lifetime.
      reservation.connected = true;
      clearTimeout(reservation.expiry);
      const upstream = response.body.getReader();
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearTimeout(lifetime);
        reservations.delete(token);
        reservation.release();
      };
      const lifetime = setTimeout(() => {
        // Cancelling the plugin's stream completes every operation on it, and the pending read returns done, which
        // closes the response: the client sees the stream end and reconnects.
        end();
        void upstream.cancel().catch(() => undefined);
      }, deps.streams.options.maxLifetimeMs);
      lifetime.unref?.();
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          try {
            const { done, value } = await upstream.read();
            if (done) {
              end();
              c.close();
              return;
            }
            c.enqueue(value);
          } catch (error) {
            end();
            c.error(error);
          }
        },
        async cancel(reason) {
          end();
          await upstream.cancel(reason).catch(() => undefined);
        },
      });
      setResponse(new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
    },
  };
  return [guard, sse];
}
