// `credence present`: a Verifiable Presentation of your own credentials, signed with your key and bound to a
// verifier's challenge and domain, for agents that do not speak MCP. `credence verify` checks what it makes.
import { readFile, writeFile } from 'node:fs/promises';
import { CredenceClientError } from '../../client/credence-client.ts';
import { createPresentation, type PresentationFormat } from '../../client/presentation.ts';
import { readKeyFile } from '../../crypto/key-file.ts';
import { defineCommand, UsageError, type CommandInput } from './command.ts';

const FORMATS: Record<string, PresentationFormat> = { jwt: 'JWT', 'json-ld': 'JSON_LD', json_ld: 'JSON_LD' };

async function readCredential(source: string, input: CommandInput): Promise<string> {
  if (source !== '-') return (await readFile(input.path(source), 'utf8')).trim();
  const chunks: Buffer[] = [];
  for await (const chunk of input.io.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export const presentCommand = defineCommand({
  name: 'present',
  summary: 'sign a presentation of your credentials for a verifier\'s challenge',
  synopsis: ['present --key FILE --challenge C --domain D [--format jwt|json-ld] [--out FILE] CREDENTIAL...'],
  description: `Print a Verifiable Presentation of your credentials, signed with your key file and bound to the
verifier's challenge (a nonce it gave you) and domain. Each CREDENTIAL is a file holding a credential as issued (a JWT,
or a JSON-LD document; \`encoded\` of issueCredential), or - for one on stdin; each must be about your key's DID. The
default is a JWT VP (valid 5 minutes) of JWT credentials; --format json-ld makes a VC 2.0 JSON-LD presentation with
an Ed25519Signature2020 proof, of JSON-LD and Data Integrity credentials. The verifier checks it with
\`credence verify --challenge C --domain D\`, the verifyPresentation query or the MCP tool verify_presentation.`,
  options: {
    key: { type: 'string', value: 'FILE', required: true, description: 'your key file (the holder: subject of every credential)' },
    challenge: { type: 'string', value: 'C', required: true, description: 'the verifier\'s challenge (nonce)' },
    domain: { type: 'string', value: 'D', required: true, description: 'the verifier\'s domain' },
    format: { type: 'string', value: 'jwt|json-ld', description: 'presentation format (default jwt)' },
    out: { type: 'string', value: 'FILE', description: 'write the presentation to FILE instead of stdout' },
  },
  positionals: { name: 'CREDENTIAL...', min: 1, max: 20 },
  async run(input) {
    const formatName = (input.string('format') ?? 'jwt').toLowerCase();
    const format = FORMATS[formatName];
    if (!format) throw new UsageError(`--format must be jwt or json-ld, not ${JSON.stringify(input.string('format'))}`);
    if (input.positionals.filter((source) => source === '-').length > 1) throw new UsageError('only one CREDENTIAL can be - (stdin)');
    const key = await readKeyFile(input.path(input.string('key')!));
    const credentials = await Promise.all(input.positionals.map((source) => readCredential(source, input)));
    let presentation: string;
    try {
      presentation = await createPresentation({ key, credentials, challenge: input.string('challenge')!, domain: input.string('domain')!, format });
    } catch (error) {
      if (error instanceof CredenceClientError) {
        input.error(`credence present: ${error.message}`);
        return 1;
      }
      throw error;
    }
    const out = input.string('out');
    if (out) {
      await writeFile(input.path(out), `${presentation}\n`);
      input.error(`wrote ${out}`);
    } else {
      input.print(presentation);
    }
    return 0;
  },
});
