// Thousands of random and malformed GraphQL requests at the API: random token soup, truncated and mutated valid
// operations built from the schema, wrong variable types, huge strings, deep nesting, unicode, and broken request
// envelopes. The server must stay up, answer every one with well-formed JSON (data or errors, every error with a
// message, nothing internal leaking), and store nothing. Seeded: a failure names its case and reproduces.
import { sql } from 'kysely';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { createLogger } from '../../src/logger.ts';
import { createScene, signReceipt } from '../helpers/marketplace.ts';
import { prng } from '../helpers/receipt-lines.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const CASES = 5_200;
const SEED = 0x5eed_2026;

/** What must never reach a client: stack frames, file paths, driver and runtime error texts. */
const LEAKS = [
  /\bat [\w.<>]+ \(/,
  /node_modules/,
  /\.ts:\d+/,
  /\/src\//,
  /TypeError|ReferenceError|RangeError/,
  /Cannot read propert/,
  /is not a function/,
  /syntax error at or near/,
  /violates .* constraint/,
  /duplicate key/,
  /relation "/,
  /ECONNREFUSED|ECONNRESET/,
  /pglite|kysely/i,
];

interface FuzzCase {
  kind: string;
  init: RequestInit & { path?: string };
}

describe('fuzzing the GraphQL API (embedded database)', () => {
  let t: TestApp;
  let knownDid: string;
  const unexpectedLogs: string[] = [];
  const random = prng(SEED);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T,>(items: readonly T[]): T => items[int(items.length)]!;

  beforeAll(async () => {
    const logger = createLogger('error', (line) => unexpectedLogs.push(line));
    t = await createTestApp('embedded', {}, { logger });
    // Some data for the reads to find.
    const scene = await createScene(t);
    knownDid = scene.agent.did;
    await t.gql(`mutation($r: String!) { submitReceipt(receipt: $r) { __typename } }`, { r: signReceipt(t, scene) });
  });
  afterAll(async () => {
    await t.close();
  });

  // ------------------------------------------------------------ valid operations from the schema

  const roots = [schema.getQueryType()!, schema.getMutationType()!].map((type) => ({ type, keyword: type === schema.getMutationType() ? 'mutation' : 'query' }));

  function selection(type: GraphQLOutputType, depth: number): string {
    const named = getNamedType(type);
    if (isLeafType(named)) return '';
    if (isUnionType(named) || isInterfaceType(named)) {
      const possible = schema.getPossibleTypes(named);
      const branch = possible.length > 0 ? pick(possible) : null;
      return `{ __typename ${branch && depth > 0 ? `... on ${branch.name} ${selection(branch, depth - 1)}` : ''} ... on Error { code message } }`;
    }
    const fields = Object.values((named as GraphQLObjectType).getFields()).filter((field) => field.args.every((arg) => !isNonNullType(arg.type)));
    const chosen = fields.filter(() => random() < 0.6).slice(0, 6);
    const parts = chosen
      .map((field) => {
        const inner = getNamedType(field.type);
        if (isLeafType(inner)) return field.name;
        if (depth <= 0) return null;
        const sub = selection(field.type, depth - 1);
        return sub ? `${field.name} ${sub}` : null;
      })
      .filter((part): part is string => part !== null);
    return `{ __typename ${parts.join(' ')} }`;
  }

  function typeString(type: GraphQLInputType): string {
    return type.toString();
  }

  function validValue(type: GraphQLInputType, depth = 0): unknown {
    if (isNonNullType(type)) return validValue(type.ofType, depth);
    if (random() < 0.1 && depth > 0) return null;
    if (isListType(type)) return Array.from({ length: int(3) + 1 }, () => validValue(type.ofType as GraphQLInputType, depth + 1));
    if (isEnumType(type)) return pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      const value: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        if (isNonNullType(field.type) || random() < 0.5) value[field.name] = validValue(field.type, depth + 1);
      }
      return value;
    }
    switch (getNullableType(type).toString()) {
      case 'Int':
        return pick([0, 1, 5, 20, 100, -1]);
      case 'Float':
        return pick([0, 0.5, 1, 99.5]);
      case 'Boolean':
        return random() < 0.5;
      case 'DateTime':
        return pick(['2026-10-01T00:00:00Z', '2026-11-01T12:00:00.000Z']);
      case 'ID':
        return pick(['1', 'UmVjZWlwdDox', 'urn:uuid:00000000-0000-4000-8000-000000000000']);
      default:
        return pick([knownDid, 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'did:web:market.example', 'hello', 'eyJhbGciOiJFZERTQSJ9.e30.sig', '']);
    }
  }

  function validOperation(): { query: string; variables: Record<string, unknown>; operationName: string } {
    const root = pick(roots);
    const field: GraphQLField<unknown, unknown> = pick(Object.values(root.type.getFields()));
    const declarations: string[] = [];
    const args: string[] = [];
    const variables: Record<string, unknown> = {};
    for (const arg of field.args) {
      if (!isNonNullType(arg.type) && random() < 0.5) continue;
      declarations.push(`$${arg.name}: ${typeString(arg.type)}`);
      args.push(`${arg.name}: $${arg.name}`);
      variables[arg.name] = validValue(arg.type);
    }
    const name = `Fuzz${int(1000)}`;
    const head = `${root.keyword} ${name}${declarations.length ? `(${declarations.join(', ')})` : ''}`;
    const query = `${head} { ${field.name}${args.length ? `(${args.join(', ')})` : ''} ${selection(field.type, 2)} }`;
    return { query, variables, operationName: name };
  }

  // ------------------------------------------------------------ malformed material

  const PUNCTUATION = ['{', '}', '(', ')', '[', ']', ':', '!', '$', '@', '...', '=', '|', '&', ',', '#', '"', '"""', '\\'];
  const KEYWORDS = ['query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null', 'schema', 'type', 'extend', 'directive', 'input', 'enum', '__typename', '__schema', '__type'];
  const NAMES = roots.flatMap((root) => Object.keys(root.type.getFields())).concat(Object.keys(schema.getTypeMap()).slice(0, 60));
  const WEIRD = ['\u0000', '\u202e', '\ufeff', '\u200b', '\ud800', '\udfff', '💥', 'é', 'Ω', '\n', '\t', '\r', ' ', '\u2028'];

  function unicode(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) {
      const roll = random();
      if (roll < 0.3) out += pick(WEIRD);
      else if (roll < 0.6) out += String.fromCharCode(0x20 + int(0x5f));
      else out += String.fromCodePoint(int(0x10ffff - 0x800) + (roll < 0.8 ? 0 : 0x800));
    }
    return out;
  }

  function token(): string {
    const roll = random();
    if (roll < 0.3) return pick(PUNCTUATION);
    if (roll < 0.5) return pick(KEYWORDS);
    if (roll < 0.75) return pick(NAMES);
    if (roll < 0.82) return String(pick([0, -1, 1e21, 3.14, 0x7fffffff + 1, -0]));
    if (roll < 0.9) return JSON.stringify(unicode(int(8)));
    return unicode(int(4) + 1);
  }

  function tokenSoup(): string {
    return Array.from({ length: int(60) + 1 }, token).join(pick([' ', '', '\n', ',']));
  }

  function mutate(text: string): string {
    let out = text;
    for (let edits = int(4) + 1; edits > 0; edits -= 1) {
      const at = int(out.length + 1);
      const roll = random();
      if (roll < 0.25) out = out.slice(0, at) + out.slice(at + 1 + int(5));
      else if (roll < 0.5) out = out.slice(0, at) + token() + out.slice(at);
      else if (roll < 0.7) out = out.slice(0, at) + pick(PUNCTUATION) + out.slice(at + 1);
      else if (roll < 0.85) out = out.slice(0, at) + out.slice(at, at + int(20)).repeat(int(4) + 2) + out.slice(at);
      else out = out.slice(0, at) + unicode(int(3) + 1) + out.slice(at);
    }
    return out;
  }

  function wrongValue(depth = 0): unknown {
    const roll = random();
    if (roll < 0.1) return null;
    if (roll < 0.2) return pick([0, -1, 1.5, 2 ** 53, -(2 ** 31) - 1, 1e308]);
    if (roll < 0.3) return random() < 0.5;
    if (roll < 0.45) return unicode(int(30));
    if (roll < 0.55) return 'x'.repeat(int(20_000));
    if (roll < 0.7 && depth < 4) return Array.from({ length: int(4) }, () => wrongValue(depth + 1));
    if (roll < 0.85 && depth < 4) return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(NAMES.concat(['__proto__', 'constructor'])), wrongValue(depth + 1)]));
    return pick(['2026-13-45T99:99:99Z', 'NaN', 'Infinity', '-0', '{}', '[]', 'did:', 'did:key:', '%00', '../../etc/passwd']);
  }

  function nested(depth: number, open: string, close: string, inner = ''): string {
    return open.repeat(depth) + inner + close.repeat(depth);
  }

  function deepJson(depth: number): unknown {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i += 1) value = random() < 0.5 ? [value] : { a: value };
    return value;
  }

  /** Percent-encoding of any string (lone surrogates included), sometimes with broken escapes spliced in. */
  function urlEncode(text: string): string {
    const encoded = encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
    if (random() < 0.8) return encoded;
    const at = int(encoded.length + 1);
    return encoded.slice(0, at) + pick(['%', '%zz', '%E0%A4%A', '%ED%A0%80', '%00', '%C0%AF', '%FF']) + encoded.slice(at);
  }

  const post = (body: string, contentType = 'application/json'): FuzzCase['init'] => ({ method: 'POST', headers: { 'content-type': contentType, accept: 'application/json' }, body });
  const json = (value: unknown) => post(JSON.stringify(value));

  const generators: Array<[string, number, () => FuzzCase['init']]> = [
    ['token soup', 18, () => json({ query: tokenSoup() })],
    ['truncated valid operation', 14, () => {
      const op = validOperation();
      return json({ ...op, query: op.query.slice(0, int(op.query.length)) });
    }],
    ['mutated valid operation', 18, () => {
      const op = validOperation();
      return json({ ...op, query: mutate(op.query) });
    }],
    ['valid operation', 8, () => json(validOperation())],
    ['wrong variable types', 16, () => {
      const op = validOperation();
      const variables: Record<string, unknown> = { ...op.variables };
      for (const key of Object.keys(variables)) if (random() < 0.7) variables[key] = wrongValue();
      if (random() < 0.3) variables[pick(NAMES)] = wrongValue();
      return json({ ...op, variables });
    }],
    ['huge strings', 2, () => {
      const op = validOperation();
      const huge = 'A'.repeat(100_000 + int(800_000));
      const roll = random();
      if (roll < 0.4) return json({ ...op, variables: Object.fromEntries(Object.keys(op.variables).map((k) => [k, huge])) });
      if (roll < 0.7) return json({ query: `{ trust(did: "${huge}") { score } }` });
      return json({ query: `{ ${huge} }`, operationName: huge.slice(0, 50_000) });
    }],
    ['deep nesting', 6, () => {
      const depth = pick([20, 100, 1_000, 5_000]);
      const roll = random();
      if (roll < 0.3) return json({ query: `{ ${nested(depth, 'agent(did: "x") { ', ' }', 'did')} }` });
      if (roll < 0.5) return json({ query: `{ trust(did: ${nested(depth, '[', ']', '"x"')}) { score } }` });
      if (roll < 0.7) return json({ query: `query($p: TrustPolicyInput!) { checkTrust(did: "x", policy: $p) { allowed } }`, variables: { p: deepJson(Math.min(depth, 2_000)) } });
      if (roll < 0.85) return json({ query: `{ checkTrust(did: "x", policy: ${nested(depth, '{ minScore: ', ' }', '1')}) { allowed } }` });
      return json({ query: nested(depth, '{', '}', '__typename') });
    }],
    ['unicode', 8, () => {
      const op = validOperation();
      const roll = random();
      if (roll < 0.4) return json({ ...op, variables: Object.fromEntries(Object.keys(op.variables).map((k) => [k, unicode(int(200))])) });
      if (roll < 0.7) return json({ query: `{ trust(did: ${JSON.stringify(unicode(int(100)))}) { score } }` });
      return json({ query: unicode(int(300)) });
    }],
    ['broken envelope', 8, () => {
      const op = validOperation();
      return pick<() => FuzzCase['init']>([
        () => json({ ...op, variables: wrongValue() }),
        () => json({ ...op, operationName: wrongValue() }),
        () => json({ query: wrongValue() }),
        () => json({ variables: op.variables }),
        () => json({ ...op, extensions: wrongValue() }),
        () => json({ ...op, operationName: 'NoSuchOperation' }),
        () => json({ query: `${op.query} ${validOperation().query}` }),
        () => json([op, op]),
        () => json(wrongValue()),
        () => post(JSON.stringify(op).slice(0, int(200))),
        () => post(mutate(JSON.stringify(op))),
        () => post(''),
        () => ({ method: 'GET', path: `/graphql?query=${urlEncode(op.query)}&variables=${urlEncode(JSON.stringify(op.variables))}`, headers: { accept: 'application/json' } }),
        () => ({ method: 'GET', path: `/graphql?query=${urlEncode(mutate(op.query))}&variables=${urlEncode(mutate(JSON.stringify(op.variables)))}&extensions=${urlEncode(tokenSoup())}`, headers: { accept: 'application/json' } }),
        () => post(`query=${urlEncode(mutate(op.query))}&variables=${urlEncode(mutate(JSON.stringify(op.variables)))}`, 'application/x-www-form-urlencoded'),
      ])();
    }],
  ];
  const totalWeight = generators.reduce((sum, [, weight]) => sum + weight, 0);

  function nextCase(): FuzzCase {
    let roll = random() * totalWeight;
    for (const [kind, weight, make] of generators) {
      roll -= weight;
      if (roll < 0) return { kind, init: make() };
    }
    const [kind, , make] = generators[0]!;
    return { kind, init: make() };
  }

  async function rowCounts(): Promise<Record<string, number>> {
    const db = t.testDatabase.database.db;
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) counts[name] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(db)).rows[0]!.n;
    return counts;
  }

  it(`answers ${CASES} random and malformed requests with well-formed errors, stores nothing and stays up`, async () => {
    const before = await rowCounts();
    const kinds = new Map<string, number>();
    let masked = 0;
    for (let n = 0; n < CASES; n += 1) {
      const fuzz = nextCase();
      kinds.set(fuzz.kind, (kinds.get(fuzz.kind) ?? 0) + 1);
      const where = `case ${n} (${fuzz.kind}, seed ${SEED})`;
      const { path = '/graphql', ...init } = fuzz.init;
      const response = await t.fetch(path, init);
      const text = await response.text();
      expect(response.status, `${where}: ${text.slice(0, 300)} <- ${String(init.body ?? path).slice(0, 200)}`).toBeLessThan(500);
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${where}: not JSON (${response.status}): ${text.slice(0, 200)}`);
      }
      expect(typeof body === 'object' && body !== null && !Array.isArray(body), where).toBe(true);
      expect('data' in body || 'errors' in body, `${where}: ${text.slice(0, 200)}`).toBe(true);
      if ('errors' in body) {
        expect(Array.isArray(body.errors) && body.errors.length > 0, where).toBe(true);
        for (const error of body.errors) {
          expect(typeof error.message === 'string' && error.message.length > 0, `${where}: ${JSON.stringify(error).slice(0, 200)}`).toBe(true);
          expect(error.extensions?.stack, where).toBeUndefined();
          expect(error.extensions?.originalError, where).toBeUndefined();
          if (error.message === 'Unexpected error.') masked += 1;
        }
      }
      for (const leak of LEAKS) expect(leak.test(text), `${where}: leaks ${leak}: ${text.slice(0, 300)}`).toBe(false);
    }

    expect([...kinds.keys()].sort()).toEqual(generators.map(([kind]) => kind).sort());
    expect(await rowCounts()).toEqual(before);
    // Still up: a valid query answers.
    const alive = await t.gql(`query($did: String!) { trust(did: $did) { did tier } serviceInfo { did } }`, { did: knownDid });
    expect(alive.data.serviceInfo.did).toBe(t.app.serviceDid);
    expect(alive.data.trust.did).toBe(knownDid);
    // Nothing was even masked: every malformed input met a check that names it, and nothing was logged as unexpected.
    expect(masked).toBe(0);
    expect(unexpectedLogs.filter((line) => line.includes('"unexpected error"'))).toEqual([]);
  }, 120_000);
});
