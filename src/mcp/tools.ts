// The Credence MCP tools: names, descriptions written for a model, zod input and output schemas, and the mapping to
// one backend. The same definitions serve both transports: over Streamable HTTP the backend is the service's own
// services (per request, with the caller's token), over stdio it is the typed client talking to a service, with
// the agent's key. A tool's structured output is built field by field here, so both backends answer the same shape.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CredenceClientError } from '../client/credence-client.ts';
import { VECTOR_KEYS, WINDOW_KEYS, WINDOW_STAT_KEYS as CREDENTIAL_WINDOW_STAT_KEYS } from '../credentials/credential-shape.ts';
import { isEd25519DidKey } from '../crypto/ed25519.ts';
import { CredenceError, InputError } from '../errors.ts';
import { ClaimDidInputSchema } from '../identity/agent.service.ts';
import { isSubjectDid, MAX_SUBJECT_DID_LENGTH, SUBJECT_DID_MESSAGE } from '../identity/subject-did.ts';

// ---------------------------------------------------------------- what a backend answers

export interface McpTrustReport {
  did: string;
  asOf: string;
  score: number;
  tier: string;
  confidence: number;
  vector: Record<VectorKey, number>;
  windows: Record<WindowKey, Record<WindowStatKey, number>>;
  client: { jobsAsClient: number; disputesFiled: number; disputeRate: number; restricted: boolean };
  flags: Array<{ code: string; severity: string; detail: string }>;
  explanation: Array<{ factor: string; points: number; detail: string }>;
}

export interface McpAgent {
  did: string;
  displayName: string | null;
  claimed: boolean;
  claimedAt: string | null;
  profileUrl: string;
  badgeUrl: string;
}

export interface McpCredentialCheck {
  valid: boolean;
  revoked: boolean;
  expired: boolean;
  format: string | null;
  credentialId: string | null;
  issuer: string | null;
  issuedByService: boolean;
  subject: string | null;
  types: string[];
  validUntil: string | null;
  errors: string[];
  warnings: string[];
}

export interface McpPresentationCheck {
  valid: boolean;
  format: string | null;
  holder: string | null;
  errors: string[];
  credentials: McpCredentialCheck[];
}

export interface McpCredential {
  credentialId: string;
  type: string;
  format: string;
  revoked: boolean;
  issuedAt: string;
  expiresAt: string | null;
}

export interface McpIssuedCredential extends McpCredential {
  encoded: string;
}

export type McpPolicy = z.infer<typeof PolicySchema>;

export interface McpBackend {
  checkTrust(did: string, policy: McpPolicy): Promise<{ allowed: boolean; reasons: string[]; report: McpTrustReport }>;
  trustReport(did: string, asOf: Date | undefined): Promise<McpTrustReport>;
  trustBatch(dids: readonly string[]): Promise<McpTrustReport[]>;
  agent(did: string): Promise<McpAgent>;
  verifyCredential(credential: string): Promise<McpCredentialCheck>;
  verifyPresentation(presentation: string, binding: { challenge?: string; domain?: string }): Promise<McpPresentationCheck>;
  claimDid(input: { displayName?: string | null }): Promise<McpAgent>;
  listMyCredentials(): Promise<McpCredential[]>;
  requestCredential(input: { type: CredentialTypeName; format: CredentialFormatName; receiptId?: string }): Promise<McpIssuedCredential>;
  /** Only where the holder's key is (stdio with --key): the service never holds an agent's key. */
  createPresentation?(input: {
    credentialIds: readonly string[];
    challenge: string;
    domain: string;
    format: PresentationFormatName;
  }): Promise<{ presentation: string; format: PresentationFormatName; holder: string }>;
}

// ---------------------------------------------------------------- input schemas

export const MAX_TRUST_BATCH = 100;
export const MAX_PRESENTED_CREDENTIALS = 20;
/** Credentials and presentations are small; the same bound as GraphQL's verifyCredential. */
const MAX_DOCUMENT = 262_144;
const MAX_BINDING = 500;

