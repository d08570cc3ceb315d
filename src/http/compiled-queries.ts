// Queries run through graphql-jit: each document is compiled once into plain functions (field collection, argument
// and variable coercion, result completion), so a warm read no longer walks the selection set on every request.
//
// Only for a document that holds exactly one operation, a query, requested with no operationName or with that
// query's own name: the JIT cache keys on the parsed document alone (not the operationName), so anything else could
// run, or fail with, what was compiled for another request; graphql-js answers those. Mutations and subscriptions
// stay on graphql-js's executor too: they are not the hot path, and their ordering and event semantics stay exactly
// as they were.
//
// Only from a document's second run: compiling costs about 0.5 ms (several warm reads), so a client that writes its
// arguments inline, sending a new document every time, would pay it on every request. Its documents keep running on
// graphql-js; a document that comes back is compiled once. (The parser cache hands out the same parsed document for
// the same text, which is what is counted.)
//
// Variables are coerced by the compiled query itself. graphql-jit answers variables that do not coerce with other
// errors than graphql-js (no locations, and a 200 where yoga answers 400), and such an answer holds errors and no
// `data` at all (no resolver ran), so that answer is dropped and the request runs on graphql-js, which gives the same
// answer as before. The same goes for a document graphql-jit could not compile. Only queries run here, so running
// one again has no effect beyond its answer. (Coercing every request's variables with graphql-js first, to choose the
// executor, was 2% of the server's CPU under the mixed load: twice per request, 100 DIDs in a trustBatch.)
//
// Field errors from compiled code carry their locations but not the AST nodes, and yoga rebuilds errors from nodes or
// source positions, so they are rebuilt here as graphql-js errors with source positions: clients see the same
// `locations` as before.
import { documentStringMap } from '@envelop/core';
import { useGraphQlJit, type JITCache } from '@envelop/graphql-jit';
import { GraphQLError, Kind, type DocumentNode, type ExecutionArgs, type ExecutionResult, type OperationDefinitionNode, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Compiled documents kept by their text; the oldest goes first. */
const MAX_COMPILED_DOCUMENTS = 1_000;
/** Longer documents still run compiled, but are not kept by their text (about 10 MB at most in all). */
const MAX_KEPT_LENGTH = 10_000;

type JITCacheEntry = Parameters<JITCache['set']>[1];

/** A query that has run compiled through the whole pipeline, and answered without errors. */
export interface ServedQuery {
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
}

/**
 * Compiled queries by document text: graphql-jit's cache (so a document parsed anew after the parser cache dropped
 * it is not compiled again), and the queries known to have been served by the whole pipeline, which
 * known-query-path.ts answers without it. Bounded: the oldest document goes first. A document dropped here still runs
 * compiled through yoga (graphql-jit also keeps it by parsed document), but takes the known-query path again only once
 * yoga's parser cache has dropped it too and it is compiled anew.
 */
export class CompiledQueries {
  private readonly compiled = new Map<string, JITCacheEntry>();
  private readonly served = new Map<string, ServedQuery>();

  /** graphql-jit's cache by document text (its `cache` option). */
  readonly jitCache: JITCache = {
    get: (text) => this.compiled.get(text),
    set: (text, entry) => {
      if (text.length > MAX_KEPT_LENGTH) return;
      if (this.compiled.size >= MAX_COMPILED_DOCUMENTS && !this.compiled.has(text)) {
        const oldest = this.compiled.keys().next().value!;
        this.compiled.delete(oldest);
        this.served.delete(oldest);
      }
      this.compiled.set(text, entry);
    },
  };

  /** Records that `text`, a document of one query, was answered by its compiled form without errors. */
  servedCompiled(text: string, operation: OperationDefinitionNode): void {
    if (this.served.has(text)) return;
    const entry = this.compiled.get(text);
    if (entry !== undefined && isCompiledQuery(entry as CompiledQuery)) this.served.set(text, { operation, compiled: entry as CompiledQuery });
  }

  /** The served query whose document is exactly `text`, if any. */
  find(text: string): ServedQuery | undefined {
    return this.served.get(text);
  }
}

interface DocumentSeen {
  /** The document's only operation when that is a query, else null. */
  query: OperationDefinitionNode | null;
  /** Executions so far. */
  runs: number;
}

/** What is known of a parsed document, counting this execution. */
function documentRuns(): ((document: DocumentNode) => DocumentSeen) & { known(document: DocumentNode): OperationDefinitionNode | null } {
  const known = new WeakMap<DocumentNode, DocumentSeen>();
  const count = (document: DocumentNode) => {
    let seen = known.get(document);
    if (seen === undefined) {
      const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      seen = { query: operations.length === 1 && operations[0]!.operation === 'query' ? operations[0]! : null, runs: 0 };
      known.set(document, seen);
    }
    // Capped: only "more than once" matters, and a counter that stops cannot overflow.
    if (seen.runs < 2) seen.runs += 1;
    return seen;
  };
  /** The document's only operation when that is a query, without counting a run. */
  return Object.assign(count, { known: (document: DocumentNode) => known.get(document)?.query ?? null });
}

/** The offset in `body` of a 1-based line and column (graphql-js counts lines after \r\n, \n or \r). */
function positionOf(body: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const match = /\r\n|[\n\r]/g;
    match.lastIndex = offset;
    const found = match.exec(body);
    if (!found) break;
    offset = found.index + found[0].length;
  }
  return offset + column - 1;
}

