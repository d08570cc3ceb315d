// `credence verify FILE`: offline verification of a credential or presentation (JWT, JSON-LD or Data Integrity). The
// issuer's DID document and status lists come from files, or from URLs the user names; nothing else is fetched.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decodeJws } from '../../crypto/ed25519.ts';
import { createDocumentLoader, type DidDocument } from '../../credentials/document-loader.ts';
import { verifyPresentation, type PresentationVerification } from '../../credentials/presentation.ts';
import type { CredentialVerification } from '../../credentials/verification-result.ts';
import { VERIFY_OPTIONS } from './verify-definition.ts';
import { verifyCredential } from '../../credentials/verify.ts';

/** A JSON document from a file, or from an http(s) URL the user named on the command line. */
async function loadJson(source: string): Promise<Record<string, unknown>> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { headers: { accept: 'application/json, application/did+json, application/vc+ld+json' } });
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }
  return JSON.parse(await readFile(source, 'utf8')) as Record<string, unknown>;
}

async function readInput(source: string): Promise<string> {
  if (source !== '-') return readFile(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A presentation is a JWT with a `vp` claim or a JSON document typed VerifiablePresentation. */
export function isPresentation(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const type = (JSON.parse(trimmed) as { type?: unknown }).type;
      return (Array.isArray(type) ? type : [type]).includes('VerifiablePresentation');
    } catch {
      return false;
    }
  }
  try {
    return decodeJws(trimmed).payload.vp !== undefined;
  } catch {
    return false;
  }
}

function describeCredential(result: CredentialVerification, indent = ''): string[] {
  const lines = [
    `${indent}${result.valid ? 'valid' : 'invalid'}: ${result.types.filter((type) => type !== 'VerifiableCredential').join(', ') || 'credential'}` +
      `${result.format ? ` (${result.format})` : ''}${result.id ? ` ${result.id}` : ''}`,
  ];
  if (result.issuer) lines.push(`${indent}  issuer:  ${result.issuer}`);
  if (result.subject) lines.push(`${indent}  subject: ${result.subject}`);
  if (result.validUntil) lines.push(`${indent}  valid until ${result.validUntil.toISOString()}`);
  for (const error of result.errors) lines.push(`${indent}  - ${error}`);
  return lines;
}

function describePresentation(result: PresentationVerification): string[] {
  const lines = [`${result.valid ? 'valid' : 'invalid'}: presentation${result.format ? ` (${result.format})` : ''}`];
  if (result.holder) lines.push(`  holder: ${result.holder}`);
  for (const error of result.errors) lines.push(`  - ${error}`);
  result.credentials.forEach((credential) => lines.push(...describeCredential(credential, '  ')));
  return lines;
}

export async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: VERIFY_OPTIONS,
  });
  if (positionals.length !== 1) {
    console.error('verify needs one FILE (or - for stdin); see `credence help verify`');
    return 2;
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    console.error('--now must be an ISO-8601 date-time');
    return 2;
  }
  const didDocuments = await Promise.all((values['did-document'] ?? []).map(loadJson));
  for (const [index, document] of didDocuments.entries()) {
    if (typeof document.id !== 'string') throw new Error(`${values['did-document']![index]}: not a DID document (no id)`);
  }
  const statusLists = new Map<string, object>();
  for (const source of values['status-list'] ?? []) {
    const list = await loadJson(source);
    // Keyed by the list's own id (what credentials point to); a URL source also answers for itself.
    if (typeof list.id === 'string') statusLists.set(list.id, list);
    if (/^https?:\/\//.test(source)) statusLists.set(source, list);
  }
  const documentLoader = createDocumentLoader({ didDocuments: didDocuments as DidDocument[], statusListCredentials: statusLists });

  const input = await readInput(positionals[0]!);
  let valid: boolean;
  let lines: string[];
  let problems: Array<{ code: string }>;
  if (isPresentation(input)) {
    const result = await verifyPresentation(input, {
      now,
      documentLoader,
      ...(values.challenge !== undefined ? { challenge: values.challenge } : {}),
      ...(values.domain !== undefined ? { domain: values.domain } : {}),
    });
    valid = result.valid;
    problems = [...result.problems, ...result.credentials.flatMap((credential) => credential.problems)];
    lines = values.json ? [JSON.stringify(result, null, 2)] : describePresentation(result);
    if (!values.json && values.challenge === undefined) lines.push('note: no --challenge given, so the presentation\'s binding was not checked');
  } else {
    const result = await verifyCredential(input, { now, documentLoader });
    valid = result.valid;
    problems = result.problems;
    lines = values.json ? [JSON.stringify({ ...result, credential: undefined }, null, 2)] : describeCredential(result);
  }
  if (!values.json) {
    if (problems.some((problem) => problem.code === 'UNKNOWN_ISSUER')) lines.push('hint: pass the issuer\'s DID document with --did-document FILE|URL');
    if (problems.some((problem) => problem.code === 'STATUS_UNAVAILABLE')) lines.push('hint: pass the status list with --status-list FILE|URL');
  }
  console.log(lines.join('\n'));
  return valid ? 0 : 1;
}
