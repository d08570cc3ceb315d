// A read-only database handle whose every statement goes where the read router sends a public read: the replica
// inside a public request while it is serving, the primary otherwise (a writing or authenticated request, a
// background job, a replica that is behind, lagging or down), with the router's retry on the primary when the
// replica fails. Listing and profile repositories read through it; nothing writes through it and it opens no
// transaction. Without a replica it is the primary handle itself. Its statements are checked for text PostgreSQL
// cannot store where they land: on the primary's or the replica's own handle (src/db/nul-guard.ts).
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Db } from './database.ts';
import type { ReadRouter } from './read-router.ts';

class ReadOnlyHandleError extends Error {
  override name = 'ReadOnlyHandleError';
}

/** Each statement is one routed read; the "connection" is only a way to reach the router. */
class RoutedConnection implements DatabaseConnection {
  constructor(private readonly reads: ReadRouter) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { value } = await this.reads.read((db) => db.executeQuery<R>(compiledQuery));
    return value;
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new ReadOnlyHandleError('the public read handle does not stream');
  }
}

class RoutedDriver implements Driver {
  private readonly connection: RoutedConnection;

  constructor(reads: ReadRouter) {
    this.connection = new RoutedConnection(reads);
  }

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }
  async beginTransaction(): Promise<void> {
    throw new ReadOnlyHandleError('the public read handle opens no transaction: write through the primary');
  }
  async commitTransaction(): Promise<void> {
    throw new ReadOnlyHandleError('the public read handle opens no transaction');
  }
  async rollbackTransaction(): Promise<void> {
    throw new ReadOnlyHandleError('the public read handle opens no transaction');
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** The handle listing and profile reads use: routed statement by statement, or the primary without a replica. */
export function publicReadHandle(reads: ReadRouter): Db {
  if (!reads.hasReplica) return reads.primary;
  return new Kysely({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new RoutedDriver(reads),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