export const CREDENTIAL_TYPES = ['REPUTATION', 'TASK_COMPLETION'] as const;
export const CREDENTIAL_FORMATS = ['JWT', 'JSON_LD', 'DATA_INTEGRITY'] as const;
export type CredentialTypeName = (typeof CREDENTIAL_TYPES)[number];
export type CredentialFormatName = (typeof CREDENTIAL_FORMATS)[number];
/** A JSON-LD presentation carries JSON_LD and DATA_INTEGRITY credentials alike. */
export const PRESENTATION_FORMATS = ['JWT', 'JSON_LD'] as const;
export type PresentationFormatName = (typeof PRESENTATION_FORMATS)[number];

/** What a trust read can be about, as GraphQL's trust queries: an agent's did:key, or a did:web from imported history. */
const SubjectDid = z
  .string()
  .max(MAX_SUBJECT_DID_LENGTH)
  .refine(isSubjectDid, SUBJECT_DID_MESSAGE)
  .describe('An agent DID (Ed25519 did:key, did:key:z6Mk…) or a did:web');
const DidKey = z
  .string()
  .max(200)
  .refine(isEd25519DidKey, 'must be an Ed25519 did:key (did:key:z6Mk…)')
  .describe('An agent DID (Ed25519 did:key, did:key:z6Mk…)');
const Tier = z.enum(['A', 'B', 'C', 'D', 'F']);

export const PolicySchema = z
  .object({
    minScore: z.number().min(0).max(100).nullish().describe('Lowest acceptable score, 0-100.'),
    minTier: Tier.nullish().describe('Lowest acceptable tier (A best, F worst).'),
    maxDisputeRate: z.number().min(0).max(1).nullish().describe('Highest acceptable dispute rate, 0-1, read in `window`.'),
    minVerifiedVolumeUsd: z.number().min(0).nullish().describe('Lowest escrow-verified accepted volume (USD) in `window`.'),
    minConfidence: z.number().min(0).max(1).nullish().describe('Lowest acceptable confidence, 0-1 (how much evidence).'),
    window: z.enum(['D7', 'D30', 'D90', 'LIFETIME']).nullish().describe('Window the dispute-rate and volume rules read; LIFETIME by default.'),
    rejectFlags: z.array(z.string().min(1).max(64)).max(20).nullish().describe('Flag codes that reject outright, e.g. ["SYBIL_CLUSTER"].'),
    rejectRestrictedClient: z.boolean().nullish().describe('Refuse agents restricted as clients (they dispute too much).'),
    rejectAbusiveClient: z.boolean().nullish().describe('Refuse agents flagged ABUSIVE_CLIENT (disputes as a buyer far above their agents\' other clients\').'),
  })
  .strict()
  .describe('The TrustPolicyInput: every rule is optional, and every failed rule gives one reason.');

