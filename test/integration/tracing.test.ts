// OpenTelemetry tracing through the real SDK with its in-memory exporter: the span tree of one trust read (HTTP
// request -> GraphQL operation -> Query.trust resolver -> SQL statements), the trace ids in the request's log line,
// a caller's traceparent continued, nothing exported with tracing off, and the OTLP/HTTP exporter reaching a collector.
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { sql } from 'kysely';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { openDatabase, type Database, type DatabaseOptions } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { createLogger } from '../../src/logger.ts';
import { startTracing, type Tracing } from '../../src/observability/tracing.ts';
import { createScratchPostgres, testDatabaseKinds, type TestDatabaseKind } from '../helpers/database.ts';
import { ISSUER_SEED, newKey } from '../helpers/test-app.ts';

const TRUST_READ = 'query TrustRead($did: String!) { trust(did: $did) { did tier score confidence } }';
const NOW = new Date('2026-11-01T12:00:00Z');
/** A caller's W3C trace context: the request span must continue this trace, as a child of this span. */
const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

interface Harness {
  app: App;
  database: Database;
  lines: Array<Record<string, any>>;
  close(): Promise<void>;
}

/** A real app on a migrated database of `kind`; its Kysely dialect is wrapped when `wrapDialect` is given. */
async function harness(kind: TestDatabaseKind, options: { tracing?: Tracing } = {}): Promise<Harness> {
  const wrap: Pick<DatabaseOptions, 'wrapDialect'> = options.tracing ? { wrapDialect: options.tracing.wrapDialect } : {};
  let database: Database;
  let dropScratch: (() => Promise<void>) | undefined;
  if (kind === 'embedded') {
    database = await openDatabase({ dataDir: 'memory://', ...wrap });
    await migrateToLatest(database.db);
  } else {
    const scratch = await createScratchPostgres(process.env.TEST_DATABASE_URL!, `credence_otel_${process.pid}`);
    database = await openDatabase({ databaseUrl: scratch.url, poolSize: 4, ...wrap });
    dropScratch = async () => {
      await database.close();
      await scratch.drop();
    };
  }
  const lines: Array<Record<string, any>> = [];
  const app = await createApp({
    config: loadConfig({ CREDENCE_PUBLIC_URL: 'http://localhost:4000', CREDENCE_DATA_DIR: 'memory://' }),
    database,
    issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
    clock: () => new Date(NOW),
    logger: createLogger('info', (line) => lines.push(JSON.parse(line))),
    ...(options.tracing ? { tracing: options.tracing } : {}),
  });
  return {
    app,
    database,
    lines,
    async close() {
      await app.services.trustChanges.close();
      if (dropScratch) await dropScratch();
      else await database.close();
    },
  };
}

async function trustRead(app: App, did: string, headers: Record<string, string> = {}) {
  const response = await app.yoga.fetch(
    new Request('http://localhost:4000/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: TRUST_READ, operationName: 'TrustRead', variables: { did } }),
    }),
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as any;
  expect(body.errors).toBeUndefined();
  expect(body.data.trust.did).toBe(did);
  return response;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe.each(testDatabaseKinds)('tracing on %s database', (kind) => {
  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: Tracing;
    let h: Harness;
    // Starting an embedded database and migrating it takes tens of seconds on a loaded machine.
    beforeAll(async () => {
      tracing = startTracing({ exporter });
      h = await harness(kind, { tracing });
    }, 180_000);
    afterAll(async () => {
      await h?.close();
      await tracing?.shutdown();
    });
    // The startup's own statements (key registry, status list) and earlier tests are not part of a request.
    beforeEach(() => exporter.reset());

    it('traces one trust read as HTTP span -> operation span -> resolver span -> SQL statement spans, ids in the log line', async () => {
      const did = newKey().did;
      const response = await trustRead(h.app, did, { traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`, 'x-request-id': 'otel-read-1' });
      const spans = exporter.getFinishedSpans();

      const http = spans.filter((span) => span.kind === SpanKind.SERVER);
      expect(http).toHaveLength(1);
      const request = http[0]!;
      expect(request.name).toBe('POST /graphql');
      expect(request.spanContext().traceId).toBe(CALLER_TRACE_ID);
      expect(parentOf(request)).toBe(CALLER_SPAN_ID);
      expect(request.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/graphql',
        'http.route': '/graphql',
        'http.response.status_code': 200,
        'credence.request_id': 'otel-read-1',
      });

      const operation = spans.find((span) => span.name === 'query.TrustRead');
      expect(operation, spans.map((span) => span.name).join(', ')).toBeDefined();
      expect(parentOf(operation!)).toBe(idOf(request));
      expect(operation!.attributes['graphql.execute.operationName']).toBe('TrustRead');
      expect(operation!.attributes['graphql.execute.variables']).toBeUndefined();

      const resolver = spans.find((span) => span.name === 'Query.trust');
      expect(resolver).toBeDefined();
      expect(parentOf(resolver!)).toBe(idOf(operation!));
      expect(resolver!.attributes['graphql.field.path']).toBe('trust');

      const statements = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.kind).toBe(SpanKind.CLIENT);
        expect(statement.attributes['db.system']).toBe('postgresql');
        expect(typeof statement.attributes['db.query.text']).toBe('string');
        expect(statement.name).toBe(statement.attributes['db.operation.name']);
        expect(statement.name).not.toBe('SQL');
        // Statements run by the resolver nest under it, in the same trace.
        expect(parentOf(statement)).toBe(idOf(resolver!));
      }
      // Placeholders only: the DID the caller asked about is a parameter value, never in any span.
      expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(did);
      // Every span of the request is in the caller's trace.
      for (const span of spans) expect(span.spanContext().traceId).toBe(CALLER_TRACE_ID);

      const [line, ...more] = h.lines.filter((entry) => entry.msg === 'request' && entry.requestId === response.headers.get('x-request-id'));
      expect(more).toEqual([]);
      expect(line).toMatchObject({ trace_id: CALLER_TRACE_ID, span_id: idOf(request), operation: 'TrustRead', status: 200 });
    });

    it('starts a new trace when the caller sends none', async () => {
      await trustRead(h.app, newKey().did);
      const request = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER)!;
      expect(request.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(request.spanContext().traceId).not.toBe(CALLER_TRACE_ID);
      expect(parentOf(request)).toBeUndefined();
    });

    it('marks a failing statement as an error, with the statement text and no parameter value', async () => {
      await expect(sql`select * from no_such_table where id = ${'secret-value'}`.execute(h.database.db)).rejects.toThrow(/no_such_table/);
      const [failed, ...others] = exporter.getFinishedSpans();
      expect(others).toEqual([]);
      expect(failed!.name).toBe('SELECT');
      expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed!.attributes['db.query.text']).toBe('select * from no_such_table where id = $1');
      expect(failed!.events.map((event) => event.name)).toContain('exception');
      expect(JSON.stringify(failed!.attributes)).not.toContain('secret-value');
    });
  });

  describe('with tracing off', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: Tracing;
    let h: Harness;
    beforeAll(async () => {
      // The SDK is registered globally (as if another part of the process traced), but this app was built without it.
      tracing = startTracing({ exporter });
      h = await harness(kind);
    }, 180_000);
    afterAll(async () => {
      await h?.close();
      await tracing?.shutdown();
    });

    it('exports nothing, and the log line has no trace ids', async () => {
      exporter.reset();
      const response = await trustRead(h.app, newKey().did, { traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01` });
      await h.app.yoga.fetch(new Request('http://localhost:4000/health'));
      expect(exporter.getFinishedSpans()).toEqual([]);
      const line = h.lines.find((entry) => entry.msg === 'request' && entry.requestId === response.headers.get('x-request-id'));
      expect(line).toBeDefined();
      expect(line).not.toHaveProperty('trace_id');
      expect(line).not.toHaveProperty('span_id');
    });
  });
});

