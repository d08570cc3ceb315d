// The shape check: a credential or presentation is accepted only in the exact compacted form Credence issues.
//
// A JSON-LD signature covers the canonical N-Quads, not the JSON. Many JSON documents share one set of N-Quads:
// an inline context can alias a term (`{"vu": ".../credentials#validUntil"}`) or add `@nest`, a type can be written
// as a compact IRI (`credence:TaskCompletionCredential`), a value can be wrapped in an array, a property can be
// keyed by its IRI. Code that reads `credential.credentialStatus` or `credential.validUntil` from such a document
// reads nothing while the signature still holds. So before any signature check, a document must have exactly the
// @context list Credence signs with, only the terms Credence uses, with the value forms Credence writes; then those
// keys are the only places the signed statements can be.
//
// Pure and dependency-free: a third party can import it and run it before its own verifier.
import {
  DATA_INTEGRITY_VC_CONTEXTS,
  JSONLD_VC_CONTEXTS,
  JSONLD_VP_CONTEXTS,
  JWT_VC_CONTEXTS,
  JWT_VP_CONTEXTS,
  STATUS_LIST_CONTEXTS,
} from './context-urls.ts';

export type ShapeProblemCode = 'UNEXPECTED_SHAPE' | 'TOO_COSTLY';

export interface ShapeProblem {
  /** UNEXPECTED_SHAPE: not the form Credence issues; TOO_COSTLY: over a size, node or depth cap. */
  code: ShapeProblemCode;
  message: string;
}

/** Caps checked before anything else; Credence's own documents are far below them. */
export interface JsonLimits {
  /** UTF-16 code units of the JSON text (or of the strings and keys of an object), a proxy for bytes. */
  maxChars: number;
  /** Every value counts: objects, arrays, strings, numbers, booleans, nulls. */
  maxNodes: number;
  /** Nesting of objects and arrays; the top-level object is depth 1. */
  maxDepth: number;
}

/** A Credence reputation credential is about 2 KB, 120 nodes, depth 5 (6 as a JWT payload). */
export const CREDENTIAL_LIMITS: JsonLimits = Object.freeze({ maxChars: 32_768, maxNodes: 1_000, maxDepth: 10 });
/** At most this many credentials in one presentation. */
export const MAX_PRESENTED_CREDENTIALS = 16;
export const PRESENTATION_LIMITS: JsonLimits = Object.freeze({
  maxChars: MAX_PRESENTED_CREDENTIALS * CREDENTIAL_LIMITS.maxChars + 8_192,
  maxNodes: MAX_PRESENTED_CREDENTIALS * CREDENTIAL_LIMITS.maxNodes + 200,
  maxDepth: CREDENTIAL_LIMITS.maxDepth + 3,
});

export const TASK_COMPLETION_TYPES = ['VerifiableCredential', 'TaskCompletionCredential'] as const;
export const REPUTATION_TYPES = ['VerifiableCredential', 'ReputationCredential'] as const;
export const STATUS_LIST_TYPES = ['VerifiableCredential', 'BitstringStatusListCredential'] as const;
export const PRESENTATION_TYPES = ['VerifiablePresentation'] as const;

/**
 * Measures a parsed JSON value without recursion (a 100,000-deep array cannot overflow the stack here), stopping
 * at the first cap it exceeds. Undefined when within the limits.
 */
export function checkJsonLimits(value: unknown, limits: JsonLimits, what = 'document'): ShapeProblem | undefined {
  let nodes = 0;
  let chars = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    nodes += 1;
    if (nodes > limits.maxNodes) return tooCostly(`${what} has more than ${limits.maxNodes} JSON values`);
    if (typeof current === 'string') chars += current.length + 2;
    else if (current === null || typeof current !== 'object') chars += 8;
    else {
      if (depth > limits.maxDepth) return tooCostly(`${what} is nested deeper than ${limits.maxDepth} levels`);
      if (Array.isArray(current)) {
        chars += 2;
        for (const item of current) stack.push([item, depth + 1]);
      } else {
        for (const [key, item] of Object.entries(current)) {
          chars += key.length + 4;
          stack.push([item, depth + 1]);
        }
      }
    }
    if (chars > limits.maxChars) return tooCostly(`${what} is larger than ${limits.maxChars} characters`);
  }
  return undefined;
}

// --- the shapes -------------------------------------------------------------------------------------------------

/** What a value must look like. Objects are closed: a key not listed is refused. */
type Shape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'const'; value: string }
  | { kind: 'strings'; values: readonly string[] }
  | { kind: 'object'; properties: Record<string, Shape>; optional?: readonly string[] }
  | { kind: 'array'; items: Shape; max: number }
  | { kind: 'oneOf'; shapes: readonly Shape[] };