/** A compiled query's error as graphql-js makes it: same message, path, cause and extensions, positions in the source. */
function asGraphQLError(error: GraphQLError, source: Source | undefined): GraphQLError {
  if (error.nodes || !source || !error.locations?.length) return error;
  return new GraphQLError(error.message, {
    source,
    positions: error.locations.map(({ line, column }) => positionOf(source.body, line, column)),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions && Object.keys(error.extensions).length > 0 ? { extensions: error.extensions } : {}),
  });
}

type Executor = (args: ExecutionArgs) => unknown;

/**
 * Runs `compiled`, and `fallback` instead when the compiled answer is one no resolver ran for: errors without `data`
 * (variables that did not coerce, or a document graphql-jit could not compile).
 */
function orElse(compiled: Executor, fallback: Executor): Executor {
  return (args) => {
    const choose = (result: unknown) => {
      const single = result as ExecutionResult;
      return single.data === undefined && single.errors !== undefined && single.errors.length > 0 ? fallback(args) : result;
    };
    const result = compiled(args);
    return result instanceof Promise ? result.then(choose) : choose(result);
  };
}

export function compiledQueriesPlugin(options: { onCompileError?: (message: string) => void; queries?: CompiledQueries } = {}): Plugin {
  const runsOf = documentRuns();
  const queries = options.queries ?? new CompiledQueries();
  const jit = useGraphQlJit(
    {},
    {
      enableIf: (args) => {
        const { query, runs } = runsOf(args.document);
        if (query === null || runs < 2) return false;
        if (args.operationName !== undefined && args.operationName !== null && args.operationName !== query.name?.value) return false;
        // graphql-jit keeps compiled documents by the text envelop knows them by; yoga's parser does not tell it.
        if (args.document.loc && !documentStringMap.has(args.document)) documentStringMap.set(args.document, args.document.loc.source.body);
        return true;
      },
      cache: queries.jitCache,
      onError: (result) => options.onCompileError?.(result.errors?.map((error) => error.message).join('; ') ?? 'unknown'),
    },
  ) as Plugin;
  return {
    ...jit,
    onExecute(payload) {
      const source = payload.args.document.loc?.source;
      const done = {
        onExecuteDone({ result, setResult }: { result: unknown; setResult: (result: never) => void }) {
          const single = result as { data?: unknown; errors?: readonly GraphQLError[]; stringify?: unknown };
          // Only compiled answers carry graphql-jit's serializer; graphql-js's errors are left as they are.
          if (typeof single.stringify !== 'function') return;
          if (!single.errors?.length) {
            const query = runsOf.known(payload.args.document);
            if (source && query && single.data) queries.servedCompiled(source.body, query);
            return;
          }
          setResult({ ...single, errors: single.errors.map((error) => asGraphQLError(error, source)) } as never);
        },
      };
      const fallback = payload.executeFn;
      const enabled = jit.onExecute?.({ ...payload, setExecuteFn: (compiled) => payload.setExecuteFn(orElse(compiled, fallback)) });
      return enabled instanceof Promise ? enabled.then(() => done) : done;
    },
  };
}
