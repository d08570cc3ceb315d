// What a credential verification answers, shared by every format.
import type { DocumentLoader } from './document-loader.ts';

export type ProblemCode =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_ISSUER'
  | 'UNKNOWN_ISSUER_KEY'
  | 'UNTRUSTED_ISSUER'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'REVOKED'
  | 'STATUS_UNAVAILABLE'
  | 'SCHEMA'
  /** Not in the exact form Credence issues (@context list, terms, value forms); nothing else was checked. */
  | 'UNEXPECTED_SHAPE'
  /** Over a size, node or depth cap, or over the time budget for checking the proof. */
  | 'TOO_COSTLY';

export interface VerificationProblem {
  code: ProblemCode;
  message: string;
}

export type CredentialFormat = 'JWT' | 'JSON_LD' | 'DATA_INTEGRITY';

export interface CredentialVerification {
  valid: boolean;
  revoked: boolean;
  expired: boolean;
  format: CredentialFormat | null;
  id: string | null;
  issuer: string | null;
  subject: string | null;
  types: string[];
  validFrom: Date | null;
  validUntil: Date | null;
  /** The credential as a W3C JSON object (a JWT's payload normalized into one), when it could be read. */
  credential: Record<string, unknown> | null;
  /** One human-readable reason per problem, prefixed by what failed ("signature: …", "expired: …"). */
  errors: string[];
  problems: VerificationProblem[];
}

export interface VerifyCredentialOptions {
  now: Date;
  /** The offline loader: contexts, the issuer's DID document, status lists. */
  documentLoader: DocumentLoader;
  /** When given, only these issuer DIDs are accepted. */
  trustedIssuers?: readonly string[];
  /** Leeway for validity dates, in seconds (default 60). */
  clockSkewSeconds?: number;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

export function validityProblems(
  validFrom: Date | null,
  validUntil: Date | null,
  now: Date,
  clockSkewSeconds = DEFAULT_CLOCK_SKEW_SECONDS,
): VerificationProblem[] {
  const problems: VerificationProblem[] = [];
  const skew = clockSkewSeconds * 1000;
  if (validFrom && validFrom.getTime() - skew > now.getTime()) {
    problems.push({
      code: 'NOT_YET_VALID',
      message: `not yet valid: valid from ${validFrom.toISOString()}, now is ${now.toISOString()}`,
    });
  }
  if (validUntil && validUntil.getTime() + skew <= now.getTime()) {
    problems.push({
      code: 'EXPIRED',
      message: `expired: valid until ${validUntil.toISOString()}, now is ${now.toISOString()}`,
    });
  }
  return problems;
}

export function trustProblem(issuer: string | null, trustedIssuers?: readonly string[]): VerificationProblem | undefined {
  if (!trustedIssuers || (issuer && trustedIssuers.includes(issuer))) return undefined;
  return { code: 'UNTRUSTED_ISSUER', message: `issuer: ${issuer ?? '(none)'} is not a trusted issuer` };
}

export function verificationResult(
  fields: Omit<CredentialVerification, 'valid' | 'revoked' | 'expired' | 'errors' | 'problems'>,
  problems: VerificationProblem[],
): CredentialVerification {
  return {
    valid: problems.length === 0,
    revoked: problems.some((problem) => problem.code === 'REVOKED'),
    expired: problems.some((problem) => problem.code === 'EXPIRED'),
    ...fields,
    errors: problems.map((problem) => problem.message),
    problems,
  };
}

/** A result for input that could not be read as a credential at all. */
export function unreadable(message: string, format: CredentialFormat | null = null): CredentialVerification {
  return verificationResult(
    {
      format,
      id: null,
      issuer: null,
      subject: null,
      types: [],
      validFrom: null,
      validUntil: null,
      credential: null,
    },
    [{ code: 'MALFORMED', message }],
  );
}

/** A date-time string or undefined; null when present but unparsable (reported as malformed). */
export function parseDate(value: unknown): Date | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The string entries of a JSON-LD `type` value. */
export function typeList(type: unknown): string[] {
  const list = Array.isArray(type) ? type : type === undefined ? [] : [type];
  return list.filter((entry): entry is string => typeof entry === 'string');
}