const string: Shape = { kind: 'string' };
const number: Shape = { kind: 'number' };
const constant = (value: string): Shape => ({ kind: 'const', value });
const strings = (values: readonly string[]): Shape => ({ kind: 'strings', values });
const object = (properties: Record<string, Shape>, optional: readonly string[] = []): Shape => ({
  kind: 'object',
  properties,
  optional,
});

const statusEntry = object({
  id: string,
  type: constant('BitstringStatusListEntry'),
  statusPurpose: string,
  statusListIndex: string,
  statusListCredential: string,
});

const assertionProof = object({
  type: constant('Ed25519Signature2020'),
  created: string,
  verificationMethod: string,
  proofPurpose: constant('assertionMethod'),
  proofValue: string,
});

/** A Data Integrity proof: the eddsa-rdfc-2022 cryptosuite only. */
const dataIntegrityAssertionProof = object({
  type: constant('DataIntegrityProof'),
  created: string,
  verificationMethod: string,
  cryptosuite: constant('eddsa-rdfc-2022'),
  proofPurpose: constant('assertionMethod'),
  proofValue: string,
});

const authenticationProof = object(
  {
    type: constant('Ed25519Signature2020'),
    created: string,
    verificationMethod: string,
    proofPurpose: constant('authentication'),
    challenge: string,
    domain: string,
    proofValue: string,
  },
  ['domain'],
);

const taskClaims = {
  receiptId: string,
  platform: string,
  actionCategory: string,
  value: object({ amount: string, currency: string, usd: number }),
  counterparty: string,
  settledAt: string,
  escrowId: string,
};

/** The trust vector, window and per-window keys a reputation credential carries (also the issuer's and MCP's lists). */
export const VECTOR_KEYS = ['E', 'P', 'B', 'D', 'R', 'A', 'C'] as const;
export const WINDOW_KEYS = ['d7', 'd30', 'd90', 'lifetime'] as const;
export const WINDOW_STAT_KEYS = [
  'tasks',
  'accepted',
  'disputed',
  'refunded',
  'acceptedRate',
  'disputeRate',
  'volumeUsd',
  'avgValueUsd',
  'uniqueCounterparties',
  'escrowVerifiedShare',
] as const;

const windowStats = object(Object.fromEntries(WINDOW_STAT_KEYS.map((key) => [key, number])));

const reputationClaims = {
  vector: object(Object.fromEntries(VECTOR_KEYS.map((key) => [key, number]))),
  score: number,
  tier: string,
  confidence: number,
  windows: object({ d7: windowStats, d30: windowStats, d90: windowStats, lifetime: windowStats }),
  asOf: string,
};

/** The Credence credential kinds, each with its exact type list and subject claims. */
const KINDS = [
  { types: TASK_COMPLETION_TYPES, claims: taskClaims, optionalClaims: ['escrowId'], expires: false },
  { types: REPUTATION_TYPES, claims: reputationClaims, optionalClaims: [], expires: true },
] as const;

/** The JSON-LD forms: Ed25519Signature2020 (JSON_LD) or Data Integrity eddsa-rdfc-2022 (DATA_INTEGRITY). */
type ProofForm = 'ed25519-2020' | 'data-integrity';

function jsonLdCredentialShape(kind: (typeof KINDS)[number], form: ProofForm): Shape {
  return object(
    {
      '@context': strings(form === 'data-integrity' ? DATA_INTEGRITY_VC_CONTEXTS : JSONLD_VC_CONTEXTS),
      id: string,
      type: strings(kind.types),
      issuer: string,
      validFrom: string,
      validUntil: string,
      credentialSubject: object({ id: string, ...kind.claims }, kind.optionalClaims),
      credentialStatus: statusEntry,
      proof: form === 'data-integrity' ? dataIntegrityAssertionProof : assertionProof,
    },
    // A task credential records a past fact and has no end; a reputation snapshot must carry one.
    kind.expires ? [] : ['validUntil'],
  );
}

function jwtPayloadShape(kind: (typeof KINDS)[number]): Shape {
  return object(
    {
      iss: string,
      sub: string,
      nbf: number,
      exp: number,
      jti: string,
      vc: object({
        '@context': strings(JWT_VC_CONTEXTS),
        type: strings(kind.types),
        // The subject's id travels as `sub`.
        credentialSubject: object(kind.claims, kind.optionalClaims),
        credentialStatus: statusEntry,
      }),
    },
    kind.expires ? [] : ['exp'],
  );
}

