// Request ids, one structured log line per request, and the request metrics. Must be the first plugin: it wraps
// the whole handling (so every line logged meanwhile carries the request id) and sees every response, including
// those other plugins end early (413, 429, 404).
//
// The log line holds the method, the path (never the query string), the GraphQL operation, the status and the
// duration: never bodies, variables or headers, which is where tokens and secrets travel.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { getOperationAST, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { logScope, type Logger } from '../logger.ts';
import type { Metrics } from './metrics.ts';
import { requestPath } from './request-path.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Printable, short, and safe to echo and log: anything else is replaced by a fresh id. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@=+/-]{0,127}$/;

export function requestIdFrom(header: string | null): string {
  return header !== null && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** A node request's id, as the plugin takes it from the fetch-API request (a repeated header is no sane id). */
export function nodeRequestId(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  return requestIdFrom(typeof header === 'string' ? header : null);
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Probes and scrapes log at debug level, so they do not drown the request log. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);
const MAX_LOGGED_PATH = 200;
const MAX_OPERATION_LABEL = 80;

/** First path segments the service answers; any other path is "unmatched", whatever its status. */
const KNOWN_FIRST_SEGMENTS = new Set(['graphql', 'health', 'ready', 'metrics', '.well-known', 'api', 'badge', 'agents', 'credentials', 'contexts', 'mcp']);

/**
 * The route a path belongs to, from a fixed set of values: the first segment of a known route ("/graphql",
 * "/api/*"), or "unmatched" for a 404 and for any path outside the known routes (an OPTIONS or HEAD to a junk path
 * must not mint a label of its own).
 */
export function routeOf(pathname: string, status: number): string {
  if (status === 404) return 'unmatched';
  const segments = pathname.split('/').filter((segment) => segment.length > 0);
  if (segments.length === 0) return '/';
  const first = segments[0]!;
  if (!KNOWN_FIRST_SEGMENTS.has(first)) return 'unmatched';
  return segments.length === 1 ? `/${first}` : `/${first}/*`;
}

/** The operation's name, or its root fields for an anonymous one ("{trust,trustBatch}"). */
export function operationLabel(operation: OperationDefinitionNode): string {
  if (operation.name) return operation.name.value.slice(0, MAX_OPERATION_LABEL);
  const fields = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.add(selection.name.value);
    else fields.add('...');
  }
  return `{${[...fields].sort().join(',')}}`.slice(0, MAX_OPERATION_LABEL);
}

interface RequestState {
  id: string;
  started: number;
  operation?: string;
  type?: string;
  errors: boolean;
}

export interface ObservabilityDeps {
  logger: Logger;
  metrics: Metrics;
}

// One state per request object; a request is handled by one app, so the apps of one process can share the map.
const states = new WeakMap<Request, RequestState>();
function stateOf(request: Request): RequestState {
  let state = states.get(request);
  if (!state) {
    state = { id: requestIdFrom(request.headers.get(REQUEST_ID_HEADER)), started: performance.now(), errors: false };
    states.set(request, state);
  }
  return state;
}

/** Labels the request's log line and metrics with the operation it runs (also for the known-query path). */
export function recordOperation(request: Request, operation: OperationDefinitionNode): void {
  const state = stateOf(request);
  state.operation = operationLabel(operation);
  state.type = operation.operation;
}

export function observabilityPlugin(deps: ObservabilityDeps): Plugin {
  /** The operation actually executed or subscribed. */
  const recordExecuted = (args: { contextValue: unknown; document: unknown; operationName?: string | null }) => {
    const request = (args.contextValue as { request?: Request }).request;
    if (!request) return;
    const operation = getOperationAST(args.document as DocumentNode, args.operationName ?? undefined);
    if (operation) recordOperation(request, operation);
  };

  return {
    instrumentation: {
      request({ request }, wrapped) {
        return logScope.run({ requestId: stateOf(request).id }, wrapped);
      },
    },
    onRequest({ request }) {
      stateOf(request);
    },
    onParams({ params, request }) {
      const state = stateOf(request);
      if (typeof params.operationName === 'string' && params.operationName.length > 0) {
        state.operation = /^[_A-Za-z][_0-9A-Za-z]*$/.test(params.operationName) ? params.operationName.slice(0, MAX_OPERATION_LABEL) : '(invalid)';
      }
    },
    onExecute({ args }) {
      recordExecuted(args);
    },
    onSubscribe({ args }) {
      recordExecuted(args);
    },
    onExecutionResult({ result, request }) {
      if (result && !(Symbol.asyncIterator in result) && (result.errors?.length ?? 0) > 0) stateOf(request).errors = true;
    },
    onResponse({ request, response, setResponse }) {
      const state = stateOf(request);
      try {
        response.headers.set(REQUEST_ID_HEADER, state.id);
      } catch {
        // Immutable headers (a proxied response): copy it.
        const headers = new Headers(response.headers);
        headers.set(REQUEST_ID_HEADER, state.id);
        setResponse(new Response(response.body, { status: response.status, statusText: response.statusText, headers }));
      }
      observeAnswered(deps, { method: request.method, pathname: requestPath(request), status: response.status, state });
    },
  };
}

export interface AnsweredRequest {
  method: string;
  pathname: string;
  status: number;
  state: Pick<RequestState, 'started' | 'operation' | 'type' | 'errors'>;
}

/**
 * The request's metrics and its log line, once answered: by yoga (the plugin above) or by the read path ahead of it
 * (node-read-path.ts), which must count and log exactly as yoga's answers are counted and logged.
 */
export function observeAnswered(deps: ObservabilityDeps, { method: rawMethod, pathname, status, state }: AnsweredRequest): void {
  const seconds = (performance.now() - state.started) / 1000;
  const method = METHODS.has(rawMethod) ? rawMethod : 'OTHER';
  const isGraphQL = pathname === '/graphql';
  const operation = isGraphQL ? (state.operation ?? '(none)') : undefined;
  const type = isGraphQL ? (state.type ?? 'unknown') : undefined;
  deps.metrics.observeRequest({
    method,
    route: routeOf(pathname, status),
    status,
    seconds,
    ...(isGraphQL ? { graphql: { operation: operation!, type: type!, errors: state.errors } } : {}),
  });
  const log = QUIET_PATHS.has(pathname) ? deps.logger.debug : deps.logger.info;
  log('request', {
    method,
    path: pathname.slice(0, MAX_LOGGED_PATH),
    ...(isGraphQL ? { operation, operationType: type, graphqlErrors: state.errors } : {}),
    status,
    durationMs: Math.round(seconds * 10_000) / 10,
  });
}

/**
 * Yoga's own logger calls, made safe: yoga passes raw Error objects (every masked or re-coded error); they are
 * reduced to their name and message at debug level (unexpected errors are logged by the error masking already).
 */
export function yogaLogger(logger: Logger) {
  const describe = (args: unknown[]) => {
    const [first] = args;
    if (typeof first === 'string') return { message: first };
    if (first instanceof Error) return { message: 'graphql error', fields: { error: `${first.name}: ${first.message}`.slice(0, 500) } };
    return { message: 'graphql log' };
  };
  const at = (level: 'debug' | 'info' | 'warn') => (...args: unknown[]) => {
    const { message, fields } = describe(args);
    logger[level](message, fields);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('debug') };
}
