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
      valid: t.exposeBoolean('valid'),
      format: t.exposeString('format', { nullable: true }),
      holder: t.exposeString('holder', { nullable: true }),
      credentials: t.field({ type: [VerificationResultRef], resolve: (result) => result.credentials }),
      errors: t.exposeStringList('errors'),
      problems: t.field({ type: [VerificationProblemRef], resolve: (result) => result.problems }),
    }),
  });
