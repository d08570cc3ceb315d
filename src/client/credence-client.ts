// A small typed client for marketplaces and agents: plain fetch to /graphql, a fresh DID-JWT per authenticated
// request (audience = the service DID, read once from /.well-known/did.json unless given), typed results, and one
// error class whose `code` is the service's error code.
import type { ErrorCode } from '../errors.ts';
import type { Ed25519KeyPair } from './keys.ts';
import { mintAuthToken } from './tokens.ts';
import type {
  Agent,
  ClaimDidOptions,
  Credential,
  IssueCredentialOptions,
  PresentationVerificationResult,
  ServiceInfo,
  RecordedSettlement,
  ReceiptSubmission,
  SubmitReceiptOutcome,
  SubmittedReceipt,
  TrustDecision,
  TrustPolicy,
  TrustReport,
  VerificationResult,
} from './types.ts';

export interface CredenceClientOptions {
  /** The service's base URL (`https://credence.example`); a URL ending in /graphql works too. */
  url: string;
  /** The caller's Ed25519 key: needed only for operations that act as the caller (issueCredential). */
  key?: Ed25519KeyPair;
  /** The service DID tokens are minted for; fetched from `<url>/.well-known/did.json` (once) when absent. */
  audience?: string;
  /** A fetch implementation (tests, proxies, retries); the global fetch by default. */
  fetch?: typeof fetch;
  /** The clock tokens are minted with; the system clock by default. */
  now?: () => Date;
  /** Lifetime of each minted token, seconds (default 60, at most 300). */
  tokenLifetimeSeconds?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** The service's error codes, plus what can go wrong on the way to it. */
export type CredenceClientErrorCode =
  | ErrorCode
  | 'NETWORK_ERROR'
  | 'HTTP_ERROR'
  | 'BAD_RESPONSE'
  | 'NO_KEY'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL_SERVER_ERROR'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_USER_INPUT'
  /** A presentation format this build cannot make (JSON_LD outside Node). */
  | 'UNSUPPORTED_FORMAT';

export class CredenceClientError extends Error {
  override name = 'CredenceClientError';
  constructor(
    /** The service's error code (`INVALID_SIGNATURE`, `NOT_FOUND`, …) or a transport one (`NETWORK_ERROR`, …). */
    readonly code: CredenceClientErrorCode | (string & {}),
    message: string,
    readonly details: { status?: number; field?: string | null; cause?: unknown } = {},
  ) {
    super(message);
  }
}

const WINDOW_STATS = 'tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd';

const TRUST_REPORT = /* GraphQL */ `
  fragment CredenceTrustReport on TrustReport {
    did asOf score tier confidence
    vector { E P B D R A C }
    windows { d7 { ${WINDOW_STATS} } d30 { ${WINDOW_STATS} } d90 { ${WINDOW_STATS} } lifetime { ${WINDOW_STATS} } }
    client { jobsAsClient disputesFiled disputeRate restricted }
    flags { code severity detail }
    explanation { factor points detail }
  }
`;

const RECEIPT = /* GraphQL */ `
  fragment CredenceReceipt on Receipt {
    id receiptId subject counterparty platform taskId actionCategory actionType outcome amount currency valueUsd
    escrowId confidence occurredAt receivedAt revoked revokedAt revokedReason
  }
`;

const CREDENTIAL = /* GraphQL */ `
  fragment CredenceCredential on Credential {
    id credentialId type format subject issuer issuedAt expiresAt revoked revokedAt revokedReason
    statusListCredential statusListIndex encoded
  }
`;

const ERROR_FIELDS = '... on Error { code message } ... on InputError { field }';

const AGENT = 'did displayName kind claimedAt profileUrl badgeUrl';
const VERIFICATION_RESULT = 'valid revoked expired format credentialId issuer issuedByService subject types validFrom validUntil errors problems { code message } warnings';

const SUBMIT_RESULT = `__typename ... on SubmitReceiptPayload { duplicate receipt { ...CredenceReceipt } } ${ERROR_FIELDS}`;

const QUERIES = {
  trust: `${TRUST_REPORT} query CredenceTrust($did: String!, $asOf: DateTime) { trust(did: $did, asOf: $asOf) { ...CredenceTrustReport } }`,
  trustBatch: `${TRUST_REPORT} query CredenceTrustBatch($dids: [String!]!, $asOf: DateTime) { trustBatch(dids: $dids, asOf: $asOf) { ...CredenceTrustReport } }`,
  checkTrust: `${TRUST_REPORT} query CredenceCheckTrust($did: String!, $policy: TrustPolicyInput!, $asOf: DateTime) {
    checkTrust(did: $did, policy: $policy, asOf: $asOf) { allowed reasons report { ...CredenceTrustReport } } }`,
  submitReceipt: `${RECEIPT} mutation CredenceSubmitReceipt($receipt: String!, $cosignatures: [String!]) {
    submitReceipt(receipt: $receipt, cosignatures: $cosignatures) { ${SUBMIT_RESULT} } }`,
  submitReceipts: `${RECEIPT} mutation CredenceSubmitReceipts($receipts: [ReceiptSubmissionInput!]!) {
    submitReceipts(receipts: $receipts) { __typename ... on SubmitReceiptsPayload { results { ${SUBMIT_RESULT} } } ${ERROR_FIELDS} } }`,
  recordSettlement: `mutation CredenceRecordSettlement($event: String!) {
    recordSettlement(event: $event) {
      __typename
      ... on RecordSettlementPayload {
        duplicate
        settlement {
          id escrowId jobId platform depositor beneficiary amount currency valueUsd status ruling updatedAt
          events { jti status ruling occurredAt receivedAt }
        }
      }
      ${ERROR_FIELDS}
    } }`,
  issueCredential: `${CREDENTIAL} mutation CredenceIssueCredential($input: IssueCredentialInput!) {
    issueCredential(input: $input) { __typename ... on IssueCredentialPayload { credential { ...CredenceCredential } } ${ERROR_FIELDS} } }`,
  verifyCredential: `query CredenceVerifyCredential($credential: String!) {
    verifyCredential(credential: $credential) { ${VERIFICATION_RESULT} } }`,
  verifyPresentation: `query CredenceVerifyPresentation($presentation: String!, $challenge: String, $domain: String) {
    verifyPresentation(presentation: $presentation, challenge: $challenge, domain: $domain) {
      valid format holder errors problems { code message } credentials { ${VERIFICATION_RESULT} }
    } }`,
  serviceInfo: 'query CredenceServiceInfo { serviceInfo { did version didDocumentUrl statusListUrl } }',
  agent: `query CredenceAgent($did: String!) { agent(did: $did) { ${AGENT} } }`,
  claimDid: `mutation CredenceClaimDid($input: ClaimDidInput) {
    claimDid(input: $input) { __typename ... on ClaimDidPayload { agent { ${AGENT} } } ${ERROR_FIELDS} } }`,
  credentials: `${CREDENTIAL} query CredenceCredentials($did: String!, $first: Int) {
    credentials(did: $did, first: $first) { edges { node { ...CredenceCredential } } } }`,
  credential: `${CREDENTIAL} query CredenceCredential($id: ID!) { credential(id: $id) { ...CredenceCredential } }`,
} as const;

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: { code?: string; field?: string } }>;
}

