// Database spans: a Kysely dialect whose connections open one CLIENT span per statement, child of whatever span is
// active (the resolver's, or the HTTP request's). The statement text is Kysely's compiled SQL, with $1..$n
// placeholders: parameter values never reach the span.
import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';

/** The older attribute name, still the one many trace backends show and filter on. */
const ATTR_DB_SYSTEM_LEGACY = 'db.system';

/**
 * The statement's leading keyword (SELECT, INSERT, WITH, BEGIN...), past blanks, comments and opening parentheses: a
 * span name of bounded cardinality. "SQL" when there is none.
 */
export function statementOperation(sql: string): string {
  const match = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/.exec(sql);
  return match ? match[1]!.toUpperCase() : 'SQL';
}

function startStatementSpan(tracer: Tracer, query: CompiledQuery): Span {
  const operation = statementOperation(query.sql);
  return tracer.startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_SYSTEM_LEGACY]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_TEXT]: query.sql,
    },
  });
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

function tracedConnection(connection: DatabaseConnection, tracer: Tracer): DatabaseConnection {
  // A proxy rather than a new object: the driver calls methods of its own connection class (release) on it, and
  // those use private fields, so every other member is forwarded bound to the real connection.
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'executeQuery') {
        return async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
          const span = startStatementSpan(tracer, query);
          try {
            return await target.executeQuery<R>(query);
          } catch (error) {
            fail(span, error);
            throw error;
          } finally {
            span.end();
          }
        };
      }
      if (property === 'streamQuery') {
        return async function* <R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
          const span = startStatementSpan(tracer, query);
          try {
            yield* target.streamQuery<R>(query, chunkSize);
          } catch (error) {
            fail(span, error);
            throw error;
          } finally {
            span.end();
          }
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function tracedDriver(driver: Driver, tracer: Tracer): Driver {
  return new Proxy(driver, {
    get(target, property) {
      if (property === 'acquireConnection') {
        return async () => tracedConnection(await target.acquireConnection(), tracer);
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `dialect` with a span around every statement its connections run (transaction BEGIN and COMMIT included). */
export function tracedDialect(dialect: Dialect, tracer: Tracer): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => tracedDriver(dialect.createDriver(), tracer),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