describe('tracing configuration and export', () => {
  it('is off by default, on with CREDENCE_TRACING=true or an OTLP endpoint, and OTEL_SDK_DISABLED=true wins', () => {
    expect(loadConfig({}).tracing).toBe(false);
    expect(loadConfig({ CREDENCE_TRACING: 'false' }).tracing).toBe(false);
    expect(loadConfig({ CREDENCE_TRACING: 'true' }).tracing).toBe(true);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toBe(true);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).tracing).toBe(true);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }).tracing).toBe(false);
    expect(loadConfig({ CREDENCE_TRACING: 'true', OTEL_SDK_DISABLED: 'true' }).tracing).toBe(false);
    expect(() => loadConfig({ CREDENCE_TRACING: 'yes' })).toThrow(/CREDENCE_TRACING/);
  });

  it('keeps the SDK out of the service when tracing is off: no module of the service imports it statically', async () => {
    // A resolve hook that refuses the SDK and the envelop plugin: the service's modules load, the tracing module does not.
    const hook = `export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      if (/\\/node_modules\\/(@opentelemetry\\/sdk-|@envelop\\/opentelemetry\\/)/.test(result.url)) throw new Error('SDK loaded: ' + result.url);
      return result;
    }`;
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      await import('./src/main.ts');
      await import('./src/app.ts');
      await import('./src/cli/main.ts');
      console.log('service loaded');
      await import('./src/observability/tracing.ts').then(() => console.log('tracing loaded'), (error) => console.log('tracing refused: ' + error.message));
    `;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 120_000 });
    expect(stdout).toContain('service loaded');
    // The hook works: the tracing module itself is refused.
    expect(stdout).toMatch(/tracing refused: SDK loaded: .*@opentelemetry\/sdk-trace-node/);
  }, 150_000);

  describe('OTLP over HTTP', () => {
    let collector: Server | undefined;
    const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, service: process.env.OTEL_SERVICE_NAME };
    afterAll(async () => {
      if (saved.endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved.endpoint;
      if (saved.service === undefined) delete process.env.OTEL_SERVICE_NAME;
      else process.env.OTEL_SERVICE_NAME = saved.service;
      await new Promise<void>((resolve) => (collector ? collector.close(() => resolve()) : resolve()));
    });

    it('sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, under OTEL_SERVICE_NAME, by shutdown at the latest', async () => {
      const received: Array<{ path: string; contentType: string; body: string }> = [];
      collector = createServer((request: IncomingMessage, response) => {
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          received.push({ path: request.url ?? '', contentType: request.headers['content-type'] ?? '', body });
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', () => resolve()));
      const address = collector.address();
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      process.env.OTEL_SERVICE_NAME = 'credence-otlp-test';

      const tracing = startTracing();
      const h = await harness('embedded', { tracing });
      try {
        await trustRead(h.app, newKey().did);
      } finally {
        await h.close();
        await tracing.shutdown();
      }
      expect(received.length).toBeGreaterThan(0);
      expect(received.every((entry) => entry.path === '/v1/traces')).toBe(true);
      const payload = received.map((entry) => entry.body).join('\n');
      expect(payload).toContain('credence-otlp-test');
      expect(payload).toContain('POST /graphql');
      expect(payload).toContain('query.TrustRead');
      expect(payload).toContain('Query.trust');
      expect(payload).toContain('db.query.text');
    }, 180_000);
  });
});