const statusListShape = object(
  {
    '@context': strings(STATUS_LIST_CONTEXTS),
    id: string,
    type: strings(STATUS_LIST_TYPES),
    issuer: string,
    validFrom: string,
    validUntil: string,
    credentialSubject: object({ id: string, type: constant('BitstringStatusList'), statusPurpose: string, encodedList: string }),
    proof: assertionProof,
  },
  ['validUntil'],
);

/** Contained credentials are checked on their own (as credentials); here only that each is an object or a JWT. */
const anyCredential: Shape = { kind: 'oneOf', shapes: [] };

const jsonLdPresentationShape = object(
  {
    '@context': strings(JSONLD_VP_CONTEXTS),
    id: string,
    type: strings(PRESENTATION_TYPES),
    holder: string,
    verifiableCredential: { kind: 'array', items: anyCredential, max: MAX_PRESENTED_CREDENTIALS },
    proof: authenticationProof,
  },
  ['id'],
);

const jwtPresentationClaimShape = object(
  {
    '@context': strings(JWT_VP_CONTEXTS),
    type: strings(PRESENTATION_TYPES),
    holder: string,
    verifiableCredential: { kind: 'array', items: anyCredential, max: MAX_PRESENTED_CREDENTIALS },
  },
  ['holder'],
);

// --- checking ---------------------------------------------------------------------------------------------------

/**
 * Checks a JSON-LD (VC 2.0) credential: a Credence TaskCompletionCredential or ReputationCredential with an
 * Ed25519Signature2020 or a Data Integrity (eddsa-rdfc-2022) proof, or a BitstringStatusListCredential, in exactly
 * the form Credence issues. The @context list decides which proof form is expected. Empty when it has that form.
 */
export function checkJsonLdCredentialShape(credential: unknown): ShapeProblem[] {
  const limit = checkJsonLimits(credential, CREDENTIAL_LIMITS, 'the credential');
  if (limit) return [limit];
  if (!isObject(credential)) return [unexpected('a JSON-LD credential is a JSON object')];
  const contexts = contextProblem(credential['@context'], [JSONLD_VC_CONTEXTS, DATA_INTEGRITY_VC_CONTEXTS, STATUS_LIST_CONTEXTS]);
  if (contexts) return [contexts];
  if (sameStrings(credential['@context'], STATUS_LIST_CONTEXTS)) {
    if (!sameStrings(credential.type, STATUS_LIST_TYPES)) return [typeProblem(credential.type, [STATUS_LIST_TYPES])];
    return check(credential, statusListShape, '');
  }
  const kind = kindOf(credential.type);
  if (!kind) return [typeProblem(credential.type, KINDS.map((candidate) => candidate.types))];
  const form: ProofForm = sameStrings(credential['@context'], DATA_INTEGRITY_VC_CONTEXTS) ? 'data-integrity' : 'ed25519-2020';
  return check(credential, jsonLdCredentialShape(kind, form), '');
}

/** True when `credential` carries the Data Integrity @context list (whatever else it has). */
export function hasDataIntegrityContexts(credential: unknown): boolean {
  return isObject(credential) && sameStrings(credential['@context'], DATA_INTEGRITY_VC_CONTEXTS);
}

/** Checks a JWT credential's payload (iss, sub, nbf, exp, jti and the `vc` claim) against the form Credence issues. */
export function checkJwtCredentialShape(payload: unknown): ShapeProblem[] {
  const limit = checkJsonLimits(payload, CREDENTIAL_LIMITS, 'the credential');
  if (limit) return [limit];
  if (!isObject(payload) || !isObject(payload.vc)) return [unexpected('the JWT has no "vc" object')];
  const contexts = contextProblem(payload.vc['@context'], [JWT_VC_CONTEXTS], '/vc');
  if (contexts) return [contexts];
  const kind = kindOf(payload.vc.type);
  if (!kind) return [typeProblem(payload.vc.type, KINDS.map((candidate) => candidate.types), '/vc')];
  return check(payload, jwtPayloadShape(kind), '');
}

/** Checks a BitstringStatusListCredential against the form Credence publishes. */
export function checkStatusListShape(credential: unknown): ShapeProblem[] {
  const limit = checkJsonLimits(credential, { maxChars: 131_072, maxNodes: 100, maxDepth: 4 }, 'the status list');
  if (limit) return [limit];
  if (!isObject(credential)) return [unexpected('a status list credential is a JSON object')];
  const contexts = contextProblem(credential['@context'], [STATUS_LIST_CONTEXTS]);
  if (contexts) return [contexts];
  return check(credential, statusListShape, '');
}

