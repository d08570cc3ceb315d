// Named prepared statements for the few hot statements whose text never changes. Kysely sends every query unnamed
// (parsed and planned on each execution); a statement that starts with this marker is sent by name instead, so
// node-postgres prepares it once per connection and PostgreSQL reuses the plan.
import type pg from 'pg';

const PREFIX = '/* prepared:';
const NAME = /^\/\* prepared:([a-z0-9_]{1,63}) \*\//;

export function preparedStatementMarker(name: string): string {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad prepared statement name: ${name}`);
  return `${PREFIX}${name} */`;
}

/** Wraps one pooled client's query(text, values) so marked statements go by name. */
export function usePreparedStatements(client: pg.PoolClient | pg.Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text === 'string' && text.startsWith(PREFIX) && (args.length === 1 || Array.isArray(values))) {
      const name = NAME.exec(text)?.[1];
      if (name) return query({ name, text, values: values ?? [] });
    }
    return query(...args);
  };
}
