import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { CompiledQueries, compiledQueriesPlugin } from '../../../src/http/compiled-queries.ts';
import { knownQueryAnswers, knownQueryPathPlugin } from '../../../src/http/known-query-path.ts';
import { requestParserPlugin } from '../../../src/http/security.ts';

const schema = createSchema({
  typeDefs: 'type Query { hello(name: String!): String! }',
  resolvers: { Query: { hello: (_: unknown, { name }: { name: string }, context: { greeting: string }) => `${context.greeting} ${name}` } },
});

function server(context: () => object) {
  const queries = new CompiledQueries();
  const answers = knownQueryAnswers({ queries, context });
  const path = knownQueryPathPlugin(answers, 10_000);
  const yoga = createYoga({
    schema,
    logging: false,
    context: () => ({ greeting: 'hi' }),
    // As in app.ts: the path before the parser, which reads the body the path already read.
    plugins: [path, requestParserPlugin(10_000), compiledQueriesPlugin({ queries })],
  });
  const ask = async (body: unknown) => {
    const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  return { ask, stats: () => answers.stats() };
}

describe('known-query path', () => {
  it('answers with its own context once a document is known, and hands on to yoga when building that context throws', async () => {
    let failing = false;
    const { ask, stats } = server(() => {
      if (failing) throw new Error('context failed');
      return { greeting: 'hi' };
    });
    const request = { query: 'query($n: String!) { hello(name: $n) }', variables: { n: 'ada' } };
    for (let i = 0; i < 3; i += 1) expect(await ask(request)).toEqual({ status: 200, body: { data: { hello: 'hi ada' } } });
    expect(stats()).toEqual({ answered: 1, answeredAhead: 0, handedOn: 0 });
    failing = true;
    expect(await ask(request)).toEqual({ status: 200, body: { data: { hello: 'hi ada' } } });
    expect(stats()).toEqual({ answered: 1, answeredAhead: 0, handedOn: 1 });
  });

  it('leaves the body to the parser for a document it does not know, and for a body that is not JSON', async () => {
    const { ask, stats } = server(() => ({ greeting: 'hi' }));
    expect(await ask({ query: '{ hello(name: "x") }' })).toEqual({ status: 200, body: { data: { hello: 'hi x' } } });
    const broken = await ask('{"query": ');
    expect(broken).toEqual({ status: 400, body: { errors: [expect.objectContaining({ message: 'the request body is not valid JSON' })] } });
    expect(stats()).toEqual({ answered: 0, answeredAhead: 0, handedOn: 0 });
  });
});