/** Checks a JSON-LD presentation's own members; each contained credential is then checked as a credential. */
export function checkJsonLdPresentationShape(presentation: unknown): ShapeProblem[] {
  const limit = checkJsonLimits(presentation, PRESENTATION_LIMITS, 'the presentation');
  if (limit) return [limit];
  if (!isObject(presentation)) return [unexpected('a JSON-LD presentation is a JSON object')];
  const contexts = contextProblem(presentation['@context'], [JSONLD_VP_CONTEXTS]);
  if (contexts) return [contexts];
  return check(presentation, jsonLdPresentationShape, '');
}

/** Checks a JWT presentation's `vp` claim; each contained credential is then checked as a credential. */
export function checkJwtPresentationShape(payload: unknown): ShapeProblem[] {
  const limit = checkJsonLimits(payload, PRESENTATION_LIMITS, 'the presentation');
  if (limit) return [limit];
  if (!isObject(payload) || !isObject(payload.vp)) return [unexpected('the JWT has no "vp" object')];
  const contexts = contextProblem(payload.vp['@context'], [JWT_VP_CONTEXTS], '/vp');
  if (contexts) return [contexts];
  return check(payload.vp, jwtPresentationClaimShape, '/vp');
}

function kindOf(type: unknown): (typeof KINDS)[number] | undefined {
  return KINDS.find((kind) => sameStrings(type, kind.types));
}

function contextProblem(value: unknown, allowed: ReadonlyArray<readonly string[]>, at = ''): ShapeProblem | undefined {
  if (allowed.some((list) => sameStrings(value, list))) return undefined;
  const expected = allowed.map((list) => JSON.stringify(list)).join(' or ');
  if (Array.isArray(value) && value.some((entry) => typeof entry !== 'string')) {
    return unexpected(`${at || '/'}@context has an inline context; it must be exactly ${expected}`);
  }
  return unexpected(`${at || '/'}@context must be exactly ${expected}`);
}

function typeProblem(value: unknown, allowed: ReadonlyArray<readonly string[]>, at = ''): ShapeProblem {
  return unexpected(
    `${at}/type must be exactly one of ${allowed.map((list) => JSON.stringify(list)).join(', ')}, not ${describe(value)}`,
  );
}

function check(value: unknown, shape: Shape, path: string): ShapeProblem[] {
  const at = path || '/';
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? [] : [unexpected(`${at} must be a string, not ${describe(value)}`)];
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [unexpected(`${at} must be a number, not ${describe(value)}`)];
    case 'const':
      return value === shape.value ? [] : [unexpected(`${at} must be ${JSON.stringify(shape.value)}, not ${describe(value)}`)];
    case 'strings':
      return sameStrings(value, shape.values)
        ? []
        : [unexpected(`${at} must be exactly ${JSON.stringify(shape.values)}, not ${describe(value)}`)];
    case 'oneOf':
      return typeof value === 'string' || isObject(value) ? [] : [unexpected(`${at} must be a credential, not ${describe(value)}`)];
    case 'array': {
      if (!Array.isArray(value)) return [unexpected(`${at} must be an array, not ${describe(value)}`)];
      if (value.length > shape.max) return [tooCostly(`${at} has more than ${shape.max} entries`)];
      return value.flatMap((item, index) => check(item, shape.items, `${path}/${index}`));
    }
    case 'object': {
      if (!isObject(value)) return [unexpected(`${at} must be an object, not ${describe(value)}`)];
      const problems: ShapeProblem[] = [];
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape.properties, key)) problems.push(unexpected(keyMessage(key, at)));
      }
      for (const [key, child] of Object.entries(shape.properties)) {
        if (!Object.hasOwn(value, key)) {
          if (!shape.optional?.includes(key)) problems.push(unexpected(`${at} is missing ${JSON.stringify(key)}`));
          continue;
        }
        problems.push(...check(value[key], child, `${path}/${key}`));
      }
      return problems;
    }
  }
}

function keyMessage(key: string, at: string): string {
  const name = JSON.stringify(key);
  if (key.startsWith('@')) return `${at} has the JSON-LD keyword ${name}; only the top-level @context is allowed`;
  if (key.includes(':')) return `${at} has the IRI key ${name}; only the terms Credence issues are allowed`;
  return `${at} has ${name}, which Credence does not issue there`;
}

function sameStrings(value: unknown, expected: readonly string[]): boolean {
  return (
    Array.isArray(value) && value.length === expected.length && value.every((entry, index) => entry === expected[index])
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function unexpected(message: string): ShapeProblem {
  return { code: 'UNEXPECTED_SHAPE', message: `shape: ${message}` };
}

function tooCostly(message: string): ShapeProblem {
  return { code: 'TOO_COSTLY', message: `too costly: ${message}` };
}
