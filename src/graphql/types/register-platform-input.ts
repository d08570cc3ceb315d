import { RegisterPlatformInputSchema } from '../../identity/platform.service.ts';
import { builder } from '../builder.ts';

export const RegisterPlatformInputRef = builder
  .inputType('RegisterPlatformInput', {
    description: 'A platform registering its own DID (the bearer token\'s signer).',
    fields: (t) => ({
      name: t.string({ description: 'Display name: 1 to 100 characters after trimming, no control characters.', required: true }),
      domain: t.string({ description: 'The platform\'s host name (example.com); at most 253 characters, stored lower case.', required: false }),
      webhookUrl: t.string({ description: 'An http(s) URL, at most 2,048 characters, for webhook events; omitted means no webhooks. Private and loopback addresses are refused unless the operator allows them.', required: false }),
    }),
  })
  .validate(RegisterPlatformInputSchema);
