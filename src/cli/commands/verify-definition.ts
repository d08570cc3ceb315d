// `credence verify`'s options and help, apart from the command itself so the CLI can list it without loading the
// credential stack.
import { defineCommand } from './command.ts';

export const VERIFY_OPTIONS = {
  'did-document': { type: 'string', multiple: true, value: 'FILE|URL', description: "the issuer's DID document (a file, or a URL to fetch)" },
  'status-list': { type: 'string', multiple: true, value: 'FILE|URL', description: 'a status list credential (a file, or a URL to fetch)' },
  challenge: { type: 'string', value: 'C', description: "the presentation's expected challenge (nonce)" },
  domain: { type: 'string', value: 'D', description: "the presentation's expected domain" },
  now: { type: 'string', value: 'ISO', description: 'check validity as of this ISO-8601 time (default now)' },
  json: { type: 'boolean', description: 'print the full result as JSON' },
} as const;

export const verifyDefinition = defineCommand({
  name: 'verify',
  summary: 'verify a credential or presentation offline; exit 0 valid, 1 invalid',
  synopsis: ['verify FILE|- [--did-document FILE|URL]... [--status-list FILE|URL]... [--challenge C] [--domain D] [--now ISO] [--json]'],
  description: `Verify a credential or presentation (JWT, JSON-LD with an Ed25519Signature2020 proof, or Data Integrity
with an eddsa-rdfc-2022 proof) offline: signature with the issuer's current or retired key, validity period,
revocation bit and schema. The issuer's DID document and status lists come from the
files or URLs named here; nothing else is fetched. Prints the result with its reasons; exit 0 when valid, 1 when not.`,
  options: VERIFY_OPTIONS,
  positionals: { name: 'FILE|-', min: 1, max: 1 },
  // Loaded on use: the credential stack is heavy, and `credence help` needs none of it.
  run: async ({ args }) => (await import('./verify.ts')).verifyCommand(args),
});
