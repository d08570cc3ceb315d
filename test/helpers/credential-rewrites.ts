// Rewritings of signed JSON-LD credentials that an attacker (the holder) can make without the issuer's key: many
// keep the canonical N-Quads, and so the signature, while moving credentialStatus or validUntil out of sight.
import { CREDENCE_CONTEXT_V1 } from '../../src/credentials/contexts.ts';

export type Doc = Record<string, any>;

const CREDENTIALS = 'https://www.w3.org/2018/credentials#';
const XSD_DATE_TIME = 'http://www.w3.org/2001/XMLSchema#dateTime';
const CREDENCE_VOCAB = 'https://credence.dev/vocab#';

/** Finding 1: CURIE type, inline {"nst": "@nest"}, credentialStatus moved under "nst". */
export function nestStatus(credential: Doc): Doc {
  const rewritten = structuredClone(credential);
  rewritten.type = ['VerifiableCredential', `credence:${credential.type[1]}`];
  rewritten['@context'] = [...credential['@context'], { nst: '@nest' }];
  rewritten.nst = { credentialStatus: rewritten.credentialStatus };
  delete rewritten.credentialStatus;
  return rewritten;
}

/** Finding 2: validUntil renamed to a term an inline context aliases to the same IRI (and type). */
export function aliasValidUntil(credential: Doc): Doc {
  const rewritten = structuredClone(credential);
  rewritten['@context'] = [...credential['@context'], { vu: { '@id': `${CREDENTIALS}validUntil`, '@type': XSD_DATE_TIME } }];
  rewritten.vu = rewritten.validUntil;
  delete rewritten.validUntil;
  return rewritten;
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const termName = (random: Random) => pick(random, ['nst', 'x', 'meta', 'status', 'hidden', 'n', 'until']) + Math.floor(random() * 100);

function addContext(doc: Doc, entry: unknown): void {
  doc['@context'] = Array.isArray(doc['@context']) ? [...doc['@context'], entry] : [doc['@context'], entry];
}

/** Moves property `name` of `doc` (if present) to `move(value)`. */
function take(doc: Doc, name: string): unknown {
  const value = doc[name];
  delete doc[name];
  return value;
}

/**
 * One mutation each; applied in random combinations. Those marked as N-Quads-preserving keep the signature
 * valid when applied alone; the others break it (they are here so combinations stay realistic).
 */
export const MUTATIONS: ReadonlyArray<{ name: string; apply(doc: Doc, random: Random): void }> = [
  { name: 'curie type', apply: (doc) => Array.isArray(doc.type) && (doc.type = doc.type.map((type: string) => (type === 'VerifiableCredential' ? type : `credence:${type}`))) },
  { name: 'full IRI type', apply: (doc) => Array.isArray(doc.type) && (doc.type = doc.type.map((type: string) => (type === 'VerifiableCredential' ? type : `${CREDENCE_VOCAB}${type}`))) },
  { name: 'reversed type order', apply: (doc) => Array.isArray(doc.type) && doc.type.reverse() },
  { name: '@type for type', apply: (doc) => doc.type !== undefined && (doc['@type'] = take(doc, 'type')) },
  {
    name: '@nest status',
    apply: (doc, random) => {
      if (doc.credentialStatus === undefined) return;
      const term = termName(random);
      addContext(doc, { [term]: '@nest' });
      doc[term] = { ...(doc[term] ?? {}), credentialStatus: take(doc, 'credentialStatus') };
    },
  },
  {
    name: '@nest validUntil',
    apply: (doc, random) => {
      if (doc.validUntil === undefined) return;
      const term = termName(random);
      addContext(doc, { [term]: '@nest' });
      doc[term] = { ...(doc[term] ?? {}), validUntil: take(doc, 'validUntil') };
    },
  },
  {
    name: 'aliased status',
    apply: (doc, random) => {
      if (doc.credentialStatus === undefined) return;
      const term = termName(random);
      addContext(doc, { [term]: { '@id': `${CREDENTIALS}credentialStatus`, '@type': '@id' } });
      doc[term] = take(doc, 'credentialStatus');
    },
  },
  {
    name: 'aliased validUntil',
    apply: (doc, random) => {
      if (doc.validUntil === undefined) return;
      const term = termName(random);
      addContext(doc, { [term]: { '@id': `${CREDENTIALS}validUntil`, '@type': XSD_DATE_TIME } });
      doc[term] = take(doc, 'validUntil');
    },
  },
  { name: 'IRI key status', apply: (doc) => doc.credentialStatus !== undefined && (doc[`${CREDENTIALS}credentialStatus`] = take(doc, 'credentialStatus')) },
  {
    name: 'IRI key validUntil',
    apply: (doc) =>
      doc.validUntil !== undefined && (doc[`${CREDENTIALS}validUntil`] = { '@value': take(doc, 'validUntil'), '@type': XSD_DATE_TIME }),
  },
  {
    name: 'compact IRI key status',
    apply: (doc) => {
      if (doc.credentialStatus === undefined) return;
      addContext(doc, { cred: CREDENTIALS });
      doc['cred:credentialStatus'] = take(doc, 'credentialStatus');
    },
  },
  { name: 'status in an array', apply: (doc) => doc.credentialStatus !== undefined && (doc.credentialStatus = [doc.credentialStatus]) },
  { name: 'validUntil in an array', apply: (doc) => doc.validUntil !== undefined && (doc.validUntil = [doc.validUntil]) },
  { name: 'validFrom as @value', apply: (doc) => doc.validFrom !== undefined && (doc.validFrom = { '@value': doc.validFrom, '@type': XSD_DATE_TIME }) },
  { name: 'status under @included', apply: (doc) => doc.credentialStatus !== undefined && (doc['@included'] = [take(doc, 'credentialStatus')]) },
  {
    name: 'wrapped in @graph',
    apply: (doc) => {
      const { '@context': context, ...rest } = doc;
      for (const key of Object.keys(doc)) delete doc[key];
      Object.assign(doc, { '@context': context, '@graph': [rest] });
    },
  },
  { name: '@reverse', apply: (doc) => (doc['@reverse'] = {}) },
  {
    name: 'nested @context in the subject',
    apply: (doc, random) => {
      if (!doc.credentialSubject || typeof doc.credentialSubject !== 'object') return;
      const term = termName(random);
      doc.credentialSubject['@context'] = { [term]: '@nest' };
      const [claim] = Object.keys(doc.credentialSubject).filter((key) => key !== 'id' && !key.startsWith('@'));
      if (claim) doc.credentialSubject[term] = { [claim]: take(doc.credentialSubject, claim) };
    },
  },
  { name: 'reordered contexts', apply: (doc) => Array.isArray(doc['@context']) && doc['@context'].reverse() },
  {
    name: 'inline Credence context',
    apply: (doc) =>
      Array.isArray(doc['@context']) &&
      (doc['@context'] = doc['@context'].map((entry: unknown) =>
        entry === 'https://credence.dev/contexts/credence/v1' ? structuredClone(CREDENCE_CONTEXT_V1['@context']) : entry,
      )),
  },
  { name: 'duplicated context', apply: (doc) => Array.isArray(doc['@context']) && doc['@context'].push(doc['@context'].at(-1)) },
  { name: '@vocab', apply: (doc) => addContext(doc, { '@vocab': CREDENCE_VOCAB }) },
  { name: 'issuer as an object', apply: (doc) => typeof doc.issuer === 'string' && (doc.issuer = { id: doc.issuer }) },
  { name: 'status index as a number', apply: (doc) => doc.credentialStatus?.statusListIndex !== undefined && (doc.credentialStatus.statusListIndex = Number(doc.credentialStatus.statusListIndex)) },
  { name: 'status removed', apply: (doc) => delete doc.credentialStatus },
  { name: 'validUntil removed', apply: (doc) => delete doc.validUntil },
];

/** A copy of `credential` with 1 to 4 random mutations applied, and their names. */
export function rewrite(credential: Doc, random: Random): { document: Doc; mutations: string[] } {
  const document = structuredClone(credential);
  const count = 1 + Math.floor(random() * 4);
  const mutations: string[] = [];
  for (let index = 0; index < count; index++) {
    const mutation = pick(random, MUTATIONS);
    mutation.apply(document, random);
    mutations.push(mutation.name);
  }
  return { document, mutations };
}