const CredentialId = z.string().min(1).max(200).describe('The credential\'s own id, urn:uuid:…');
/** The same range as GraphQL's DateTime: beyond it, hour and day counts overflow. */
const DATETIME_MIN = Date.parse('1970-01-01T00:00:00.000Z');
const DATETIME_MAX = Date.parse('9999-12-31T23:59:59.999Z');
const IsoDateTime = z.iso
  .datetime({ offset: true })
  .refine((value) => Date.parse(value) >= DATETIME_MIN && Date.parse(value) <= DATETIME_MAX, 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');

// ---------------------------------------------------------------- output schemas

// The report's window statistics: a reputation credential's, plus the verified volume.
const WINDOW_STAT_KEYS = [...CREDENTIAL_WINDOW_STAT_KEYS, 'verifiedVolumeUsd'] as const;
type VectorKey = (typeof VECTOR_KEYS)[number];
type WindowKey = (typeof WINDOW_KEYS)[number];
type WindowStatKey = (typeof WINDOW_STAT_KEYS)[number];

const numbers = <K extends string>(keys: readonly K[]) => z.object(Object.fromEntries(keys.map((key) => [key, z.number()])) as Record<K, z.ZodNumber>);
const WindowStats = numbers(WINDOW_STAT_KEYS);

const TrustReportShape = {
  did: z.string(),
  asOf: z.string().describe('ISO-8601 instant the report is computed for.'),
  score: z.number().describe('0-100.'),
  tier: z.string().describe('A (best) to F.'),
  confidence: z.number().describe('0-1: how much evidence there is, not how good it is.'),
  vector: numbers(VECTOR_KEYS).describe('E economic, P productivity, B behavioral, D diversity, R recency: each 0 to 1, higher is better. A anomaly and C compliance penalties: each -1 to 0, lower is worse.'),
  windows: z.object({ d7: WindowStats, d30: WindowStats, d90: WindowStats, lifetime: WindowStats }),
  client: z.object({ jobsAsClient: z.number(), disputesFiled: z.number(), disputeRate: z.number(), restricted: z.boolean() }),
  flags: z.array(z.object({ code: z.string(), severity: z.string(), detail: z.string() })),
  explanation: z.array(z.object({ factor: z.string(), points: z.number(), detail: z.string() })).describe('Points sum to the score.'),
};
const TrustReportOutput = z.object(TrustReportShape);

const CredentialCheckShape = {
  valid: z.boolean(),
  revoked: z.boolean(),
  expired: z.boolean(),
  format: z.string().nullable(),
  credentialId: z.string().nullable(),
  issuer: z.string().nullable(),
  issuedByService: z.boolean().describe('Signed by this Credence service\'s DID.'),
  subject: z.string().nullable(),
  types: z.array(z.string()),
  validUntil: z.string().nullable(),
  errors: z.array(z.string()).describe('One reason per problem; empty when valid.'),
  warnings: z.array(z.string()),
};

const AgentShape = {
  did: z.string(),
  displayName: z.string().nullable(),
  claimed: z.boolean().describe('The DID proved control of its key by claiming itself.'),
  claimedAt: z.string().nullable(),
  profileUrl: z.string().describe('Public profile page.'),
  badgeUrl: z.string().describe('SVG trust badge.'),
};

const CredentialSummaryShape = {
  credentialId: z.string(),
  type: z.string(),
  format: z.string(),
  revoked: z.boolean(),
  issuedAt: z.string(),
  expiresAt: z.string().nullable(),
};

// ---------------------------------------------------------------- mapping helpers

export function reportOutput(report: McpTrustReport): McpTrustReport {
  const pick = <K extends string>(source: Record<string, unknown>, keys: readonly K[]) =>
    Object.fromEntries(keys.map((key) => [key, Number(source[key] ?? 0)])) as Record<K, number>;
  const windows = report.windows as Record<string, Record<string, unknown>>;
  return {
    did: report.did,
    asOf: report.asOf,
    score: report.score,
    tier: report.tier,
    confidence: report.confidence,
    vector: pick(report.vector, VECTOR_KEYS),
    windows: Object.fromEntries(WINDOW_KEYS.map((key) => [key, pick(windows[key] ?? {}, WINDOW_STAT_KEYS)])) as McpTrustReport['windows'],
    client: {
      jobsAsClient: report.client.jobsAsClient,
      disputesFiled: report.client.disputesFiled,
      disputeRate: report.client.disputeRate,
      restricted: report.client.restricted,
    },
    flags: report.flags.map(({ code, severity, detail }) => ({ code, severity, detail })),
    explanation: report.explanation.map(({ factor, points, detail }) => ({ factor, points, detail })),
  };
}

const describeReport = (report: McpTrustReport) =>
  `${report.did}: tier ${report.tier}, score ${report.score.toFixed(1)}, confidence ${report.confidence.toFixed(2)}` +
  (report.flags.length > 0 ? `, flags ${report.flags.map((flag) => flag.code).join(', ')}` : '');

function errorCodeOf(error: unknown): { code: string; field: string | null } | null {
  if (error instanceof CredenceError) return { code: error.code, field: error instanceof InputError ? error.field : null };
  if (error instanceof CredenceClientError) return { code: String(error.code), field: error.details.field ?? null };
  return null;
}

/** A tool error: the text starts with the service's error code, which `_meta` repeats for programs. */
export function toolError(error: unknown, onUnexpected?: (error: unknown) => void): CallToolResult {
  const known = errorCodeOf(error);
  if (!known) onUnexpected?.(error);
  const code = known?.code ?? 'INTERNAL_SERVER_ERROR';
  const message = known ? (error as Error).message : 'unexpected error';
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}` }],
    _meta: { 'credence.dev/error': { code, ...(known?.field ? { field: known.field } : {}) } },
  };
}

function ok<T extends object>(summary: string, structured: T): CallToolResult {
  return { content: [{ type: 'text', text: summary }], structuredContent: structured as Record<string, unknown> };
}

// ---------------------------------------------------------------- registration

export interface RegisterToolsOptions {
  /** Called with errors that carry no service error code (they are answered as INTERNAL_SERVER_ERROR). */
  onUnexpected?: (error: unknown) => void;
}

export const READ_TOOLS = ['check_trust', 'get_trust_report', 'trust_batch', 'get_agent', 'verify_credential', 'verify_presentation'] as const;
export const ACTING_TOOLS = ['claim_did', 'list_my_credentials', 'request_credential'] as const;

export function registerTools(server: McpServer, backend: McpBackend, options: RegisterToolsOptions = {}): void {
  const run = async (work: () => Promise<CallToolResult>): Promise<CallToolResult> => {
    try {
      return await work();
    } catch (error) {
      return toolError(error, options.onUnexpected);
    }
  };
  const read = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'check_trust',
    {
      title: 'Check an agent against a trust policy',
      description:
        'Decide whether to hire, pay or rely on an agent: checks its trust report against your policy and answers ' +
        'allowed, with one reason per failed rule. Use this before you pay or delegate. Give the rules that matter ' +
        'to you (e.g. minTier "C", maxDisputeRate 0.1, minConfidence 0.3); an empty policy allows anyone.',
      inputSchema: { did: SubjectDid.describe('The agent you are about to hire or pay.'), policy: PolicySchema },
      outputSchema: {
        did: z.string(),
        allowed: z.boolean(),
        reasons: z.array(z.string()).describe('One sentence per failed rule; empty when allowed.'),
        score: z.number(),
        tier: z.string(),
        confidence: z.number(),
        flags: z.array(z.string()).describe('Flag codes on the report.'),
      },
      annotations: read,
    },
    ({ did, policy }) =>
      run(async () => {
        const decision = await backend.checkTrust(did, policy);
        const { report } = decision;
        const summary = decision.allowed
          ? `allowed: ${describeReport(report)}`
          : `not allowed: ${describeReport(report)}; ${decision.reasons.join('; ')}`;
        return ok(summary, {
          did: report.did,
          allowed: decision.allowed,
          reasons: decision.reasons,
          score: report.score,
          tier: report.tier,
          confidence: report.confidence,
          flags: report.flags.map((flag) => flag.code),
        });
      }),
  );

  server.registerTool(
    'get_trust_report',
    {
      title: 'Trust report of a DID',
      description:
        'The full trust report of any DID: score 0-100, tier A-F, confidence, the seven-dimension vector, 7/30/90-day ' +
        'and lifetime window statistics, client statistics, flags and an explanation whose points sum to the score. ' +
        'An unknown DID gets tier F, confidence 0 and flag NO_HISTORY. Pass asOf (ISO-8601) for the report at a past instant.',
      inputSchema: { did: SubjectDid, asOf: IsoDateTime.optional().describe('ISO-8601 date-time; now when omitted.') },
      outputSchema: TrustReportShape,
      annotations: read,
    },
    ({ did, asOf }) =>
      run(async () => {
        const report = reportOutput(await backend.trustReport(did, asOf === undefined ? undefined : new Date(asOf)));
        return ok(describeReport(report), report);
      }),
  );

  server.registerTool(
    'trust_batch',
    {
      title: 'Trust reports of many DIDs',
      description: `Trust reports for up to ${MAX_TRUST_BATCH} DIDs at once (e.g. to rank candidates), answered in input order.`,
      inputSchema: { dids: z.array(SubjectDid).min(1).max(MAX_TRUST_BATCH).describe(`1 to ${MAX_TRUST_BATCH} DIDs.`) },
      outputSchema: { reports: z.array(TrustReportOutput).describe('One report per DID, in input order.') },
      annotations: read,
    },
    ({ dids }) =>
      run(async () => {
        const reports = (await backend.trustBatch(dids)).map(reportOutput);
        return ok(reports.map(describeReport).join('\n'), { reports });
      }),
  );

  server.registerTool(
    'get_agent',
    {
      title: 'Agent profile',
      description:
        'Who an agent DID is: its display name, whether it has claimed its DID (proved control of its key), and the ' +
        'URLs of its public profile page and trust badge.',
      inputSchema: { did: DidKey },
      outputSchema: AgentShape,
      annotations: read,
    },
    ({ did }) =>
      run(async () => {
        const agent = await backend.agent(did);
        const summary = agent.claimed ? `${agent.did} (${agent.displayName ?? 'no display name'}), profile ${agent.profileUrl}` : `${agent.did} has not claimed its DID`;
        return ok(summary, agent);
      }),
  );

  server.registerTool(
    'verify_credential',
    {
      title: 'Verify a credential',
      description:
        'Verifies a Verifiable Credential (a JWT, or JSON-LD as JSON text): signature, issuer key (current or ' +
        'retired), validity period, revocation status and schema. Never fails for a bad credential: the answer says why.',
      inputSchema: { credential: z.string().min(1).max(MAX_DOCUMENT).describe('The credential: a JWT, or a JSON-LD document as JSON text.') },
      outputSchema: CredentialCheckShape,
      annotations: read,
    },
    ({ credential }) =>
      run(async () => {
        const result = await backend.verifyCredential(credential);
        const summary = result.valid
          ? `valid: ${result.types.filter((type) => type !== 'VerifiableCredential').join(', ')} issued by ${result.issuer} to ${result.subject}`
          : `invalid: ${result.errors.join('; ')}`;
        return ok(summary, result);
      }),
  );

  server.registerTool(
    'verify_presentation',
    {
      title: 'Verify a presentation',
      description:
        'Verifies a Verifiable Presentation an agent gave you (JWT or JSON-LD text) and every credential in it. Pass ' +
        'the challenge (and domain) you asked it to sign: a presentation made for another challenge, by someone other ' +
        'than the credentials\' subject, or holding a revoked credential is refused.',
      inputSchema: {
        presentation: z.string().min(1).max(MAX_DOCUMENT).describe('The presentation: a JWT, or a JSON-LD document as JSON text.'),
        challenge: z.string().min(1).max(MAX_BINDING).optional().describe('The nonce you gave the holder.'),
        domain: z.string().min(1).max(MAX_BINDING).optional().describe('Your domain, as you gave it to the holder.'),
      },
      outputSchema: {
        valid: z.boolean(),
        format: z.string().nullable(),
        holder: z.string().nullable().describe('The DID that signed the presentation.'),
        errors: z.array(z.string()),
        credentials: z.array(z.object(CredentialCheckShape)),
      },
      annotations: read,
    },
    ({ presentation, challenge, domain }) =>
      run(async () => {
        const result = await backend.verifyPresentation(presentation, {
          ...(challenge !== undefined ? { challenge } : {}),
          ...(domain !== undefined ? { domain } : {}),
        });
        const summary = result.valid
          ? `valid presentation by ${result.holder} of ${result.credentials.length} credential(s)` +
            (challenge === undefined ? ' (no challenge given: its binding was not checked)' : '')
          : `invalid presentation: ${result.errors.join('; ')}`;
        return ok(summary, result);
      }),
  );

  server.registerTool(
    'claim_did',
    {
      title: 'Claim your DID',
      description:
        'Claims your own DID on Credence (proof of control of its key), with an optional display name shown on your ' +
        'profile and badge. Claiming again updates the name. Acts as you: needs your key or token.',
      inputSchema: { displayName: ClaimDidInputSchema.shape.displayName.describe('Up to 100 characters.') },
      outputSchema: AgentShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ displayName }) =>
      run(async () => {
        const agent = await backend.claimDid({ displayName: displayName ?? null });
        return ok(`claimed ${agent.did}${agent.displayName ? ` as ${agent.displayName}` : ''}; profile ${agent.profileUrl}`, agent);
      }),
  );

  server.registerTool(
    'list_my_credentials',
    {
      title: 'List your credentials',
      description:
        'The credentials Credence issued to you, newest first (at most 100), revoked ones included and marked. Use a ' +
        'credentialId with create_presentation. Acts as you: needs your key or token.',
      inputSchema: {},
      outputSchema: { credentials: z.array(z.object(CredentialSummaryShape)) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      run(async () => {
        const credentials = await backend.listMyCredentials();
        const summary =
          credentials.length === 0
            ? 'no credentials yet: request_credential issues one'
            : credentials.map((c) => `${c.credentialId} ${c.type} ${c.format}${c.revoked ? ' (revoked)' : ''}`).join('\n');
        return ok(summary, { credentials });
      }),
  );

  server.registerTool(
    'request_credential',
    {
      title: 'Request a credential',
      description:
        'Issues a Verifiable Credential to you. REPUTATION signs your current trust report (valid 30 days); ' +
        'TASK_COMPLETION attests one of your own accepted, escrow-verified receipts (give its receiptId; asking again ' +
        'returns the same live credential). format JWT is the most widely accepted; JSON_LD is a VC 2.0 document ' +
        'with an Ed25519Signature2020 proof; DATA_INTEGRITY is a VC 2.0 document with a Data Integrity ' +
        '(eddsa-rdfc-2022) proof. ' +
        'Acts as you: needs your key or token.',
      inputSchema: {
        type: z.enum(CREDENTIAL_TYPES),
        format: z.enum(CREDENTIAL_FORMATS),
        receiptId: z.string().min(1).max(200).optional().describe('Your accepted, escrow-verified receipt (TASK_COMPLETION only).'),
      },
      outputSchema: {
        ...CredentialSummaryShape,
        encoded: z.string().describe('The credential itself: the JWT, or the JSON-LD document as JSON text.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ type, format, receiptId }) =>
      run(async () => {
        const credential = await backend.requestCredential({ type, format, ...(receiptId !== undefined ? { receiptId } : {}) });
        return ok(`issued ${credential.type} credential ${credential.credentialId} (${credential.format})`, credential);
      }),
  );

  const present = backend.createPresentation?.bind(backend);
  if (present) {
    server.registerTool(
      'create_presentation',
      {
        title: 'Present your credentials',
        description:
          'Signs a Verifiable Presentation of your own credentials with your key, bound to the verifier\'s challenge ' +
          'and domain, for a verifier (a marketplace, another agent) that asked you to prove your reputation. Give ' +
          'the credentialIds from list_my_credentials or request_credential. format JWT (default) presents JWT ' +
          'credentials, JSON_LD presents JSON_LD and DATA_INTEGRITY credentials. Hand the presentation to the verifier as is.',
        inputSchema: {
          credentialIds: z.array(CredentialId).min(1).max(MAX_PRESENTED_CREDENTIALS).describe('Your credentials to present.'),
          challenge: z.string().min(1).max(MAX_BINDING).describe('The nonce the verifier gave you.'),
          domain: z.string().min(1).max(MAX_BINDING).describe('The verifier\'s domain, as it gave it to you.'),
          format: z.enum(PRESENTATION_FORMATS).optional().describe('JWT unless given.'),
        },
        outputSchema: {
          presentation: z.string().describe('The signed presentation: a JWT, or a JSON-LD document as JSON text.'),
          format: z.string(),
          holder: z.string(),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      ({ credentialIds, challenge, domain, format }) =>
        run(async () => {
          const created = await present({ credentialIds, challenge, domain, format: format ?? 'JWT' });
          return ok(`presentation (${created.format}) of ${credentialIds.length} credential(s) by ${created.holder}:\n${created.presentation}`, created);
        }),
    );
  }
}