type ErrorView = { __typename: string; code: string; message: string; field?: string | null };
type SubmitView = ({ __typename: 'SubmitReceiptPayload' } & SubmittedReceipt) | ErrorView;

function isErrorView(value: { __typename: string }): value is ErrorView {
  return 'code' in value && typeof (value as ErrorView).code === 'string';
}

function throwIfError<T extends { __typename: string }>(value: T): Exclude<T, ErrorView> {
  if (isErrorView(value)) throw new CredenceClientError(value.code, value.message, { field: value.field ?? null });
  return value as Exclude<T, ErrorView>;
}

function toOutcome(view: SubmitView): SubmitReceiptOutcome {
  if (isErrorView(view)) return { ok: false, code: view.code, message: view.message, field: view.field ?? null };
  return { ok: true, receipt: view.receipt, duplicate: view.duplicate };
}

function submission(input: string | ReceiptSubmission): ReceiptSubmission {
  return typeof input === 'string' ? { receipt: input } : { receipt: input.receipt, cosignatures: input.cosignatures ?? null };
}

const asOfVariable = (asOf: Date | string | undefined) => (asOf === undefined ? null : asOf instanceof Date ? asOf.toISOString() : asOf);

export interface CredenceClient {
  /** The service DID (the audience of minted tokens). */
  serviceDid(): Promise<string>;
  trust(did: string, options?: { asOf?: Date | string }): Promise<TrustReport>;
  /** Up to 100 DIDs, answered in input order. */
  trustBatch(dids: readonly string[], options?: { asOf?: Date | string }): Promise<TrustReport[]>;
  /** "Can I hire this agent?": allowed, one reason per failed rule, and the report it was decided on. */
  checkTrust(did: string, policy: TrustPolicy, options?: { asOf?: Date | string }): Promise<TrustDecision>;
  /** Submits one platform-signed receipt; a refused receipt throws with the service's code. */
  submitReceipt(receipt: string | ReceiptSubmission): Promise<SubmittedReceipt>;
  /** Up to 500 receipts; one outcome per item, in order (a refused item does not throw). */
  submitReceipts(receipts: ReadonlyArray<string | ReceiptSubmission>): Promise<SubmitReceiptOutcome[]>;
  recordSettlement(event: string): Promise<RecordedSettlement>;
  /** Issues a credential to the caller (needs `key`). */
  issueCredential(input: IssueCredentialOptions): Promise<Credential>;
  /** A JWT, JSON-LD text, or a JSON-LD object. */
  verifyCredential(credential: string | object): Promise<VerificationResult>;
  /** A holder's presentation (JWT, JSON-LD text or object); pass the challenge and domain you gave the holder. */
  verifyPresentation(presentation: string | object, binding?: { challenge?: string; domain?: string }): Promise<PresentationVerificationResult>;
  /** The service's DID, version, and where its DID document and first status list are published. */
  serviceInfo(): Promise<ServiceInfo>;
  /** A claimed agent, or null when the DID has not claimed itself. */
  agent(did: string): Promise<Agent | null>;
  /** Claims the key's own DID (needs `key`); claiming again updates the display name. */
  claimDid(input?: ClaimDidOptions): Promise<Agent>;
  /** Credentials issued to a DID, newest first (at most `first`, default 20, up to 100). */
  credentials(did: string, options?: { first?: number }): Promise<Credential[]>;
  /** One credential by its id (`urn:uuid:…`), or null. */
  credential(id: string): Promise<Credential | null>;
  /** Any other operation, with the same transport, errors and (when `auth`) a fresh token. */
  request<T>(query: string, variables?: Record<string, unknown>, options?: { auth?: boolean }): Promise<T>;
}

