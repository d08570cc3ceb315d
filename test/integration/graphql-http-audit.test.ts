// The GraphQL-over-HTTP spec's audit suite (graphql-http's serverAudits) against /graphql: every MUST and SHOULD
// audit passes, none only warns.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp('embedded');
});
afterAll(async () => {
  await t.close();
});

describe('GraphQL over HTTP audits', () => {
  it('passes all 61 of graphql-http 1.23.1', async () => {
    const audits = serverAudits({
      url: 'http://localhost:4000/graphql',
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => Promise.resolve(t.app.yoga.fetch(new Request(input, init))),
    });
    const results = [];
    for (const audit of audits) results.push(await audit.fn());
    const failing = results.filter((result) => result.status !== 'ok').map((result) => `${result.status}: ${result.name}: ${String((result as { reason?: unknown }).reason ?? '')}`);
    expect(failing).toEqual([]);
    expect(results).toHaveLength(61);
  });
});
