import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLScalarType, Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CompiledQueries, compiledQueriesPlugin } from '../../../src/http/compiled-queries.ts';

let counter = 0;
// Counts its coercions of variable values, and refuses "bad".
let parsedCodes = 0;
const Code = new GraphQLScalarType({
  name: 'Code',
  parseValue(value) {
    parsedCodes += 1;
    if (typeof value !== 'string' || value === 'bad') throw new TypeError('not a code');
    return value.toUpperCase();
  },
  serialize: (value) => value,
});
// Refuses literals while `refuseLiterals` is set: a document validated (and cached as valid) before the switch then
// fails when graphql-jit compiles it, which reads its literal arguments at compile time.
let refuseLiterals = false;
const Tag = new GraphQLScalarType({
  name: 'Tag',
  parseLiteral(node) {
    if (refuseLiterals || node.kind !== Kind.STRING) throw new TypeError('not a tag');
    return node.value;
  },
  parseValue: (value) => value,
  serialize: (value) => value,
});
const schema = createSchema({
  typeDefs: `
    scalar Code
    scalar Tag
    type Query { a: Int!, twice(x: Int!): Int!, list(ids: [String!]!): [String!]!, broken: Int!, code(c: Code!): String!, tag(t: Tag!): String! }
    type Mutation { bump: Int! }
  `,
  resolvers: {
    Code,
    Tag,
    Query: {
      code: (_: unknown, { c }: { c: string }) => c,
      tag: (_: unknown, { t }: { t: string }) => t,
      a: () => 1,
      twice: (_: unknown, { x }: { x: number }) => 2 * x,
      list: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => id.toUpperCase()),
      broken: () => {
        throw new Error('resolver failed');
      },
    },
    Mutation: { bump: () => ++counter },
  },
});

/** Records, per execution, whether graphql-jit ran it (it hands yoga its own serializer on the result). */
function probe(seen: boolean[]): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result }) => {
        seen.push(typeof (result as { stringify?: unknown }).stringify === 'function');
      },
    }),
  };
}

function server(compiled: boolean, seen: boolean[] = [], compileErrors: string[] = []) {
  const plugins: Plugin[] = [probe(seen)];
  if (compiled) plugins.push(compiledQueriesPlugin({ onCompileError: (message) => compileErrors.push(message) }));
  return createYoga({ schema, plugins, logging: false, maskedErrors: false });
}

