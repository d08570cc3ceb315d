import type { ServiceCredentialVerification } from '../../credentials/credential.service.ts';
import { builder } from '../builder.ts';

export const VerificationProblemRef = builder
  .objectRef<{ code: string; message: string }>('VerificationProblem')
  .implement({
    description: 'One reason a credential or presentation failed, with a stable code (REVOKED, EXPIRED, BAD_SIGNATURE…).',
    fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
  });

export const VerificationResultRef = builder.objectRef<ServiceCredentialVerification>('VerificationResult').implement({
  description:
    'The verdict on a credential: signature against the issuer\'s current or retired key, validity period, revocation ' +
    'status and schema. Credentials from other issuers are checked the same way and flagged by issuedByService.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid'),
    revoked: t.exposeBoolean('revoked'),
    expired: t.exposeBoolean('expired'),
    format: t.exposeString('format', { nullable: true, description: 'JWT or JSON_LD, when the input could be read.' }),
    credentialId: t.exposeString('id', { nullable: true }),
    issuer: t.exposeString('issuer', { nullable: true }),
    issuedByService: t.exposeBoolean('issuedByService', { description: 'The issuer is this service\'s DID.' }),
    subject: t.exposeString('subject', { nullable: true }),
    types: t.exposeStringList('types'),
    validFrom: t.field({ type: 'DateTime', nullable: true, resolve: (result) => result.validFrom }),
    validUntil: t.field({ type: 'DateTime', nullable: true, resolve: (result) => result.validUntil }),
    errors: t.exposeStringList('errors', { description: 'Why it is invalid, one reason each; empty when valid.' }),
    problems: t.field({ type: [VerificationProblemRef], resolve: (result) => result.problems }),
    warnings: t.exposeStringList('warnings', { description: 'Worth knowing without making it invalid (a foreign issuer).' }),
  }),
});