export function createCredenceClient(options: CredenceClientOptions): CredenceClient {
  const base = options.url.replace(/\/+$/, '').replace(/\/graphql$/, '');
  const endpoint = `${base}/graphql`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? 60;
  let audience: Promise<string> | undefined = options.audience ? Promise.resolve(options.audience) : undefined;

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(url, init);
    } catch (error) {
      throw new CredenceClientError('NETWORK_ERROR', `could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  function serviceDid(): Promise<string> {
    audience ??= (async () => {
      const response = await send(`${base}/.well-known/did.json`, { headers: { accept: 'application/did+json, application/json' } });
      if (!response.ok) throw new CredenceClientError('HTTP_ERROR', `GET /.well-known/did.json answered ${response.status}`, { status: response.status });
      const document = (await response.json().catch(() => null)) as { id?: unknown } | null;
      if (typeof document?.id !== 'string') throw new CredenceClientError('BAD_RESPONSE', 'the DID document has no id');
      return document.id;
    })().catch((error: unknown) => {
      audience = undefined; // a failed lookup is retried on the next call
      throw error;
    });
    return audience;
  }

  async function request<T>(query: string, variables: Record<string, unknown> = {}, requestOptions: { auth?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json', accept: 'application/json' };
    if (requestOptions.auth) {
      if (!options.key) throw new CredenceClientError('NO_KEY', 'this operation acts as the caller: create the client with a key');
      const token = mintAuthToken(options.key, { audience: await serviceDid(), now: now(), lifetimeSeconds });
      headers.authorization = `Bearer ${token}`;
    }
    const response = await send(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const text = await response.text();
    let body: GraphQLBody<T> | null = null;
    try {
      body = JSON.parse(text) as GraphQLBody<T>;
    } catch {
      body = null;
    }
    const first = body?.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? (response.ok ? 'BAD_RESPONSE' : 'HTTP_ERROR');
      throw new CredenceClientError(code, first.message ?? 'request failed', { status: response.status, field: first.extensions?.field ?? null });
    }
    if (!response.ok) throw new CredenceClientError('HTTP_ERROR', `POST /graphql answered ${response.status}`, { status: response.status });
    if (!body?.data) throw new CredenceClientError('BAD_RESPONSE', 'the response carries no data', { status: response.status });
    return body.data;
  }

  return {
    serviceDid,
    request,

    async trust(did, { asOf } = {}) {
      return (await request<{ trust: TrustReport }>(QUERIES.trust, { did, asOf: asOfVariable(asOf) })).trust;
    },

    async trustBatch(dids, { asOf } = {}) {
      return (await request<{ trustBatch: TrustReport[] }>(QUERIES.trustBatch, { dids, asOf: asOfVariable(asOf) })).trustBatch;
    },

    async checkTrust(did, policy, { asOf } = {}) {
      return (await request<{ checkTrust: TrustDecision }>(QUERIES.checkTrust, { did, policy, asOf: asOfVariable(asOf) })).checkTrust;
    },

    async submitReceipt(input) {
      const { receipt, cosignatures } = submission(input);
      const { submitReceipt } = await request<{ submitReceipt: SubmitView }>(QUERIES.submitReceipt, { receipt, cosignatures: cosignatures ?? null });
      const payload = throwIfError(submitReceipt);
      return { receipt: payload.receipt, duplicate: payload.duplicate };
    },

    async submitReceipts(inputs) {
      const receipts = inputs.map(submission);
      const { submitReceipts } = await request<{ submitReceipts: { __typename: string; results?: SubmitView[] } }>(QUERIES.submitReceipts, {
        receipts,
      });
      return (throwIfError(submitReceipts).results ?? []).map(toOutcome);
    },

    async recordSettlement(event) {
      const { recordSettlement } = await request<{ recordSettlement: { __typename: string } & RecordedSettlement }>(
        QUERIES.recordSettlement,
        { event },
      );
      const payload = throwIfError(recordSettlement);
      return { settlement: payload.settlement, duplicate: payload.duplicate };
    },

    async issueCredential(input) {
      const { issueCredential } = await request<{ issueCredential: { __typename: string; credential: Credential } }>(
        QUERIES.issueCredential,
        { input: { type: input.type, format: input.format, receiptId: input.receiptId ?? null } },
        { auth: true },
      );
      return throwIfError(issueCredential).credential;
    },

    async verifyCredential(credential) {
      const text = typeof credential === 'string' ? credential : JSON.stringify(credential);
      return (await request<{ verifyCredential: VerificationResult }>(QUERIES.verifyCredential, { credential: text })).verifyCredential;
    },

    async verifyPresentation(presentation, binding = {}) {
      const text = typeof presentation === 'string' ? presentation : JSON.stringify(presentation);
      return (
        await request<{ verifyPresentation: PresentationVerificationResult }>(QUERIES.verifyPresentation, {
          presentation: text,
          challenge: binding.challenge ?? null,
          domain: binding.domain ?? null,
        })
      ).verifyPresentation;
    },

    async serviceInfo() {
      return (await request<{ serviceInfo: ServiceInfo }>(QUERIES.serviceInfo)).serviceInfo;
    },

    async agent(did) {
      return (await request<{ agent: Agent | null }>(QUERIES.agent, { did })).agent;
    },

    async claimDid(input = {}) {
      const { claimDid } = await request<{ claimDid: { __typename: string; agent: Agent } }>(
        QUERIES.claimDid,
        { input: { displayName: input.displayName ?? null, ...(input.kind ? { kind: input.kind } : {}) } },
        { auth: true },
      );
      return throwIfError(claimDid).agent;
    },

    async credentials(did, { first } = {}) {
      const { credentials } = await request<{ credentials: { edges: Array<{ node: Credential }> } }>(QUERIES.credentials, { did, first: first ?? null });
      return credentials.edges.map((edge) => edge.node);
    },

    async credential(id) {
      return (await request<{ credential: Credential | null }>(QUERIES.credential, { id })).credential;
    },
  };
}