async function ask(yoga: ReturnType<typeof server>, body: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('compiled queries (graphql-jit)', () => {
  it('runs single-query documents compiled and answers exactly what graphql-js answers', async () => {
    const seen: boolean[] = [];
    const compiled = server(true, seen);
    const plain = server(false);
    const requests: Array<Record<string, unknown>> = [
      { query: '{ a }' },
      { query: 'query Q($x: Int!) { twice(x: $x) a }', variables: { x: 21 } },
      { query: 'query Q($x: Int!) { twice(x: $x) a }', variables: { x: 21 }, operationName: 'Q' },
      { query: 'query($ids: [String!]!) { list(ids: $ids) }', variables: { ids: ['a', 'b'] } },
      { query: 'query($ids: [String!]!) { list(ids: $ids) }', variables: { ids: 'a' } }, // a single value coerces to a list
      { query: '{ a broken }' },
      // Field errors keep their locations, on any line and with any line ending.
      { query: 'query {\n  a\n    broken\n}' },
      { query: 'query {\r\n  a\r\n\r\n      broken }' },
    ];
    // Twice each: a document runs on graphql-js the first time and compiled from the second.
    for (const request of requests) {
      const expected = await ask(plain, request);
      expect(await ask(compiled, request)).toEqual(expected);
      expect(await ask(compiled, request)).toEqual(expected);
    }
    expect((await ask(compiled, requests[7]!)).body.errors[0].locations).toEqual([{ line: 4, column: 7 }]);
    // requests[2] and [4] repeat the documents of [1] and [3], so they run compiled at once.
    const F = false;
    const T = true;
    expect(seen).toEqual([F, T, F, T, T, T, F, T, T, T, F, T, F, T, F, T, T]);
  });

  it('answers bad variables with graphql-js\'s errors, from either executor', async () => {
    const seen: boolean[] = [];
    const compiled = server(true, seen);
    const plain = server(false);
    // The document runs compiled once it has been seen (the second valid request)...
    for (let x = 1; x <= 2; x += 1) expect((await ask(compiled, { query: 'query Q($x: Int!) { twice(x: $x) }', variables: { x } })).body).toEqual({ data: { twice: 2 * x } });
    for (const variables of [{}, { x: 'seven' }, { x: null }, { x: 2 ** 40 }]) {
      const request = { query: 'query Q($x: Int!) { twice(x: $x) }', variables };
      const [jit, js] = [await ask(compiled, request), await ask(plain, request)];
      expect(jit.body.errors?.length).toBeGreaterThan(0);
      expect(jit).toEqual(js);
    }
    // ...but variables that do not coerce go to graphql-js, which answers them before executing anything.
    expect(seen).toEqual([false, true, false, false, false, false]);
  });

  it('coerces a compiled request\'s variables once, and answers those that do not coerce as graphql-js does', async () => {
    const seen: boolean[] = [];
    const compiled = server(true, seen);
    const plain = server(false);
    const query = 'query($c: Code!) { code(c: $c) }';
    for (const c of ['ab', 'cd']) expect((await ask(compiled, { query, variables: { c } })).body).toEqual({ data: { code: c.toUpperCase() } });
    parsedCodes = 0;
    expect((await ask(compiled, { query, variables: { c: 'ef' } })).body).toEqual({ data: { code: 'EF' } });
    // Once, by the compiled query: choosing the executor does not coerce them again.
    expect(parsedCodes).toBe(1);
    const [jit, js] = [await ask(compiled, { query, variables: { c: 'bad' } }), await ask(plain, { query, variables: { c: 'bad' } })];
    expect(jit.status).toBe(400);
    expect(jit).toEqual(js);
    expect(seen).toEqual([false, true, true, false]);
  });

  it('leaves documents with several operations, a mismatched operationName and mutations to graphql-js', async () => {
    const seen: boolean[] = [];
    const compiled = server(true, seen);
    const plain = server(false);
    const twoOperations = 'query A { a } query B($x: Int = 2) { twice(x: $x) }';
    // Alternating names over one parsed document: a cache keyed on the document alone would answer B with A.
    for (const operationName of ['B', 'A', 'B']) {
      const request = { query: twoOperations, operationName };
      const answer = await ask(compiled, request);
      expect(answer).toEqual(await ask(plain, request));
      expect(answer.body.data).toEqual(operationName === 'A' ? { a: 1 } : { twice: 4 });
    }
    // A wrong operationName first must not leave anything behind for the right one.
    const wrong = await ask(compiled, { query: 'query Q { a }', operationName: 'Other' });
    expect(wrong).toEqual(await ask(plain, { query: 'query Q { a }', operationName: 'Other' }));
    expect(wrong.body.errors.length).toBe(1);
    for (let i = 0; i < 2; i += 1) expect((await ask(compiled, { query: 'query Q { a }', operationName: 'Q' })).body).toEqual({ data: { a: 1 } });
    for (let i = 0; i < 2; i += 1) expect((await ask(compiled, { query: 'mutation { bump }' })).body.data.bump).toBeGreaterThan(0);
    // B, A and B ran on graphql-js (the wrong name never reached execution); `query Q` with its own name ran compiled
    // the second time; the mutation never did.
    expect(seen).toEqual([false, false, false, false, true, false, false]);
  });

  it('compiles a document that comes back, and never one seen once (arguments written inline)', async () => {
    const compileErrors: string[] = [];
    const seen: boolean[] = [];
    const compiled = server(true, seen, compileErrors);
    for (let x = 0; x < 50; x += 1) {
      expect((await ask(compiled, { query: 'query($x: Int!) { twice(x: $x) }', variables: { x } })).body).toEqual({ data: { twice: 2 * x } });
    }
    expect(seen).toEqual([false, ...Array.from({ length: 49 }, () => true)]);
    seen.length = 0;
    for (let x = 0; x < 20; x += 1) expect((await ask(compiled, { query: `{ twice(x: ${x}) }` })).body).toEqual({ data: { twice: 2 * x } });
    expect(seen).toEqual(Array.from({ length: 20 }, () => false));
    expect(compileErrors).toEqual([]);
  });

  it('answers a document graphql-jit could not compile with graphql-js, every time, and reports the failure once', async () => {
    const compileErrors: string[] = [];
    const seen: boolean[] = [];
    const compiled = server(true, seen, compileErrors);
    const plain = server(false);
    const request = { query: '{ tag(t: "blue") a }' };
    try {
      // The first run validates the document (the verdict is cached) and executes it on graphql-js; on both servers,
      // so that both answer the next run from a cached verdict.
      for (const yoga of [compiled, plain]) expect((await ask(yoga, request)).body).toEqual({ data: { tag: 'blue', a: 1 } });
      // The second run compiles it, and compiling reads the literal, which is now refused: graphql-js answers instead,
      // exactly as a server without compiled queries does.
      refuseLiterals = true;
      const [jit, js] = [await ask(compiled, request), await ask(plain, request)];
      expect(js.body.errors?.length).toBeGreaterThan(0);
      expect(jit).toEqual(js);
      expect(compileErrors).toHaveLength(1);
      expect(compileErrors[0]).toMatch(/tag|Tag|blue/);
      // graphql-jit keeps the failed compilation for this document: every later run must still reach graphql-js,
      // which now answers it in full.
      refuseLiterals = false;
      for (let i = 0; i < 3; i += 1) expect(await ask(compiled, request)).toEqual({ status: 200, body: { data: { tag: 'blue', a: 1 } } });
      expect(compileErrors).toHaveLength(1);
      expect(seen).toEqual([false, false, false, false, false]);
    } finally {
      refuseLiterals = false;
    }
  });

  it('keeps a query served compiled without errors by its text, and no other', async () => {
    const queries = new CompiledQueries();
    const yoga = createYoga({ schema, plugins: [compiledQueriesPlugin({ queries })], logging: false, maskedErrors: false });
    const served = 'query Twice($x: Int!) { twice(x: $x) }';
    for (let i = 0; i < 2; i += 1) expect((await ask(yoga, { query: served, variables: { x: 2 } })).body).toEqual({ data: { twice: 4 } });
    const found = queries.find(served);
    expect(found?.operation.name?.value).toBe('Twice');
    expect(found?.compiled.query(undefined, {}, { x: 5 })).toMatchObject({ data: { twice: 10 } });
    // Not: a document seen once, one whose compiled answer had errors, a mutation, and a document of two operations.
    const once = '{ a }';
    await ask(yoga, { query: once });
    const failing = '{ broken }';
    const mutation = 'mutation { bump }';
    const two = 'query A { a } query B { a }';
    for (let i = 0; i < 3; i += 1) {
      await ask(yoga, { query: failing });
      await ask(yoga, { query: mutation });
      await ask(yoga, { query: two, operationName: 'A' });
    }
    for (const text of [once, failing, mutation, two]) expect(queries.find(text)).toBeUndefined();
  });

  it('keeps at most 1,000 documents by text, dropping the oldest, and none longer than 10,000 characters', () => {
    const queries = new CompiledQueries();
    const entry = { query: () => ({ data: {} }), stringify: JSON.stringify } as never;
    queries.jitCache.set('x'.repeat(10_001), entry);
    expect(queries.jitCache.get('x'.repeat(10_001))).toBeUndefined();
    for (let i = 0; i < 1_001; i += 1) queries.jitCache.set(`{ a } # ${i}`, entry);
    expect(queries.jitCache.get('{ a } # 0')).toBeUndefined();
    expect(queries.jitCache.get('{ a } # 1')).toBe(entry);
    expect(queries.jitCache.get('{ a } # 1000')).toBe(entry);
  });
});
