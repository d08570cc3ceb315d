// Spans for the request path: one SERVER span per HTTP request (continuing the caller's trace when a W3C
// traceparent header comes in), the GraphQL operation span from @envelop/opentelemetry under it, and one span per
// root field and per trust field, active while that resolver runs so its database statements nest under it.
// Loaded only when tracing is on.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { getNamedType, isObjectType, responsePathAsArray, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { logScope } from '../logger.ts';
import { routeOf } from '../http/observability.ts';

const TRACER_NAME = 'credence';
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Object types whose every field gets a span: the root fields, where the work of an operation starts. */
const ROOT_TYPES = new Set(['Query', 'Mutation']);
/** Fields returning these get a span wherever they appear (Agent.trust): the trust reads. */
const TRACED_RETURN_TYPES = new Set(['TrustReport']);

const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/** The tracer of the app that built each GraphQL context; resolvers of other apps (no tracing) are left alone. */
const tracerByContext = new WeakMap<object, Tracer>();
const WRAPPED = Symbol('credence.tracedResolver');

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function endWithError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}

/**
 * Wraps the chosen resolvers of `schema` once. The schema object is shared by every app in the process, so the
 * wrapper looks up the calling context's tracer and, without one, calls the resolver as it was.
 */
function traceResolvers(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const traced = ROOT_TYPES.has(type.name) || TRACED_RETURN_TYPES.has(getNamedType(field.type).name);
      if (!traced || !field.resolve || (field as unknown as Record<symbol, boolean>)[WRAPPED]) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve;
      const spanName = `${type.name}.${field.name}`;
      field.resolve = function tracedResolver(source, args, contextValue, info) {
        const tracer = typeof contextValue === 'object' && contextValue !== null ? tracerByContext.get(contextValue) : undefined;
        if (!tracer) return resolve.call(this, source, args, contextValue, info);
        const attributes = {
          'graphql.field.name': info.fieldName,
          'graphql.field.type': info.returnType.toString(),
          'graphql.field.path': responsePathAsArray(info.path).join('.'),
        };
        return tracer.startActiveSpan(spanName, { attributes }, (span) => {
          let result: unknown;
          try {
            result = resolve.call(this, source, args, contextValue, info);
          } catch (error) {
            endWithError(span, error);
            throw error;
          }
          if (!isPromiseLike(result)) {
            span.end();
            return result;
          }
          return Promise.resolve(result).then(
            (value) => {
              span.end();
              return value;
            },
            (error: unknown) => {
              endWithError(span, error);
              throw error;
            },
          );
        });
      };
      (field as unknown as Record<symbol, boolean>)[WRAPPED] = true;
    }
  }
}

/** The HTTP request span, and the trace ids added to every log line written while the request is handled. */
function httpSpanPlugin(tracer: Tracer): Plugin {
  const spans = new WeakMap<Request, Span>();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
        const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
        const requestId = logScope.getStore()?.requestId;
        const span = tracer.startSpan(
          method,
          {
            kind: SpanKind.SERVER,
            attributes: {
              [ATTR_HTTP_REQUEST_METHOD]: method,
              // The path only: query strings may carry a GraphQL document and its variables.
              [ATTR_URL_PATH]: new URL(request.url, 'http://localhost').pathname.slice(0, 200),
              ...(typeof requestId === 'string' ? { 'credence.request_id': requestId } : {}),
            },
          },
          parent,
        );
        spans.set(request, span);
        const { traceId, spanId } = span.spanContext();
        const finish = () => span.end();
        const failed = (error: unknown) => {
          endWithError(span, error);
          throw error;
        };
        let outcome: unknown;
        try {
          outcome = context.with(trace.setSpan(parent, span), () =>
            logScope.run({ ...logScope.getStore(), trace_id: traceId, span_id: spanId }, wrapped),
          );
        } catch (error) {
          failed(error);
        }
        if (isPromiseLike(outcome)) return Promise.resolve(outcome).then(finish, failed);
        finish();
        return outcome as void;
      },
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      if (!span) return;
      const route = routeOf(new URL(request.url, 'http://localhost').pathname, response.status);
      span.updateName(`${KNOWN_METHODS.has(request.method) ? request.method : 'OTHER'} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    },
  };
}

/** Remembers which tracer serves each GraphQL context, and wraps the traced resolvers of the schema in use. */
function resolverSpanPlugin(tracer: Tracer): Plugin {
  return {
    onSchemaChange({ schema }) {
      traceResolvers(schema);
    },
    onContextBuilding() {
      return ({ context: built }) => {
        tracerByContext.set(built, tracer);
      };
    },
  };
}

/** The yoga plugins of a traced app, in order: right after the observability plugin (it sets the request id). */
export function tracingPlugins(provider: TracerProvider): Plugin[] {
  const tracer = provider.getTracer(TRACER_NAME);
  return [
    httpSpanPlugin(tracer),
    // Operation spans ("query.TrustRead"): no variables, no results, and the document only when it carries no
    // inline argument values. Resolver spans are ours (above), which stay active while the resolver runs.
    useOpenTelemetry({ resolvers: false, variables: false, result: false, document: true }, provider, SpanKind.INTERNAL, {}, TRACER_NAME) as Plugin,
    resolverSpanPlugin(tracer),
  ];
}
