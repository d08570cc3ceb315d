import { RegisterPlatformInputSchema } from '../../identity/platform.service.ts';
import { builder } from '../builder.ts';

export const RegisterPlatformInputRef = builder
  .inputType('RegisterPlatformInput', {
    fields: (t) => ({
      name: t.string({ required: true }),
      domain: t.string({ required: false }),
      webhookUrl: t.string({ required: false }),
    }),
  })
  .validate(RegisterPlatformInputSchema);
