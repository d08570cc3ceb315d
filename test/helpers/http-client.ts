// A TestApp-shaped client over real HTTP, so the marketplace helpers drive a listening server (in this process or
// spawned) exactly as they drive yoga.fetch. The clock is the real one: a spawned server cannot be given another.
import type { Ed25519KeyPair } from '../../src/crypto/ed25519.ts';
import { mintAuthToken } from '../../src/auth/mint-token.ts';
import type { GraphQLResponse, TestApp, TestKey } from './test-app.ts';

export interface HttpTestClient {
  url: string;
  admin: TestKey;
  readonly now: Date;
  /** Every bearer token this client minted (for secrecy checks). */
  tokens: string[];
  token(key: Ed25519KeyPair): string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, auth?: Ed25519KeyPair | string): Promise<GraphQLResponse<T>>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The same client typed for the helpers written against TestApp (they use gql, token, now and admin). */
  asTestApp(): TestApp;
}

export function httpTestClient(url: string, serviceDid: string, admin: TestKey): HttpTestClient {
  const tokens: string[] = [];
  const client: HttpTestClient = {
    url,
    admin,
    get now() {
      return new Date();
    },
    tokens,
    token(key) {
      const token = mintAuthToken(key, { audience: serviceDid });
      tokens.push(token);
      return token;
    },
    async gql(query, variables, auth) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth !== undefined) headers.authorization = `Bearer ${typeof auth === 'string' ? auth : client.token(auth)}`;
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status };
    },
    fetch: (path, init) => fetch(`${url}${path}`, init),
    asTestApp: () => client as unknown as TestApp,
  };
  return client;
}
