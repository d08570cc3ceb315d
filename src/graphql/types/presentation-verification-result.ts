import type { ServicePresentationVerification } from '../../credentials/credential.service.ts';
import { builder } from '../builder.ts';
import { VerificationProblemRef, VerificationResultRef } from './verification-result.ts';

export const PresentationVerificationResultRef = builder
  .objectRef<ServicePresentationVerification>('PresentationVerificationResult')
  .implement({
    description:
      'The verdict on a holder\'s presentation: signed by the holder\'s DID key, bound to the challenge and domain, ' +
      'and every credential in it valid and about the holder.',
    fields: (t) => ({
      valid: t.exposeBoolean('valid', { description: 'True only when the presentation and every credential in it pass every check.' }),
      format: t.exposeString('format', { description: 'JWT or JSON_LD (a JSON-LD presentation may carry JSON_LD and DATA_INTEGRITY credentials), when the presentation could be read; null otherwise.', nullable: true }),
      holder: t.exposeString('holder', { description: 'The DID that signed the presentation; null when it could not be read.', nullable: true }),
      credentials: t.field({ description: 'The verdict on each credential inside, in order.', type: [VerificationResultRef], resolve: (result) => result.credentials }),
      errors: t.exposeStringList('errors', { description: 'Why it is invalid, one reason each; empty when valid.' }),
      problems: t.field({ description: 'The same reasons as `errors`, each with a stable code.', type: [VerificationProblemRef], resolve: (result) => result.problems }),
    }),
  });
