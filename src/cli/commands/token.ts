// `credence token`: a DID-JWT bearer token made with the caller's own key.
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../auth/did-auth.ts';
import { mintAuthToken } from '../../auth/mint-token.ts';
import { loadConfig } from '../../config.ts';
import { readKeyFileForCommand } from './key-input.ts';
import { didWebFromUrl } from '../../issuer/did-web.ts';
import { defineCommand } from './command.ts';

export const tokenCommand = defineCommand({
  name: 'token',
  summary: 'print a DID-JWT bearer token signed with a key file',
  synopsis: ['token --key FILE [--aud DID] [--ttl SECONDS]'],
  description: `Print a single-use DID-JWT (EdDSA) for \`Authorization: Bearer <token>\`, issued by the key file's
did:key. Its audience must be the service's DID: by default the did:web derived from CREDENCE_PUBLIC_URL
(http://localhost:4000 gives did:web:localhost%3A4000), so set CREDENCE_PUBLIC_URL to the URL you call, or pass --aud.
Mint a new token per request: a spent one is refused as TOKEN_REPLAYED.`,
  options: {
    key: { type: 'string', value: 'FILE', required: true, description: 'key file written by `credence keygen`' },
    aud: { type: 'string', value: 'DID', description: "audience: the service's DID (default: from CREDENCE_PUBLIC_URL)" },
    ttl: {
      type: 'string',
      value: 'SECONDS',
      integer: { min: 1, max: MAX_TOKEN_LIFETIME_SECONDS },
      description: `lifetime in seconds, 1 to ${MAX_TOKEN_LIFETIME_SECONDS} (default 120)`,
    },
  },
  async run(input) {
    const audience = input.string('aud') ?? didWebFromUrl(loadConfig(input.io.env).publicUrl);
    const ttl = input.number('ttl');
    input.print(mintAuthToken(await readKeyFileForCommand(input.string('key')!, input.io.cwd), { audience, ...(ttl !== undefined ? { lifetimeSeconds: ttl } : {}) }));
    return 0;
  },
});
