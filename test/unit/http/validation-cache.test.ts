// Validation results kept per parsed document: a repeated document is validated once, its errors are answered again
// without validating, and a request validated against another set of rules is validated anew.
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError, type FieldNode, type ValidationContext } from 'graphql';
import { describe, expect, it } from 'vitest';
import { validationCachePlugin } from '../../../src/http/validation-cache.ts';

const schema = createSchema({
  typeDefs: 'type Query { a: Int!, b: Int! }',
  resolvers: { Query: { a: () => 1, b: () => 2 } },
});

/**
 * Adds, on every request, a fresh closure of a rule (as the armor plugin does) that counts its runs and refuses any
 * document selecting `b`; with the header `x-extra-rule`, one more rule for that request only.
 */
function countingRules(runs: { count: number }): Plugin {
  return {
    onValidate({ addValidationRule, context }) {
      addValidationRule((validation: ValidationContext) => {
        runs.count += 1;
        return {
          Field(node: FieldNode) {
            if (node.name.value === 'b') validation.reportError(new GraphQLError('b is refused here', { nodes: [node] }));
          },
        };
      });
      const request = (context as { request?: Request }).request;
      if (request?.headers.get('x-extra-rule')) addValidationRule(() => ({}));
    },
  };
}

function server(runs: { count: number }) {
  return createYoga({ schema, parserAndValidationCache: { validationCache: false }, plugins: [countingRules(runs), validationCachePlugin()] });
}

async function ask(yoga: ReturnType<typeof server>, query: string, headers: Record<string, string> = {}) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> } };
}

describe('validationCachePlugin', () => {
  it('validates a repeated document once', async () => {
    const runs = { count: 0 };
    const yoga = server(runs);
    for (let i = 0; i < 3; i += 1) expect((await ask(yoga, '{ a }')).body).toEqual({ data: { a: 1 } });
    expect(runs.count).toBe(1);
    await ask(yoga, '{ alias: a }');
    expect(runs.count).toBe(2);
  });

  it('answers a refused document with the same errors every time, without validating it again', async () => {
    const runs = { count: 0 };
    const yoga = server(runs);
    const first = await ask(yoga, '{ b }');
    expect(first.body.errors?.map((error) => error.message)).toEqual(['b is refused here']);
    expect(await ask(yoga, '{ b }')).toEqual(first);
    expect(runs.count).toBe(1);
  });

  it('validates anew a request that carries another set of rules', async () => {
    const runs = { count: 0 };
    const yoga = server(runs);
    await ask(yoga, '{ a }');
    await ask(yoga, '{ a }', { 'x-extra-rule': '1' });
    expect(runs.count).toBe(2);
  });
});
