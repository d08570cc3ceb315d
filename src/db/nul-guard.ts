// PostgreSQL text cannot hold U+0000, nor a lone UTF-16 surrogate (no UTF-8 encoding): a value carrying one fails
// deep in the driver ("invalid byte sequence") and would surface as an internal error. This dialect wrapper looks at
// every statement a connection is about to send, whatever path its values came by (a decoded cursor or node id, a
// token's jti, a mutation argument, raw SQL), and refuses it as bad input before anything is sent, so the caller
// hears INVALID_INPUT and the transaction around it rolls back.
//
// It checks the compiled statement (its text and its flat parameter list) rather than the operation tree Kysely
// compiles from: walking every node of every statement cost about 7% of a receipt write's CPU, and the text also
// covers values inlined into it (sql.lit, identifiers).
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { InputError } from '../errors.ts';

export const NUL_MESSAGE = 'NUL characters (U+0000) and unpaired surrogates are not accepted';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textHasNul(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

/** Strings, and strings inside (nested) arrays: what reaches PostgreSQL as text or text[]. */
function valueHasNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return textHasNul(value);
  if (Array.isArray(value) && depth < 8) {
    for (const item of value) if (valueHasNul(item, depth + 1)) return true;
  }
  return false;
}

/** Whether a compiled statement's text or any of its parameters holds text PostgreSQL cannot store. */
export function statementHasNul(query: Pick<CompiledQuery, 'sql' | 'parameters'>): boolean {
  if (textHasNul(query.sql)) return true;
  for (const parameter of query.parameters) if (valueHasNul(parameter, 0)) return true;
  return false;
}

function refuseNul(query: CompiledQuery): void {
  if (statementHasNul(query)) throw new InputError(NUL_MESSAGE);
}

function guardedConnection(connection: DatabaseConnection): DatabaseConnection {
  // A proxy rather than a new object: the driver calls methods of its own connection class (release) on it, and
  // those use private fields, so every other member is forwarded bound to the real connection.
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'executeQuery') {
        return <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
          refuseNul(query);
          return target.executeQuery<R>(query);
        };
      }
      if (property === 'streamQuery') {
        return <R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> => {
          refuseNul(query);
          return target.streamQuery<R>(query, chunkSize);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function guardedDriver(driver: Driver): Driver {
  // The driver hands out the same connection object for the same pooled client: so does this, one proxy each.
  const guarded = new WeakMap<DatabaseConnection, DatabaseConnection>();
  return new Proxy(driver, {
    get(target, property) {
      if (property === 'acquireConnection') {
        return async () => {
          const connection = await target.acquireConnection();
          let proxy = guarded.get(connection);
          if (!proxy) guarded.set(connection, (proxy = guardedConnection(connection)));
          return proxy;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `dialect` whose connections refuse, as INVALID_INPUT, any statement carrying text PostgreSQL cannot store. */
export function nulGuardedDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => guardedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
